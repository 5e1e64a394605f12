"""Benchmark: Multi30k De->En, corpus BLEU on test_2016_flickr for a plain LSTM, a GRU and
an attention encoder-decoder (the public reference, bentrevett/pytorch-seq2seq notebooks
1-3 trained on a GPU: 13.8 / 20.6 / 28.3).

CPU-sized: word level, lower-cased, words seen fewer than --min-count times -> <unk>,
a wall-clock budget per model. Two BLEU figures per decode: sacrebleu's corpus BLEU
(13a tokenisation, lower-cased, against the raw reference, <unk> counted as one word; its
signature is printed) and
lecun_zoo.families.seq2seq.bleu on our own tokens. With --out DIR every model's test outputs (source
length, reference, greedy and beam hypotheses) go to DIR/<model>.json, which
bench/seq2seq_bleu_by_length.py turns into the BLEU-by-source-length plot.

    python bench/seq2seq_multi30k.py --data-dir ../shared/data/multi30k/raw --models lstm,gru,attention \
        --minutes 3 --epochs 10
"""

from __future__ import annotations

import argparse
import json
import os
import time


MODELS = {
    # Sutskever-style: 2 stacked LSTMs, reversed source, no attention
    "lstm": dict(cell="lstm", num_layers=2, attention="none", reverse_source=True),
    # the same without reversing the source (Sutskever et al.'s ablation)
    "lstm_forward": dict(cell="lstm", num_layers=2, attention="none", reverse_source=False),
    # the same with GRUs (Cho et al. 2014 units)
    "gru": dict(cell="gru", num_layers=2, attention="none", reverse_source=True),
    # one LSTM layer + additive (Bahdanau) attention
    "attention": dict(cell="lstm", num_layers=1, attention="bahdanau", reverse_source=False),
}


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True, help="folder with train.de.gz, train.en.gz, val.*, test_2016_flickr.*")
    ap.add_argument("--models", default="lstm,gru,attention")
    ap.add_argument("--epochs", type=int, default=10, help="at most this many epochs per model")
    ap.add_argument("--minutes", type=float, default=3.0, help="wall-clock training budget per model")
    ap.add_argument("--min-count", type=int, default=2, help="rarer words become <unk> (bentrevett: 2)")
    ap.add_argument("--train-limit", type=int, default=None, help="use only the first N training pairs")
    ap.add_argument("--units", type=int, default=256)
    ap.add_argument("--embedding-dim", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--precision", default="float32", choices=("float32", "mixed_bfloat16"))
    ap.add_argument("--beam-width", type=int, default=4, help="also decode with this beam (1: greedy only)")
    ap.add_argument("--beam-models", default="lstm,gru,attention", help="the models also decoded with the beam")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="write each model's test outputs to OUT/<model>.json")
    args = ap.parse_args(argv)

    import keras

    import lecun_zoo
    from lecun_zoo import data
    from lecun_zoo.families.seq2seq.parallel_text import bucketed_dataset
    from lecun_zoo.families.seq2seq.tokens import tokenize
    from lecun_zoo.families.seq2seq import FAMILY, translate
    from lecun_zoo.families.seq2seq.bleu import corpus_bleu
    import sacrebleu
    from seq2seq_bleu_by_length import for_sacrebleu  # detokenised, <unk> as one word

    def sacre(outputs):
        result = sacrebleu.metrics.BLEU(lowercase=True)
        return result.corpus_score([for_sacrebleu(o.text) for o in outputs], [list(ref_test)]), result.get_signature()

    opts = dict(data_dir=args.data_dir, min_count=args.min_count, max_source_length=100, max_target_length=100)
    if args.train_limit:
        opts["limit"] = args.train_limit
    info = data.info("multi30k", **opts)
    xtr, ytr = data.arrays("multi30k", "train", **opts)
    xva, yva = data.arrays("multi30k", "validation", **opts)
    test_opts = {k: v for k, v in opts.items() if k != "limit"}
    src_test, ref_test = data.get_source("multi30k").texts("test", **test_opts)
    refs = [tokenize(r, "word", True) for r in ref_test]
    print(f"train pairs {len(ytr)}, source vocab {len(info.extra['source_vocab']) + 4}, "
          f"target vocab {len(info.extra['target_vocab']) + 4}, test sentences {len(src_test)}")

    class TimeBudget(keras.callbacks.Callback):
        def __init__(self, seconds):
            super().__init__()
            self.seconds, self.start, self.steps = seconds, None, 0

        def on_train_begin(self, logs=None):
            self.start = time.time()

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1
            if time.time() - self.start > self.seconds:
                self.model.stop_training = True

    rows = []
    for name in args.models.split(","):
        # bucketed batches (train() takes the pipelines as they are); vocabularies from info
        splits = {"train": bucketed_dataset(xtr, ytr, args.batch_size, seed=args.seed),
                  "validation": bucketed_dataset(xva, yva, args.batch_size, shuffle=False)}
        budget = TimeBudget(60 * args.minutes)
        result = lecun_zoo.train("seq2seq", "small", data=splits, epochs=args.epochs, precision=args.precision,
                                 seed=args.seed, callbacks=[budget], verbose=2, units=args.units,
                                 embedding_dim=args.embedding_dim, attention_units=args.units, dropout=args.dropout,
                                 max_source_length=100, max_target_length=60, **MODELS[name],
                                 **FAMILY.adapt_to_data(info))
        model, hist, train_s = result.model, result.history, result.train_seconds
        epochs_run = budget.steps * args.batch_size / len(ytr)  # fraction of passes over the train set
        t1 = time.time()
        greedy = translate(model, src_test, beam_width=1, batch_size=250, return_details=True)
        greedy_s = time.time() - t1
        bleu_g = corpus_bleu([g.target_tokens for g in greedy], refs)
        sacre_g, signature = sacre(greedy)
        row = dict(model=name, params=model.count_params(), epochs=epochs_run, train_s=train_s,
                   val_loss=hist.history["val_loss"][-1], bleu_greedy=bleu_g.score, greedy_s=greedy_s,
                   sacrebleu_greedy=sacre_g.score, sacrebleu_signature=str(signature), **MODELS[name])
        beam = None
        if args.beam_width > 1 and name in args.beam_models.split(","):
            t2 = time.time()
            beam = translate(model, src_test, beam_width=args.beam_width, batch_size=250, return_details=True)
            row["beam_s"] = time.time() - t2
            row["bleu_beam"] = corpus_bleu([b.target_tokens for b in beam], refs).score
            row["sacrebleu_beam"] = sacre(beam)[0].score
        print(f"{name}: ours {bleu_g}\n{name}: sacrebleu {sacre_g} ({signature})")
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            outputs = [dict(source=s, source_length=len(tokenize(s, "word", True)), reference=r, greedy=g.text,
                            **({"beam": beam[i].text} if beam else {}))
                       for i, (s, r, g) in enumerate(zip(src_test, ref_test, greedy))]
            with open(os.path.join(args.out, f"{name}.json"), "w") as f:
                json.dump(dict(row, history=hist.history, outputs=outputs), f, indent=1)
        for s, r, g in list(zip(src_test, ref_test, greedy))[:3]:
            print(f"  de:  {s}\n  ref: {r}\n  out: {g.text}")
        rows.append(row)
    nan = float("nan")
    print("\n| model | params | epochs | train s | val loss | sacreBLEU greedy | sacreBLEU beam | ours greedy | "
          "ours beam | greedy s | beam s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['model']} | {r['params']:,} | {r['epochs']:.2f} | {r['train_s']:.0f} | {r['val_loss']:.3f} | "
              f"{r['sacrebleu_greedy']:.2f} | {r.get('sacrebleu_beam', nan):.2f} | {r['bleu_greedy']:.2f} | "
              f"{r.get('bleu_beam', nan):.2f} | {r['greedy_s']:.1f} | {r.get('beam_s', nan):.1f} |")
    if rows:
        print(f"sacrebleu signature: {rows[0]['sacrebleu_signature']}")
    return rows


if __name__ == "__main__":
    main()
