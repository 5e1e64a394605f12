"""Resumable training: a checkpoint at every epoch of every ``fit`` of a run, the run's data
order, and a guard against NaN losses.

    run = Resumable("runs/x/checkpoints", fingerprint={...})
    with run:                                    # refuses a folder written by another run
        family.train(model, config, train, epochs=10, callbacks=run.callbacks)
    lecun_zoo.save(model, "runs/x/model.keras")
    run.finish()                                 # only now are the checkpoints removed

``lecun-zoo train`` and ``lecun_zoo.train(..., out=...)`` do this. ``run.callbacks`` are Keras
callbacks that belong to the run, not to one fit: they carry ``every_fit = True``, and a staged
training (greedy pretraining, linear start, curricula) hands every such callback to every
``fit`` it makes (``lecun_zoo.checkpointing.every_fit(callbacks)`` picks them out). The fits of
a run are numbered in the order they start: fit ``i`` gets ``fit-<i>.npz`` in the folder,
rewritten atomically (temporary file, then ``os.replace``) when each of its epochs after the
first begins (so every callback's epoch end is in it) and once more, marked complete, when the
fit ends. A checkpoint holds every model variable (weights and ``SeedGenerator`` states), the
optimizer's variables (moments, iterations, loss scale), the epochs done and their history
(``model.history``), and the Python and NumPy global random states.

When the same run starts again, the family code runs as before; each fit finds its
checkpoint when it begins: a complete one is restored and the fit runs no epoch (the family
carries on with the stage's final weights); a partial one is restored and the fit goes on
from the next epoch, with the epochs before in its ``History``. The start epoch is set as
``keras.callbacks.BackupAndRestore`` sets it (``model._initial_epoch``: Keras has no public
way for a callback to do this). Each fit also seeks the data order
(:func:`lecun_zoo.data.seek`): epoch ``e`` of the run reads the shuffle of ``(seed, e)``,
whatever pipeline object feeds it. With the same seed, the run ends with the same weights as a
run that was never stopped.

A callback with state of its own keeps resuming exact when it derives that state from
``self.model.history.history`` (which holds the epochs before a resume) or from model and
optimizer variables, as memnet's linear-start schedule does.

``NonFiniteLossGuard`` stops a fit at the first batch whose loss is NaN or infinite and raises
``NonFiniteLossError`` naming the epoch, the batch and the likely cause; the epoch that
diverged is never checkpointed, so the last good checkpoint stays.
"""

from __future__ import annotations

import glob
import json
import os
import random
import shutil
import tempfile
import zipfile
from typing import Any, Iterable, Mapping, Optional

import numpy as np

from lecun_zoo.errors import CheckpointError, CheckpointMismatchError, NonFiniteLossError
from lecun_zoo.saving import file_mode

__all__ = ["Resumable", "NonFiniteLossGuard", "NonFiniteLossError", "CheckpointMismatchError",
           "CheckpointError", "read_checkpoint", "write_atomic", "every_fit"]

FORMAT = 2


def every_fit(callbacks: Any) -> list:
    """The callbacks among ``callbacks`` that belong to every fit of a run (``every_fit =
    True``: checkpoints, data order, NaN guard); a staged training passes them to each stage."""
    return [cb for cb in list(callbacks or []) if getattr(cb, "every_fit", False)]


# ------------------------------------------------------------------ files
def write_atomic(path: str, write: Any) -> str:
    """Call ``write(fileobj)`` on a temporary file beside ``path``, flush it to disk, then
    rename it over ``path``: a crash leaves either the old file or the new one, never half."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.splitext(path)[1], dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _write_checkpoint(path: str, meta: dict, arrays: Mapping[str, np.ndarray]) -> None:
    payload = {f"a{i}": np.asarray(a) for i, a in enumerate(arrays.values())}
    meta = dict(meta, arrays=list(arrays))
    payload["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    write_atomic(path, lambda f: np.savez(f, **payload))


def read_checkpoint(path: str) -> tuple[dict, dict]:
    """``(meta, arrays)`` of a checkpoint file; ``CheckpointError`` naming the file if unreadable."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            arrays = {name: z[f"a{i}"] for i, name in enumerate(meta["arrays"])}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}: checkpoint cannot be read ({type(e).__name__}: {e}); "
                              f"delete it or pass --no-resume to start over") from None
    return meta, arrays


# ------------------------------------------------------------------ state
def _finite(value: Any) -> bool:
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=np.float64))))
    except (TypeError, ValueError):
        return True


def _rng_state() -> tuple[dict, dict]:
    py = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    meta = {"python_random": [py[0], list(py[1]), py[2]],
            "numpy_random": [name, int(pos), int(has_gauss), float(cached)]}
    return meta, {"rng/numpy_keys": np.asarray(keys)}


def _set_rng_state(meta: dict, arrays: dict) -> None:
    v, internal, gauss = meta["python_random"]
    random.setstate((v, tuple(internal), gauss))
    name, pos, has_gauss, cached = meta["numpy_random"]
    np.random.set_state((name, arrays["rng/numpy_keys"], pos, has_gauss, cached))


def _optimizer(model: Any) -> Any:
    return getattr(model, "optimizer", None)


def _describe_vars(variables: Iterable[Any]) -> list:
    return [[getattr(v, "path", getattr(v, "name", "?")), list(v.shape)] for v in variables]


def _floats(history: Mapping[str, Any]) -> dict:
    out = {}
    for k, values in history.items():
        try:
            out[k] = [float(np.asarray(v)) for v in values]
        except (TypeError, ValueError):
            pass
    return out


# ------------------------------------------------------------------ callbacks
_CLASSES: dict = {}


def _classes() -> dict:
    """The Keras callback classes (made on first use: no Keras import with this module)."""
    if _CLASSES:
        return _CLASSES
    import keras

    class NonFiniteLossGuard(keras.callbacks.Callback):
        """Raise ``NonFiniteLossError`` at the first batch (or epoch end) whose loss is NaN or
        infinite, naming the epoch, the batch, the optimizer step and the likely cause."""

        every_fit = True

        def __init__(self, label: Any = "", note: Any = None):
            super().__init__()
            self.label, self.note = label, note
            self._epoch = 0
            self._epochs = self._steps = None
            self._seen = 0

        def set_params(self, params):
            super().set_params(params)
            self._epochs = (params or {}).get("epochs")
            self._steps = (params or {}).get("steps")

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            self._seen += 1
            loss = (logs or {}).get("loss")
            if loss is not None and not _finite(loss):
                if self._steps:  # batches per epoch known: count from the fit's first epoch
                    where = (f"batch {batch + 1}/{self._steps} (global batch {self._epoch * self._steps + batch + 1} "
                             f"of this fit)")
                else:
                    where = f"batch {batch + 1} ({self._seen} batches trained in this process)"
                self._raise(float(np.asarray(loss)), where)

        def on_epoch_end(self, epoch, logs=None):
            bad = {k: v for k, v in (logs or {}).items() if k.endswith("loss") and not _finite(v)}
            if bad:
                k = sorted(bad)[0]
                self._raise(float(np.asarray(bad[k])), f"the end of the epoch ({k})")

        def _raise(self, value: float, where: str) -> None:
            self.model.stop_training = True
            raise NonFiniteLossError(self.message(value, where))

        def message(self, value: float, where: str) -> str:
            opt = _optimizer(self.model)
            lr = scale = None
            if opt is not None:
                inner = getattr(opt, "inner_optimizer", opt)
                try:
                    lr = float(np.asarray(inner.learning_rate))
                except Exception:
                    pass
                if hasattr(opt, "dynamic_scale"):
                    scale = float(np.asarray(opt.dynamic_scale))
            total = f"/{self._epochs}" if self._epochs else ""
            at = f"loss is {value} at epoch {self._epoch + 1}{total}, {where}"
            label = self.label(self.model) if callable(self.label) else self.label
            who = f" of {label}" if label else ""
            causes = [f"the learning rate is too high (learning_rate={lr:g}); lower it"
                      if lr is not None else "the learning rate is too high; lower it"]
            if scale is not None:
                causes.append(f"under mixed_float16 the float16 activations or the loss scale ({scale:g}) "
                              f"overflowed; try --precision float32 or mixed_bfloat16")
            causes.append("or the data holds NaN/inf values")
            note = self.note() if callable(self.note) else self.note
            return (f"training{who} stopped: {at}. Likely cause: " + "; ".join(causes) + "."
                    + (f" {note}" if note else ""))

    class FitCheckpoints(keras.callbacks.Callback):
        """The run's checkpoints and data order, for every fit of the run (see the module doc)."""

        every_fit = True

        def __init__(self, run: "Resumable"):
            super().__init__()
            self.run = run

        def on_train_begin(self, logs=None):
            run = self.run
            run._check_folder()
            self.index, self.epochs = run.fit_index, int(self.params.get("epochs") or 1)
            self.offset = run.epochs_before  # epochs of the run's earlier fits: the data order goes on from them
            run.fit_index += 1
            run.epochs_before += self.epochs
            self.first, self.done, self.complete_before = True, 0, False
            self.epochs_before = 0
            path = run.path(self.index)
            if run.directory is None or not run.resume or not os.path.exists(path):
                return
            meta, arrays = read_checkpoint(path)
            _restore(f"{path} (fit call {self.index}, model {self.model.name!r})", self.model, meta, arrays)
            self.complete_before = bool(meta.get("complete"))
            self.done = self.epochs_before = int(meta["epochs_done"])
            history = getattr(self.model, "history", None)
            if history is not None and hasattr(history, "history"):
                history.history = {k: list(v) for k, v in meta.get("history", {}).items()}
            start = self.epochs if self.complete_before else self.done
            if start:
                self.model._initial_epoch = start  # as keras.callbacks.BackupAndRestore does

        def on_epoch_begin(self, epoch, logs=None):
            if self.first:  # fit has read its start epoch: a later fit of this model starts at its own
                self.first = False
                self.model._initial_epoch = None
                from lecun_zoo import data

                data.seek(self.offset + epoch)
            elif epoch > self.done:
                self._save(epoch, complete=False)

        def on_train_end(self, logs=None):
            from lecun_zoo import data

            self.model._initial_epoch = None
            data.seek(None)
            history = getattr(self.model, "history", None)
            if history is not None and self.epochs_before and hasattr(history, "epoch"):
                history.epoch = list(range(self.epochs_before)) + list(history.epoch)
            if not self.complete_before:
                self._save(len(history.epoch) if history is not None else self.epochs, complete=True)

        def _save(self, epochs_done: int, complete: bool) -> None:
            run = self.run
            if run.directory is None or not run.write:
                return
            m = self.model
            history = _floats(getattr(getattr(m, "history", None), "history", None) or {})
            if not all(_finite(v[-1]) for k, v in history.items() if k.endswith("loss") and v):
                return  # never overwrite the last good checkpoint with a diverged state
            opt = _optimizer(m)
            rng_meta, rng_arrays = _rng_state()
            mvars = list(m.variables)
            ovars = list(opt.variables) if opt is not None and opt.built else []
            arrays = {f"model/{i}": np.asarray(keras.ops.convert_to_numpy(v)) for i, v in enumerate(mvars)}
            arrays.update({f"optimizer/{i}": np.asarray(keras.ops.convert_to_numpy(v)) for i, v in enumerate(ovars)})
            arrays.update(rng_arrays)
            meta = {
                "format": FORMAT, "fit_index": self.index, "model_name": m.name, "model_class": type(m).__name__,
                "epochs": self.epochs, "epochs_done": int(epochs_done), "complete": complete, "history": history,
                "model_variables": _describe_vars(mvars), "optimizer_variables": _describe_vars(ovars), **rng_meta,
            }
            _write_checkpoint(run.path(self.index), meta, arrays)
            self.done = int(epochs_done)

        def note(self) -> str:
            if self.run.directory is None or not self.run.write:
                return ""
            if self.done:
                return (f"The last good checkpoint ({os.path.basename(self.run.path(self.index))}, fit call "
                        f"{self.index} after epoch {self.done}) is kept in {self.run.directory}.")
            return f"No epoch of fit call {self.index} finished, so it has no checkpoint to keep."

    _CLASSES.update(guard=NonFiniteLossGuard, checkpoints=FitCheckpoints)
    return _CLASSES


def NonFiniteLossGuard(label: Any = "", note: Any = None):  # noqa: N802 - a class factory (no Keras at import)
    """A callback that stops training at the first non-finite loss (see the module doc).
    ``label`` names what is trained (a string, or a function of the model returning one);
    ``note`` (a string, or a function returning one) ends the message."""
    return _classes()["guard"](label, note)


def _restore(where: str, m: Any, meta: dict, arrays: dict) -> None:
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{where}: written in checkpoint format {meta.get('format')}, this lecun_zoo reads "
                              f"format {FORMAT}; pass --no-resume to start over")
    if meta.get("model_class") != type(m).__name__:
        raise CheckpointMismatchError(
            f"{where}: was written for a {meta.get('model_class')!r} model; this fit call trains a "
            f"{type(m).__name__!r}. Pass --no-resume to start over")
    opt = _optimizer(m)
    if opt is not None and not opt.built:
        opt.build(m.trainable_variables)
    _assign(where, "model", m.variables, meta, arrays)
    if opt is not None:
        _assign(where, "optimizer", opt.variables, meta, arrays)
    _set_rng_state(meta, arrays)


def _assign(where: str, kind: str, variables: Iterable[Any], meta: dict, arrays: dict) -> None:
    variables = list(variables)
    saved = meta.get(f"{kind}_variables", [])
    if len(saved) != len(variables) or any(list(v.shape) != list(s[1]) for v, s in zip(variables, saved)):
        now = _describe_vars(variables)
        first = next((i for i, (a, b) in enumerate(zip(saved, now)) if list(a[1]) != list(b[1])), min(len(saved), len(now)))
        raise CheckpointMismatchError(
            f"{where}: the checkpoint's {kind} has {len(saved)} variables, this run's {len(now)}; first difference at "
            f"#{first}: checkpoint {saved[first] if first < len(saved) else None}, now "
            f"{now[first] if first < len(now) else None}. It was written by another model; pass --no-resume to start over")
    for i, v in enumerate(variables):
        v.assign(arrays[f"{kind}/{i}"])


# ------------------------------------------------------------------ resumable run
class Resumable:
    """The checkpoints of a run in ``directory``, and the run's data order (see the module doc).

    Args:
        directory: the checkpoint folder (``<out>/checkpoints`` for ``lecun-zoo train``);
            None: nothing is read or written, but every fit still reads its epochs' data
            order, so the run trains as a checkpointed one does.
        fingerprint: JSON-able description of the run (family, config, data, seed, ...);
            a folder written by a run with another fingerprint is refused with
            ``CheckpointMismatchError``.
        resume: False deletes what the folder holds and starts over.
        write: False restores but never writes (e.g. the non-chief workers of a
            multi-worker run).
        nan_guard: add a ``NonFiniteLossGuard`` (with a directory only).
        verbose: print one line when resuming.

    ``callbacks``: what to pass to the training (every fit of it; ``every_fit``).
    """

    def __init__(self, directory: Optional[str], fingerprint: Optional[Mapping[str, Any]] = None, *,
                 resume: bool = True, write: bool = True, nan_guard: bool = True, verbose: bool = True):
        self.directory = os.path.abspath(directory) if directory is not None else None
        self.fingerprint = json.loads(json.dumps(fingerprint or {}, default=str))
        self.resume, self.write, self.verbose = resume, write, verbose
        self.fit_index = 0
        self.epochs_before = 0
        self.resumed_from: Optional[tuple[int, int]] = None  # (fit call, epochs done)
        self._checked = directory is None
        checkpoints = _classes()["checkpoints"](self)
        self.callbacks = [checkpoints]
        if nan_guard and directory is not None:
            guard = NonFiniteLossGuard(label=lambda m: f"fit call {checkpoints.index} ({m.name})", note=checkpoints.note)
            self.callbacks.insert(0, guard)

    # -------------------------------------------------------------- folder
    def path(self, index: int) -> str:
        return os.path.join(self.directory or "", f"fit-{index:03d}.npz")

    def _run_file(self) -> str:
        return os.path.join(self.directory, "run.json")

    def _check_folder(self) -> None:
        if self._checked:
            return
        self._checked = True
        files = sorted(glob.glob(os.path.join(self.directory, "fit-*.npz")))
        if not self.resume:
            if self.write and os.path.isdir(self.directory):
                shutil.rmtree(self.directory)
            files = []
        run_file = self._run_file()
        if files or os.path.exists(run_file):
            if not os.path.exists(run_file):
                raise CheckpointMismatchError(
                    f"{self.directory} holds checkpoints without a run.json, so which run wrote them is "
                    f"unknown; refusing to resume from them. Pass --no-resume to start over or choose another --out")
            try:
                with open(run_file) as f:
                    theirs = json.load(f)
            except (OSError, json.JSONDecodeError) as e:
                raise CheckpointError(f"{run_file}: cannot be read ({e}); pass --no-resume to start over") from None
            if theirs != self.fingerprint:
                diff = [k for k in sorted(set(theirs) | set(self.fingerprint)) if theirs.get(k) != self.fingerprint.get(k)]
                shown = "; ".join(f"{k}: checkpoint has {_short(theirs.get(k, '(none)'), self.fingerprint.get(k))}, "
                                  f"this run has {_short(self.fingerprint.get(k, '(none)'), theirs.get(k))}" for k in diff)
                raise CheckpointMismatchError(
                    f"{self.directory} holds checkpoints of a different run ({shown}); refusing to resume from "
                    f"them. Run the same command to resume, or pass --no-resume to start over, or choose another --out")
        if files:
            meta, _ = read_checkpoint(files[-1])
            self.resumed_from = (int(meta["fit_index"]), int(meta["epochs_done"]))
            if self.verbose:
                state = " (complete)" if meta.get("complete") else f" (continues with epoch {meta['epochs_done'] + 1})"
                print(f"lecun-zoo: resuming from {self.directory} at fit call {meta['fit_index']}, "
                      f"epoch {meta['epochs_done']}{state}", flush=True)
        if self.write:
            os.makedirs(self.directory, exist_ok=True)
            write_atomic(run_file, lambda f: f.write(json.dumps(self.fingerprint, indent=2, sort_keys=True).encode()))

    def __enter__(self) -> "Resumable":
        self._check_folder()
        return self

    def __exit__(self, *exc: Any) -> None:
        from lecun_zoo import data

        data.seek(None)  # a fit that raised leaves the data order where it was

    def finish(self) -> None:
        """Remove the checkpoints: call it once the final model is saved."""
        if self.directory is not None and self.write and os.path.isdir(self.directory):
            shutil.rmtree(self.directory)


def _short(value: Any, other: Any) -> str:
    """A fingerprint value, or only the fields of a dict that differ from ``other``."""
    if isinstance(value, dict) and isinstance(other, dict):
        value = {k: v for k, v in value.items() if other.get(k) != v}
    return json.dumps(value, default=str)
