"""ConvNet training throughput: the zoo's model vs a hand-written Keras model of the
same architecture, float32 vs mixed_bfloat16, side by side in one run.

    python bench/convnet_overhead.py --presets lenet5 modern --steps 200 --repeats 5

Each cell is the median over ``--repeats`` interleaved runs (the order of zoo and
hand-written alternates between repeats) of ``--steps`` training steps, timed after a
warm-up epoch that also traces the graph, in images per second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import lecun_zoo  # noqa: E402


def hand_written(c) -> keras.Model:
    """The same architecture written directly with keras.layers (no zoo code)."""
    layers = [keras.Input(c.input_shape)]
    if c.augment:
        layers.append(keras.layers.RandomTranslation(c.shift, c.shift, fill_mode="constant"))
        if c.rotation > 0:
            layers.append(keras.layers.RandomRotation(c.rotation, fill_mode="constant"))
    if c.input_padding:
        layers.append(keras.layers.ZeroPadding2D(c.input_padding))
    pool = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}[c.pooling]
    for f in c.filters:
        layers += [keras.layers.Conv2D(f, c.kernel_size, padding=c.padding, activation=c.activation), pool(c.pool_size)]
    layers.append(keras.layers.Flatten())
    for u in c.dense_units:
        if c.dropout:
            layers.append(keras.layers.Dropout(c.dropout))
        layers.append(keras.layers.Dense(u, activation=c.activation))
    if c.dropout:
        layers.append(keras.layers.Dropout(c.dropout))
    layers += [keras.layers.Dense(c.num_classes), keras.layers.Activation("softmax", dtype="float32")]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(c.learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def throughput(build, x, y, batch_size, steps) -> float:
    model = build()
    n = batch_size * steps
    model.fit(x[:n], y[:n], batch_size=batch_size, epochs=1, verbose=0)  # warm-up + tracing
    t = time.perf_counter()
    model.fit(x[:n], y[:n], batch_size=batch_size, epochs=1, verbose=0)
    return n / (time.perf_counter() - t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--presets", nargs="+", default=["lenet5", "modern"])
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--data-dir", default=None, help="unused: synthetic 28x28 images are enough for speed")
    args = p.parse_args()

    rng = np.random.default_rng(0)
    n = args.batch_size * args.steps
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, n).astype("int32")
    rows = []
    for preset in args.presets:
        config = lecun_zoo.get_family("convnet").make_config(preset)
        cells = {}
        for r in range(args.repeats):
            for precision in ("float32", "mixed_bfloat16"):
                # alternate who goes first, so warm-up effects hit both sides alike
                for who in (("zoo", "hand") if r % 2 == 0 else ("hand", "zoo")):
                    def build(precision=precision, who=who):
                        with lecun_zoo.runtime(precision=precision):
                            return lecun_zoo.get("convnet", preset=preset) if who == "zoo" else hand_written(config)
                    cells.setdefault((precision, who), []).append(throughput(build, x, y, args.batch_size, args.steps))
        med = {k: statistics.median(v) for k, v in cells.items()}
        rows.append((preset, med))
        for (precision, who), v in sorted(cells.items()):
            print(f"  {preset} {precision} {who}: " + " ".join(f"{t:.0f}" for t in v), flush=True)

    print(f"\nConvNet training throughput, images/s (median of {args.repeats}; batch {args.batch_size}, {args.steps} steps)")
    print(f"{'preset':8s} | {'zoo f32':>9s} | {'hand f32':>9s} | {'zoo/hand':>8s} | {'zoo bf16':>9s} | {'hand bf16':>9s} | {'zoo/hand':>8s} | {'bf16/f32 (zoo)':>14s}")
    print("-" * 100)
    for preset, m in rows:
        print(f"{preset:8s} | {m[('float32','zoo')]:9.0f} | {m[('float32','hand')]:9.0f} | "
              f"{m[('float32','zoo')]/m[('float32','hand')]:8.2f} | {m[('mixed_bfloat16','zoo')]:9.0f} | "
              f"{m[('mixed_bfloat16','hand')]:9.0f} | {m[('mixed_bfloat16','zoo')]/m[('mixed_bfloat16','hand')]:8.2f} | "
              f"{m[('mixed_bfloat16','zoo')]/m[('float32','zoo')]:14.2f}")


if __name__ == "__main__":
    main()
