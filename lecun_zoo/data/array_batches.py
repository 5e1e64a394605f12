"""``ArrayBatches``: NumPy arrays served as a ``keras.utils.PyDataset``, the input route that
needs no TensorFlow (the JAX and PyTorch backends without it installed).

It batches as ``lecun_zoo.data.load``'s ``tf.data`` pipelines do: a train split is shuffled
anew every pass, pass ``k`` in :func:`lecun_zoo.data.epoch_order` ``(n, seed, k)``, and the
pass number follows :func:`lecun_zoo.data.seek` (so ``lecun_zoo.train`` resumes exactly);
other splits keep their order. ``keys`` (one int per example) groups the batches: each batch
holds examples of one key, taken in the epoch's order, as ``tf.data``'s ``group_by_window``
does; the leftovers of each key come out as smaller batches at the end of the pass.

Keras' adapter would shuffle the batch indices again when ``fit(shuffle=True)``;
``ZooModel.fit`` and ``Family.train`` pass ``shuffle=False`` for these (the order is ours).
"""

from __future__ import annotations

from typing import Any, Optional

import keras
import numpy as np

from lecun_zoo.data.base import num_examples
from lecun_zoo.data.batches import epoch_order

__all__ = ["ArrayBatches"]


def _take(part: Any, idx: np.ndarray) -> Any:
    return {k: v[idx] for k, v in part.items()} if isinstance(part, dict) else part[idx]


class ArrayBatches(keras.utils.PyDataset):
    """Batches of ``(x, y)`` NumPy arrays (or dicts of arrays) for ``fit``/``evaluate``.

    Args:
        x, y: inputs and targets, the same number of examples.
        batch_size: examples per batch.
        shuffle: a new order every pass (``epoch_order(n, seed, pass)``), else in order.
        seed: the shuffle's seed.
        drop_remainder: drop a last partial batch (of each key, with ``keys``).
        keys: optional ``[n]`` ints; every batch holds examples of one key.
    """

    def __init__(self, x: Any, y: Any, batch_size: int, *, shuffle: bool = False, seed: int = 0,
                 drop_remainder: bool = False, keys: Optional[np.ndarray] = None) -> None:
        super().__init__(workers=1, use_multiprocessing=False)
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"ArrayBatches batch_size got {batch_size!r}; expected an int >= 1")
        self.x, self.y = x, y
        self.batch_size, self.shuffle, self.seed = int(batch_size), bool(shuffle), int(seed)
        self.drop_remainder = bool(drop_remainder)
        self.size = num_examples(y)
        if keys is not None:
            keys = np.asarray(keys)
            if keys.shape != (self.size,):
                raise ValueError(f"ArrayBatches keys have shape {keys.shape}; expected ({self.size},), one per example")
        self.keys = keys
        self._own = [0]  # passes read so far, when no seek() says which epoch comes next
        self._plan = self._make_plan(0)

    # ------------------------------------------------------------------ the epoch's batches
    def _make_plan(self, epoch: int) -> list[np.ndarray]:
        order = epoch_order(self.size, self.seed, epoch) if self.shuffle else np.arange(self.size)
        b = self.batch_size
        if self.keys is None:
            stop = self.size - self.size % b if self.drop_remainder else self.size
            return [order[i:i + b] for i in range(0, stop, b)]
        plan, open_ = [], {}
        for i in order:
            group = open_.setdefault(self.keys[i].item(), [])
            group.append(i)
            if len(group) == b:
                plan.append(np.asarray(group))
                group.clear()
        if not self.drop_remainder:
            plan += [np.asarray(g) for g in open_.values() if g]
        return plan

    def on_epoch_begin(self) -> None:
        if self.shuffle:  # the pass number that seek() set, else this object's own count
            from lecun_zoo.data import _take_pass

            self._plan = self._make_plan(_take_pass(self._own))

    def __len__(self) -> int:
        return len(self._plan)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self._plan):
            raise IndexError(f"ArrayBatches has {len(self._plan)} batches; got index {index}")
        idx = self._plan[index]
        return _take(self.x, idx), _take(self.y, idx)

    def regrouped(self, keys: np.ndarray) -> "ArrayBatches":
        """The same arrays and order with batches grouped by ``keys``."""
        return ArrayBatches(self.x, self.y, self.batch_size, shuffle=self.shuffle, seed=self.seed,
                            drop_remainder=self.drop_remainder, keys=keys)

    def __repr__(self) -> str:
        return (f"ArrayBatches({self.size} examples, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"seed={self.seed}{', grouped' if self.keys is not None else ''})")
