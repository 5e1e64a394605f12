"""The dtype a weights file is stored in: ``float32`` (as trained) or ``float16`` (half the
size; the weights are rounded once, the card's metrics are measured on the rounded weights,
and loading casts them back to the model's float32 variables)."""

from __future__ import annotations

import os
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
    dtype (into a new file that replaces it: HDF5 does not give back the space of deleted
    arrays); returns how many arrays were rewritten."""
    import h5py
    import numpy as np

    if check_storage(storage) == "float32":
        return 0
    tmp = path + ".tmp"
    count = 0
    with h5py.File(path, "r") as src, h5py.File(tmp, "w") as dst:
        dst.attrs.update(dict(src.attrs))

        def copy(name, obj):
            nonlocal count
            if isinstance(obj, h5py.Group):
                dst.require_group(name).attrs.update(dict(obj.attrs))
                return
            value = obj[()]
            if obj.dtype == np.float32:
                value = np.asarray(value, dtype=storage)
                count += 1
            dst.create_dataset(name, data=value).attrs.update(dict(obj.attrs))

        src.visititems(copy)
    os.replace(tmp, path)
    return count
