"""One memory hop: soft attention of the controller state over the memory, and the read
(Sukhbaatar et al. 2015, Sec. 2.1):

    p_i = softmax(u^T m_i)        (masked to the slots that hold the story)
    o   = sum_i p_i c_i

With the softmax gate at 0 (linear start, Sec. 4.2) ``p_i = u^T m_i`` instead.

``empty_slots="attend"`` follows the authors' code instead of masking: an empty slot holds
the zero vector (no words, no temporal vector), so it takes part in the softmax with score
0 and adds nothing to ``o``. The empty slots then act as a "look nowhere" sink whose pull
grows with the number of empty slots. The authors' memory has ``min(50, longest story in the
data)`` slots, so ``attend_slots`` limits the empty slots that take part to the newest
``attend_slots`` ones (0: all); sentences take part wherever they sit.
"""

from __future__ import annotations

import keras
from keras import ops

from lecun_zoo.model import serializable

__all__ = ["MemoryHop"]


@serializable
class MemoryHop(keras.layers.Layer):
    """Attention and read of one hop.

    Call:
        ``[u, m, c, mask]``: controller ``u [batch, d]``, input memory ``m [batch, M, d]``,
        output memory ``c [batch, M, d]``, ``mask [batch, M]`` (1: slot in the story).
    Returns:
        ``(o [batch, d], p [batch, M])``, ``p`` in float32 (0 on masked slots).

    The non-trainable ``softmax_gate`` (1.0) switches the softmax off (0.0) for linear start.

    Args:
        empty_slots: ``"mask"``: the softmax runs over the story's slots only; ``"attend"``:
            empty slots are zero vectors with score 0 inside the softmax (authors' code).
        attend_slots: with ``"attend"``, only empty slots among the first ``attend_slots``
            take part (0: every slot).
    """

    def __init__(self, empty_slots: str = "mask", attend_slots: int = 0, **kwargs):
        super().__init__(**kwargs)
        if empty_slots not in ("mask", "attend"):
            raise ValueError(f"MemoryHop empty_slots got {empty_slots!r}; expected 'mask' or 'attend'")
        if int(attend_slots) < 0:
            raise ValueError(f"MemoryHop attend_slots got {attend_slots!r}; expected an int >= 0")
        self.empty_slots, self.attend_slots = empty_slots, int(attend_slots)

    def build(self, input_shape):
        self.softmax_gate = self.add_weight(shape=(), initializer="ones", trainable=False, name="softmax_gate",
                                            dtype="float32", autocast=False)

    def call(self, inputs):
        u, m, c, mask = inputs
        scores = ops.cast(ops.einsum("bmd,bd->bm", m, u), "float32")  # [batch, M]
        mask = ops.cast(mask, "float32")
        take = mask  # [batch, M]: the slots inside the softmax
        if self.empty_slots == "attend":
            scores = scores * mask  # an empty slot is the zero vector: score 0 ...
            c = c * ops.cast(mask, c.dtype)[:, :, None]  # ... and reads nothing
            if self.attend_slots:  # every sentence, and the empty slots among the first attend_slots
                take = ops.maximum(mask, ops.cast(ops.arange(ops.shape(mask)[1]) < self.attend_slots, "float32")[None])
            else:
                take = ops.ones_like(mask)
        soft = ops.softmax(ops.where(take > 0, scores, -1e9), axis=-1) * take  # [batch, M]
        gate = ops.cast(self.softmax_gate, "float32")
        p = gate * soft + (1.0 - gate) * scores * mask  # [batch, M]
        o = ops.einsum("bm,bmd->bd", ops.cast(p, c.dtype), c)  # [batch, d]
        return o, p

    def get_config(self):
        return {**super().get_config(), "empty_slots": self.empty_slots, "attend_slots": self.attend_slots}

    def compute_output_spec(self, inputs):
        u, m, _c, _mask = inputs
        return (keras.KerasTensor(u.shape, dtype=self.compute_dtype),
                keras.KerasTensor(m.shape[:2], dtype="float32"))
