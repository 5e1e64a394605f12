"""A family's recipe, as ``lecun-zoo train`` runs it, with the wall time of every epoch's end.

    python bench/timed_recipe.py ntm --data copy --seed 3 --epochs 40 --out runs/ntm-copy40-s3
    python bench/timed_recipe.py ntm --data copy --seed 1 --epochs 125 --set length_sampling=batch --out runs/x
    python bench/timed_recipe.py ntm --data copy --seed 1 --schedule '{"kind": "exponential", "factor": 0.85, "after": 3}' --out runs/y

It calls ``lecun_zoo.train`` with the recipe's defaults (what the CLI does) and one extra callback
that appends ``epoch,seconds,<metrics>`` to ``OUT/epoch_seconds.csv``: seconds since the call
began, so the first epoch includes loading the data, building, and XLA compilation. ``log.csv``
stays as the recipe writes it (a resumed run's log equals an uninterrupted one's; wall times
would not), which is why the times go to their own file. Used for "time to 0.1 bits" (issue 17)
from the same runs that count converged seeds (issue 18).
"""

from __future__ import annotations

import argparse
import csv
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("family")
    p.add_argument("--data", default=None)
    p.add_argument("--preset", default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    p.add_argument("--out", required=True)
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="config override, as lecun-zoo train's (repeatable)")
    p.add_argument("--schedule", default=None, help="learning-rate schedule as JSON, as lecun-zoo train's "
                                                    "(default: the recipe's)")
    args = p.parse_args(argv)

    import keras

    import lecun_zoo

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "epoch_seconds.csv")
    t0 = time.time()

    class EpochSeconds(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs = {k: float(v) for k, v in (logs or {}).items()}
            new = not os.path.exists(path)
            with open(path, "a", newline="") as f:
                w = csv.writer(f)
                if new:
                    w.writerow(["epoch", "seconds", *sorted(logs)])
                w.writerow([epoch + 1, f"{time.time() - t0:.2f}", *(f"{logs[k]:.6g}" for k in sorted(logs))])

    from lecun_zoo.cli import _overrides

    kwargs = {k: v for k, v in (("data", args.data), ("preset", args.preset), ("epochs", args.epochs)) if v is not None}
    kwargs.update(_overrides(args.set))
    if args.schedule is not None:
        import json

        kwargs["schedule"] = json.loads(args.schedule)
    result = lecun_zoo.train(args.family, seed=args.seed, out=args.out, callbacks=[EpochSeconds()], verbose=0, **kwargs)
    print(f"{args.out}: {result.train_seconds:.0f} s of training; test {result.metrics}")


if __name__ == "__main__":
    main()
