"""The IDX file format of MNIST (LeCun & Cortes): ``train-images-idx3-ubyte.gz`` etc.,
gzip-compressed or not, read from any folder."""

from __future__ import annotations

import gzip
import os
import struct
from typing import Any, Optional

import numpy as np

from lecun_zoo.data.base import DataFormatError, DataNotFoundError, DatasetInfo, Source

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _open(path: str) -> bytes:
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read()
        with open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise DataFormatError(f"{path}: cannot be read as {'gzip' if path.endswith('.gz') else 'IDX'} ({e})") from None


def read_idx(path: str) -> np.ndarray:
    """Read one IDX file (images: magic 2051, labels: magic 2049) into a uint8 array."""
    data = _open(path)
    if len(data) < 8:
        raise DataFormatError(f"{path}: header is {len(data)} bytes; expected at least 8")
    magic = struct.unpack(">i", data[:4])[0]
    if magic not in (IMAGES_MAGIC, LABELS_MAGIC):
        raise DataFormatError(
            f"{path}: field 'magic' is {magic}; expected {IMAGES_MAGIC} (images) or {LABELS_MAGIC} (labels)"
        )
    ndim = 3 if magic == IMAGES_MAGIC else 1
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataFormatError(f"{path}: header is {len(data)} bytes; expected {header}")
    dims = struct.unpack(">" + "i" * ndim, data[4:header])
    expected = int(np.prod(dims)) + header
    if len(data) != expected:
        raise DataFormatError(
            f"{path}: file is {len(data)} bytes but its header {tuple(dims)} says {expected}; "
            f"the file is truncated or corrupt"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def find(data_dir: str, stem: str) -> Optional[str]:
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx")):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    return None


def has_idx(data_dir: Optional[str]) -> bool:
    return bool(data_dir) and find(data_dir, FILES["train"][0]) is not None


def load_split(data_dir: str, split: str):
    """(images [n, 28, 28, 1] float32 in [0, 1], labels [n] int32) of one split."""
    if split not in FILES:
        raise ValueError(f"MNIST idx split got {split!r}; expected one of {list(FILES)}")
    paths = []
    for stem in FILES[split]:
        p = find(data_dir, stem)
        if p is None:
            raise DataNotFoundError(f"{os.path.join(data_dir, stem + '.gz')}: not found (MNIST idx file for split {split!r})")
        paths.append(p)
    images, labels = read_idx(paths[0]), read_idx(paths[1])
    if images.ndim != 3:
        raise DataFormatError(f"{paths[0]}: holds labels (1-d); expected images")
    if labels.ndim != 1:
        raise DataFormatError(f"{paths[1]}: holds images; expected labels (1-d)")
    if len(images) != len(labels):
        raise DataFormatError(f"{paths[0]} has {len(images)} images but {paths[1]} has {len(labels)} labels; expected equal counts")
    return (images.astype("float32") / 255.0)[..., None], labels.astype("int32")


class IdxMnist(Source):
    """MNIST from idx files in ``data_dir``; without them, tensorflow-datasets' ``mnist``."""

    name = "mnist"
    summary = "MNIST 60k/10k: idx .gz files from --data-dir, else tensorflow-datasets"
    splits = ("train", "test")

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        return DatasetInfo("mnist", "image_classification", (28, 28, 1), 10, {"train": 60000, "test": 10000})

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        source = options.get("source", "auto")
        if source == "idx" or (source == "auto" and has_idx(data_dir)):
            if not data_dir:
                raise DataNotFoundError("mnist with source='idx' needs data_dir=<folder holding the idx .gz files>")
            return load_split(data_dir, split)
        from lecun_zoo.data.tfds_source import TFDS_IMAGE

        return TFDS_IMAGE["mnist"].arrays(split, data_dir=data_dir, **options)

    def tf_dataset(self, split: str, data_dir: Optional[str] = None, **options: Any):
        source = options.get("source", "auto")
        if source == "idx" or (source == "auto" and has_idx(data_dir)):
            return super().tf_dataset(split, data_dir=data_dir, **options)
        from lecun_zoo.data.tfds_source import TFDS_IMAGE

        return TFDS_IMAGE["mnist"].tf_dataset(split, data_dir=data_dir, **options)


DATASET = IdxMnist()
