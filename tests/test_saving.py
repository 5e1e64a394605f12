import os
import zipfile

import keras
import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.saving import ModelFileError, UnsafeModelError, load, save


def test_lambda_layer_is_refused_never_executed(tmp_path):
    marker = tmp_path / "executed"

    def touch_then_double(x):  # a side effect that would show the code ran
        marker.write_text("ran")
        return x * 2

    inp = keras.Input((2,))
    out = keras.layers.Lambda(touch_then_double)(inp)
    path = str(tmp_path / "lambda.keras")
    keras.Model(inp, out).save(path)
    marker.unlink()  # building the model ran it once; loading must not
    with pytest.raises(UnsafeModelError, match=r"lambda.keras: refused to load.*safe mode"):
        load(path)
    assert not marker.exists()


def test_unknown_class_is_named(tmp_path):
    model = lecun_zoo.get("convnet", preset="tiny")
    good = save(model, str(tmp_path / "good.keras"))
    bad = str(tmp_path / "unknown.keras")
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "config.json":
                data = data.replace(b'ConvNet"', b'NoSuchNet"')
            dst.writestr(item, data)
    with pytest.raises(ModelFileError, match=r"unknown.keras: names a class that is not registered"):
        load(bad)


def test_truncated_and_garbage_files_name_the_path(tmp_path):
    model = lecun_zoo.get("convnet", preset="tiny")
    good = save(model, str(tmp_path / "m.keras"))
    raw = open(good, "rb").read()
    trunc = tmp_path / "truncated.keras"
    trunc.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ModelFileError, match=r"truncated.keras: (not a .keras archive|cannot be read)"):
        load(str(trunc))
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(ModelFileError, match=r"junk.keras: not a .keras archive"):
        load(str(junk))
    with pytest.raises(ModelFileError, match=r"missing.keras: no such model file"):
        load(str(tmp_path / "missing.keras"))


def test_save_is_atomic_a_failed_write_keeps_the_old_file(tmp_path):
    model = lecun_zoo.get("convnet", preset="tiny")
    path = str(tmp_path / "m.keras")
    save(model, path)
    before = open(path, "rb").read()

    class Exploding:
        def save(self, p, overwrite=True):
            with open(p, "wb") as f:
                f.write(b"partial")
            raise KeyboardInterrupt("killed mid-write")

    with pytest.raises(KeyboardInterrupt):
        save(Exploding(), path)
    assert open(path, "rb").read() == before
    assert [f for f in os.listdir(tmp_path) if f.startswith(".tmp-")] == []
    x = np.zeros((1, 8, 8, 1), "float32")
    np.testing.assert_allclose(load(path).predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_save_wants_a_keras_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"expected a name ending in '.keras'"):
        save(lecun_zoo.get("convnet", preset="tiny"), str(tmp_path / "m.h5"))
