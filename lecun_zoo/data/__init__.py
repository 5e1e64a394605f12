"""Datasets as NumPy arrays and batches, ``tf.data`` pipelines or ``keras.utils.PyDataset``
batches, of ``(inputs, targets)``.

    train, test = lecun_zoo.data.load("digits", split=("train", "test"), batch_size=64)
    train = lecun_zoo.data.load("digits", split="train", pipeline="numpy")  # no TensorFlow
    train = lecun_zoo.data.load("mnist", split="train", data_dir="../shared/data/mnist")
    (x, y) = lecun_zoo.data.arrays("digits", "train")          # no TensorFlow
    for xb, yb in lecun_zoo.data.numpy_batches(x, y, 64, seed=0, epoch=3): ...

Sources are imported only when used. A family (built-in or a plugin's) declares the
datasets it ships in its ``sources`` mapping (name -> "module:attribute"), found here through
the family registry; ``SOURCES`` holds the ones two or more families share (digits, MNIST,
tensorflow-datasets images); ``register_dataset`` adds one at run time. A family whose
dataset cannot be imported affects only that dataset.
"""

from __future__ import annotations

import difflib
import importlib
import os
import threading
import warnings
from typing import Any, Optional, Sequence, Union

from lecun_zoo.data.base import (DataFormatError, DataNotFoundError, DataOptionError, DatasetInfo, Source, bool_option,
                                  carve, check_not_empty, check_option_names, float_option, int_option,
                                  num_examples)
from lecun_zoo.data.batches import epoch_order, numpy_batches

__all__ = [
    "load", "arrays", "info", "names", "seek", "batched", "prefetched", "numpy_batches", "epoch_order", "get_source",
    "register_dataset", "pipeline_kind", "PIPELINES", "ArrayBatches",
    "DatasetInfo", "Source", "DataFormatError", "DataNotFoundError", "DataOptionError", "UnknownDatasetError",
]

# Keras warns that fit(shuffle=True) is ignored for tf.data input; these pipelines are
# shuffled by load() itself, so the warning only misleads.
warnings.filterwarnings("ignore", message="`shuffle=True` was passed", category=UserWarning)

#: the datasets two or more families train on; a family's own datasets are in its ``sources``
SOURCES: dict[str, Union[str, Source]] = {
    "digits": "lecun_zoo.data.digits:DATASET",
    "mnist": "lecun_zoo.data.idx:DATASET",
    "fashion_mnist": "lecun_zoo.data.tfds_source:FASHION_MNIST",
}


#: what ``load`` serves: ``"tf"`` (``tf.data``), ``"numpy"`` (:class:`ArrayBatches`, a
#: ``keras.utils.PyDataset``: no TensorFlow) or ``"auto"``
PIPELINES = ("auto", "tf", "numpy")


def __getattr__(name: str) -> Any:
    if name == "ArrayBatches":  # imports keras: only when asked for
        from lecun_zoo.data.array_batches import ArrayBatches

        return ArrayBatches
    raise AttributeError(f"module 'lecun_zoo.data' has no attribute {name!r}")


def pipeline_kind(pipeline: Any = "auto") -> str:
    """``"tf"`` or ``"numpy"``: what ``load(..., pipeline=pipeline)`` serves. ``"auto"`` is
    ``$LECUN_ZOO_PIPELINE`` when set, else ``"tf"`` where TensorFlow imports and ``"numpy"``
    where it does not (Keras on JAX or PyTorch alone)."""
    if not isinstance(pipeline, str) or pipeline not in PIPELINES:
        raise DataOptionError(f"load() option 'pipeline' got {pipeline!r}; expected one of {list(PIPELINES)}")
    if pipeline != "auto":
        return pipeline
    env = os.environ.get("LECUN_ZOO_PIPELINE", "").strip()
    if env:
        if env not in PIPELINES:
            raise DataOptionError(f"environment variable LECUN_ZOO_PIPELINE is {env!r}; expected one of "
                                  f"{list(PIPELINES)}")
        if env != "auto":
            return env
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        return "numpy"
    return "tf"


class UnknownDatasetError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def _family_sources() -> dict[str, tuple[str, str]]:
    """``{dataset: (family, "module:attribute")}`` declared by the installed families
    (imports their light ``FAMILY`` modules, no family code; broken plugins are skipped)."""
    from lecun_zoo.registry import REGISTRY

    found: dict[str, tuple[str, str]] = {}
    for fam in REGISTRY.load_all():
        for name, target in dict(fam.sources).items():
            found.setdefault(name, (fam.name, target))
    return found


def names() -> list[str]:
    """Every dataset name: the built-in ones and those the installed families ship."""
    return sorted(set(SOURCES) | set(_family_sources()))


def register_dataset(source: Source, *, override: bool = False) -> Source:
    if (source.name in SOURCES or source.name in _family_sources()) and not override:
        raise ValueError(f"a dataset named {source.name!r} exists; pass override=True to replace it")
    SOURCES[source.name] = source
    return source


#: the families' datasets imported so far (``SOURCES`` holds only the shared and registered ones)
_IMPORTED: dict[str, Source] = {}


def get_source(name: str) -> Source:
    entry = SOURCES.get(name) or _IMPORTED.get(name)
    if entry is None and isinstance(name, str):
        family, target = _family_sources().get(name, (None, None))
        if target is not None:
            entry = _IMPORTED[name] = _import_source(name, family, target)
    if entry is None:
        close = difflib.get_close_matches(str(name), names(), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise UnknownDatasetError(f"no dataset named {name!r}{hint} (known: {', '.join(names())})")
    if isinstance(entry, str):
        module, _, attr = entry.partition(":")
        entry = getattr(importlib.import_module(module), attr)
        SOURCES[name] = entry
    return entry


def _import_source(name: str, family: str, target: str) -> Source:
    module, _, attr = target.partition(":")
    try:
        obj = getattr(importlib.import_module(module), attr)
    except Exception as e:  # noqa: BLE001 - a plugin's broken dataset affects only itself
        raise UnknownDatasetError(f"dataset {name!r} of family {family!r} ({target}) failed to import: "
                                  f"{type(e).__name__}: {e}") from None
    obj = obj() if isinstance(obj, type) else obj
    if not isinstance(obj, Source):
        raise UnknownDatasetError(f"dataset {name!r} of family {family!r} ({target}) is a {type(obj).__name__}; "
                                  f"expected a lecun_zoo.data.Source")
    if not obj.name:
        obj.name = name
    return obj


#: options ``load`` reads itself, whatever the dataset (``arrays`` and ``info`` accept and ignore them)
LOAD_OPTIONS = ("shuffle_buffer",)


def _source_options(src: Source, options: dict) -> dict:
    """``options`` without ``LOAD_OPTIONS``, after checking that ``src`` accepts every name."""
    check_option_names(src.name, options, tuple(src.options) + LOAD_OPTIONS)
    return {k: v for k, v in options.items() if k not in LOAD_OPTIONS}


def _data_dir(src: Source, data_dir: Any) -> Optional[str]:
    if data_dir is None:
        return None
    path = os.fspath(data_dir) if isinstance(data_dir, (str, os.PathLike)) else None
    if not isinstance(path, str) or not path:
        raise DataOptionError(f"dataset {src.name!r} option 'data_dir' got {data_dir!r}; expected a folder path "
                              f"or None")
    return path


def info(name: str, data_dir: Optional[str] = None, *, seed: int = 0, **options: Any) -> DatasetInfo:
    """What a family needs to fit the dataset; ``seed`` as given to ``load`` / ``arrays``
    (a generated corpus's vocabulary depends on it)."""
    src = get_source(name)
    int_option(src.name, "seed", seed)
    return src.info(data_dir=_data_dir(src, data_dir), seed=seed, **_source_options(src, options))


def _checked(src: Source, split: Any, data_dir: Any, seed: Any, validation_fraction: Any, options: dict):
    """The arguments every entry point shares, checked: ``(split names, data_dir, options
    for the source)``; errors name the dataset, the argument, the value and what was expected."""
    allowed = list(src.splits) + ([] if "validation" in src.splits else ["validation"])
    wanted = (split,) if isinstance(split, str) else tuple(split) if isinstance(split, (list, tuple)) else ()
    if not wanted or not all(isinstance(s, str) for s in wanted):
        raise DataOptionError(f"dataset {src.name!r} split got {split!r}; expected a split name or a list of them "
                              f"from {allowed}")
    for s in wanted:
        if s not in allowed:
            raise DataOptionError(f"dataset {src.name!r} split got {s!r}; expected one of {allowed}")
    int_option(src.name, "seed", seed)
    float_option(src.name, "validation_fraction", validation_fraction, 0.0, 1.0)
    return wanted, _data_dir(src, data_dir), _source_options(src, options)


def _arrays(src: Source, wanted: tuple, data_dir: Optional[str], validation_fraction: float, seed: int,
            options: dict) -> dict:
    out = {}
    if "validation" in wanted and "validation" not in src.splits:
        x, y = src.arrays("train", data_dir=data_dir, seed=seed, **options)
        if num_examples(y) < 2:
            raise DataFormatError(f"dataset {src.name!r} split 'train' has {num_examples(y)} example(s)"
                                  f"{f' (data_dir={data_dir!r})' if data_dir else ''}; expected at least 2 to "
                                  f"carve a validation split from it")
        out["train"], out["validation"] = carve(x, y, validation_fraction, seed)
    for s in wanted:
        if s not in out:
            out[s] = src.arrays(s, data_dir=data_dir, seed=seed, **options)
            check_not_empty(src.name, s, out[s][1], data_dir)
    return out


def arrays(
    name: str,
    split: Union[str, Sequence[str]] = ("train", "test"),
    *,
    data_dir: Optional[str] = None,
    validation_fraction: float = 0.1,
    seed: int = 0,
    **options: Any,
):
    """NumPy ``(inputs, targets)`` per split (a tuple of them for several splits).

    Asking for ``"validation"`` from a source that has none carves it from train,
    and ``"train"`` is then the rest. A split without examples raises
    :class:`DataFormatError`; an option the dataset does not take, :class:`DataOptionError`.
    """
    src = get_source(name)
    wanted, data_dir, opts = _checked(src, split, data_dir, seed, validation_fraction, options)
    out = _arrays(src, wanted, data_dir, validation_fraction, seed, opts)
    return out[wanted[0]] if isinstance(split, str) else tuple(out[s] for s in wanted)


class _PassOrder:
    """Which epoch's order the next shuffled pass reads (see :func:`seek`)."""

    next: Optional[int] = None  # None: every pipeline counts its own passes
    lock = threading.Lock()


def seek(epoch: Optional[int]) -> None:
    """The next pass over any shuffled train pipeline (``load``, ``batched``) reads the order
    of epoch ``epoch``, the pass after it that of ``epoch + 1``, and so on, whatever pipeline
    object it is (a ``.map()`` of one included) and however many passes were read before.
    ``seek(None)``: each pipeline counts its own passes again (pass ``k`` of a pipeline, from
    its first, reads epoch ``k``'s order). ``lecun_zoo.train`` seeks at the start of every fit
    (``lecun_zoo.checkpointing.Resumable``), so a resumed run reads the orders a run never
    stopped reads."""
    if epoch is not None and (isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0):
        raise ValueError(f"lecun_zoo.data.seek got {epoch!r}; expected an int >= 0 or None")
    _PassOrder.next = epoch


def _take_pass(own: list) -> int:
    """The epoch number of a pass starting now (called from the pipeline, once per pass)."""
    with _PassOrder.lock:
        if _PassOrder.next is not None:
            k, _PassOrder.next = _PassOrder.next, _PassOrder.next + 1
        else:
            k, own[0] = own[0], own[0] + 1
    return k


def _shuffled_per_pass(ds: Any, buffer: int, seed: int):
    """``ds`` shuffled anew on every pass, the pass of epoch ``k`` with the seed ``(seed, k)``:
    the order of an epoch is a function of the seed and the epoch's number (:func:`seek`), not
    of how many iterators this process made."""
    import numpy as np
    import tensorflow as tf

    own = [0]
    base, s = ds, int(seed)

    def one_pass(k):
        # the order depends on (seed, k) only, not on whether tf.random.set_seed ran before load()
        tf.compat.v1.get_default_graph().seed = None
        return base.shuffle(buffer, seed=tf.constant(s, tf.int64) * 1_000_003 + k, reshuffle_each_iteration=False)

    def epoch_of_pass(_):  # runs when a pass reads its first element
        k = tf.py_function(lambda: np.int64(_take_pass(own)), [], tf.int64)
        return tf.reshape(k, [])

    n = int(ds.cardinality())
    out = tf.data.Dataset.from_tensors(tf.constant(0, tf.int64)).map(epoch_of_pass).flat_map(one_pass)
    if n >= 0:  # keep the number of batches known (progress bars, steps per epoch)
        out = out.apply(tf.data.experimental.assert_cardinality(n))
    return out


def batched(ds: Any, batch_size: int, *, shuffle: bool, seed: int = 0, buffer: int = 10_000,
            drop_remainder: bool = False) -> Any:
    """An unbatched ``tf.data`` pipeline batched and prefetched, shuffled anew each pass with
    the order of epoch ``k`` a function of ``(seed, k)`` (see :func:`seek`) when ``shuffle``:
    what ``load`` gives for a train split, and ``lecun_zoo.train`` for arrays."""
    import tensorflow as tf

    if shuffle:
        ds = _shuffled_per_pass(ds, min(int(buffer), 100_000), seed)
    return prefetched(ds.batch(batch_size, drop_remainder=drop_remainder))


def prefetched(ds: Any) -> Any:
    """``ds`` prefetched, with tf.data's autotuning model off (the last step of every zoo
    pipeline). Keras makes a new iterator every epoch (for validation too), and destroying
    one waits for the autotuning thread's current sleep, which grows to 10 s: measured on a
    2-core AMD EPYC, a 100-step NTM epoch of 3.8 s took 12.7 s with it on and 3.8 s with it
    off (docs/results/ntm.md, "Between epochs"). Prefetching still grows its own buffer;
    parallel maps upstream run at the default parallelism."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.prefetch(tf.data.AUTOTUNE).with_options(options)


def load(
    name: str,
    split: Union[str, Sequence[str]] = ("train", "test"),
    *,
    batch_size: int = 32,
    data_dir: Optional[str] = None,
    shuffle: bool = True,
    seed: int = 0,
    validation_fraction: float = 0.1,
    drop_remainder: bool = False,
    with_info: bool = False,
    pipeline: str = "auto",
    **options: Any,
):
    """Batched pipelines of ``(inputs, targets)``: prefetched ``tf.data`` pipelines, or
    :class:`ArrayBatches` (a ``keras.utils.PyDataset`` over NumPy arrays) without TensorFlow.

    Args:
        name: a dataset name (``names()``).
        split: one split name, or several (a tuple of pipelines comes back).
        batch_size: examples per batch.
        data_dir: folder with the dataset's files (idx, bAbI, text...) or a
            tensorflow-datasets data_dir where the data was prepared.
        shuffle: shuffle the train split each epoch (seeded: epoch k's order depends only
            on ``seed`` and k, see ``seek``).
        seed: seeds the shuffle, the validation carve and any generator.
        with_info: also return the :class:`DatasetInfo`.
        pipeline: ``"tf"``, ``"numpy"`` or ``"auto"`` (:func:`pipeline_kind`: tf.data where
            TensorFlow is installed). Both shuffle a train split anew every pass, epoch k's
            order a function of ``seed`` and k (the two orders differ); ``"numpy"``
            shuffles the whole split (``shuffle_buffer`` is tf.data's) and needs every
            split as arrays, so tensorflow-datasets sources still need TensorFlow.
        **options: source-specific options (e.g. ``source="idx"`` for mnist).
    """
    src = get_source(name)
    wanted, data_dir, opts = _checked(src, split, data_dir, seed, validation_fraction, options)
    int_option(src.name, "batch_size", batch_size, 1)
    for flag, value in (("shuffle", shuffle), ("drop_remainder", drop_remainder), ("with_info", with_info)):
        bool_option(src.name, flag, value)
    buffer = int_option(src.name, "shuffle_buffer", options.get("shuffle_buffer", 10_000), 1)
    kind = pipeline_kind(pipeline)
    if kind == "numpy":
        from lecun_zoo.data.array_batches import ArrayBatches

        if type(src).arrays is Source.arrays:
            raise DataOptionError(f"dataset {src.name!r} serves tf.data pipelines only (it has no arrays()); "
                                  f"pipeline='numpy' needs NumPy arrays: install TensorFlow and pass pipeline='tf'")
        parts = _arrays(src, wanted, data_dir, validation_fraction, seed, opts)
        pipelines = [ArrayBatches(*parts[s], batch_size, shuffle=shuffle and s == "train", seed=seed,
                                  drop_remainder=drop_remainder) for s in wanted]
        result = pipelines[0] if isinstance(split, str) else tuple(pipelines)
        return (result, src.info(data_dir=data_dir, seed=seed, **opts)) if with_info else result
    import tensorflow as tf

    if "validation" in wanted and "validation" not in src.splits:
        parts = _arrays(src, wanted, data_dir, validation_fraction, seed, opts)
        unbatched = [tf.data.Dataset.from_tensor_slices(parts[s]) for s in wanted]
    else:
        unbatched = [src.tf_dataset(s, data_dir=data_dir, seed=seed, **opts) for s in wanted]
    pipelines = [batched(ds, batch_size, shuffle=shuffle and s == "train", seed=seed, buffer=buffer,
                         drop_remainder=drop_remainder) for s, ds in zip(wanted, unbatched)]
    result = pipelines[0] if isinstance(split, str) else tuple(pipelines)
    if with_info:
        return result, src.info(data_dir=data_dir, seed=seed, **opts)
    return result
