"""NTM copy: does drawing one length per batch (``length_sampling="batch"``, pytorch-ntm's way,
no padding work) converge as well as one length per sequence (``"sequence"``)?

For each seed, trains the ``copy`` preset through ``lecun_zoo.train`` once per sampling mode
(interleaved: seed 0 batch, seed 0 sequence, seed 1 batch, ...), one epoch of ``--steps``
batches, and prints bits per sequence over training (mean of each ``--log-every`` block of
training batches), the wall time (XLA compilation included), the first step and the seconds at
which a block's mean fell below ``--target`` bits, and the bits per sequence on the same
held-out validation split (lengths drawn per sequence in both modes).

    python bench/ntm_length_sampling.py --seeds 0 1 2 --steps 2000 --log-every 250
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default="copy")
    p.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    p.add_argument("--modes", nargs="*", default=["batch", "sequence"])
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--log-every", type=int, default=250)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--target", type=float, default=0.1, help="bits per sequence")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="config override")
    p.add_argument("--out", default=None, help="a JSON file for the results")
    args = p.parse_args()

    import keras

    import lecun_zoo

    class Curve(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.points, self.hit = [], None

        def on_train_begin(self, logs=None):
            self.t0 = time.time()

        def on_train_batch_end(self, batch, logs=None):
            if (batch + 1) % args.log_every == 0:
                v = float(logs["bit_errors"])
                self.points.append(v)
                if self.hit is None and v < args.target:
                    self.hit = (batch + 1, time.time() - self.t0)
                self.model.reset_metrics()

    overrides = {}
    for pair in args.set:
        k, _, v = pair.partition("=")
        overrides[k] = json.loads(v) if v[:1] in "0123456789-[{tf" else v
    rows = []
    print(f"load average at start: {os.getloadavg()}", flush=True)
    for seed in args.seeds:
        for mode in args.modes:
            curve = Curve()
            t0 = time.time()
            r = lecun_zoo.train("ntm", args.preset, data="copy" if args.preset == "copy" else None, epochs=1,
                                batch_size=args.batch_size, seed=seed, callbacks=[curve], verbose=0,
                                train_examples=args.steps * args.batch_size, length_sampling=mode,
                                length_block=args.batch_size, **overrides)
            wall = time.time() - t0
            val = r.model.evaluate(*_validation(r.config, seed), batch_size=64, verbose=0, return_dict=True)
            row = {"seed": seed, "mode": mode, "curve": curve.points, "hit": curve.hit, "train_s": r.train_seconds,
                   "wall_s": wall, "validation_bits": val["bit_errors"], "load": os.getloadavg()[0]}
            rows.append(row)
            hit = f"step {curve.hit[0]} at {curve.hit[1]:.0f} s" if curve.hit else "not reached"
            print(f"seed {seed} {mode:8s} train {r.train_seconds:6.1f} s  <{args.target} bits: {hit:22s} "
                  f"validation {val['bit_errors']:.2f}  curve {' '.join(f'{v:.2f}' for v in curve.points)}  "
                  f"(load {row['load']:.1f})", flush=True)
    print("\n| seed | sampling | " + " | ".join(str(args.log_every * (i + 1)) for i in range(args.steps // args.log_every))
          + f" | validation | train s | first block < {args.target} |")
    print("|---|---|" + "---|" * (args.steps // args.log_every) + "---|---|---|")
    for r in rows:
        hit = f"{r['hit'][0]} ({r['hit'][1]:.0f} s)" if r["hit"] else "-"
        print(f"| {r['seed']} | {r['mode']} | " + " | ".join(f"{v:.2f}" for v in r["curve"])
              + f" | {r['validation_bits']:.2f} | {r['train_s']:.0f} | {hit} |")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"args": vars(args), "rows": rows}, f, indent=2)


def _validation(config, seed):
    from lecun_zoo import data
    from lecun_zoo.families.ntm import FAMILY

    return data.arrays(config.task, "validation", seed=seed, **FAMILY.data_options(config))


if __name__ == "__main__":
    main()
