"""The dtype a weights file is stored in: ``float32`` (as trained) or ``float16`` (half the
size; the weights are rounded once, the card's metrics are measured on the rounded weights,
and loading casts them back to the model's float32 variables)."""

from __future__ import annotations

from typing import Any

__all__ = ["STORAGES", "check_storage", "round_weights", "store_as"]

STORAGES = ("float32", "float16")


def check_storage(storage: str) -> str:
    if storage not in STORAGES:
        raise ValueError(f"weights storage got {storage!r}; expected one of {list(STORAGES)}")
    return storage


def round_weights(model: Any, storage: str) -> int:
    """Round ``model``'s float32 weights to ``storage`` precision in place (they stay float32
    variables); returns how many arrays were rounded."""
    import numpy as np

    if check_storage(storage) == "float32":
        return 0
    n = 0
    for w in model.weights:
        if str(w.dtype) == "float32":
            w.assign(np.asarray(w.numpy(), dtype=storage).astype("float32"))
            n += 1
    return n


def store_as(path: str, storage: str) -> int:
    """Rewrite the float32 arrays of the Keras ``.weights.h5`` file at ``path`` in ``storage``
    dtype; returns how many arrays were rewritten."""
    import h5py
    import numpy as np

    if check_storage(storage) == "float32":
        return 0
    with h5py.File(path, "r+") as f:
        names: list = []
        f.visititems(lambda name, obj: names.append(name)
                     if isinstance(obj, h5py.Dataset) and obj.dtype == np.float32 else None)
        for name in names:
            value = f[name][()]
            del f[name]
            f.create_dataset(name, data=np.asarray(value, dtype=storage))
    return len(names)
