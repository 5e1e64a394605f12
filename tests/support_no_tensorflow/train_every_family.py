"""Run with TensorFlow hidden (``sitecustomize.py`` beside this file on PYTHONPATH) and
KERAS_BACKEND=jax or torch: every family's tiny preset trains through ``lecun_zoo.train``,
saves, loads and evaluates; a crashed convnet and autoencoder run resume exactly; a
keras-tuner search runs. Prints one JSON report on its last line."""

import json
import os
import sys
import tempfile

import numpy as np

try:
    import tensorflow  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("tensorflow is importable: run with tests/support_no_tensorflow on PYTHONPATH")

import keras

import lecun_zoo
from lecun_zoo.testing import saved_weights

EPOCHS = 3


class Crash(BaseException):
    pass


class CrashAt(keras.callbacks.Callback):
    """Raise at (fit call, epoch, batch), counted over every fit of the run."""

    every_fit = True

    def __init__(self, at):
        super().__init__()
        self.at, self.fits, self.epoch = tuple(at), -1, 0

    def on_train_begin(self, logs=None):
        self.fits += 1

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.fits, self.epoch, batch) == self.at:
            raise Crash(self.at)


def same_run(a, b):
    wa, wb = saved_weights(os.path.join(a, "model.keras")), saved_weights(os.path.join(b, "model.keras"))
    same = wa.keys() == wb.keys() and len(wa) > 0 and all(np.array_equal(wa[k], wb[k]) for k in wa)
    ha, hb = (json.load(open(os.path.join(p, "history.json"))) for p in (a, b))
    return bool(same and ha["history"] == hb["history"] and ha["stages"] == hb["stages"])


def main():
    report = {"backend": keras.backend.backend(), "tensorflow_loaded": False, "families": {}, "resume": {}}
    for family in lecun_zoo.list():
        out = tempfile.mkdtemp(prefix=f"notf-{family}-")
        r = lecun_zoo.train(family, "tiny", epochs=EPOCHS, seed=0, out=out, verbose=0)
        path = os.path.join(out, "model.keras")
        again = lecun_zoo.evaluate(path)  # a loaded model, the test split read again
        report["families"][family] = {"loss": [float(v) for v in r.history.history["loss"]],
                                      "test": r.metrics, "evaluate": again,
                                      "pipeline": type(lecun_zoo.data.load(r.recipe.data, "train")).__name__}
    for family, at in (("convnet", (0, 1, 5)), ("autoencoder", (1, 0, 2))):
        a, b = tempfile.mkdtemp(), tempfile.mkdtemp()
        lecun_zoo.train(family, "tiny", epochs=EPOCHS, seed=0, out=a, verbose=0)
        try:
            lecun_zoo.train(family, "tiny", epochs=EPOCHS, seed=0, out=b, verbose=0, callbacks=[CrashAt(at)])
            crashed = False
        except Crash:
            crashed = True
        lecun_zoo.train(family, "tiny", epochs=EPOCHS, seed=0, out=b, verbose=0)
        report["resume"][family] = {"crashed": crashed, "same": same_run(a, b)}
    tuner = lecun_zoo.tune("convnet", preset="tiny", max_trials=2, epochs=1, seed=0, directory=tempfile.mkdtemp())
    report["tune"] = [float(t.score) for t in tuner.oracle.get_best_trials(2)]
    report["tensorflow_loaded"] = "tensorflow" in sys.modules
    print(json.dumps(report))


if __name__ == "__main__":
    main()
