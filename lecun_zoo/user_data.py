"""The user's own data for ``lecun_zoo.train``: NumPy ``(x, y)``, a validation pair, a split
dict, a batched ``tf.data.Dataset`` or a ``keras.utils.PyDataset``; what it implies for the
config (a ``DatasetInfo``), and arrays as pipelines shuffled per epoch like ``data.load``'s.
Also the loading of a named dataset the way a recipe reads it."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np

from lecun_zoo.data.base import num_examples

__all__ = ["USER_DATA", "user_splits", "user_info", "pipeline", "load_named"]

#: ``Recipe.data`` of a run on the user's own arrays or pipelines (not re-runnable as is).
USER_DATA = "<user data>"


def is_arrays(data: Any) -> bool:
    return isinstance(data, tuple) and len(data) == 2 and all(hasattr(a, "shape") or isinstance(a, dict) for a in data)


def user_splits(data: Any) -> dict:
    """``{"train": ..., "validation": ..., "test": ...}`` from what a user passed."""
    if isinstance(data, Mapping):
        unknown = sorted(set(data) - {"train", "validation", "test"})
        if unknown or "train" not in data:
            raise ValueError(f"train() data got a dict with keys {sorted(data)}; expected 'train' and optionally "
                             f"'validation' and 'test'")
        return dict(data)
    if isinstance(data, tuple) and len(data) in (2, 3) and all(is_arrays(d) or hasattr(d, "element_spec")
                                                             for d in data):
        return dict(zip(("train", "validation", "test"), data))
    return {"train": data}


def _input_shape(data: Any) -> Optional[tuple]:
    """The input shape (without the batch axis) of user data, reading nothing from tf.data."""
    if is_arrays(data):
        x = data[0]
        return None if isinstance(x, dict) else tuple(np.shape(x)[1:])
    if hasattr(data, "element_spec"):
        spec = data.element_spec
        xs = spec[0] if isinstance(spec, tuple) else spec
        shape = getattr(xs, "shape", None)
        return tuple(shape.as_list()[1:]) if shape is not None and shape.rank else None
    if hasattr(data, "__getitem__") and hasattr(data, "__len__"):  # keras.utils.PyDataset
        batch = data[0]
        x = batch[0] if isinstance(batch, tuple) else batch
        return None if isinstance(x, dict) else tuple(np.shape(x)[1:])
    raise ValueError(f"train() data got {type(data).__name__}; expected a dataset name, NumPy arrays (x, y), "
                     f"a tf.data.Dataset or a keras.utils.PyDataset")


def user_info(splits: dict) -> Any:
    """A DatasetInfo for the user's data: input shape, and classes from integer labels."""
    from lecun_zoo.data.base import DatasetInfo

    shape = _input_shape(splits["train"])
    classes = None
    labels = [np.asarray(s[1]) for s in splits.values() if is_arrays(s) and not isinstance(s[1], dict)]
    if labels and all(a.dtype.kind in "iu" and a.ndim == 1 for a in labels) and all(a.size for a in labels):
        classes = int(max(a.max() for a in labels)) + 1
    for name, part in splits.items():
        if is_arrays(part):
            x, yy = part
            nx = len(next(iter(x.values()))) if isinstance(x, dict) else len(x)
            ny = len(next(iter(yy.values()))) if isinstance(yy, dict) else len(yy)
            if nx != ny or nx == 0:
                raise ValueError(f"train() data {name!r} split has {nx} inputs and {ny} targets; expected the same "
                                 f"number, at least one")
    return DatasetInfo(USER_DATA, "user", input_shape=shape, num_classes=classes)


def pipeline(part: Any, batch_size: int, seed: int, shuffle: bool, drop_remainder: bool) -> Any:
    """Arrays become batches shuffled per epoch as ``data.load`` does (epoch k's order depends
    on the seed and k only, so resumed runs replay it): a tf.data pipeline, or without
    TensorFlow (``data.pipeline_kind()``) an ``ArrayBatches`` PyDataset."""
    if not is_arrays(part):
        return part
    from lecun_zoo import data as zdata

    if zdata.pipeline_kind() == "numpy":
        from lecun_zoo.data.array_batches import ArrayBatches

        return ArrayBatches(*part, batch_size, shuffle=shuffle, seed=seed, drop_remainder=drop_remainder)
    import tensorflow as tf

    return zdata.batched(tf.data.Dataset.from_tensor_slices(part), batch_size, shuffle=shuffle, seed=seed,
                         buffer=num_examples(part[1]), drop_remainder=drop_remainder)


def load_named(fam: Any, recipe: Any, config: Any, data_dir: Optional[str], multi_worker: bool,
                splits: Optional[Sequence[str]] = None):
    """The named dataset's pipelines (train, validation and test where it has one) read with
    the data options ``config`` implies, and its DatasetInfo."""
    from lecun_zoo import data as zdata

    if splits is None:
        source = zdata.get_source(recipe.data)
        wanted = ("train", "validation") if getattr(recipe, "validation", True) else ("train",)
        splits = wanted + (("test",) if "test" in source.splits else ())
    options = {**(fam.data_options(config) if fam.data_options else {}), **dict(recipe.data_options)}
    kwargs = {"batch_size": recipe.batch_size, "data_dir": data_dir, "seed": recipe.seed, **options}
    if multi_worker:  # every worker must see the same number of equal batches
        kwargs["drop_remainder"] = True
    loaded, info = zdata.load(recipe.data, split=splits, with_info=True, **kwargs)
    return dict(zip(splits, loaded)), info
