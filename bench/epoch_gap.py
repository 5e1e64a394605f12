"""The wait between epochs: a zoo pipeline with tf.data's autotuning model on (tf.data's default)
and off (what ``lecun_zoo.data.prefetched`` sets), side by side in one run.

    python bench/epoch_gap.py --family ntm --preset copy --data copy --epochs 5 --option train_size=3200

Keras makes a new iterator over the training data every epoch; destroying the previous one waits
for the autotuning thread's current sleep (it grows to 10 s). The table gives, per setting, the
median wall time of epochs 2..N, the part spent inside train steps, the rest (the wait, median and
largest), and the wait and the wall time summed over epochs 2..N.
Epoch 1 is left out (it compiles). Same model, data, seed and threads for both rows.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from sidebyside import machine  # noqa: E402  (bench/ is on sys.path when a script here runs)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--family", default="ntm")
    p.add_argument("--preset", default="copy")
    p.add_argument("--data", default="copy")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--option", action="append", default=[], help="data option key=int, e.g. train_size=3200")
    args = p.parse_args(argv)

    import keras
    import numpy as np
    import tensorflow as tf

    from lecun_zoo import data as zdata
    from lecun_zoo.registry import REGISTRY

    fam = REGISTRY.get(args.family)
    config = fam.make_config(args.preset)
    options = {**(fam.data_options(config) if fam.data_options else {}),
               **{k: int(v) for k, v in (o.split("=", 1) for o in args.option)}}

    class Times(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.walls, self.steps = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self.t0, self.inside = time.perf_counter(), 0.0

        def on_train_batch_begin(self, batch, logs=None):
            self.tb = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.inside += time.perf_counter() - self.tb

        def on_epoch_end(self, epoch, logs=None):
            self.walls.append(time.perf_counter() - self.t0)
            self.steps.append(self.inside)

    rows = []
    for autotune in (True, False):
        (train,) = zdata.load(args.data, split=("train",), batch_size=args.batch_size, seed=0, **options)
        if autotune:  # undo prefetched()'s option: tf.data's default
            o = tf.data.Options()
            o.autotune.enabled = True
            train = train.with_options(o)
        keras.utils.set_random_seed(0)
        model = fam.build(config)
        fam.compile(model, config)
        t = Times()
        model.fit(train, epochs=args.epochs, callbacks=[t], verbose=0)
        wall, inside = float(np.median(t.walls[1:])), float(np.median(t.steps[1:]))
        rows.append(("on (tf.data default)" if autotune else "off (lecun_zoo)", wall, inside, wall - inside,
                     max(w - s for w, s in zip(t.walls[1:], t.steps[1:])),
                     sum(w - s for w, s in zip(t.walls[1:], t.steps[1:])), sum(t.walls[1:])))

    print(f"# {args.family}/{args.preset} on {args.data} {options}, batch {args.batch_size}, epochs 2..{args.epochs}; "
          f"TF {tf.__version__}, Keras {keras.__version__}; {machine()}; "
          f"intra-op threads {os.environ.get('TF_NUM_INTRAOP_THREADS', 'default')}")
    print("| autotuning model | epoch wall (s, median) | in train steps (s, median) | between (s, median) | "
          "between (s, max) | between, all epochs (s) | all epochs (s) |")
    print("|---|---|---|---|---|---|---|")
    for name, wall, inside, gap, worst, between, total in rows:
        print(f"| {name} | {wall:.2f} | {inside:.2f} | {gap:.2f} | {worst:.2f} | {between:.2f} | {total:.2f} |")


if __name__ == "__main__":
    main()
