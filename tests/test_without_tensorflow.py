"""Keras with JAX or PyTorch alone: lecun_zoo imports, trains every family, saves, loads,
evaluates and resumes exactly with TensorFlow hidden from imports (``support_no_tensorflow/
sitecustomize.py`` makes ``import tensorflow`` fail as if it were not installed), through the
input route that needs none (``lecun_zoo.data.ArrayBatches``, a ``keras.utils.PyDataset``).

The JAX runs are default tests (jax is in the test extras). PyTorch is not: what pip resolves
for ``torch`` here is the CUDA build (5.3 GB with its nvidia and triton wheels), so its tests
sit behind the ``torch`` marker: ``python3 -m pip install -e ".[test,torch]" &&
python3 -m pytest -m torch``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lecun_zoo
from lecun_zoo import data
from lecun_zoo.data import ArrayBatches, DataOptionError, epoch_order

HIDE = Path(__file__).parent / "support_no_tensorflow"


def hidden_env(backend):
    """The environment of a subprocess on ``backend`` with TensorFlow hidden."""
    path = os.pathsep.join(p for p in (str(HIDE), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=path, TF_CPP_MIN_LOG_LEVEL="2", JAX_PLATFORMS="cpu")


def run_hidden(backend, *args, timeout=900):
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=hidden_env(backend),
                          timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
    return proc.stdout


def test_the_hider_makes_tensorflow_absent():
    code = ("import importlib.util, sys\nassert importlib.util.find_spec('tensorflow') is None\n"
            "try:\n    import tensorflow\nexcept ModuleNotFoundError:\n    print('absent')\n")
    assert run_hidden("jax", "-c", code).strip() == "absent"


def check_every_family(backend):
    report = json.loads(run_hidden(backend, str(HIDE / "train_every_family.py")).strip().splitlines()[-1])
    assert report["backend"] == backend and report["tensorflow_loaded"] is False
    assert sorted(report["families"]) == lecun_zoo.list()
    for family, r in report["families"].items():
        assert r["pipeline"] == "ArrayBatches", family
        assert len(r["loss"]) == 3 and all(np.isfinite(r["loss"])), (family, r["loss"])
        assert r["loss"][-1] < r["loss"][0], (family, r["loss"])  # it learns
        assert r["test"].keys() == r["evaluate"].keys(), family
        for k, v in r["test"].items():  # the saved model, loaded and evaluated again, scores the same
            assert r["evaluate"][k] == pytest.approx(v, rel=1e-5), (family, k)
    assert report["resume"] == {f: {"crashed": True, "same": True} for f in ("convnet", "autoencoder")}
    assert len(report["tune"]) == 2 and all(np.isfinite(report["tune"])), report["tune"]  # two trials scored


def test_every_family_trains_saves_loads_and_resumes_on_jax_without_tensorflow():
    check_every_family("jax")


def _torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        pytest.fail('the torch tests need PyTorch: python3 -m pip install -e ".[test,torch]"')


@pytest.mark.torch
def test_every_family_trains_saves_loads_and_resumes_on_torch_without_tensorflow():
    _torch()
    check_every_family("torch")


@pytest.mark.torch
def test_conformance_kit_on_torch_without_tensorflow(tmp_path):
    from test_conformance import PINS

    _torch()
    pins = tmp_path / "pins.json"
    pins.write_text(json.dumps(PINS))
    out = tmp_path / "results.json"
    run_hidden("torch", "-m", "lecun_zoo.testing", "--all", "--pins", str(pins), "--json", str(out),
               "--tmp", str(tmp_path / "models"))
    report = json.loads(out.read_text())
    assert report["backend"] == "torch" and sorted(report["results"]) == lecun_zoo.list()
    wrong = {(f, c): cell["status"] for f, row in report["results"].items() for c, cell in row.items()
             if cell["status"] != ("n.a." if c in ("mirrored", "data_parallel") else "ok")}
    assert not wrong, wrong


# ------------------------------------------------------------ ArrayBatches, in this process
def _labels(ds):
    return [np.asarray(yb).tolist() for _, yb in (ds[i] for i in range(len(ds)))]


def test_array_batches_read_epoch_orders_and_follow_seek():
    x, y = np.arange(10.0)[:, None], np.arange(10)
    ds = ArrayBatches(x, y, 4, shuffle=True, seed=7)
    passes = []
    for _ in range(2):
        ds.on_epoch_begin()
        passes.append(_labels(ds))
    assert [len(b) for b in passes[0]] == [4, 4, 2]
    assert sum(passes[0], []) == epoch_order(10, 7, 0).tolist() and sum(passes[1], []) == epoch_order(10, 7, 1).tolist()
    try:
        data.seek(5)  # what a resumed run does: epoch 5's order next, whatever the object
        fresh = ArrayBatches(x, y, 4, shuffle=True, seed=7)
        fresh.on_epoch_begin()
        assert sum(_labels(fresh), []) == epoch_order(10, 7, 5).tolist()
    finally:
        data.seek(None)
    plain = ArrayBatches({"a": x}, y, 4, drop_remainder=True)
    plain.on_epoch_begin()  # not shuffled: the order stays
    assert _labels(plain) == [[0, 1, 2, 3], [4, 5, 6, 7]] and set(plain[0][0]) == {"a"}
    with pytest.raises(IndexError, match="has 2 batches; got index 2"):
        plain[2]


def test_array_batches_grouped_by_key_hold_one_key_each():
    y = np.arange(12)
    keys = y % 3
    ds = ArrayBatches(y[:, None], y, 3, shuffle=True, seed=1, keys=keys)
    ds.on_epoch_begin()
    batches = _labels(ds)
    assert sorted(sum(batches, [])) == y.tolist()
    assert all(len({k % 3 for k in b}) == 1 for b in batches)
    # 4 examples per key, batches of 3: one full batch and one of 1 left over, for each of 3 keys
    assert len(ArrayBatches(y[:, None], y, 3, keys=keys)) == 6
    assert len(ArrayBatches(y[:, None], y, 3, keys=keys, drop_remainder=True)) == 3
    with pytest.raises(ValueError, match=r"keys have shape \(3,\); expected \(12,\)"):
        ArrayBatches(y, y, 3, keys=keys[:3])
    with pytest.raises(ValueError, match="batch_size got 0"):
        ArrayBatches(y, y, 0)


def test_load_serves_array_batches_on_request_and_checks_the_choice(monkeypatch):
    train, test = data.load("digits", split=("train", "test"), batch_size=64, pipeline="numpy")
    assert isinstance(train, ArrayBatches) and train.shuffle and not test.shuffle
    x, y = data.arrays("digits", "test")
    np.testing.assert_array_equal(np.concatenate([test[i][1] for i in range(len(test))]), y)
    assert data.pipeline_kind() == "tf"  # TensorFlow is installed here
    monkeypatch.setenv("LECUN_ZOO_PIPELINE", "numpy")
    assert data.pipeline_kind() == "numpy"
    with pytest.raises(DataOptionError, match=r"option 'pipeline' got 'torch'; expected one of \['auto', 'tf', 'numpy'\]"):
        data.load("digits", pipeline="torch")
    monkeypatch.setenv("LECUN_ZOO_PIPELINE", "tfdata")
    with pytest.raises(DataOptionError, match="LECUN_ZOO_PIPELINE is 'tfdata'"):
        data.pipeline_kind()


def test_a_zoo_model_checks_array_batches_in_full():
    model = lecun_zoo.get("convnet", preset="tiny")
    x, y = data.arrays("digits", "test")
    bad = ArrayBatches(x, y + 10, 32)  # labels out of range for 10 classes
    with pytest.raises(lecun_zoo.InputDataError, match="holds the label"):
        model.fit(bad, epochs=1, verbose=0)
