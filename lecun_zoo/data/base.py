"""What every dataset source provides, and the errors data code raises."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional, Sequence

import numpy as np

__all__ = ["DatasetInfo", "Source", "DataFormatError", "DataNotFoundError"]


class DataFormatError(ValueError):
    """A data file is malformed; the message names the path, the field (or line),
    the value found and what was expected."""


class DataNotFoundError(FileNotFoundError):
    """A data file or folder is missing; the message names the path and what to do."""


@dataclasses.dataclass
class DatasetInfo:
    """What a family needs to know to fit a dataset (``Family.adapt_to_data``).

    Args:
        name: dataset name.
        task: e.g. ``"image_classification"``, ``"sequence_to_sequence"``.
        input_shape: shape of one input, without the batch axis, when fixed.
        num_classes: number of target classes, when a classification task.
        splits: native split names with their sizes (None if unknown).
        extra: anything else a family can adapt to (vocabulary, bit width, ...).
    """

    name: str
    task: str
    input_shape: Optional[tuple] = None
    num_classes: Optional[int] = None
    splits: dict = dataclasses.field(default_factory=dict)
    extra: dict = dataclasses.field(default_factory=dict)


class Source:
    """A dataset: ``arrays(split)`` gives numpy ``(inputs, targets)`` for small data;
    sources too large for memory override ``tf_dataset`` instead.

    Splits: the native ones in ``splits``; a source without a native ``validation``
    split gets one carved from train (the last ``validation_fraction`` of a seeded
    permutation) when ``validation`` is asked for in the same ``load`` call.
    """

    name: str = ""
    summary: str = ""
    splits: Sequence[str] = ("train", "test")

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        raise NotImplementedError

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        raise NotImplementedError

    def tf_dataset(self, split: str, data_dir: Optional[str] = None, **options: Any):
        """An unbatched ``tf.data.Dataset`` of ``(inputs, targets)``."""
        import tensorflow as tf

        x, y = self.arrays(split, data_dir=data_dir, **options)
        return tf.data.Dataset.from_tensor_slices((x, y))


def shape_and_classes(info: "DatasetInfo") -> dict:
    """Config overrides an image classifier takes from a dataset: ``input_shape`` and
    ``num_classes`` (where the dataset knows them)."""
    out: dict = {}
    if getattr(info, "input_shape", None) is not None:
        out["input_shape"] = tuple(info.input_shape)
    if getattr(info, "num_classes", None) is not None:
        out["num_classes"] = int(info.num_classes)
    return out


def carve(x: Any, y: Any, fraction: float, seed: int):
    """Split arrays (or dicts of arrays) into (train, validation) by a seeded permutation."""
    n = len(y) if not isinstance(y, dict) else len(next(iter(y.values())))
    perm = np.random.default_rng(seed).permutation(n)
    n_val = max(1, int(round(n * fraction)))
    tr, va = perm[:-n_val], perm[-n_val:]

    def take(a, idx):
        return {k: v[idx] for k, v in a.items()} if isinstance(a, dict) else a[idx]

    return (take(x, tr), take(y, tr)), (take(x, va), take(y, va))
