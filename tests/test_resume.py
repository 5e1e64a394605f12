"""Resumable training (lecun_zoo.checkpointing): a run killed with SIGKILL mid-epoch and
started again with the same command ends with the same weights as a run never stopped;
atomic checkpoint writes; checkpoints of another run refused; the NaN guard."""

import io
import json
import os
import signal
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from lecun_zoo.checkpointing import (KILL_ENV, CheckpointMismatchError, NonFiniteLossError, Resumable,
                                     read_checkpoint, write_atomic)


def train(out, *extra, kill_at=None, family="convnet", epochs=3):
    """``lecun-zoo train`` in a fresh process, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k != KILL_ENV}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if kill_at is not None:
        env[KILL_ENV] = str(kill_at)
    cmd = [sys.executable, "-m", "lecun_zoo.cli", "train", family, "--preset", "tiny", "--epochs", str(epochs),
           "--seed", "0", "--out", str(out), "--verbose", "0", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)


def train_here(capsys, out, *extra, family="convnet", epochs=3):
    """The same command in this process (no TensorFlow start-up to pay): the data order
    and every random state depend on the seed only, so it trains as a fresh process does."""
    from lecun_zoo.cli import main

    capsys.readouterr()
    rc = main(["train", family, "--preset", "tiny", "--epochs", str(epochs), "--seed", "0", "--out", str(out),
               "--verbose", "0", *extra])
    got = capsys.readouterr()
    assert rc == 0, got.err[-3000:]
    return got.out


def weights(path):
    """Every array in a .keras file's weights, by its h5 path."""
    import h5py

    with zipfile.ZipFile(path) as z:
        f = h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
        out = {}
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out


def assert_same_weights(a, b):
    wa, wb = weights(os.path.join(a, "model.keras")), weights(os.path.join(b, "model.keras"))
    assert wa.keys() == wb.keys() and len(wa) > 0
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k], err_msg=k)  # exact: same data order, same RNG states


def test_pass_counter_makes_each_epoch_order_a_function_of_its_number():
    from lecun_zoo import data

    def order(ds):
        return np.concatenate([np.asarray(y) for _, y in ds]).tolist()

    ds = data.load("digits", split="train", batch_size=256, seed=3)
    counter = data.pass_counter(ds)
    assert counter is not None and int(counter.numpy()) == 0
    epoch0, epoch1 = order(ds), order(ds)
    assert epoch0 != epoch1 and sorted(epoch0) == sorted(epoch1)  # reshuffled every pass
    assert int(counter.numpy()) == 2
    fresh = data.load("digits", split="train", batch_size=256, seed=3)
    iter(fresh)  # an iterator never read does not count as a pass
    data.pass_counter(fresh).assign(1)  # what a resumed run does: epoch 1's order comes next
    assert order(fresh) == epoch1
    assert data.pass_counter(data.load("digits", split="validation")) is None  # only the shuffled train split


def test_convnet_killed_mid_epoch_resumes_to_the_same_weights(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(KILL_ENV, raising=False)
    a, b = tmp_path / "A", tmp_path / "B"
    train_here(capsys, a)  # never interrupted
    assert not (a / "checkpoints").exists()  # removed once model.keras was saved
    # digits train: 21 batches of 64 per epoch; step 30 is in the middle of epoch 2
    killed = train(b, kill_at=30)
    assert killed.returncode == -signal.SIGKILL, killed.stdout[-2000:] + killed.stderr[-3000:]
    assert not (b / "model.keras").exists()
    meta, _ = read_checkpoint(str(b / "checkpoints" / "fit-000.npz"))
    assert (meta["epochs_done"], meta["complete"], meta["global_step"]) == (1, False, 21)
    again = train_here(capsys, b)  # the same command again
    assert f"lecun-zoo: resuming from {b / 'checkpoints'} at fit call 0, epoch 1" in again
    assert_same_weights(a, b)
    ha, hb = (json.load(open(p / "history.json")) for p in (a, b))
    assert hb["history"] == ha["history"] and len(hb["history"]["loss"]) == 3  # epochs before the kill included
    assert (b / "log.csv").read_text() == (a / "log.csv").read_text()
    assert not (b / "checkpoints").exists()


def test_staged_autoencoder_resumes_in_pretraining_and_in_fine_tuning(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(KILL_ENV, raising=False)
    # tiny: 2 RBM layers (CD-1, random Gibbs draws) pretrained 2 epochs each, then 2 epochs of
    # fine-tuning: fit calls 0, 1 (pretraining) and 2 (fine-tuning), 21 batches per epoch
    stage = ("--set", "pretrain_epochs=2")
    a, b = tmp_path / "A", tmp_path / "B"
    train_here(capsys, a, *stage, family="autoencoder", epochs=2)
    killed = train(b, *stage, family="autoencoder", epochs=2, kill_at=70)  # layer 2, its epoch 2
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    first, _ = read_checkpoint(str(b / "checkpoints" / "fit-000.npz"))
    second, _ = read_checkpoint(str(b / "checkpoints" / "fit-001.npz"))
    assert first["complete"] and first["model_name"] == "pretrain_layer1"
    assert (second["epochs_done"], second["complete"], second["model_name"]) == (1, False, "pretrain_layer2")
    # resumed, and killed again during fine-tuning (the step count goes on from the checkpoint)
    killed = train(b, *stage, family="autoencoder", epochs=2, kill_at=110)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert "at fit call 1, epoch 1" in killed.stdout
    third, _ = read_checkpoint(str(b / "checkpoints" / "fit-002.npz"))
    assert (third["epochs_done"], third["complete"], third["model_name"]) == (1, False, "autoencoder")
    again = train_here(capsys, b, *stage, family="autoencoder", epochs=2)
    assert "at fit call 2, epoch 1" in again
    assert_same_weights(a, b)
    ha, hb = (json.load(open(p / "history.json")) for p in (a, b))
    assert hb["stages"] == ha["stages"] and [s["name"] for s in hb["stages"]] == [
        "pretrain_layer1_rbm", "pretrain_layer2_rbm", "finetune"]


def test_a_crash_while_writing_leaves_the_previous_checkpoint(tmp_path):
    from lecun_zoo.checkpointing import _write_checkpoint

    path = str(tmp_path / "fit-000.npz")
    _write_checkpoint(path, {"fit_index": 0, "epochs_done": 1}, {"model/0": np.arange(6.0)})

    def crash(f):
        f.write(b"PK\x03\x04 half a zip file")
        raise KeyboardInterrupt("killed while writing")

    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, crash)
    meta, arrays = read_checkpoint(path)
    assert meta["epochs_done"] == 1 and arrays["model/0"].tolist() == list(np.arange(6.0))
    assert os.listdir(tmp_path) == ["fit-000.npz"]  # the temporary file is gone too
    # a hard kill leaves the temporary file behind: it is never taken for a checkpoint
    (tmp_path / ".tmp-abc.npz").write_bytes(b"PK\x03\x04 truncated")
    with open(tmp_path / "run.json", "w") as f:
        json.dump({"seed": 0}, f)
    run = Resumable(str(tmp_path), {"seed": 0}, verbose=False)
    with run:
        pass
    assert run.resumed_from == (0, 1)  # from fit-000.npz, the temporary file ignored


def test_checkpoints_of_another_run_are_refused_with_the_differing_field(tmp_path, capsys):
    from lecun_zoo.cli import main

    out = tmp_path / "run"
    (out / "checkpoints").mkdir(parents=True)
    theirs = {"family": "convnet", "config": {"filters": [8], "dropout": 0.0}, "seed": 0}
    (out / "checkpoints" / "run.json").write_text(json.dumps(theirs))
    with pytest.raises(CheckpointMismatchError, match=r"config: checkpoint has \{\"filters\": \[8\]\}, this run has"):
        Resumable(str(out / "checkpoints"), dict(theirs, config={"filters": [4], "dropout": 0.0})).__enter__()
    args = ["train", "convnet", "--preset", "tiny", "--epochs", "1", "--out", str(out), "--verbose", "0"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "lecun-zoo: error:" in err and "holds checkpoints of a different run" in err and "--no-resume" in err
    assert "preset: checkpoint has \"(none)\", this run has \"tiny\"" in err
    assert main(args + ["--no-resume"]) == 0  # starts over
    assert (out / "model.keras").exists() and not (out / "checkpoints").exists()


def test_nan_loss_stops_with_the_step_and_keeps_the_last_good_checkpoint(tmp_path):
    import keras

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 3)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    seen, epoch = [], [0]

    def poison(batch, logs):  # after batch 1 of epoch 3, a weight becomes NaN: batch 2's loss is NaN
        if epoch[0] == 2 and batch == 0:
            model.layers[0].kernel.assign(np.full((3, 1), np.nan, "float32"))

    spy = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda e, logs: epoch.__setitem__(0, e), on_train_batch_end=poison,
        on_epoch_end=lambda e, logs: seen.append([w.copy() for w in model.get_weights()]))
    folder = str(tmp_path / "checkpoints")
    with pytest.raises(NonFiniteLossError) as err, Resumable(folder, {"test": 1}, verbose=False):
        model.fit(x, y, batch_size=8, shuffle=False, epochs=4, verbose=0, callbacks=[spy])
    msg = str(err.value)
    assert "loss is nan at epoch 3/4, batch 2/4 (global batch 10 of this fit)" in msg
    assert "learning rate is too high (learning_rate=0.01)" in msg and "fit-000.npz" in msg and "after epoch 2" in msg
    meta, arrays = read_checkpoint(os.path.join(folder, "fit-000.npz"))
    assert (meta["epochs_done"], meta["complete"]) == (2, False)
    saved = [arrays[f"model/{i}"] for i in range(len(seen[1]))]
    for s, w in zip(saved, seen[1]):  # the end of epoch 2, the last good state
        np.testing.assert_array_equal(s, w)
    assert all(np.isfinite(a).all() for a in saved)


def test_cli_exits_2_on_a_diverging_run_naming_the_step_and_the_loss_scale(tmp_path, capsys):
    from lecun_zoo.cli import main

    # mixed_float16 with SGD at learning rate 10: float16 activations overflow in epoch 3
    out = tmp_path / "nan"
    rc = main(["train", "convnet", "--preset", "tiny", "--epochs", "6", "--seed", "0", "--out", str(out),
               "--verbose", "0", "--batch-size", "400", "--precision", "mixed_float16", "--set", "optimizer=sgd",
               "--set", "learning_rate=10", "--set", "activation=elu", "--set", "dense_units=[64]"])
    err = capsys.readouterr().err
    assert rc == 2, err[-3000:]
    assert "lecun-zoo: error: training of fit call 0 (convnet) stopped: loss is nan at epoch 3/6, batch 4/4" in err
    assert "learning rate is too high (learning_rate=10)" in err and "loss scale" in err
    assert "Traceback" not in err and not (out / "model.keras").exists()
    meta, arrays = read_checkpoint(str(out / "checkpoints" / "fit-000.npz"))
    assert meta["epochs_done"] == 2 and all(np.isfinite(arrays[k]).all() for k in arrays if k.startswith("model/"))


@pytest.mark.slow
def test_memnet_linear_start_schedule_resumes_after_it_switched(tmp_path, capsys, monkeypatch):
    # 15 batches an epoch; linear start ends after epoch 3; step 50 is in epoch 4, so the
    # schedule's state (softmaxes back, full learning rate) must come back from the checkpoint
    monkeypatch.delenv(KILL_ENV, raising=False)
    ls = ("--set", "linear_start=true", "--set", "ls_max_epochs=3")
    a, b = tmp_path / "A", tmp_path / "B"
    train_here(capsys, a, *ls, family="memnet", epochs=6)
    killed = train(b, *ls, family="memnet", epochs=6, kill_at=50)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    meta, _ = read_checkpoint(str(b / "checkpoints" / "fit-000.npz"))
    assert meta["epochs_done"] == 3 and meta["callbacks"][0]["linear"] is False
    assert "at fit call 0, epoch 3" in train_here(capsys, b, *ls, family="memnet", epochs=6)
    assert_same_weights(a, b)
    ha, hb = (json.load(open(p / "history.json")) for p in (a, b))
    assert hb["history"]["linear_start"] == ha["history"]["linear_start"] == [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
