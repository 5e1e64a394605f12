"""GPU check, prepared to run in one go on a machine with GPUs (it also runs on CPUs).

    python bench/gpu_check.py                      # everything, about 3-6 min on one GPU
    python bench/gpu_check.py --skip-timing        # only part 1

1. Every registered family's ``tiny`` preset, a few training steps, under
   ``mixed_float16`` and under ``MirroredStrategy`` over the visible GPUs (and both
   together): the loss must be finite, the outputs float32, the weights must change.
2. The paper presets of two families timed in float32 vs ``mixed_float16`` (vs
   ``mixed_bfloat16`` with ``--bf16``): median step time over ``--repeats`` after a
   warm-up, side by side in one table.

Prints what ``lecun_zoo.runtime(precision="auto", strategy="auto")`` picks, the devices,
and one table per part; exits non-zero if any part-1 check failed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def tiny_steps(name: str, precision: str, strategy: str, steps: int) -> str:
    import keras
    import numpy as np

    import lecun_zoo
    from lecun_zoo.runtime import runtime
    from lecun_zoo.testing import example_batch

    x, y = example_batch(name, batch_size=16)
    with runtime(precision=precision, strategy=strategy, seed=0) as rt:
        model = lecun_zoo.get(name, preset="tiny")
        before = [np.array(w) for w in model.get_weights()]
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


def time_preset(name: str, preset: str, precision: str, batch: int, steps: int, repeats: int) -> float:
    """Median seconds per training step of ``preset`` on random data of its shape."""
    import keras
    import numpy as np

    import lecun_zoo
    from lecun_zoo.registry import REGISTRY
    from lecun_zoo.runtime import runtime

    fam = REGISTRY.get(name)
    config = fam.make_config(preset)
    x, y = fam.example_batch(config, batch, 0)
    with runtime(precision=precision, seed=0):
        model = lecun_zoo.get(name, preset=preset)
    data = (x, y)
    model.fit(*data, batch_size=batch, epochs=2, verbose=0, shuffle=False)  # trace + warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.fit(*data, batch_size=batch, epochs=steps, verbose=0, shuffle=False)
        times.append((time.perf_counter() - t0) / steps)
    keras.backend.clear_session()
    return statistics.median(times)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=3, help="training steps per tiny check")
    p.add_argument("--skip-timing", action="store_true")
    p.add_argument("--timing", nargs="*", default=["convnet:modern:256", "seq2seq:attention:64"],
                   metavar="FAMILY:PRESET:BATCH", help="paper presets to time")
    p.add_argument("--timing-steps", type=int, default=20)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--bf16", action="store_true", help="also time mixed_bfloat16")
    args = p.parse_args()

    import keras
    import tensorflow as tf

    import lecun_zoo
    from lecun_zoo.runtime import runtime

    gpus = tf.config.list_physical_devices("GPU")
    print(f"python {platform.python_version()}, tensorflow {tf.__version__}, keras {keras.__version__}, "
          f"backend {keras.backend.backend()}")
    for g in gpus:
        print(f"GPU: {g.name} {tf.config.experimental.get_device_details(g)}")
    if not gpus:
        print("no GPU visible: the checks below run on the CPU")
    with runtime(precision="auto", strategy="auto") as rt:
        print(f"auto picks: {rt.describe()}")

    combos = [("mixed_float16", "default"), ("float32", "mirrored"), ("mixed_float16", "mirrored")]
    failures = 0
    print(f"\n## Part 1: tiny presets, {args.steps} steps (mirrored over {len(gpus) or 'CPU'} device(s))\n")
    print("| family | " + " | ".join(f"{p} / {s}" for p, s in combos) + " |")
    print("|---|" + "---|" * len(combos))
    for name in lecun_zoo.list():
        cells = []
        for precision, strategy in combos:
            try:
                cells.append(tiny_steps(name, precision, strategy, args.steps))
            except Exception as e:  # report every failure, keep going
                failures += 1
                cells.append(f"FAIL {type(e).__name__}: {str(e).splitlines()[0][:80] if str(e) else ''}")
                traceback.print_exc(file=sys.stderr)
            keras.backend.clear_session()
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)

    if not args.skip_timing:
        precisions = ["float32", "mixed_float16"] + (["mixed_bfloat16"] if args.bf16 else [])
        print(f"\n## Part 2: paper presets, median ms per training step ({args.timing_steps} steps x "
              f"{args.repeats} repeats, after warm-up)\n")
        print("| family:preset | batch | " + " | ".join(precisions) + " | speed-up (f32 / mixed_float16) |")
        print("|---|---|" + "---|" * len(precisions) + "---|")
        for spec in args.timing:
            name, preset, batch = spec.split(":")
            ms = {}
            for precision in precisions:
                try:
                    ms[precision] = 1000 * time_preset(name, preset, precision, int(batch), args.timing_steps,
                                                       args.repeats)
                except Exception as e:
                    ms[precision] = float("nan")
                    print(f"{spec} {precision}: {type(e).__name__}: {e}", file=sys.stderr)
            speed = ms["float32"] / ms["mixed_float16"] if ms.get("mixed_float16") else float("nan")
            print(f"| {name}:{preset} | {batch} | " + " | ".join(f"{ms[p]:.1f}" for p in precisions)
                  + f" | {speed:.2f}x |", flush=True)
    print(f"\n{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
