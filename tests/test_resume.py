"""Resumable training (lecun_zoo.checkpointing): a run killed with SIGKILL (or crashing) at
any point, after any stage boundary of a staged family, and started again with the same
command ends with the same weights and history as a run never stopped; the data order of an
epoch is a function of the seed and the epoch; atomic checkpoint writes; checkpoints of
another run refused; the NaN guard.

The tests interrupt runs from outside the library: a callback of the test (``every_fit``, so a
staged family hands it to every stage) kills the process or raises at a given fit call,
epoch and batch."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.checkpointing import CheckpointMismatchError, NonFiniteLossError, Resumable, read_checkpoint, write_atomic
from lecun_zoo.testing import saved_weights

# lecun_zoo.train in a fresh process, killed (SIGKILL) after batch BATCH of epoch EPOCH of fit call FIT
KILLED_RUN = """
import json, os, signal, sys
import keras, lecun_zoo
family, out, (fit, epoch, batch), kwargs = json.loads(sys.argv[1])
class Kill(keras.callbacks.Callback):
    every_fit, fits = True, -1
    def on_train_begin(self, logs=None):
        Kill.fits += 1
    def on_epoch_begin(self, e, logs=None):
        self.epoch = e
    def on_train_batch_end(self, b, logs=None):
        if (Kill.fits, self.epoch, b) == (fit, epoch, batch):
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
lecun_zoo.train(family, "tiny", seed=0, out=out, verbose=0, callbacks=[Kill()], **kwargs)
"""


def killed(out, family, at, **kwargs):
    """Run ``family`` (tiny, seed 0) in a fresh process and SIGKILL it at ``at`` = (fit call,
    epoch, batch), all from 0; returns the process's stdout."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    got = subprocess.run([sys.executable, "-c", KILLED_RUN, json.dumps([family, str(out), list(at), kwargs])],
                         capture_output=True, text=True, env=env, timeout=300)
    assert got.returncode == -signal.SIGKILL, got.stdout[-2000:] + got.stderr[-3000:]
    assert not (out / "model.keras").exists()
    return got.stdout


class Interrupted(BaseException):
    """A crash in the middle of a batch (nothing of the library catches it)."""


def crash_callback(at):
    import keras

    class Crash(keras.callbacks.Callback):
        every_fit, fits = True, -1

        def on_train_begin(self, logs=None):
            self.fits += 1

        def on_epoch_begin(self, e, logs=None):
            self.epoch = e

        def on_train_batch_end(self, b, logs=None):
            if (self.fits, self.epoch, b) == tuple(at):
                raise Interrupted(at)

    return Crash()


def crashed(out, family, at, capsys=None, **kwargs):
    """Run ``family`` in this process and crash it at ``at`` (as ``killed``); its stdout."""
    if capsys is not None:
        capsys.readouterr()
    with pytest.raises(Interrupted):
        lecun_zoo.train(family, "tiny", seed=0, out=str(out), verbose=0, callbacks=[crash_callback(at)], **kwargs)
    assert not (out / "model.keras").exists()
    return capsys.readouterr().out if capsys is not None else ""


def run(out, family, capsys=None, **kwargs):
    """The run to completion in this process (no TensorFlow start-up to pay): the data order and
    every random state depend on the seed only, so it trains as a fresh process does."""
    if capsys is not None:
        capsys.readouterr()
    result = lecun_zoo.train(family, "tiny", seed=0, out=str(out), verbose=0, **kwargs)
    assert not (out / "checkpoints").exists()  # removed once model.keras was saved
    return result, (capsys.readouterr().out if capsys is not None else "")


def train_here(capsys, out, *extra, family="convnet", epochs=3):
    """``lecun-zoo train`` in this process."""
    from lecun_zoo.cli import main

    capsys.readouterr()
    rc = main(["train", family, "--preset", "tiny", "--epochs", str(epochs), "--seed", "0", "--out", str(out),
               "--verbose", "0", *extra])
    got = capsys.readouterr()
    assert rc == 0, got.err[-3000:]
    return got.out


def checkpoint(out, i):
    meta, _ = read_checkpoint(str(out / "checkpoints" / f"fit-{i:03d}.npz"))
    return meta["model_name"], meta["epochs_done"], meta["complete"]


def assert_same_run(a, b):
    """The same weights (exact: same data order, same random states) and the same history."""
    wa, wb = saved_weights(os.path.join(a, "model.keras")), saved_weights(os.path.join(b, "model.keras"))
    assert wa.keys() == wb.keys() and len(wa) > 0
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k], err_msg=k)
    ha, hb = (json.load(open(os.path.join(p, "history.json"))) for p in (a, b))
    assert hb["history"] == ha["history"] and hb["stages"] == ha["stages"]
    assert open(os.path.join(b, "log.csv")).read() == open(os.path.join(a, "log.csv")).read()
    return ha


def test_the_data_order_of_an_epoch_is_a_function_of_the_seed_and_the_epoch():
    from lecun_zoo import data

    def order(ds):
        return np.concatenate([np.asarray(y) for _, y in ds]).tolist()

    ds = data.load("digits", split="train", batch_size=256, seed=3)
    epoch0, epoch1 = order(ds), order(ds)
    assert epoch0 != epoch1 and sorted(epoch0) == sorted(epoch1)  # reshuffled every pass
    fresh = data.load("digits", split="train", batch_size=256, seed=3)
    iter(fresh)  # an iterator never read does not count as a pass
    assert order(fresh) == epoch0  # each pipeline counts its own passes
    mapped = data.load("digits", split="train", batch_size=256, seed=3).map(lambda x, y: (x * 2, y))
    try:
        data.seek(1)  # what a resumed run does: epoch 1's order comes next, whatever the pipeline
        assert order(mapped) == epoch1 and order(ds) != epoch1
    finally:
        data.seek(None)
    assert order(data.load("digits", split="train", batch_size=256, seed=4)) != epoch0  # another seed
    with pytest.raises(ValueError, match="expected an int >= 0 or None"):
        data.seek(-1)


def test_convnet_killed_mid_epoch_resumes_to_the_same_weights(tmp_path, capsys):
    import keras

    original_fit = keras.Model.fit
    a, b = tmp_path / "A", tmp_path / "B"
    train_here(capsys, a)  # never interrupted
    assert keras.Model.fit is original_fit  # nothing of Keras is patched
    killed(b, "convnet", (0, 1, 8), epochs=3)  # digits train: 21 batches of 64 per epoch
    assert checkpoint(b, 0) == ("convnet", 1, False)
    again = train_here(capsys, b)  # the same command again
    assert f"lecun-zoo: resuming from {b / 'checkpoints'} at fit call 0, epoch 1" in again
    hist = assert_same_run(a, b)
    assert len(hist["history"]["loss"]) == 3  # epochs before the kill included


def test_a_user_pipeline_mapped_from_load_resumes_exactly(tmp_path):
    from lecun_zoo import data

    def pipeline():  # a user's .map() of a load() pipeline: the data order still follows the epoch
        return {"train": data.load("digits", split="train", batch_size=64).map(lambda x, y: (x * 0.5, y)),
                "test": data.load("digits", split="test", batch_size=64)}

    a, b = tmp_path / "A", tmp_path / "B"
    run(a, "convnet", data=pipeline(), epochs=3)
    crashed(b, "convnet", (0, 2, 3), data=pipeline(), epochs=3)
    assert checkpoint(b, 0) == ("convnet", 2, False)
    run(b, "convnet", data=pipeline(), epochs=3)
    assert_same_run(a, b)


def test_staged_autoencoder_resumes_after_every_stage_boundary(tmp_path, capsys):
    # tiny: 2 RBM layers (CD-1, random Gibbs draws) pretrained 2 epochs each, then 2 epochs of
    # fine-tuning: fit calls 0, 1 (pretraining) and 2 (fine-tuning), 21 batches per epoch
    kw = dict(epochs=2, pretrain_epochs=2)
    a, b = tmp_path / "A", tmp_path / "B"
    first, _ = run(a, "autoencoder", **kw)
    assert [s["name"] for s in first.history.stages] == ["pretrain_layer1_rbm", "pretrain_layer2_rbm", "finetune"]
    # killed in the first batch of layer 2, just after the first boundary: layer 1 complete, no more
    killed(b, "autoencoder", (1, 0, 0), **kw)
    assert checkpoint(b, 0) == ("pretrain_layer1", 2, True)
    assert not (b / "checkpoints" / "fit-001.npz").exists()
    # and in layer 2's second epoch, in the first batch of fine-tuning, and in its second epoch
    out = crashed(b, "autoencoder", (1, 1, 3), capsys, **kw)
    assert "at fit call 0, epoch 2 (complete)" in out and checkpoint(b, 1) == ("pretrain_layer2", 1, False)
    crashed(b, "autoencoder", (2, 0, 0), **kw)
    assert checkpoint(b, 1) == ("pretrain_layer2", 2, True) and not (b / "checkpoints" / "fit-002.npz").exists()
    crashed(b, "autoencoder", (2, 1, 5), **kw)
    assert checkpoint(b, 2) == ("autoencoder", 1, False)
    _, out = run(b, "autoencoder", capsys, **kw)
    assert "at fit call 2, epoch 1 (continues with epoch 2)" in out
    assert_same_run(a, b)


def test_classifier_resumes_inside_and_after_its_head_stage(tmp_path, capsys):
    # the classifier: 2 RBM layers (fit calls 0, 1), its softmax layer alone (call 2, the stack
    # frozen and the model compiled again), then the whole network (call 3)
    kw = dict(epochs=2, pretrain_epochs=1, head="classifier", code_activation="sigmoid", head_epochs=2)
    a, b = tmp_path / "A", tmp_path / "B"
    first, _ = run(a, "autoencoder", **kw)
    assert [s["name"] for s in first.history.stages] == ["pretrain_layer1_rbm", "pretrain_layer2_rbm", "head", "finetune"]
    crashed(b, "autoencoder", (2, 1, 3), **kw)  # in the head stage's second epoch
    assert checkpoint(b, 2) == ("deep_classifier", 1, False)
    crashed(b, "autoencoder", (3, 0, 0), **kw)  # in the first batch of the whole network's training
    assert checkpoint(b, 2) == ("deep_classifier", 2, True) and not (b / "checkpoints" / "fit-003.npz").exists()
    _, out = run(b, "autoencoder", capsys, **kw)
    assert "at fit call 2, epoch 2 (complete)" in out
    assert_same_run(a, b)


def test_memnet_resumes_in_and_after_linear_start_with_the_annealed_learning_rate(tmp_path):
    # linear start until the validation loss stops falling (at most 2 epochs), then the
    # learning rate halves every epoch counted from its end; after a resume the schedule's
    # state comes from the epochs before (the fit's history), not from epoch 0
    kw = dict(epochs=4, data_options={"num_examples": 400}, linear_start=True, ls_max_epochs=2, ls_patience=1,
              anneal_every=1, anneal_factor=0.5)
    a, b = tmp_path / "A", tmp_path / "B"
    first, _ = run(a, "memnet", **kw)
    h = first.history.history
    ls = int(sum(h["linear_start"]))
    assert 1 <= ls <= 2 and h["linear_start"] == [1.0] * ls + [0.0] * (4 - ls)
    assert h["learning_rate"][ls:] == [0.01 * 0.5 ** (e - ls) for e in range(ls, 4)]
    crashed(b, "memnet", (0, 1, 0), **kw)  # during linear start (or just after it, if it took one epoch)
    crashed(b, "memnet", (0, ls, 0), **kw)  # the first batch after linear start ended
    assert checkpoint(b, 0)[1:] == (ls, False)
    crashed(b, "memnet", (0, ls + 1, 1), **kw)  # one annealed epoch later (in this process: no TF start-up)
    assert checkpoint(b, 0)[1:] == (ls + 1, False)
    again, _ = run(b, "memnet", **kw)
    assert_same_run(a, b)
    assert again.history.history["learning_rate"] == h["learning_rate"]
    assert again.history.linear_start_epochs == first.history.linear_start_epochs == ls


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
    resumable = Resumable(str(tmp_path), {"seed": 0}, verbose=False)
    with resumable:
        pass
    assert resumable.resumed_from == (0, 1)  # from fit-000.npz, the temporary file ignored


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
    with pytest.raises(NonFiniteLossError) as err, Resumable(folder, {"test": 1}, verbose=False) as resumable:
        model.fit(x, y, batch_size=8, shuffle=False, epochs=4, verbose=0, callbacks=[spy] + resumable.callbacks)
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
