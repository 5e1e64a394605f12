"""Checks on what is fed to a zoo model's ``fit``/``evaluate``/``predict``, before Keras
sees it, so that bad data fails with a message that names the argument, what was found
and what the model expects, not with an error from deep inside a compiled graph.

NumPy (or list) inputs are checked in full: dtype, shape against the model's inputs, and
for sparse classification losses the labels' range and that they are not one-hot. A
``tf.data.Dataset`` is checked from its ``element_spec`` only (dtype and shape), so
nothing is read from it. ``lecun_zoo.data.ArrayBatches`` (the PyDataset route without
TensorFlow) holds NumPy arrays, which are checked in full.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

__all__ = ["InputDataError", "check_inputs", "is_zoo_pipeline"]


class InputDataError(ValueError):
    """Data given to a zoo model does not fit it: wrong dtype, shape or label range."""


def _is_array(a: Any) -> bool:
    return isinstance(a, (np.ndarray, list, tuple)) and not isinstance(a, str)


def _pairs(model: Any, x: Any, name: str) -> list[tuple[str, Any, Optional[tuple]]]:
    """``(label, value, expected shape without the batch axis or None)`` for each input:
    dicts by input name, a list/tuple by position when it has one value per input."""
    inputs = getattr(model, "inputs", None) or []
    shapes = {getattr(t, "name", str(i)): tuple(t.shape[1:]) for i, t in enumerate(inputs)}
    if isinstance(x, dict):
        return [(f"{name}[{k!r}]", v, shapes.get(k)) for k, v in x.items()]
    if isinstance(x, (list, tuple)) and len(inputs) > 1 and len(x) == len(inputs):
        return [(f"{name}[{i}]", v, tuple(t.shape[1:])) for i, (v, t) in enumerate(zip(x, inputs))]
    return [(name, x, next(iter(shapes.values())) if len(shapes) == 1 else None)]


def _fits(shape: tuple, want: tuple) -> bool:
    return len(shape) == len(want) and all(w is None or s is None or w == s for s, w in zip(shape, want))


def _hint(model: Any, got: tuple) -> str:
    cfg = getattr(model, "zoo_config", None)
    if cfg is not None and hasattr(cfg, "input_shape") and None not in got:
        return f"; build the model for this data: lecun_zoo.get({cfg.family!r}, input_shape={tuple(got)})"
    return ""


def _check_x(model: Any, where: str, x: Any) -> None:
    for label, a, want in _pairs(model, x, f"{where} x"):
        if not _is_array(a) and not isinstance(a, np.ndarray):
            continue
        try:
            arr = np.asarray(a)
        except ValueError:  # ragged lists: Keras says what it thinks of them
            continue
        if arr.dtype.kind in ("U", "S", "O"):
            raise InputDataError(
                f"{label} got an array of dtype {arr.dtype} (e.g. {arr.ravel()[:1].tolist()!r}); expected "
                f"numbers: images as floats, text as integer token ids (tokenise it with the dataset's "
                f"vocabulary first)"
            )
        if want is not None and not _fits(arr.shape[1:], want):
            raise InputDataError(
                f"{label} got shape {arr.shape}; model {model.name!r} expects (batch,) + {want}{_hint(model, arr.shape[1:])}"
            )
        if arr.dtype.kind == "f" and arr.size and not np.all(np.isfinite(arr)):
            raise InputDataError(f"{label} holds NaN or infinite values ({int(np.sum(~np.isfinite(arr)))} of "
                                 f"{arr.size}); expected finite numbers")


def _sparse_loss(model: Any) -> bool:
    loss = getattr(model, "loss", None)
    name = loss if isinstance(loss, str) else type(loss).__name__
    return "sparse" in str(name).lower()


def _check_y(model: Any, where: str, y: Any) -> None:
    if y is None or isinstance(y, dict) or not _is_array(y) or len(getattr(model, "outputs", []) or []) != 1:
        return
    arr = np.asarray(y)
    if arr.dtype.kind in ("U", "S", "O"):
        raise InputDataError(f"{where} y got an array of dtype {arr.dtype}; expected numeric targets "
                             f"(integer class ids or float values)")
    if not _sparse_loss(model) or arr.size == 0:
        return
    out_shape = tuple(model.outputs[0].shape)
    classes = out_shape[-1]
    if arr.ndim == len(out_shape) and arr.shape[-1] == classes and classes and classes > 1:
        raise InputDataError(
            f"{where} y got shape {arr.shape}, which looks one-hot; this model's loss "
            f"({type(model.loss).__name__}) expects integer class ids of shape {arr.shape[:-1]}: pass y.argmax(-1)"
        )
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise InputDataError(f"{where} y holds NaN or infinite values; expected integer class ids in [0, {classes})")
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        raise InputDataError(f"{where} y got non-integer values (e.g. {arr[arr != np.round(arr)].ravel()[0].item()!r}); "
                             f"expected integer class ids in [0, {classes})")
    lo, hi = arr.min().item(), arr.max().item()
    if classes is not None and (lo < 0 or hi >= classes):
        bad = lo if lo < 0 else hi
        raise InputDataError(
            f"{where} y holds the label {bad!r}; expected class ids in [0, {classes}) for a model with "
            f"{classes} outputs (labels found: {lo!r}..{hi!r}){_classes_hint(model)}"
        )


def _classes_hint(model: Any) -> str:
    cfg = getattr(model, "zoo_config", None)
    for field in ("num_classes", "vocab_size"):
        if cfg is not None and hasattr(cfg, field):
            return f"; set {field} to the number of classes"
    return ""


def _check_dataset(model: Any, where: str, ds: Any) -> None:
    spec = ds.element_spec
    x_spec = spec[0] if isinstance(spec, tuple) and len(spec) in (2, 3) else spec
    for label, s, want in _pairs(model, x_spec, f"{where} dataset x"):
        dtype = getattr(s, "dtype", None)
        if dtype is not None and getattr(dtype, "name", "") == "string":
            raise InputDataError(f"{label} yields strings; expected numbers (token ids, pixels)")
        shape = getattr(s, "shape", None)
        if want is not None and shape is not None and shape.rank is not None:
            got = tuple(shape.as_list()[1:])
            if not _fits(got, want):
                raise InputDataError(
                    f"{label} has batches of shape {tuple(shape.as_list())}; model {model.name!r} expects "
                    f"(batch,) + {want}{_hint(model, got)}"
                )


def _is_array_batches(x: Any) -> bool:
    from lecun_zoo.data.array_batches import ArrayBatches

    return isinstance(x, ArrayBatches)


def is_zoo_pipeline(x: Any) -> bool:
    """A ``tf.data`` pipeline or ``lecun_zoo.data.ArrayBatches``: batched, and shuffled (when
    it is a train split) by lecun_zoo, so ``fit`` must not shuffle it again."""
    return hasattr(x, "element_spec") or _is_array_batches(x)


def check_inputs(model: Any, where: str, x: Any, y: Optional[Any] = None) -> None:
    """Raise :class:`InputDataError` if ``x``/``y`` cannot be what ``model`` takes."""
    if _is_array_batches(x):
        _check_x(model, f"{where} dataset", x.x)
        _check_y(model, f"{where} dataset", x.y)
    elif hasattr(x, "element_spec"):
        _check_dataset(model, where, x)
    elif isinstance(x, dict) or _is_array(x):
        _check_x(model, where, x)
        _check_y(model, where, y)
    # generators and PyDatasets are read by Keras; nothing to check up front
