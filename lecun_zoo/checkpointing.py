"""Resumable training: checkpoints of every ``fit`` of a run, and a guard against NaN losses.

    with Resumable("runs/x/checkpoints", fingerprint={...}) as run:
        family.train(model, config, train, epochs=10)     # every model.fit inside is checkpointed
    lecun_zoo.save(model, "runs/x/model.keras")
    run.finish()                                           # only now are the checkpoints removed

``lecun-zoo train`` does this. Inside the block, every ``keras.Model.fit`` call (on the model
or on a sub-model, e.g. a layer-wise pretraining learner) is numbered in call order: fit call
``i`` gets ``fit-<i>.npz`` in the folder, rewritten atomically (temporary file, then
``os.replace``) at the end of each epoch and once more, marked complete, when the fit ends.
A checkpoint holds every model variable (weights and ``SeedGenerator`` states), the optimizer's
variables (moments, iterations, loss scale), the epochs done and their history, the pass
counters of the train pipelines (``lecun_zoo.data.pass_counter``: which epoch's shuffle comes
next), the Python, NumPy and Keras global random states, the global step, and the state of
the fit's callbacks that define ``get_resume_state()`` / ``set_resume_state(state)`` (e.g.
memnet's linear-start schedule).

When the same run starts again, the family code runs as before; each fit call finds its
checkpoint: a complete one is restored and the fit runs no epoch (the family carries on with
the stage's final weights); a partial one is restored and the fit goes on from the next
epoch (``model._initial_epoch``, as ``keras.callbacks.BackupAndRestore`` does). With the same
seed, the run ends with the same weights as a run that was never stopped.

``NonFiniteLossGuard`` stops a fit at the first batch whose loss is NaN or infinite and raises
``NonFiniteLossError`` naming the epoch, the batch and the likely cause; the epoch's checkpoint
is never written, so the last good one stays.

Test hook: with ``LECUN_ZOO_KILL_AT_STEP=N`` in the environment, the process kills itself
(SIGKILL) after the N-th training batch of the run (counted over all its fit calls, resumed
ones included). Only the tests use it.
"""

from __future__ import annotations

import glob
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import zipfile
from typing import Any, Iterable, Mapping, Optional

import numpy as np

from lecun_zoo.saving import file_mode

__all__ = ["Resumable", "NonFiniteLossGuard", "NonFiniteLossError", "CheckpointMismatchError",
           "CheckpointError", "read_checkpoint", "write_atomic", "KILL_ENV"]

KILL_ENV = "LECUN_ZOO_KILL_AT_STEP"
FORMAT = 1


class NonFiniteLossError(RuntimeError):
    """The loss became NaN or infinite; training stopped."""


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or does not fit the model it is restored into."""


class CheckpointMismatchError(CheckpointError):
    """The checkpoint folder belongs to a different run (family, config, data, seed...)."""


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


def _keras_global_seed_generator():
    from keras.src.backend.common import global_state

    return global_state.get_global_attribute("global_seed_generator")


def _rng_state() -> tuple[dict, dict]:
    py = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    meta = {"python_random": [py[0], list(py[1]), py[2]],
            "numpy_random": [name, int(pos), int(has_gauss), float(cached)]}
    arrays = {"rng/numpy_keys": np.asarray(keys)}
    gen = _keras_global_seed_generator()
    if gen is not None:
        arrays["rng/keras_global"] = np.asarray(gen.state.value)
    return meta, arrays


def _set_rng_state(meta: dict, arrays: dict) -> None:
    v, internal, gauss = meta["python_random"]
    if "rng/keras_global" in arrays:
        from keras.src.random.seed_generator import global_seed_generator

        global_seed_generator().state.assign(arrays["rng/keras_global"])  # may draw a Python seed: first
    random.setstate((v, tuple(internal), gauss))
    name, pos, has_gauss, cached = meta["numpy_random"]
    np.random.set_state((name, arrays["rng/numpy_keys"], pos, has_gauss, cached))


def _optimizer(model: Any) -> Any:
    return getattr(model, "optimizer", None)


def _describe_vars(variables: Iterable[Any]) -> list:
    return [[getattr(v, "path", getattr(v, "name", "?")), list(v.shape)] for v in variables]


# ------------------------------------------------------------------ NaN guard
def _make_guard_class():
    import keras

    class NonFiniteLossGuard(keras.callbacks.Callback):
        """Raise ``NonFiniteLossError`` at the first batch (or epoch end) whose loss is NaN or
        infinite, naming the epoch, the batch, the optimizer step and the likely cause. Put it
        before any callback that saves at epoch end; ``Resumable`` adds one to every fit."""

        def __init__(self, label: str = "", note: Any = None):
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
            who = f" of {self.label}" if self.label else ""
            causes = [f"the learning rate is too high (learning_rate={lr:g}); lower it"
                      if lr is not None else "the learning rate is too high; lower it"]
            if scale is not None:
                causes.append(f"under mixed_float16 the float16 activations or the loss scale ({scale:g}) "
                              f"overflowed; try --precision float32 or mixed_bfloat16")
            causes.append("or the data holds NaN/inf values")
            note = self.note() if callable(self.note) else self.note
            return (f"training{who} stopped: {at}. Likely cause: " + "; ".join(causes) + "."
                    + (f" {note}" if note else ""))

    return NonFiniteLossGuard


_GUARD_CLASS = None


def NonFiniteLossGuard(label: str = "", note: Any = None):  # noqa: N802 - a class factory (no Keras at import)
    """A callback that stops training at the first non-finite loss (see the module doc).
    ``label`` names what is trained; ``note`` (a string, or a function returning one) ends
    the message."""
    global _GUARD_CLASS
    if _GUARD_CLASS is None:
        _GUARD_CLASS = _make_guard_class()
    return _GUARD_CLASS(label, note)


# ------------------------------------------------------------------ resumable run
class Resumable:
    """Checkpoint every ``fit`` call made inside the block into ``directory`` and resume
    from it (see the module doc).

    Args:
        directory: the checkpoint folder (``<out>/checkpoints`` for ``lecun-zoo train``).
        fingerprint: JSON-able description of the run (family, config, data, seed, ...);
            a folder written by a run with another fingerprint is refused with
            ``CheckpointMismatchError``.
        data: train pipelines whose pass counters are saved and restored (those passed to
            ``fit`` are found on their own when they come from ``lecun_zoo.data.load``).
        resume: False deletes what the folder holds and starts over.
        write: False restores but never writes (e.g. the non-chief workers of a
            multi-worker run).
        nan_guard: add a ``NonFiniteLossGuard`` to every fit.
        verbose: print one line when resuming.
    """

    def __init__(self, directory: str, fingerprint: Optional[Mapping[str, Any]] = None, *, data: Any = (),
                 resume: bool = True, write: bool = True, nan_guard: bool = True, verbose: bool = True):
        self.directory = os.path.abspath(directory)
        self.fingerprint = json.loads(json.dumps(fingerprint or {}, default=str))
        self.data = [data] if hasattr(data, "element_spec") else list(data or ())
        self.resume, self.write, self.nan_guard, self.verbose = resume, write, nan_guard, verbose
        self.fit_index = 0
        self.global_step = 0
        self.resumed_from: Optional[tuple[int, int]] = None  # (fit call, epochs done)
        self._patched = None
        kill = os.environ.get(KILL_ENV)
        self.kill_at_step = int(kill) if kill else None

    # -------------------------------------------------------------- folder
    def path(self, index: int) -> str:
        return os.path.join(self.directory, f"fit-{index:03d}.npz")

    def _run_file(self) -> str:
        return os.path.join(self.directory, "run.json")

    def _check_folder(self) -> None:
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
            last = files[-1]
            meta, _ = read_checkpoint(last)
            self.resumed_from = (int(meta["fit_index"]), int(meta["epochs_done"]))
            if self.verbose:
                state = " (complete)" if meta.get("complete") else f" (continues with epoch {meta['epochs_done'] + 1})"
                print(f"lecun-zoo: resuming from {self.directory} at fit call {meta['fit_index']}, "
                      f"epoch {meta['epochs_done']}{state}", flush=True)
        if self.write:
            os.makedirs(self.directory, exist_ok=True)
            write_atomic(run_file, lambda f: f.write(json.dumps(self.fingerprint, indent=2, sort_keys=True).encode()))

    def finish(self) -> None:
        """Remove the checkpoints: call it once the final model is saved."""
        if self.write and os.path.isdir(self.directory):
            shutil.rmtree(self.directory)

    # -------------------------------------------------------------- patching fit
    def __enter__(self) -> "Resumable":
        import keras

        self._check_folder()
        original = keras.Model.fit
        run = self

        def fit(model, *args, **kwargs):
            return run._fit(original, model, *args, **kwargs)

        fit.__wrapped__ = original
        fit.__doc__ = original.__doc__
        self._patched = (keras.Model, "fit", original, "fit" in vars(keras.Model))
        keras.Model.fit = fit
        return self

    def __exit__(self, *exc: Any) -> None:
        cls, name, original, had = self._patched
        if had:
            setattr(cls, name, original)
        else:
            delattr(cls, name)
        self._patched = None

    def _fit(self, original: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        import inspect

        bound = inspect.signature(original).bind_partial(model, *args, **kwargs)
        params = bound.arguments
        index = self.fit_index
        self.fit_index += 1
        epochs = int(params.get("epochs", 1))
        counters = self._counters(params.get("x"))
        path = self.path(index)
        state = read_checkpoint(path) if (os.path.exists(path) and self.resume is not False) else None
        callbacks = list(params.get("callbacks") or [])
        stateful = [cb for cb in callbacks if hasattr(cb, "get_resume_state") and hasattr(cb, "set_resume_state")]
        restore, save = _make_callbacks(self, model, index, epochs, counters, stateful, state)
        def note() -> str:
            if not self.write:
                return ""
            if save.epochs_done:
                return (f"The last good checkpoint ({os.path.basename(path)}, fit call {index} after epoch "
                        f"{save.epochs_done}) is kept in {self.directory}.")
            return f"No epoch of fit call {index} finished, so it has no checkpoint to keep."

        guard = [NonFiniteLossGuard(label=f"fit call {index} ({model.name})", note=note)] if self.nan_guard else []
        params["callbacks"] = [restore] + callbacks + guard + [save]
        try:
            history = original(*bound.args, **bound.kwargs)
        finally:
            model._initial_epoch = None
        if state is not None:  # epochs trained before the interruption come first
            before = save.history_before
            merged = {k: list(before.get(k, [])) + list(v) for k, v in history.history.items()}
            for k, v in before.items():
                merged.setdefault(k, list(v))
            history.history = merged
            history.epoch = list(range(save.epochs_before)) + list(getattr(history, "epoch", []))
        return history

    def _counters(self, x: Any) -> list:
        from lecun_zoo.data import pass_counter

        found = []
        for ds in list(self.data) + [x]:
            c = pass_counter(ds) if ds is not None else None
            if c is not None and all(c is not d for d in found):
                found.append(c)
        return found


def _short(value: Any, other: Any) -> str:
    """A fingerprint value, or only the fields of a dict that differ from ``other``."""
    if isinstance(value, dict) and isinstance(other, dict):
        value = {k: v for k, v in value.items() if other.get(k) != v}
    return json.dumps(value, default=str)


def _make_callbacks(run: Resumable, model: Any, index: int, epochs: int, counters: list, stateful: list,
                    state: Optional[tuple]):
    import keras

    class _Restore(keras.callbacks.Callback):
        """First callback of the fit: puts the checkpoint back before any other callback starts."""

        def on_train_begin(self, logs=None):
            if state is None:
                return
            meta, arrays = state
            m = self.model
            where = f"{run.path(index)} (fit call {index}, model {m.name!r})"
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
            for c, value in zip(counters, meta.get("data_passes", [])):
                c.assign(int(value))
            for cb, s in zip(stateful, meta.get("callbacks", [])):
                cb.set_resume_state(s)
            _set_rng_state(meta, arrays)
            run.global_step = int(meta["global_step"])
            m._initial_epoch = epochs if meta.get("complete") else int(meta["epochs_done"])

    class _Save(keras.callbacks.Callback):
        """Last callback of the fit: writes the checkpoint after every other callback's epoch end."""

        def __init__(self):
            super().__init__()
            meta = state[0] if state is not None else {}
            self.history_before = {k: list(v) for k, v in meta.get("history", {}).items()}
            self.epochs_before = int(meta.get("epochs_done", 0))
            self.history = {k: list(v) for k, v in self.history_before.items()}
            self.epochs_done = self.epochs_before
            self.complete_before = bool(meta.get("complete"))

        def on_train_batch_end(self, batch, logs=None):
            run.global_step += 1
            if run.kill_at_step is not None and run.global_step == run.kill_at_step:
                print(f"lecun-zoo: {KILL_ENV}={run.kill_at_step}: killing this process (test hook)", flush=True)
                sys.stdout.flush()
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGKILL)

        def on_epoch_end(self, epoch, logs=None):
            logs = dict(logs or {})
            if not all(_finite(v) for k, v in logs.items() if k.endswith("loss")):
                return  # never overwrite the last good checkpoint with a diverged state
            for k, v in logs.items():
                try:
                    self.history.setdefault(k, []).append(float(np.asarray(v)))
                except (TypeError, ValueError):
                    pass
            self.epochs_done = epoch + 1
            self._save(complete=False)

        def on_train_end(self, logs=None):
            if self.complete_before:
                return  # restored complete: nothing new to write
            self._save(complete=True)

        def _save(self, complete: bool) -> None:
            if not run.write:
                return
            m = self.model
            opt = _optimizer(m)
            rng_meta, rng_arrays = _rng_state()
            arrays = {}
            mvars = list(m.variables)
            ovars = list(opt.variables) if opt is not None and opt.built else []
            for i, v in enumerate(mvars):
                arrays[f"model/{i}"] = np.asarray(keras.ops.convert_to_numpy(v.value))
            for i, v in enumerate(ovars):
                arrays[f"optimizer/{i}"] = np.asarray(keras.ops.convert_to_numpy(v.value))
            arrays.update(rng_arrays)
            meta = {
                "format": FORMAT, "fit_index": index, "model_name": m.name, "model_class": type(m).__name__,
                "epochs": epochs, "epochs_done": self.epochs_done, "complete": complete,
                "global_step": run.global_step, "history": self.history,
                "model_variables": _describe_vars(mvars), "optimizer_variables": _describe_vars(ovars),
                "data_passes": [int(np.asarray(c.numpy())) for c in counters],
                "callbacks": [cb.get_resume_state() for cb in stateful], **rng_meta,
            }
            _write_checkpoint(run.path(index), meta, arrays)

    return _Restore(), _Save()


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
