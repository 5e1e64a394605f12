"""NTM copy benchmark: bits per sequence over training for the three memory
initialisations (Collier & Beel 2018's comparison), and bit errors per sequence by
length (train lengths 1-20, test 10..120) against the LSTM baseline. Each model trains
through ``lecun_zoo.train`` (one epoch of ``--steps`` batches).

    python bench/ntm_copy.py --steps 600 --inits constant learned random --baseline \
        --eval-lengths 10 20 30 40 60 80 100 120 --out runs/ntm_copy

Other tasks: ``--preset associative_recall`` (or repeat_copy, priority_sort) trains on
that preset's task; ``--inits constant`` keeps one NTM.

Everything is generated (no --data-dir needed; accepted for symmetry). Training uses
fixed-length (padded to 2 * max_length + 1) batches so the XLA-compiled step compiles once.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help="unused: the tasks are generated")
    p.add_argument("--preset", default="copy")
    p.add_argument("--steps", type=int, default=600, help="training steps per model")
    p.add_argument("--log-every", type=int, default=50, help="steps per logged point")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--inits", nargs="*", default=["constant", "learned", "random"])
    p.add_argument("--baseline", action="store_true", help="also train the LSTM baseline preset")
    p.add_argument("--baseline-units", type=int, default=256)
    p.add_argument("--baseline-layers", type=int, default=3)
    p.add_argument("--eval-lengths", type=int, nargs="*", default=[10, 20, 30, 40, 60, 80, 100, 120])
    p.add_argument("--eval-batch", type=int, default=32)
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="config override")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs/ntm_copy")
    p.add_argument("--heatmaps", type=int, default=0, metavar="LENGTH",
                   help="also save each NTM's read/write weightings on one sequence of this length as PNG")
    args = p.parse_args()

    import keras

    import lecun_zoo
    from lecun_zoo.families.ntm import FAMILY
    from lecun_zoo.families.ntm.evaluation import bit_errors_by_length
    from lecun_zoo.plots._mpl import pyplot

    class Curve(keras.callbacks.Callback):
        """Bit errors per sequence over each ``--log-every`` steps (the metrics restart after
        each point), and the seconds spent in validation (not counted as training)."""

        def __init__(self):
            super().__init__()
            self.points, self.val_s = [], 0.0

        def on_train_batch_end(self, batch, logs=None):
            if (batch + 1) % args.log_every == 0:
                self.points.append(float(logs["bit_errors"]))
                self.model.reset_metrics()

        def on_test_begin(self, logs=None):
            self.t = time.time()

        def on_test_end(self, logs=None):
            self.val_s += time.time() - self.t

    overrides = {}
    for pair in args.set:
        k, _, v = pair.partition("=")
        overrides[k] = json.loads(v) if v[:1] in "0123456789-[{tf" else v
    os.makedirs(args.out, exist_ok=True)
    runs = [(f"ntm/{init}", dict(memory_init=init)) for init in args.inits]
    if args.baseline:
        runs.append(("lstm", dict(model_type="lstm", controller_units=args.baseline_units,
                                  controller_layers=args.baseline_layers)))
    results, n_steps = {}, args.steps // args.log_every * args.log_every
    for name, extra in runs:
        settings = {**overrides, **extra, "train_examples": n_steps * args.batch_size}
        task = FAMILY.make_config(args.preset, **settings).task  # train() would read the family's default, copy
        curve = Curve()
        result = lecun_zoo.train("ntm", args.preset, data=task, epochs=1, batch_size=args.batch_size, seed=args.seed,
                                 callbacks=[curve], verbose=0, **settings)
        model, config = result.model, result.config
        train_s = result.train_seconds - curve.val_s
        model.jit_compile = False  # one trace per length, not one XLA compile per length
        t1 = time.time()
        by_length = bit_errors_by_length(model, args.eval_lengths, batch_size=args.eval_batch, seed=args.seed + 1)
        if args.heatmaps and extra.get("model_type") != "lstm":
            from lecun_zoo.families.ntm import tasks
            from lecun_zoo.families.ntm.trace import memory_trace, plot_memory_trace

            x, _ = tasks.make_batch(config.task, 1, args.heatmaps, args.seed + 1, **FAMILY.data_options(config))
            plot_memory_trace(memory_trace(model, x), args.out, prefix=name.replace("/", "_"))
        results[name] = {"curve": curve.points, "by_length": by_length, "train_seconds": train_s,
                         "eval_seconds": time.time() - t1, "params": model.count_params(),
                         "config": config.to_dict()}
        print(f"{name:14s} params {model.count_params():>9,d}  train {train_s:6.1f}s  "
              f"bits/seq every {args.log_every} steps: {' '.join(f'{v:.2f}' for v in curve.points)}",
              flush=True)
        print(f"{'':14s} by length: {' '.join(f'{k}:{v:.2f}' for k, v in by_length.items())}", flush=True)

    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"args": vars(args), "results": results}, f, indent=2)
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for name, r in results.items():
        steps = [args.log_every * (i + 1) for i in range(len(r["curve"]))]
        axes[0].plot(steps, r["curve"], marker="o", label=name)
        axes[1].plot(list(r["by_length"]), list(r["by_length"].values()), marker="o", label=name)
    axes[0].set(xlabel="training step (batch %d)" % args.batch_size, ylabel="bit errors per sequence",
                title="%s, train lengths %d-%d" % (config.task, config.min_length, config.max_length))
    axes[1].set(xlabel="sequence length", ylabel="bit errors per sequence", title="generalisation by length")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, f"ntm_{config.task}.png"), dpi=100)
    print("\n| model | params | train s | " + " | ".join(f"L={k}" for k in args.eval_lengths) + " |")
    print("|---|---|---|" + "---|" * len(args.eval_lengths))
    for name, r in results.items():
        print(f"| {name} | {r['params']:,} | {r['train_seconds']:.0f} | "
              + " | ".join(f"{v:.2f}" for v in r["by_length"].values()) + " |")


if __name__ == "__main__":
    main()
