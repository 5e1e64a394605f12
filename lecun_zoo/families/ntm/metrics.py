"""Bit errors per sequence: the cost the NTM paper reports (Graves et al. 2014, Figs. 3-5).

Targets use the convention of the algorithmic tasks (``lecun_zoo.families.ntm.tasks``):
a target of ``-1`` (any negative value) marks a position that is not scored (the input
phase, padding); 0 and 1 are the bits to predict. A predicted bit is 1 when its logit
is > 0 (``from_logits=True``) or its probability is > 0.5.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

#: target value of positions that are not scored
IGNORE = -1.0

__all__ = ["IGNORE", "BitErrors", "bit_errors_per_sequence"]


def bit_errors_per_sequence(y_true, y_pred, from_logits: bool = True) -> np.ndarray:
    """NumPy: wrong bits of each sequence, counting only scored positions.

    Args:
        y_true: ``[batch, time, bits]`` of 0/1, negative where not scored.
        y_pred: ``[batch, time, bits]`` logits (or probabilities).

    Returns:
        ``[batch]`` float counts.
    """
    y_true, y_pred = np.asarray(y_true, "float32"), np.asarray(y_pred, "float32")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"bit_errors_per_sequence() targets {y_true.shape} and predictions {y_pred.shape} differ")
    predicted = (y_pred > (0.0 if from_logits else 0.5)).astype("float32")
    wrong = (y_true >= 0) & (predicted != y_true)
    return wrong.reshape(len(wrong), -1).sum(axis=1).astype("float32")


@keras.saving.register_keras_serializable(package="lecun_zoo")
class BitErrors(keras.metrics.Metric):
    """Mean number of wrong bits per sequence (scored positions only).

    Args:
        from_logits: predictions are logits (threshold 0) rather than probabilities
            (threshold 0.5). Default True.
        name: default ``"bit_errors"``.

    ``sample_weight`` may be ``[batch]`` (weights sequences) or ``[batch, time]``
    (weights positions).

    Example:
        >>> m = BitErrors()
        >>> m.update_state([[[1.0, 0.0], [-1.0, -1.0]]], [[[2.0, 3.0], [5.0, 5.0]]])
        >>> float(m.result())
        1.0
    """

    def __init__(self, from_logits: bool = True, name: str = "bit_errors", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.from_logits = from_logits
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, "float32")
        y_pred = ops.cast(y_pred, "float32")
        threshold = 0.0 if self.from_logits else 0.5
        predicted = ops.cast(y_pred > threshold, "float32")
        scored = ops.cast(y_true >= 0, "float32")
        wrong = scored * ops.cast(ops.not_equal(predicted, y_true), "float32")  # [batch, time, bits]
        per_step = ops.sum(wrong, axis=-1)  # [batch, time]
        seq_weight = ops.ones_like(per_step[:, 0])  # [batch]
        if sample_weight is not None:
            sw = ops.cast(sample_weight, "float32")
            if len(sw.shape) == 2:
                per_step = per_step * sw
            else:
                seq_weight = ops.reshape(sw, (-1,))
        per_sequence = ops.sum(per_step, axis=-1) * seq_weight  # [batch]
        self.total.assign_add(ops.sum(per_sequence))
        self.count.assign_add(ops.sum(seq_weight))

    def result(self):
        return ops.divide_no_nan(self.total, self.count)

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}
