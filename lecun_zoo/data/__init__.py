"""Datasets as ``tf.data`` pipelines of ``(inputs, targets)``.

    train, test = lecun_zoo.data.load("digits", split=("train", "test"), batch_size=64)
    train = lecun_zoo.data.load("mnist", split="train", data_dir="../shared/data/mnist")

Sources are imported only when used. Families add theirs to ``SOURCES`` (name ->
"module:attribute"); ``register_dataset`` adds one at run time.
"""

from __future__ import annotations

import difflib
import importlib
import warnings
from typing import Any, Optional, Sequence, Union

from lecun_zoo.data.base import DataFormatError, DataNotFoundError, DatasetInfo, Source

__all__ = [
    "load", "arrays", "info", "names", "pass_counter", "get_source", "register_dataset",
    "DatasetInfo", "Source", "DataFormatError", "DataNotFoundError", "UnknownDatasetError",
]

# Keras warns that fit(shuffle=True) is ignored for tf.data input; these pipelines are
# shuffled by load() itself, so the warning only misleads.
warnings.filterwarnings("ignore", message="`shuffle=True` was passed", category=UserWarning)

SOURCES: dict[str, Union[str, Source]] = {
    "digits": "lecun_zoo.data.digits:DATASET",
    "babi": "lecun_zoo.data.babi:DATASET",
    "babi_generated": "lecun_zoo.data.babi_generated:DATASET",
    "mnist": "lecun_zoo.data.idx:DATASET",
    "ptb": "lecun_zoo.data.text_corpus:PTB",
    "text": "lecun_zoo.data.text_corpus:TEXT",
    "tiny_shakespeare": "lecun_zoo.data.text_corpus:TINY_SHAKESPEARE",
    "lm1b": "lecun_zoo.data.text_corpus:LM1B",
    "toy_grammar": "lecun_zoo.data.toy_grammar:DATASET",
    "copy": "lecun_zoo.data.algorithmic:COPY",
    "repeat_copy": "lecun_zoo.data.algorithmic:REPEAT_COPY",
    "associative_recall": "lecun_zoo.data.algorithmic:ASSOCIATIVE_RECALL",
    "priority_sort": "lecun_zoo.data.algorithmic:PRIORITY_SORT",
    "fashion_mnist": "lecun_zoo.data.tfds_source:FASHION_MNIST",
    "cifar10": "lecun_zoo.data.tfds_source:CIFAR10",
    "reversal": "lecun_zoo.data.seq2seq_tasks:REVERSAL",
    "addition": "lecun_zoo.data.seq2seq_tasks:ADDITION",
    "multi30k": "lecun_zoo.data.parallel_text:MULTI30K",
    "tatoeba": "lecun_zoo.data.parallel_text:TATOEBA",
    "ted_hrlr": "lecun_zoo.data.parallel_text:TED_HRLR",
}


class UnknownDatasetError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def names() -> list[str]:
    return sorted(SOURCES)


def register_dataset(source: Source, *, override: bool = False) -> Source:
    if source.name in SOURCES and not override:
        raise ValueError(f"a dataset named {source.name!r} exists; pass override=True to replace it")
    SOURCES[source.name] = source
    return source


def get_source(name: str) -> Source:
    entry = SOURCES.get(name)
    if entry is None:
        close = difflib.get_close_matches(name, list(SOURCES), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise UnknownDatasetError(f"no dataset named {name!r}{hint} (known: {', '.join(names())})")
    if isinstance(entry, str):
        module, _, attr = entry.partition(":")
        entry = getattr(importlib.import_module(module), attr)
        SOURCES[name] = entry
    return entry


def info(name: str, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
    return get_source(name).info(data_dir=data_dir, **options)


def _check_split(src: Source, split: str) -> None:
    allowed = tuple(src.splits) + (() if "validation" in src.splits else ("validation",))
    if split not in allowed:
        raise ValueError(f"dataset {src.name!r} split got {split!r}; expected one of {list(allowed)}")


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
    and ``"train"`` is then the rest.
    """
    src = get_source(name)
    single = isinstance(split, str)
    wanted = (split,) if single else tuple(split)
    for s in wanted:
        _check_split(src, s)
    out = {}
    carve = "validation" in wanted and "validation" not in src.splits
    if carve:
        from lecun_zoo.data.base import carve as _carve

        x, y = src.arrays("train", data_dir=data_dir, seed=seed, **options)
        out["train"], out["validation"] = _carve(x, y, validation_fraction, seed)
    for s in wanted:
        if s not in out:
            out[s] = src.arrays(s, data_dir=data_dir, seed=seed, **options)
    return out[wanted[0]] if single else tuple(out[s] for s in wanted)


def _shuffled_per_pass(ds: Any, buffer: int, seed: int):
    """``ds`` shuffled anew on every pass, pass ``k`` with the seed ``(seed, k)``.

    ``k`` is a ``tf.Variable`` (the pass counter) that a pass increments when its first
    element is read, so the order of every epoch is a function of the seed and the
    epoch's number, not of how many iterators this process made: a resumed run sets the
    counter back (``pass_counter``) and replays the same orders (``lecun_zoo.checkpointing``).
    """
    import tensorflow as tf

    with tf.device("/cpu:0"):
        counter = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_pass_counter")
    n = int(ds.cardinality())
    base, s = ds, int(seed)

    def one_pass(k):
        # the order depends on (seed, k) only, not on whether tf.random.set_seed ran before load()
        tf.compat.v1.get_default_graph().seed = None
        return base.shuffle(buffer, seed=tf.constant(s, tf.int64) * 1_000_003 + k, reshuffle_each_iteration=False)

    out = (tf.data.Dataset.from_tensors(tf.constant(0, tf.int64))
           .map(lambda _: counter.assign_add(1) - 1).flat_map(one_pass))
    if n >= 0:  # keep the number of batches known (progress bars, steps per epoch)
        out = out.apply(tf.data.experimental.assert_cardinality(n))
    return out, counter


def pass_counter(ds: Any):
    """The pass counter (a ``tf.Variable``) of a shuffled train pipeline from ``load``, or
    None: how many passes (epochs) over it have started. Setting it picks which epoch's
    order the next pass reads."""
    return getattr(ds, "_zoo_pass_counter", None)


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
    **options: Any,
):
    """Batched, prefetched ``tf.data`` pipelines of ``(inputs, targets)``.

    Args:
        name: a dataset name (``names()``).
        split: one split name, or several (a tuple of pipelines comes back).
        batch_size: examples per batch.
        data_dir: folder with the dataset's files (idx, bAbI, text...) or a
            tensorflow-datasets data_dir where the data was prepared.
        shuffle: shuffle the train split each epoch (seeded: epoch k's order depends only
            on ``seed`` and k, see ``pass_counter``).
        seed: seeds the shuffle, the validation carve and any generator.
        with_info: also return the :class:`DatasetInfo`.
        **options: source-specific options (e.g. ``source="idx"`` for mnist).
    """
    import tensorflow as tf

    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"load() batch_size got {batch_size!r}; expected an int >= 1")
    src = get_source(name)
    single = isinstance(split, str)
    wanted = (split,) if single else tuple(split)
    for s in wanted:
        _check_split(src, s)
    carve = "validation" in wanted and "validation" not in src.splits
    if carve:
        parts = arrays(name, wanted, data_dir=data_dir, validation_fraction=validation_fraction,
                       seed=seed, **options)
        unbatched = [tf.data.Dataset.from_tensor_slices(p) for p in parts]
    else:
        unbatched = [src.tf_dataset(s, data_dir=data_dir, seed=seed, **options) for s in wanted]
    pipelines = []
    for s, ds in zip(wanted, unbatched):
        counter = None
        if shuffle and s == "train":
            ds, counter = _shuffled_per_pass(ds, min(int(options.get("shuffle_buffer", 10_000)), 100_000), seed)
        ds = ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
        if counter is not None:
            ds._zoo_pass_counter = counter
        pipelines.append(ds)
    result = pipelines[0] if single else tuple(pipelines)
    if with_info:
        return result, src.info(data_dir=data_dir, **options)
    return result
