"""Benchmark: training throughput float32 vs mixed_bfloat16, and greedy vs beam-search
decoding speed, for a seq2seq model at Multi30k-like sizes (random ids: speed only).

    python bench/seq2seq_speed.py --steps 20 --vocab 6000 --beams 1,4
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="attention")
    ap.add_argument("--vocab", type=int, default=6000, help="source and target vocabulary size")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--source-length", type=int, default=14)
    ap.add_argument("--target-length", type=int, default=15)
    ap.add_argument("--steps", type=int, default=20, help="timed training steps (after 3 warm-up steps)")
    ap.add_argument("--precisions", default="float32,mixed_bfloat16")
    ap.add_argument("--beams", default="1,4")
    ap.add_argument("--decode-sentences", type=int, default=256)
    ap.add_argument("--max-length", type=int, default=20)
    args = ap.parse_args(argv)

    import keras

    import lecun_zoo

    from lecun_zoo.families.seq2seq.inference import decode

    vocab = tuple(f"w{i}" for i in range(args.vocab - 4))
    rng = np.random.default_rng(0)
    B, S, T = args.batch_size, args.source_length, args.target_length
    x = {"source": rng.integers(4, args.vocab, (B, S)).astype("int32"),
         "target_in": rng.integers(4, args.vocab, (B, T)).astype("int32")}
    y = rng.integers(4, args.vocab, (B, T)).astype("int32")
    results = {"train": [], "decode": []}
    for precision in args.precisions.split(","):
        keras.utils.set_random_seed(0)
        with lecun_zoo.runtime(precision=precision):
            model = lecun_zoo.get("seq2seq", preset=args.preset, source_vocab=vocab, target_vocab=vocab)
        for _ in range(3):
            model.train_on_batch(x, y)
        t0 = time.time()
        for _ in range(args.steps):
            model.train_on_batch(x, y)
        dt = (time.time() - t0) / args.steps
        results["train"].append((precision, dt, B * T / dt))
    keras.utils.set_random_seed(0)
    model = lecun_zoo.get("seq2seq", preset=args.preset, source_vocab=vocab, target_vocab=vocab)
    src = rng.integers(4, args.vocab, (args.decode_sentences, S)).astype("int32")
    for beam in map(int, args.beams.split(",")):
        decode(model, src[:8], beam_width=beam, max_length=3)  # warm up
        t0 = time.time()
        hyps = decode(model, src, beam_width=beam, max_length=args.max_length, batch_size=128)
        dt = time.time() - t0
        results["decode"].append((beam, dt, len(src) / dt, float(np.mean([len(h.tokens) for h in hyps]))))
    print(f"preset {args.preset}, vocab {args.vocab}, batch {B}, source {S} / target {T} tokens, "
          f"{model.count_params():,} parameters")
    print("| precision | s / step | target tokens / s |\n|---|---:|---:|")
    for p, dt, tps in results["train"]:
        print(f"| {p} | {dt:.3f} | {tps:,.0f} |")
    print(f"\n{args.decode_sentences} sentences, max {args.max_length} tokens, batch 128:")
    print("| beam width | seconds | sentences / s | mean output tokens |\n|---:|---:|---:|---:|")
    for beam, dt, sps, mean_len in results["decode"]:
        print(f"| {beam} | {dt:.1f} | {sps:.1f} | {mean_len:.1f} |")
    return results


if __name__ == "__main__":
    main()
