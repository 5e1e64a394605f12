"""NumPy batches: the backend-neutral way to serve a dataset (no TensorFlow).

``epoch_order(n, seed, epoch)`` is the order of the examples in epoch ``epoch``: a function
of ``(seed, epoch)`` alone, so a resumed run (or another process) reads exactly the epochs a
run never stopped reads, and no pipeline object has to carry a counter.
``numpy_batches(x, y, batch_size, seed=, epoch=)`` yields the batches of one epoch;
``lecun_zoo.data.load`` serves the same arrays as ``tf.data`` pipelines (its shuffle is
seeded by ``(seed, epoch)`` too, with TensorFlow's generator, so the two orders differ).
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from lecun_zoo.data.base import num_examples

__all__ = ["epoch_order", "numpy_batches"]


def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    """A permutation of ``range(n)``: the order of epoch ``epoch`` under ``seed``."""
    for name, value in (("n", n), ("seed", seed), ("epoch", epoch)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"epoch_order() {name} got {value!r}; expected an int >= 0")
    return np.random.default_rng([int(seed), int(epoch)]).permutation(int(n))


def _take(part: Any, idx: np.ndarray) -> Any:
    return {k: v[idx] for k, v in part.items()} if isinstance(part, dict) else part[idx]


def numpy_batches(x: Any, y: Any, batch_size: int, *, shuffle: bool = True, seed: int = 0, epoch: int = 0,
                  drop_remainder: bool = False) -> Iterator[tuple[Any, Any]]:
    """The ``(inputs, targets)`` batches of one epoch of NumPy arrays (or dicts of them),
    in ``epoch_order(n, seed, epoch)`` when ``shuffle``, else in order."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"numpy_batches() batch_size got {batch_size!r}; expected an int >= 1")
    n = num_examples(y)
    order = epoch_order(n, seed, epoch) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_remainder else n
    for start in range(0, stop, int(batch_size)):
        idx = order[start:start + int(batch_size)]
        yield _take(x, idx), _take(y, idx)
