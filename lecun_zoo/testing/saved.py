"""What a saved run holds, for tests that compare two runs (exact resume, backends)."""

from __future__ import annotations

import io
import zipfile

import numpy as np

__all__ = ["saved_weights"]


def saved_weights(path: str) -> dict[str, np.ndarray]:
    """Every array of a ``.keras`` file's weights, by its path inside ``model.weights.h5``."""
    import h5py

    out: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out
