"""The NTM's algorithmic tasks (Graves, Wayne & Danihelka 2014, Sec. 4), generated
deterministically from a seed: copy, repeat copy, associative recall, priority sort.

Every example is ``(x, y)``: ``x [time, bits + 2]`` holds the data bits and two
delimiter channels, ``y [time, out]`` the target bits, ``-1`` where nothing is scored
(the input phase and padding; see ``lecun_zoo.families.ntm.metrics``). Within a split every
example is padded at the end to the longest possible length of that split, so
``tf.data`` can batch them; the padding is never scored.

Layouts (``L`` = length, ``d`` = delimiter channel ``bits``, ``q`` = channel ``bits + 1``):

- copy: L random vectors, one step with ``d = 1``, then L blank steps during which the
  target is the sequence. ``out = bits``.
- repeat_copy: L vectors, one step with ``d = 1`` and ``q = repeats / max_repeats``,
  then the sequence ``repeats`` times followed by an end marker (an extra target
  channel). ``out = bits + 1``.
- associative_recall: L items of ``item_length`` vectors, each item after a step with
  ``d = 1``; then ``q = 1``, a query item (any item but the last), ``q = 1``; the target
  is the item that followed the query. ``out = bits``.
- priority_sort: L vectors with a priority in ``[-1, 1]`` on channel ``q``, one step with
  ``d = 1``; the target is the ``ceil(sort_keep * L)`` highest-priority vectors, highest
  first. ``out = bits``.

Splits: ``train`` and ``validation`` draw lengths from ``[min_length, max_length]``,
``test`` from ``[test_min_length, test_max_length]`` (generalisation to longer
sequences). :func:`make_batch` gives a batch at one exact length, for curves per length.

Length sampling of the train split (option ``length_sampling``):

- ``"sequence"`` (the default, and the only way before 0.2): every sequence draws its own
  length, uniformly; a batch then mixes lengths and runs as long as its longest.
- ``"batch"``: as pytorch-ntm's data loader, one length (and for repeat copy one repeat
  count) is drawn uniformly per block of ``length_block`` consecutive sequences (default
  32), so every length's count is a multiple of the block. Sequences keep the padded shape;
  :func:`one_length_batches` (what the NTM's ``fit`` applies to the shuffled pipeline when
  the config says ``length_sampling="batch"``) regroups them into batches whose sequences
  all end at the same step, and the NTM's loop (``lecun_zoo.families.ntm.loop``) stops
  there: a batch of length L costs 2L + 1 steps for copy, not 2 * max_length + 1. Set
  ``length_block`` to the batch size. Validation and test always sample per sequence.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

from lecun_zoo.data.base import (DataOptionError, DatasetInfo, Source, check_option_names, choice_option, float_option,
                                 int_option)

__all__ = ["TASKS", "AlgorithmicTask", "make_example", "make_batch", "total_length", "output_size",
           "one_length_batches", "LENGTH_SAMPLING",
           "COPY", "REPEAT_COPY", "ASSOCIATIVE_RECALL", "PRIORITY_SORT"]

IGNORE = -1.0
TASKS = ("copy", "repeat_copy", "associative_recall", "priority_sort")
#: how the train split draws lengths: per sequence, or per block of ``length_block`` sequences
LENGTH_SAMPLING = ("sequence", "batch")

DEFAULTS = {
    "bits": 8, "min_length": 1, "max_length": 20, "test_min_length": 10, "test_max_length": 120,
    "min_repeats": 1, "max_repeats": 10, "item_length": 3, "sort_keep": 0.8,
    "train_size": 3200, "test_size": 320, "length_sampling": "sequence", "length_block": 32,
}
TASK_DEFAULTS = {
    "copy": {},
    "repeat_copy": {"max_length": 10, "test_min_length": 10, "test_max_length": 20},
    "associative_recall": {"bits": 6, "min_length": 2, "max_length": 6, "test_min_length": 6, "test_max_length": 12},
    "priority_sort": {"min_length": 20, "max_length": 20, "test_min_length": 20, "test_max_length": 20},
}


def output_size(task: str, bits: int) -> int:
    return bits + 1 if task == "repeat_copy" else bits


def _sorted_count(length: int, keep: float) -> int:
    return max(1, min(length, math.ceil(keep * length - 1e-9)))


def total_length(task: str, length: int, o: dict, repeats: Optional[int] = None) -> int:
    """Steps of one example of ``length`` (for repeat copy, ``repeats`` or the most)."""
    if task == "copy":
        return 2 * length + 1
    if task == "repeat_copy":
        n = o["max_repeats"] if repeats is None else repeats
        return length + 1 + n * length + 1
    if task == "associative_recall":
        l = o["item_length"]
        return length * (l + 1) + (l + 2) + l
    return length + 1 + _sorted_count(length, o["sort_keep"])


def options(task: str, **given: Any) -> dict:
    """The task's full option set (defaults filled in), validated; errors name the option."""
    if task not in TASKS:
        raise DataOptionError(f"algorithmic task got {task!r}; expected one of {list(TASKS)}")
    check_option_names(task, given, DEFAULTS)
    o = {**DEFAULTS, **TASK_DEFAULTS[task], **given}
    for k in DEFAULTS:
        if k not in ("sort_keep", "length_sampling"):
            o[k] = int_option(task, k, o[k], 1)
    o["length_sampling"] = choice_option(task, "length_sampling", o["length_sampling"], LENGTH_SAMPLING)
    o["sort_keep"] = float_option(task, "sort_keep", o["sort_keep"], 0.0, 1.0, open_high=False)
    for lo, hi in (("min_length", "max_length"), ("test_min_length", "test_max_length"),
                   ("min_repeats", "max_repeats")):
        if o[lo] > o[hi]:
            raise DataOptionError(f"dataset {task!r} options {lo}={o[lo]} > {hi}={o[hi]}; expected {lo} <= {hi}")
    if task == "associative_recall" and min(o["min_length"], o["test_min_length"]) < 2:
        raise DataOptionError(f"dataset 'associative_recall' needs at least 2 items; got "
                              f"min_length={o['min_length']}, test_min_length={o['test_min_length']}")
    return o


def make_example(task: str, rng: np.random.Generator, length: int, o: dict, repeats: Optional[int] = None):
    """One example of exactly ``length`` (unpadded): ``x [T, bits + 2]``, ``y [T, out]`` float32."""
    bits = o["bits"]
    d, q = bits, bits + 1
    steps = total_length(task, length, o, repeats)
    x = np.zeros((steps, bits + 2), "float32")
    y = np.full((steps, output_size(task, bits)), IGNORE, "float32")
    if task == "copy":
        seq = rng.integers(0, 2, (length, bits)).astype("float32")
        x[:length, :bits] = seq
        x[length, d] = 1.0
        y[length + 1 :] = seq
    elif task == "repeat_copy":
        n = int(rng.integers(o["min_repeats"], o["max_repeats"] + 1)) if repeats is None else repeats
        steps = total_length(task, length, o, n)
        x, y = x[:steps], y[:steps]
        seq = rng.integers(0, 2, (length, bits)).astype("float32")
        x[:length, :bits] = seq
        x[length, d] = 1.0
        x[length, q] = n / o["max_repeats"]
        y[length + 1 :] = 0.0
        y[length + 1 : length + 1 + n * length, :bits] = np.tile(seq, (n, 1))
        y[-1, bits] = 1.0  # end marker
    elif task == "associative_recall":
        l = o["item_length"]
        items = rng.integers(0, 2, (length, l, bits)).astype("float32")
        for i in range(length):
            x[i * (l + 1), d] = 1.0
            x[i * (l + 1) + 1 : (i + 1) * (l + 1), :bits] = items[i]
        query = int(rng.integers(0, length - 1))
        start = length * (l + 1)
        x[start, q] = 1.0
        x[start + 1 : start + 1 + l, :bits] = items[query]
        x[start + 1 + l, q] = 1.0
        y[start + l + 2 :] = items[query + 1]
    else:  # priority_sort
        seq = rng.integers(0, 2, (length, bits)).astype("float32")
        priority = rng.uniform(-1.0, 1.0, length).astype("float32")
        x[:length, :bits] = seq
        x[:length, q] = priority
        x[length, d] = 1.0
        keep = _sorted_count(length, o["sort_keep"])
        order = np.argsort(-priority, kind="stable")[:keep]
        y[length + 1 :] = seq[order]
    return x, y


def make_batch(task: str, batch_size: int, length: int, seed: int = 0, **given: Any):
    """``batch_size`` examples of exactly ``length`` (repeat copy: repeats drawn, then
    padded to the longest): ``x [batch, T, bits + 2]``, ``y [batch, T, out]``."""
    o = options(task, **given)
    batch_size = int_option(task, "batch_size", batch_size, 1)
    length = int_option(task, "length", length, 2 if task == "associative_recall" else 1)
    rng = np.random.default_rng([seed, TASKS.index(task), length, 7])
    pairs = [make_example(task, rng, length, o) for _ in range(batch_size)]
    return _pad(pairs, max(len(p[0]) for p in pairs))


def _pad(pairs, steps: int):
    xs = np.zeros((len(pairs), steps, pairs[0][0].shape[1]), "float32")
    ys = np.full((len(pairs), steps, pairs[0][1].shape[1]), IGNORE, "float32")
    for i, (x, y) in enumerate(pairs):
        xs[i, : len(x)] = x
        ys[i, : len(y)] = y
    return xs, ys


def scored_steps(y):
    """Per sequence, the steps up to and including its last scored one (``y >= 0``):
    ``y [batch, time, out]`` -> ``[batch]`` int32 (numpy or TensorFlow, as given)."""
    if isinstance(y, np.ndarray):
        scored = (y >= 0).any(axis=-1)  # [batch, time]
        return np.where(scored.any(axis=1), y.shape[1] - np.argmax(scored[:, ::-1], axis=1), 0).astype("int32")
    import tensorflow as tf

    scored = tf.reduce_any(y >= 0, axis=-1)  # [batch, time]
    last = tf.shape(scored)[1] - tf.argmax(tf.cast(tf.reverse(scored, [1]), tf.int32), axis=1, output_type=tf.int32)
    return tf.where(tf.reduce_any(scored, axis=1), last, 0)


def one_length_batches(ds):
    """A batched ``tf.data`` pipeline of ``(x, y)`` regrouped so that every batch holds
    sequences that end at the same step (:func:`scored_steps`), each batch as large as the
    batch it came from. Deterministic for a given input order; the shapes stay padded.
    With ``length_sampling="batch"`` and ``length_block`` equal to the batch size every
    length's count is a multiple of the batch, so no batch is partial; otherwise the
    leftovers of each length come out as smaller batches at the end of each pass."""
    import tensorflow as tf

    scale = 1 << 32  # key = incoming batch size * scale + end step: the window size travels in the key

    def explode(x, y):
        size = tf.cast(tf.shape(x)[0], tf.int64)
        key = size * scale + tf.cast(scored_steps(y), tf.int64)  # [batch]
        return tf.data.Dataset.from_tensor_slices((x, y, key))

    grouped = ds.flat_map(explode).group_by_window(
        key_func=lambda x, y, k: k, reduce_func=lambda k, w: w.batch(k // scale),
        window_size_func=lambda k: k // scale)
    from lecun_zoo.data import prefetched

    return prefetched(grouped.map(lambda x, y, k: (x, y)))


class AlgorithmicTask(Source):
    """One of the NTM tasks as a dataset source (options: see the module docstring and
    :data:`DEFAULTS`: bits, min/max_length, test_min/max_length, min/max_repeats,
    item_length, sort_keep, train_size, test_size, length_sampling, length_block; ``seed`` picks
    the draw)."""

    splits = ("train", "validation", "test")
    options = tuple(DEFAULTS)

    def __init__(self, task: str, summary: str) -> None:
        self.name = task
        self.summary = summary

    def info(self, data_dir: Optional[str] = None, **given: Any) -> DatasetInfo:
        given.pop("seed", None)
        o = options(self.name, **given)
        return DatasetInfo(
            self.name, "algorithmic_sequence", (None, o["bits"] + 2), None,
            {"train": o["train_size"], "validation": o["test_size"], "test": o["test_size"]},
            extra={"task": self.name, "bits": o["bits"], "output_size": output_size(self.name, o["bits"]),
                   "train_lengths": (o["min_length"], o["max_length"]),
                   "test_lengths": (o["test_min_length"], o["test_max_length"]), "options": o},
        )

    def arrays(self, split: str, data_dir: Optional[str] = None, seed: int = 0, **given: Any):
        if split not in self.splits:
            raise DataOptionError(f"dataset {self.name!r} split got {split!r}; expected one of {list(self.splits)}")
        o = options(self.name, **given)
        test = split == "test"
        lo, hi = (o["test_min_length"], o["test_max_length"]) if test else (o["min_length"], o["max_length"])
        n = o["train_size"] if split == "train" else o["test_size"]
        rng = np.random.default_rng([seed, TASKS.index(self.name), self.splits.index(split)])
        if split == "train" and o["length_sampling"] == "batch":
            block = o["length_block"]
            blocks = -(-n // block)
            lengths = np.repeat(rng.integers(lo, hi + 1, blocks), block)[:n]
            repeats = [None] * n
            if self.name == "repeat_copy":  # pytorch-ntm draws the repeats per batch too
                repeats = np.repeat(rng.integers(o["min_repeats"], o["max_repeats"] + 1, blocks), block)[:n]
            pairs = [make_example(self.name, rng, int(k), o, None if r is None else int(r))
                     for k, r in zip(lengths, repeats)]
        else:
            lengths = rng.integers(lo, hi + 1, n)
            pairs = [make_example(self.name, rng, int(k), o) for k in lengths]
        return _pad(pairs, total_length(self.name, hi, o))


COPY = AlgorithmicTask("copy", "NTM copy task: random bit vectors, reproduce them after a delimiter")
REPEAT_COPY = AlgorithmicTask("repeat_copy", "NTM repeat copy: reproduce the sequence a given number of times, then an end marker")
ASSOCIATIVE_RECALL = AlgorithmicTask("associative_recall", "NTM associative recall: given one item, return the next one")
PRIORITY_SORT = AlgorithmicTask("priority_sort", "NTM priority sort: return the vectors sorted by their priority")
