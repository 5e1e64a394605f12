"""The training loss of the algorithmic tasks: binary cross-entropy on the scored bits only."""

from __future__ import annotations

import keras
from keras import ops

from lecun_zoo.model import serializable


#: how a sequence's scored bits make its loss: their sum (nats per sequence, every bit of the
#: batch weighted alike, as Collier & Beel's ``reduce_sum / batch_size``) or their mean
REDUCTIONS = ("sequence", "bit")


@serializable
class MaskedBinaryCrossentropy(keras.losses.Loss):
    """Sigmoid cross-entropy on the scored bits of each sequence.

    Targets are 0/1 where scored and negative (``-1``) where not (the input phase and
    padding, see ``lecun_zoo.families.ntm.tasks``). Each sequence's loss is the sum of its
    scored bits' cross-entropy (``per="sequence"``: nats per sequence, so a long sequence
    weighs in proportion to its bits) or their mean (``per="bit"``: nats per scored bit,
    every sequence weighted alike); the batch loss is the mean over sequences.

    Args:
        from_logits: predictions are logits (default True).
        per: ``"sequence"`` (default) or ``"bit"``.

    Example:
        >>> loss = MaskedBinaryCrossentropy(per="bit")
        >>> float(loss([[[1.0], [-1.0]]], [[[0.0], [9.0]]]))  # only the first bit counts
        0.6931...
    """

    def __init__(self, from_logits: bool = True, per: str = "sequence", name: str = "masked_binary_crossentropy",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        if per not in REDUCTIONS:
            raise ValueError(f"MaskedBinaryCrossentropy per got {per!r}; expected one of {list(REDUCTIONS)}")
        self.from_logits = from_logits
        self.per = per

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, "float32")
        y_pred = ops.cast(y_pred, "float32")
        scored = ops.cast(y_true >= 0, "float32")  # [batch, time, bits]
        target = ops.maximum(y_true, 0.0)
        ce = ops.binary_crossentropy(target, y_pred, from_logits=self.from_logits)  # [batch, time, bits]
        total = ops.sum(ops.reshape(ce * scored, (ops.shape(ce)[0], -1)), axis=-1)  # [batch]
        if self.per == "sequence":
            return total
        count = ops.sum(ops.reshape(scored, (ops.shape(ce)[0], -1)), axis=-1)  # [batch]
        return total / ops.maximum(count, 1.0)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits, "per": self.per}
