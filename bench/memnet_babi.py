"""MemN2N on the real bAbI tasks: per-task test error next to the paper's PE LS RN column,
and training time per epoch in float32 vs mixed_bfloat16.

    python bench/memnet_babi.py --data-dir ../shared/data/babi --mode joint --epochs 90
    python bench/memnet_babi.py --data-dir ../shared/data/babi --mode single --tasks 1-20 --epochs 120 --restarts 2
    python bench/memnet_babi.py --data-dir ../shared/data/babi --timing --tasks 1 --epochs 3
    python bench/memnet_babi.py --data-dir ../shared/data/babi --runs runs/memnet-s0 runs/memnet-s1 --json pick.json

Joint: one model on all selected tasks (one vocabulary), preset ``babi_joint``. Single: one
model per task, preset ``babi_single``. Each run trains on 90 % of the task's train file
(10 % carved for validation, which linear start watches) and reports the test error; with
``--restarts R`` the run with the lowest validation error of R is kept (``--select train``:
the lowest training error, as in the paper).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

# Sukhbaatar et al. 2015, Table 1, bAbI 1k, MemN2N PE LS RN (joint), test error %
PAPER_PE_LS_RN = [0.0, 11.4, 21.9, 13.4, 14.4, 2.8, 18.3, 9.3, 1.9, 6.5, 0.3, 0.1, 0.2, 6.9, 0.0, 2.7, 40.4, 9.4,
                  88.0, 0.0]


def parse_tasks_arg(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += list(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def train(args, tasks, preset, **kwargs):
    """``lecun_zoo.train`` on the bAbI tasks: 90 % of the train files (10 % carved for
    validation, by the seed), vocabulary, sentence length and ``attend_slots`` from the data."""
    import lecun_zoo

    kwargs = {"precision": args.precision, "verbose": args.verbose, **kwargs}
    return lecun_zoo.train("memnet", preset, data="babi", data_dir=args.data_dir, epochs=args.epochs,
                           batch_size=args.batch_size, data_options={"task": ",".join(map(str, tasks)),
                                                                     "size": args.size}, **kwargs)


def run(args, tasks, preset, seed):
    from lecun_zoo import data
    from lecun_zoo.families.memnet.babi import parse_tasks

    result = train(args, tasks, preset, seed=seed, **(json.loads(args.set) if args.set else {}))
    hist = result.history
    return {**errors(result.model, args.data_dir, tasks, args.size, seed), "wall_s": result.train_seconds,
            "seed": seed, "ls_epochs": getattr(hist, "linear_start_epochs", None), "epochs": args.epochs,
            "final_val_loss": hist.history.get("val_loss", [None])[-1]}


def errors(model, data_dir, tasks, size, seed) -> dict:
    """Training, validation and per-task test error (%) of a trained model on the splits its
    training read (the same carve by ``seed``, the model's own encoding)."""
    from lecun_zoo import data
    from lecun_zoo.families.memnet.babi import parse_tasks

    cfg = model.zoo_config
    tr, va, te = data.arrays("babi", ("train", "validation", "test"), data_dir=data_dir, seed=seed,
                             task=",".join(map(str, tasks)), size=size, memory_size=cfg.memory_size,
                             sentence_len=cfg.sentence_len, vocab=cfg.vocab)
    test_task = np.array([e[3] for e in parse_tasks(data_dir, tasks, size, "test")])
    train_err = 1.0 - model.evaluate(tr[0], tr[1], verbose=0, batch_size=256, return_dict=True)["accuracy"]
    val_err = 1.0 - model.evaluate(va[0], va[1], verbose=0, batch_size=256, return_dict=True)["accuracy"]
    pred = np.argmax(model.predict(te[0], batch_size=256, verbose=0), axis=-1)
    wrong = pred != te[1]
    per_task = {t: 100.0 * float(wrong[test_task == t].mean()) for t in tasks}
    return {"train_error": 100.0 * train_err, "val_error": 100.0 * val_err, "per_task": per_task}


def finished_runs(args, tasks) -> None:
    """``--runs``: the errors of finished ``lecun-zoo train memnet --data babi --seed S --out RUN``
    folders, the one of lowest validation error picked (``--select``), and its metrics as
    ``bench/bundle_weights.py --extra-json`` takes them (``--json``)."""
    import lecun_zoo

    rows = []
    for run_dir in args.runs:
        with open(f"{run_dir}/history.json") as f:
            seed = json.load(f)["recipe"]["seed"]
        model = lecun_zoo.load(f"{run_dir}/model.keras")
        rows.append({"run": run_dir, "seed": seed, **errors(model, args.data_dir, tasks, args.size, seed)})
    key = "val_error" if args.select == "val" else "train_error"
    best = min(rows, key=lambda r: (r[key], r["train_error"]))
    print(f"| seed | validation accuracy | train accuracy | mean test error | tasks failed (> 5 %) |")
    print("|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: r["seed"]):
        errs = list(r["per_task"].values())
        mark = f" = selected ({key})" if r is best else ""
        print(f"| {r['seed']}{mark} | {1 - r['val_error'] / 100:.4f} | {1 - r['train_error'] / 100:.4f} | "
              f"{np.mean(errs):.2f} % | {sum(e > 5.0 for e in errs)} |")
    errs = list(best["per_task"].values())
    extra = {"mean_error_percent": round(float(np.mean(errs)), 2), "tasks_failed": float(sum(e > 5.0 for e in errs)),
             **{f"task{t}_error_percent": e for t, e in best["per_task"].items()}}
    print(f"selected: {best['run']} (seed {best['seed']})")
    print(json.dumps(extra))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"selected": best, "runs": rows, "extra_metrics": extra}, f, indent=2)


def best_of(args, tasks, preset):
    runs = []
    for seed in range(args.seed, args.seed + args.restarts):
        runs.append(run(args, tasks, preset, seed))
        r = runs[-1]
        if args.restarts > 1:
            print(f"  tasks {tasks if len(tasks) < 4 else 'all'} seed {seed}: train {r['train_error']:.1f} %, "
                  f"val {r['val_error']:.1f} %, test {np.mean(list(r['per_task'].values())):.1f} % ({r['wall_s']:.0f} s)",
                  flush=True)
    key = "val_error" if args.select == "val" else "train_error"
    best = dict(min(runs, key=lambda r: (r[key], r["train_error"])))  # ties: the lower training error
    best["restarts"] = args.restarts
    best["selected_by"] = key
    best["all_runs"] = [{k: r[k] for k in ("seed", "train_error", "val_error", "per_task", "wall_s", "ls_epochs")}
                        for r in runs]
    best["wall_all_s"] = sum(r["wall_s"] for r in runs)
    return best


def timing(args, tasks):
    """Seconds per epoch (after a first, compiling epoch; validation not counted) in
    float32 and mixed_bfloat16."""
    import keras

    out = {}
    for precision in ("float32", "mixed_bfloat16"):
        times = []

        class Clock(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.t = time.perf_counter()

            def on_train_batch_end(self, batch, logs=None):
                self.last = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                times.append(self.last - self.t)

        train(args, tasks, "babi_single", precision=precision, verbose=0, callbacks=[Clock()], linear_start=False)
        out[precision] = float(np.median(times[1:])) if len(times) > 1 else times[0]
        print(f"{precision:15s} {out[precision]:.3f} s/epoch (median of epochs 2..{args.epochs}, "
              f"tasks {tasks}, {args.size}, batch {args.batch_size})", flush=True)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, help="folder with the bAbI files (e.g. shared/data/babi)")
    p.add_argument("--size", default="1k", choices=("1k", "10k"))
    p.add_argument("--tasks", default="1-20", help="e.g. 1-20 or 1,2,3")
    p.add_argument("--mode", default="joint", choices=("joint", "single"))
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--restarts", type=int, default=1)
    p.add_argument("--seed", type=int, default=0, help="first seed; restarts use seed, seed + 1, ...")
    p.add_argument("--select", default="val", choices=("val", "train"),
                   help="keep the restart with the lowest validation error (default) or training error (the paper)")
    p.add_argument("--preset", default="", help="preset to start from (default: babi_single / babi_joint by mode)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--precision", default="float32")
    p.add_argument("--set", default="", help='JSON config overrides, e.g. \'{"optimizer": "adam"}\'')
    p.add_argument("--runs", nargs="+", default=None, help="finished joint run folders to evaluate and pick from")
    p.add_argument("--timing", action="store_true", help="only time epochs in float32 vs mixed_bfloat16")
    p.add_argument("--json", default="", help="write the results here")
    p.add_argument("--verbose", type=int, default=0)
    args = p.parse_args()
    tasks = parse_tasks_arg(args.tasks)
    if args.runs:
        return finished_runs(args, tasks)
    if args.timing:
        res = timing(args, tasks)
    elif args.mode == "joint":
        r = best_of(args, tasks, args.preset or "babi_joint")
        res = {"mode": "joint", "tasks": tasks, **r}
    else:
        res = {"mode": "single", "tasks": tasks, "runs": {}}
        for t in tasks:
            res["runs"][t] = best_of(args, [t], args.preset or "babi_single")
            print(f"task {t:2d}: test error {res['runs'][t]['per_task'][t]:5.1f} %  "
                  f"({res['runs'][t]['wall_all_s']:.0f} s)", flush=True)
    if not args.timing:
        per = res["per_task"] if args.mode == "joint" else {t: r["per_task"][t] for t, r in res["runs"].items()}
        print(f"\n| task | MemN2N here ({args.mode}, {args.epochs} epochs) | paper PE LS RN (joint) |")
        print("|---:|---:|---:|")
        for t in tasks:
            print(f"| {t} | {per[t]:.1f} | {PAPER_PE_LS_RN[t - 1]:.1f} |")
        errs = np.array([per[t] for t in tasks])
        paper = np.array([PAPER_PE_LS_RN[t - 1] for t in tasks])
        print(f"| mean | {errs.mean():.1f} | {paper.mean():.1f} |")
        print(f"| failed (> 5 %) | {int((errs > 5).sum())} | {int((paper > 5).sum())} |")
        wall = res.get("wall_all_s") or sum(r["wall_all_s"] for r in res["runs"].values())
        print(f"restarts: {args.restarts} (kept by {'validation' if args.select == 'val' else 'training'} error); "
              f"training wall time {wall:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2, default=str)


if __name__ == "__main__":
    main()
