r"""GPU check (issue #21), prepared to run in one go on the GPU machine: Keras on JAX + CUDA,
no TensorFlow (the machine has none; Keras travels as a wheel). It runs on CPUs too (the dry run).

    KERAS_BACKEND=jax python bench/gpu_check.py --json $OUT/gpu_check.json     # ~7 min deadline
    python bench/gpu_check.py --skip-timing                                       # part 1 only

1. Every family's ``tiny`` preset, a few training steps on its example batch, under float32,
   ``mixed_float16`` and ``mixed_bfloat16``, and under ``strategy="data_parallel"`` over the
   visible devices (``mirrored`` on TensorFlow): the loss must be finite, the outputs float32,
   the weights must move. One more column trains it for an epoch through ``lecun_zoo.train``
   with ``precision="auto"`` on its default dataset (``ArrayBatches`` where TensorFlow is absent).
2. Each family's paper preset timed in float32 vs ``mixed_bfloat16`` vs ``mixed_float16``: the
   median seconds per training step over ``--repeats`` fits of ``--timing-steps`` steps each,
   after a warm-up fit, all in this one run; samples/s; and the FLOPs of a training step (3x the
   forward pass's, from XLA's cost analysis on JAX) over the step time as a fraction of the
   device's dense bf16 peak (``--peak-tflops``; 989 for an H100/H200 SXM). XLA counts a loop's
   body once, so for recurrent models both are lower bounds, printed with ">=".

On the GPU machine (Python 3.12 with JAX + CUDA, scikit-learn, h5py, no Keras, no TensorFlow),
Keras and the two packages it needs that are missing there travel as wheels (2.9 MB). Here:

    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 -d .whl keras==3.15.1 namex optree

and there (``device`` run with ``carry=[".whl"]``; lecun_zoo runs from the checkout, uninstalled):

    python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl && \
    PYTHONPATH=/tmp/site:. KERAS_BACKEND=jax PYTHONUNBUFFERED=1 python3 bench/gpu_check.py --json $OUT/gpu_check.json

The script stops starting new cells after ``--deadline`` seconds and writes everything it has as
JSON after every cell, so a run cut short still reports. Exits 1 if any part-1 cell failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import traceback

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

T0 = time.perf_counter()
PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
#: FAMILY:PRESET:BATCH[:field=value,...] -- each family's paper preset at its recipe's batch size;
#: the autoencoder's step is the unrolled network's fine-tuning step (its RBMs are other models)
TIMING = ("convnet:modern:256", "word_lm:medium:20", "seq2seq:bahdanau2015:80", "autoencoder:hinton2006:100:pretrain=none",
          "memnet:babi_joint:32", "ntm:copy:32")
#: dense bf16 tensor-core peaks (TFLOP/s), from NVIDIA's data sheets, by device-kind substring
PEAKS = {"H200": 989.4, "H100": 989.4, "A100": 312.0}


def elapsed() -> float:
    return time.perf_counter() - T0


class Report:
    """The results so far, rewritten to ``path`` after every cell."""

    def __init__(self, path: str | None) -> None:
        self.path, self.data = path, {"part1": {}, "part2": [], "deadline_hit": False}

    def write(self) -> None:
        self.data["elapsed_s"] = round(elapsed(), 1)
        if self.path:
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(self.data, f, indent=1)
            os.replace(tmp, self.path)


def environment() -> dict:
    import keras

    import lecun_zoo
    from lecun_zoo.runtime import runtime

    env = {"python": platform.python_version(), "keras": keras.__version__, "backend": keras.backend.backend(),
           "lecun_zoo": lecun_zoo.__version__, "tensorflow": None, "devices": [], "pipeline": None}
    try:
        import tensorflow as tf

        env["tensorflow"] = tf.__version__
    except ImportError:
        pass
    if env["backend"] == "jax":
        import jax

        env["jax"] = jax.__version__
        env["devices"] = [f"{d.platform}:{d.device_kind}" for d in jax.devices()]
    elif env["backend"] == "torch":
        import torch

        env["torch"] = torch.__version__
        env["devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] or ["cpu"]
    env["pipeline"] = lecun_zoo.data.pipeline_kind()
    with runtime(precision="auto", strategy="auto") as rt:
        env["auto"] = rt.describe()
    return env


def _weights(model):
    import numpy as np

    return [np.array(w) for w in model.get_weights()]


def tiny_steps(name: str, precision: str, strategy: str, steps: int) -> str:
    import keras
    import numpy as np

    import lecun_zoo
    from lecun_zoo.runtime import runtime
    from lecun_zoo.testing import example_batch

    x, y = example_batch(name, batch_size=16)
    with runtime(precision=precision, strategy=strategy, seed=0) as rt:
        model = lecun_zoo.get(name, preset="tiny")
        before = _weights(model)
        hist = model.fit(x, y, batch_size=16, epochs=steps, verbose=0, shuffle=False)
        outs = keras.tree.flatten(model(x, training=False))
    loss = hist.history["loss"][-1]
    if not np.isfinite(loss):
        raise AssertionError(f"non-finite loss {loss}")
    bad = [str(o.dtype) for o in outs if keras.backend.standardize_dtype(o.dtype) != "float32"]
    if bad:
        raise AssertionError(f"outputs {bad}, expected float32")
    if all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())):
        raise AssertionError("weights unchanged")
    return f"ok loss {loss:.4f} ({rt.num_replicas} replica(s))"


def train_auto(name: str) -> str:
    import numpy as np

    import lecun_zoo

    r = lecun_zoo.train(name, "tiny", epochs=1, precision="auto", seed=0, verbose=0)
    bad = {k: v for k, v in r.metrics.items() if not np.isfinite(v)}
    if bad:
        raise AssertionError(f"non-finite test metrics {bad}")
    return "ok " + ", ".join(f"{k} {v:.4g}" for k, v in sorted(r.metrics.items())[:2])


def parse_spec(spec: str) -> tuple[str, str, int, dict]:
    parts = spec.split(":")
    if len(parts) not in (3, 4):
        raise SystemExit(f"--timing spec {spec!r}: expected FAMILY:PRESET:BATCH[:field=value,...]")
    overrides = {}
    for item in (parts[3].split(",") if len(parts) == 4 else []):
        k, _, v = item.partition("=")
        try:
            overrides[k] = json.loads(v)  # numbers, lists, true/false
        except ValueError:
            overrides[k] = v  # a plain string

    return parts[0], parts[1], int(parts[2]), overrides


def train_flops(model, x) -> tuple[float | None, bool]:
    """3x the forward pass's FLOPs (XLA's cost analysis), JAX only, and whether the graph has a
    loop: XLA counts a loop's body once, so for recurrent models the count is a lower bound."""
    import keras

    if keras.backend.backend() != "jax":
        return None, False
    import jax

    trainable = [v.value for v in model.trainable_variables]
    frozen = [v.value for v in model.non_trainable_variables]
    lowered = jax.jit(lambda t, n, x: model.stateless_call(t, n, x, training=True)[0]).lower(trainable, frozen, x)
    looped = "while" in lowered.as_text()
    cost = lowered.compile().cost_analysis()
    cost = cost[0] if isinstance(cost, (list, tuple)) else cost
    flops = (cost or {}).get("flops")
    return (3.0 * float(flops) if flops else None), looped


def time_preset(name: str, preset: str, batch: int, overrides: dict, precision: str, steps: int,
                repeats: int) -> dict:
    """Median seconds per training step of ``preset`` on its example batch, tiled ``steps`` times."""
    import keras
    import numpy as np

    import lecun_zoo
    from lecun_zoo.registry import REGISTRY
    from lecun_zoo.runtime import runtime

    fam = REGISTRY.get(name)
    x, y = fam.example_batch(fam.make_config(preset, **overrides), batch, 0)
    tile = lambda a: np.concatenate([a] * steps)  # noqa: E731
    xs, ys = keras.tree.map_structure(tile, x), keras.tree.map_structure(tile, y)
    with runtime(precision=precision, seed=0):
        model = lecun_zoo.get(name, preset=preset, **overrides)
    model.fit(x, y, batch_size=batch, epochs=2, verbose=0, shuffle=False)  # compile and warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.fit(xs, ys, batch_size=batch, epochs=1, verbose=0, shuffle=False)
        times.append((time.perf_counter() - t0) / steps)
    flops, looped = None, False
    if precision == "float32":
        try:
            flops, looped = train_flops(model, x)
        except Exception as e:  # the count is a bonus: report why it is missing, keep the timing
            print(f"{name}:{preset}: no FLOP count ({type(e).__name__}: {e})", file=sys.stderr)
    keras.backend.clear_session()
    step = statistics.median(times)
    return {"step_ms": 1000 * step, "samples_per_s": batch / step, "train_flops": flops,
            "flops_lower_bound": looped, "times_ms": [1000 * t for t in times]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=3, help="training steps per tiny check")
    p.add_argument("--skip-timing", action="store_true")
    p.add_argument("--timing", nargs="*", default=list(TIMING), metavar="FAMILY:PRESET:BATCH[:k=v,...]")
    p.add_argument("--timing-steps", type=int, default=20, help="steps per timed fit")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--families", nargs="*", default=None, help="part 1: these families (default: all)")
    p.add_argument("--deadline", type=float, default=420, help="seconds after which no new cell starts")
    p.add_argument("--peak-tflops", type=float, default=None, help="dense bf16 peak (default: by device kind)")
    p.add_argument("--json", default=os.path.join(os.environ.get("OUT", "."), "gpu_check.json"))
    args = p.parse_args()

    import keras

    import lecun_zoo

    report = Report(args.json)
    env = report.data["env"] = environment()
    print(json.dumps(env, indent=1))
    report.write()
    backend = env["backend"]
    distributed = "data_parallel" if backend == "jax" else "mirrored"
    combos = [(p_, "default") for p_ in PRECISIONS] + [("float32", distributed)]
    columns = [f"{p_} / {s}" for p_, s in combos] + ["train(precision=auto)"]

    def out_of_time() -> bool:
        if elapsed() > args.deadline:
            report.data["deadline_hit"] = True
            return True
        return False

    failures = 0
    print(f"\n## Part 1: tiny presets, {args.steps} steps; {distributed} over {len(env['devices']) or 1} device(s)\n")
    print("| family | " + " | ".join(columns) + " |\n|---|" + "---|" * len(columns))
    for name in args.families or lecun_zoo.list():
        row = report.data["part1"].setdefault(name, {})
        for col, job in zip(columns, [lambda c=c: tiny_steps(name, *c, args.steps) for c in combos]
                            + [lambda: train_auto(name)]):
            if out_of_time():
                row[col] = "skipped: deadline"
                continue
            try:
                row[col] = job()
            except Exception as e:  # report every failure, keep going
                failures += 1
                row[col] = f"FAIL {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
                traceback.print_exc(file=sys.stderr)
            keras.backend.clear_session()
            report.write()
        print(f"| {name} | " + " | ".join(row[c] for c in columns) + " |", flush=True)

    if not args.skip_timing:
        kinds = " ".join(env["devices"])
        peak = args.peak_tflops or next((v for k, v in PEAKS.items() if k in kinds), None)
        report.data["peak_tflops"] = peak
        print(f"\n## Part 2: paper presets, median ms per training step ({args.timing_steps} steps x "
              f"{args.repeats} fits, after a warm-up fit); peak {peak or 'unknown'} TFLOP/s bf16\n")
        print("| family:preset | batch | " + " | ".join(f"{p_} ms" for p_ in PRECISIONS)
              + " | samples/s (best) | train GFLOP/step | best % of bf16 peak |\n|---|---|" + "---|" * (len(PRECISIONS) + 3))
        for spec in args.timing:
            name, preset, batch, overrides = parse_spec(spec)
            row = {"spec": spec, "family": name, "preset": preset, "batch": batch, "overrides": overrides}
            report.data["part2"].append(row)
            for precision in PRECISIONS:
                if out_of_time():
                    row[precision] = "skipped: deadline"
                    continue
                try:
                    row[precision] = time_preset(name, preset, batch, overrides, precision, args.timing_steps,
                                                 args.repeats)
                except Exception as e:
                    row[precision] = f"FAIL {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
                    traceback.print_exc(file=sys.stderr)
                report.write()
            done = {p_: row[p_] for p_ in PRECISIONS if isinstance(row.get(p_), dict)}
            flops = done.get("float32", {}).get("train_flops")
            bound = ">=" if done.get("float32", {}).get("flops_lower_bound") else ""
            best = min(done.values(), key=lambda r: r["step_ms"]) if done else None
            if best and flops and peak:
                row["best_peak_fraction"] = flops / (best["step_ms"] / 1000) / (peak * 1e12)
            report.write()
            cells = [f"{done[p_]['step_ms']:.2f}" if p_ in done else str(row.get(p_, "-"))[:30] for p_ in PRECISIONS]
            cells += [f"{best['samples_per_s']:.0f}" if best else "-", f"{bound}{flops / 1e9:.3g}" if flops else "-",
                      f"{bound}{100 * row['best_peak_fraction']:.1f} %" if "best_peak_fraction" in row else "-"]
            print(f"| {name}:{preset} | {batch} | " + " | ".join(cells) + " |", flush=True)
    report.data["failures"] = failures
    report.write()
    print(f"\n{failures} failure(s) in part 1; {elapsed():.0f} s; deadline {'hit' if report.data['deadline_hit'] else 'not hit'}"
          f"; JSON -> {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
