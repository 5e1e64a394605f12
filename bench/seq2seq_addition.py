"""Benchmark: 3-digit addition ("123+45" -> "168"), the keras-io addition_rnn task.

Trains a seq2seq model on generated questions and reports greedy exact-match accuracy on
held-out questions and wall time. keras-io reports 99 %+ (50,000 questions, 30 epochs,
one LSTM of 128, reversed input).

    python bench/seq2seq_addition.py --epochs 15 --train-size 20000
    python bench/seq2seq_addition.py --epochs 15 --no-reverse           # source reversal off
    python bench/seq2seq_addition.py --precision mixed_bfloat16
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--train-size", type=int, default=20000)
    ap.add_argument("--test-size", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--units", type=int, default=128)
    ap.add_argument("--cell", default="lstm", choices=("lstm", "gru"))
    ap.add_argument("--attention", default="none", choices=("none", "bahdanau", "luong"))
    ap.add_argument("--no-reverse", action="store_true", help="read the question forwards")
    ap.add_argument("--precision", default="float32", choices=("float32", "mixed_bfloat16", "mixed_float16"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import lecun_zoo
    from lecun_zoo import data
    from lecun_zoo.families.seq2seq import translate

    opts = dict(train_size=args.train_size, eval_size=args.test_size, digits=3)
    result = lecun_zoo.train("seq2seq", "attention", data="addition", data_options=opts, epochs=args.epochs,
                             batch_size=args.batch_size, precision=args.precision, seed=args.seed, verbose=2,
                             cell=args.cell, units=args.units, embedding_dim=32, attention=args.attention,
                             attention_units=args.units, reverse_source=not args.no_reverse, learning_rate=3e-3,
                             max_target_length=5)
    model, hist, train_s = result.model, result.history, result.train_seconds
    questions, answers = data.get_source("addition").texts("test", seed=args.seed, **opts)
    t1 = time.time()
    predicted = translate(model, questions, beam_width=1, batch_size=500)
    decode_s = time.time() - t1
    exact = float(np.mean([p == a for p, a in zip(predicted, answers)]))
    row = dict(cell=args.cell, attention=args.attention, reverse=not args.no_reverse, precision=args.precision,
               train=args.train_size, epochs=args.epochs, params=model.count_params(),
               val_token_acc=hist.history["val_accuracy"][-1], test_exact=exact, train_s=train_s,
               s_per_epoch=train_s / args.epochs, decode_s=decode_s)
    print("| cell | attention | reversed | precision | train q | epochs | params | val token acc | test exact match | train s | s/epoch |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {row['cell']} | {row['attention']} | {row['reverse']} | {row['precision']} | {row['train']} | {row['epochs']} "
          f"| {row['params']} | {row['val_token_acc']:.4f} | {100 * exact:.2f} % | {train_s:.0f} | {row['s_per_epoch']:.1f} |")
    for q, a, p in list(zip(questions, answers, predicted))[:5]:
        print(f"  {q:>8} = {a:<5} model: {p}")
    return [row]


if __name__ == "__main__":
    main()
