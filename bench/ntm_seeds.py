"""NTM seeds: did each run of a recipe converge, when, and does it generalise?

    for s in 0 1 2 3 4 5 6 7 8 9; do lecun-zoo train ntm --seed $s --out runs/ntm-copy-s$s; done
    python bench/ntm_seeds.py runs/ntm-copy-s* --curves docs/results/ntm_copy_seeds.png

RUN is a ``lecun-zoo train ntm --out RUN`` folder (``log.csv``, ``history.json``,
``model.keras``). For each run: training bit errors per sequence after each epoch (the mean
over the epoch's batches), the first step where that mean fell below ``--threshold`` (0.1 bits,
Graves et al.'s and Collier & Beel's convergence mark; on the validation split's fresh
sequences of the training lengths when the run has one), and the final model's wrong bits per
sequence at each of ``--lengths`` (``--batch`` fresh sequences each, the same for every run).
``--threshold-at`` (default 60) with ``--max-errors`` (default 2) says whether a converged run
generalises. Prints one table; ``--curves`` draws every run's curve; ``--json`` writes it all.
"""

from __future__ import annotations

import argparse
import csv
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def read_run(run: str) -> dict:
    with open(os.path.join(run, "history.json")) as f:
        h = json.load(f)
    with open(os.path.join(run, "log.csv")) as f:
        rows = list(csv.DictReader(f))
    recipe = h["recipe"]
    steps_per_epoch = -(-int(h["config"]["train_examples"]) // int(recipe["batch_size"]))
    curve = [(int(r["epoch"]) + 1, float(r["bit_errors"])) for r in rows]
    val = [(int(r["epoch"]) + 1, float(r["val_bit_errors"])) for r in rows if r.get("val_bit_errors")]
    return {"run": run, "seed": recipe.get("seed"), "steps_per_epoch": steps_per_epoch, "curve": curve, "val": val,
            "epochs": int(recipe["epochs"]), "seconds": h.get("train_seconds"), "runtime": h.get("runtime", "")}


def main(argv=None) -> list:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--lengths", type=int, nargs="*", default=[10, 20, 30, 40, 60, 80, 100, 120])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threshold", type=float, default=0.1)
    ap.add_argument("--threshold-at", type=int, default=60)
    ap.add_argument("--max-errors", type=float, default=2.0)
    ap.add_argument("--curves", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    import lecun_zoo
    from lecun_zoo.families.ntm.evaluation import bit_errors_by_length

    out = []
    for run in args.runs:
        r = read_run(run)
        below = [e for e, v in (r["val"] or r["curve"]) if v < args.threshold]
        r["converged_step"] = below[0] * r["steps_per_epoch"] if below else None
        model = lecun_zoo.load(os.path.join(run, "model.keras"))
        model.jit_compile = False  # one trace per length, not one XLA compile per length
        r["by_length"] = bit_errors_by_length(model, args.lengths, batch_size=args.batch, seed=12345)
        at = r["by_length"].get(args.threshold_at)
        r["generalises"] = at is not None and at < args.max_errors
        out.append(r)
    budget = {r["epochs"] * r["steps_per_epoch"] for r in out}
    print(f"step budget: {sorted(budget)} steps; converged = bit errors < {args.threshold} per sequence on the "
          f"validation split after an epoch (else the epoch's training mean); generalises = under {args.max_errors} wrong bits at length {args.threshold_at}")
    print("| seed | converged at step | final train / validation bits/seq | " + " | ".join(f"L={k}" for k in args.lengths)
          + " | generalises | train s |")
    print("|---|---|---|" + "---|" * len(args.lengths) + "---|---|")
    for r in out:
        val = f"{r['val'][-1][1]:.3f}" if r["val"] else "-"
        print(f"| {r['seed']} | {r['converged_step'] or 'no'} | {r['curve'][-1][1]:.3f} / {val} | "
              + " | ".join(f"{r['by_length'][k]:.2f}" for k in args.lengths)
              + f" | {'yes' if r['generalises'] else 'no'} | {r['seconds'] or 0:.0f} |")
    n_conv = sum(r["converged_step"] is not None for r in out)
    n_gen = sum(r["converged_step"] is not None and r["generalises"] for r in out)
    print(f"converged: {n_conv} of {len(out)}; converged and generalising: {n_gen} of {len(out)}")
    if args.curves:
        from lecun_zoo.plots._mpl import pyplot

        plt = pyplot()
        fig, ax = plt.subplots(figsize=(6.5, 4))
        for r in out:
            pts = r["val"] or r["curve"]
            ax.plot([e * r["steps_per_epoch"] for e, _ in pts], [max(v, 1e-3) for _, v in pts],
                    label=f"seed {r['seed']}", lw=1)
        ax.axhline(args.threshold, color="k", ls=":", lw=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("training step (batch of 32)")
        ax.set_ylabel("wrong bits per sequence (validation, lengths 1-20)")
        ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        fig.savefig(args.curves, dpi=100)
        plt.close(fig)
        print("wrote", args.curves)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return out


if __name__ == "__main__":
    main()
