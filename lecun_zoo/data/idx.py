"""The IDX file format of MNIST (LeCun & Cortes): ``train-images-idx3-ubyte.gz`` etc.,
gzip-compressed or not, read from any folder."""

from __future__ import annotations

import os
import struct
from typing import Any, Optional

import numpy as np

from lecun_zoo.data.base import (DataFormatError, DataNotFoundError, DataOptionError, DatasetInfo, Source,
                                  choice_option, first_existing, read_bytes)

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_idx(path: str) -> np.ndarray:
    """Read one IDX file (images: magic 2051, labels: magic 2049) into a uint8 array."""
    data = read_bytes(path, "an MNIST IDX file")
    if len(data) < 8:
        raise DataFormatError(f"{path}: header is {len(data)} bytes; expected at least 8 (an IDX file)")
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
            f"expected {expected} bytes (the file is truncated or corrupt)"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def _names(stem: str) -> tuple:
    """The file names a stem may have: gzip, plain, and ``train-images.idx3-ubyte``."""
    return stem + ".gz", stem, stem.replace("-idx", ".idx")


def find(data_dir: str, stem: str) -> Optional[str]:
    return first_existing(data_dir, _names(stem))


SOURCE_CHOICES = ("auto", "idx", "tfds")
_TFDS_HINT = "pass source='tfds' to read tensorflow-datasets' mnist (prepared in data_dir) instead"


def load_split(data_dir: str, split: str):
    """(images [n, 28, 28, 1] float32 in [0, 1], labels [n] int32) of one split."""
    if split not in FILES:
        raise DataOptionError(f"dataset 'mnist' split got {split!r}; expected one of {list(FILES)}")
    expected = (f"expected the MNIST idx files {', '.join(s + '.gz' for f in FILES.values() for s in f)} "
                f"(or un-gzipped: train-images-idx3-ubyte, train-images.idx3-ubyte, ...); {_TFDS_HINT}")
    if not os.path.isdir(data_dir):
        raise DataNotFoundError(f"{data_dir}: no such folder; {expected}")
    paths = [find(data_dir, stem) for stem in FILES[split]]
    missing = [stem + ".gz" for stem, p in zip(FILES[split], paths) if p is None]
    if missing:
        raise DataNotFoundError(f"{data_dir}: lacks {', '.join(missing)} (split {split!r}); {expected}")
    images, labels = read_idx(paths[0]), read_idx(paths[1])
    if images.ndim != 3:
        raise DataFormatError(f"{paths[0]}: holds labels (magic {LABELS_MAGIC}); expected images "
                              f"(magic {IMAGES_MAGIC})")
    if labels.ndim != 1:
        raise DataFormatError(f"{paths[1]}: holds images (magic {IMAGES_MAGIC}); expected labels "
                              f"(magic {LABELS_MAGIC})")
    if images.shape[1:] != (28, 28):
        raise DataFormatError(f"{paths[0]}: images are {images.shape[1]}x{images.shape[2]}; expected 28x28")
    if len(images) != len(labels):
        raise DataFormatError(f"{paths[0]} has {len(images)} images but {paths[1]} has {len(labels)} labels; "
                              f"expected equal counts")
    if not len(labels):
        raise DataFormatError(f"{paths[1]}: holds 0 labels; expected at least one example")
    if labels.max() > 9:
        i = int(np.argmax(labels > 9))
        raise DataFormatError(f"{paths[1]}: label {i} is {labels[i]}; expected a digit 0..9")
    return (images.astype("float32") / 255.0)[..., None], labels.astype("int32")


class IdxMnist(Source):
    """MNIST from idx files in ``data_dir``; without ``data_dir`` (or with
    ``source="tfds"``), tensorflow-datasets' ``mnist``.

    Options: ``source`` (``"auto"``: idx files when ``data_dir`` is given, else tfds;
    ``"idx"``; ``"tfds"``), ``download`` (tfds only: allow a download, default True).
    """

    name = "mnist"
    licence = "CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)"
    scaling = "pixels / 255: float32 in [0, 1], shape 28x28x1"
    summary = "MNIST 60k/10k: idx .gz files from --data-dir, else tensorflow-datasets"
    splits = ("train", "test")
    options = ("source", "download")

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        choice_option(self.name, "source", options.get("source", "auto"), SOURCE_CHOICES)
        return DatasetInfo("mnist", "image_classification", (28, 28, 1), 10, {"train": 60000, "test": 10000})

    def _tfds(self, data_dir: Optional[str], options: dict) -> bool:
        """Whether to read tensorflow-datasets (else idx files); checks ``source``."""
        source = choice_option(self.name, "source", options.get("source", "auto"), SOURCE_CHOICES)
        if source == "idx" and not data_dir:
            raise DataNotFoundError("dataset 'mnist' with source='idx' needs data_dir=<folder holding "
                                    "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-...>")
        return source == "tfds" or (source == "auto" and not data_dir)

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        if not self._tfds(data_dir, options):
            return load_split(data_dir, split)
        from lecun_zoo.data.tfds_source import TFDS_IMAGE

        return TFDS_IMAGE["mnist"].arrays(split, data_dir=data_dir, **options)

    def tf_dataset(self, split: str, data_dir: Optional[str] = None, **options: Any):
        if not self._tfds(data_dir, options):
            return super().tf_dataset(split, data_dir=data_dir, **options)
        from lecun_zoo.data.tfds_source import TFDS_IMAGE

        return TFDS_IMAGE["mnist"].tf_dataset(split, data_dir=data_dir, **options)


DATASET = IdxMnist()
