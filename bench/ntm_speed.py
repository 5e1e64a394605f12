"""NTM training speed: steps per second (and ms per step) at batch 1 and 32, float32 and
mixed_bfloat16, with and without XLA, on the copy task at one fixed length.

    python bench/ntm_speed.py --preset copy --length 20 --steps 20
"""

from __future__ import annotations

import argparse
import itertools
import time


def measure(preset: str, batch: int, precision: str, jit: bool, length: int, steps: int, warmup: int) -> dict:
    import keras

    from lecun_zoo.families.ntm import tasks
    from lecun_zoo.families.ntm import FAMILY
    from lecun_zoo.runtime import runtime

    keras.utils.set_random_seed(0)
    config = FAMILY.make_config(preset, jit_compile=jit)
    with runtime(precision=precision):
        model = FAMILY.build(config)
        FAMILY.compile(model, config)
    x, y = tasks.make_batch(config.task, batch, length, 0, **FAMILY.data_options(config))
    t0 = time.time()
    for _ in range(warmup):
        model.train_on_batch(x, y)
    first = time.time() - t0
    t0 = time.time()
    for _ in range(steps):
        model.train_on_batch(x, y)
    per_step = (time.time() - t0) / steps
    return {"batch": batch, "precision": precision, "jit": jit, "steps_per_s": 1 / per_step,
            "ms_per_step": 1000 * per_step, "warmup_s": first, "time_steps": x.shape[1]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None, help="unused: the tasks are generated")
    p.add_argument("--preset", default="copy")
    p.add_argument("--length", type=int, default=20, help="copy length (2 * length + 1 time steps)")
    p.add_argument("--batches", type=int, nargs="*", default=[1, 32])
    p.add_argument("--precisions", nargs="*", default=["float32", "mixed_bfloat16"])
    p.add_argument("--jit", nargs="*", default=["1", "0"], help="1: XLA train step, 0: not")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=2)
    args = p.parse_args()
    print("| batch | precision | XLA | steps/s | ms/step | first steps (compile) s |")
    print("|---|---|---|---|---|---|")
    for batch, precision, jit in itertools.product(args.batches, args.precisions, args.jit):
        r = measure(args.preset, batch, precision, jit == "1", args.length, args.steps, args.warmup)
        print(f"| {batch} | {precision} | {'yes' if r['jit'] else 'no'} | {r['steps_per_s']:.1f} | "
              f"{r['ms_per_step']:.1f} | {r['warmup_s']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
