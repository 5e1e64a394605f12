"""Training throughput (tokens per second) of word_lm presets, float32 vs mixed_bfloat16.

    python bench/word_lm_throughput.py --presets small,nplm --steps 30

Each run builds the preset with a 10,000-word vocabulary (PTB size), trains ``--warmup``
steps (tracing, not timed) then ``--steps`` timed steps on random token windows.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def measure(preset: str, precision: str, steps: int, warmup: int, vocab: int, overrides: dict) -> dict:
    import keras

    from lecun_zoo.families.word_lm import FAMILY
    from lecun_zoo.runtime import runtime

    keras.utils.set_random_seed(0)
    cfg = FAMILY.make_config(preset, vocab_size=vocab, **overrides)
    with runtime(precision=precision):
        model = FAMILY.build(cfg)
        FAMILY.compile(model, cfg)
    b = cfg.batch_size
    x, y = FAMILY.example_batch(cfg, b * (steps + warmup), seed=0)
    model.fit(x[: b * warmup], y[: b * warmup], batch_size=b, epochs=1, verbose=0, shuffle=False)
    t0 = time.time()
    model.fit(x[b * warmup:], y[b * warmup:], batch_size=b, epochs=1, verbose=0, shuffle=False)
    dt = time.time() - t0
    tokens = steps * b * cfg.seq_len
    return {"preset": preset, "precision": precision, "params": model.count_params(), "steps": steps,
            "tokens_per_step": b * cfg.seq_len, "seconds": dt, "tokens_per_s": tokens / dt}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--presets", default="small,nplm")
    p.add_argument("--precisions", default="float32,mixed_bfloat16")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--vocab", type=int, default=10000)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    rows = []
    for preset in args.presets.split(","):
        for precision in args.precisions.split(","):
            r = measure(preset, precision, args.steps, args.warmup, args.vocab, {})
            rows.append(r)
            print(json.dumps(r))
    print(f"\n{'preset':8s} {'precision':15s} {'params':>11s} {'tokens/step':>11s} {'tokens/s':>10s}")
    for r in rows:
        print(f"{r['preset']:8s} {r['precision']:15s} {r['params']:11,d} {r['tokens_per_step']:11d} {r['tokens_per_s']:10.0f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
