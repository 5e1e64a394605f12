"""The training loss of the algorithmic tasks: binary cross-entropy on the scored bits only."""

from __future__ import annotations

import keras
from keras import ops

from lecun_zoo.model import serializable


@serializable
class MaskedBinaryCrossentropy(keras.losses.Loss):
    """Sigmoid cross-entropy averaged over the scored bits of each sequence.

    Targets are 0/1 where scored and negative (``-1``) where not (the input phase and
    padding, see ``lecun_zoo.families.ntm.tasks``). Each sequence's loss is its mean
    cross-entropy (nats per scored bit); the batch loss is the mean over sequences.

    Args:
        from_logits: predictions are logits (default True).

    Example:
        >>> loss = MaskedBinaryCrossentropy()
        >>> float(loss([[[1.0], [-1.0]]], [[[0.0], [9.0]]]))  # only the first bit counts
        0.6931...
    """

    def __init__(self, from_logits: bool = True, name: str = "masked_binary_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, "float32")
        y_pred = ops.cast(y_pred, "float32")
        scored = ops.cast(y_true >= 0, "float32")  # [batch, time, bits]
        target = ops.maximum(y_true, 0.0)
        ce = ops.binary_crossentropy(target, y_pred, from_logits=self.from_logits)  # [batch, time, bits]
        total = ops.sum(ops.reshape(ce * scored, (ops.shape(ce)[0], -1)), axis=-1)  # [batch]
        count = ops.sum(ops.reshape(scored, (ops.shape(ce)[0], -1)), axis=-1)  # [batch]
        return total / ops.maximum(count, 1.0)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}
