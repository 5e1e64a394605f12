"""Attention over a sequence of memory vectors (encoder states), masked.

``SequenceAttention`` scores every query position against every memory position,
normalises the scores with a softmax over the non-padded memory positions, and returns
the weighted sum of the memory (the context) with the weights:

- ``score="additive"`` (Bahdanau, Cho & Bengio 2015): ``v^T tanh(W_m m_j + W_q q_t)``
- ``score="general"`` (Luong, Pham & Manning 2015, multiplicative): ``q_t^T W m_j``
- ``score="dot"`` (Luong et al. 2015): ``q_t^T m_j`` (query and memory of equal width)

Scores and the softmax run in float32 under every precision policy (a padded position
gets weight exactly 0); the context is cast back to the layer's compute dtype.
"""

from __future__ import annotations

import keras
from keras import ops

from lecun_zoo.model import serializable

__all__ = ["SequenceAttention", "masked_softmax"]

SCORES = ("additive", "general", "dot")


def masked_softmax(scores, mask):
    """Softmax over the last axis where ``mask`` is True; masked entries get exactly 0.

    Args:
        scores: float ``[..., S]``.
        mask: bool ``[..., S]`` (broadcastable), or None. A row with no True entry gets zeros.
    """
    scores = ops.cast(scores, "float32")
    if mask is None:
        return ops.softmax(scores, axis=-1)
    mask = ops.cast(mask, "bool")
    neg = ops.full_like(scores, -1e30)
    shifted = ops.where(mask, scores, neg)
    shifted = shifted - ops.max(shifted, axis=-1, keepdims=True)
    e = ops.where(mask, ops.exp(shifted), ops.zeros_like(scores))
    total = ops.sum(e, axis=-1, keepdims=True)
    return e / ops.maximum(total, 1e-30)


@serializable
class SequenceAttention(keras.layers.Layer):
    """Masked attention of queries ``[batch, T, dq]`` over memory ``[batch, S, dm]``.

    Args:
        score: ``"additive"``, ``"general"`` or ``"dot"``.
        units: hidden size of the additive score (ignored otherwise).

    Call args:
        inputs: ``[query, memory]``.
        memory_mask: bool ``[batch, S]``, True at real (non-padded) memory positions.
            Passed explicitly: Keras does not reliably carry masks into layers with
            several inputs.

    Returns:
        ``(context [batch, T, dm], weights [batch, T, S] float32)``; each row of
        ``weights`` sums to 1 over the unmasked memory positions.

    Example:
        >>> att = SequenceAttention("general")
        >>> ctx, w = att([keras.ops.ones((2, 3, 4)), keras.ops.ones((2, 5, 4))])
        >>> tuple(ctx.shape), tuple(w.shape)
        ((2, 3, 4), (2, 3, 5))
    """

    def __init__(self, score: str = "additive", units: int = 128, **kwargs) -> None:
        super().__init__(**kwargs)
        if score not in SCORES:
            raise ValueError(f"SequenceAttention score got {score!r}; expected one of {list(SCORES)}")
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"SequenceAttention units got {units!r}; expected an int >= 1")
        self.score = score
        self.units = units

    def build(self, input_shape) -> None:
        q_shape, m_shape = input_shape
        dq, dm = int(q_shape[-1]), int(m_shape[-1])
        if self.score == "additive":
            self.w_memory = self.add_weight(name="w_memory", shape=(dm, self.units), initializer="glorot_uniform")
            self.w_query = self.add_weight(name="w_query", shape=(dq, self.units), initializer="glorot_uniform")
            self.v = self.add_weight(name="v", shape=(self.units,), initializer="random_normal")
        elif self.score == "general":
            self.w = self.add_weight(name="w", shape=(dq, dm), initializer="glorot_uniform")
        elif dq != dm:
            raise ValueError(f"SequenceAttention score='dot' needs query width == memory width; got {dq} and {dm}")

    def scores(self, query, memory):
        """Raw scores ``[batch, T, S]``."""
        if self.score == "additive":
            keys = ops.matmul(memory, self.w_memory)  # [batch, S, units]
            q = ops.matmul(query, self.w_query)  # [batch, T, units]
            hidden = ops.tanh(ops.expand_dims(q, 2) + ops.expand_dims(keys, 1))  # [batch, T, S, units]
            return ops.tensordot(hidden, self.v, axes=[[3], [0]])  # [batch, T, S]
        q = ops.matmul(query, self.w) if self.score == "general" else query  # [batch, T, dm]
        return ops.matmul(q, ops.transpose(memory, (0, 2, 1)))  # [batch, T, S]

    def call(self, inputs, memory_mask=None):
        query, memory = inputs
        scores = self.scores(query, memory)
        mask = None if memory_mask is None else ops.expand_dims(ops.cast(memory_mask, "bool"), 1)  # [batch, 1, S]
        weights = masked_softmax(scores, mask)  # [batch, T, S] float32
        context = ops.matmul(ops.cast(weights, memory.dtype), memory)  # [batch, T, dm]
        return context, weights

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "score": self.score, "units": self.units}
