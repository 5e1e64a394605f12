"""Sentence representations of a memory network: bag of words or position encoding,
plus temporal encoding of memory slots (Sukhbaatar et al. 2015, Sec. 4.1).

A sentence ``x_i = (x_i1, ..., x_iJ)`` becomes ``m_i = sum_j l_j * A x_ij + T_A(i)``
where ``l_j`` is all ones (bag of words) or the position encoding

    l_kj = 1 + 4 (k - (d + 1) / 2) (j - (J + 1) / 2) / (d J),   j = 1..J words, k = 1..d dimensions,

with ``J`` the number of words in *that* sentence, and ``T_A(i)`` a learned vector for
memory slot ``i`` (``i`` sentences before the question).

This is the weighting of the authors' released code (facebook/MemNN,
``MemN2N-babi-matlab/build_model.m``) and of the common reimplementations. The formula
printed in the paper, ``(1 - j/J) - (k/d)(1 - 2j/J)``, is about half of it (``2 x printed
= released + O(1/J + 1/d)``): its words weigh ~0.5 on average next to unscaled temporal
vectors, and with it the ``babi_single`` model stayed near chance on bAbI 1k task 6
(yes/no; 49 % test error after 40 epochs, 41 % after 100) and at 22 % on task 15 after 40,
against 36 % / 18 % (task 6, 40 / 100 epochs) and 0.0 % (task 15, 40) with the released
weighting, whose mean over dimensions is 1 for every word, as in a bag of words.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from lecun_zoo.model import serializable

__all__ = ["position_encoding", "position_weights", "SentenceEmbedding"]


def position_encoding(num_words: int, dim: int) -> np.ndarray:
    """``l`` for one sentence of ``num_words`` words: ``[num_words, dim]``, row ``j - 1``
    holding ``l_j`` (so ``m = sum_j l_j * embedding_j``); see the module docstring."""
    j = np.arange(1, num_words + 1, dtype="float64")[:, None]  # [J, 1]
    k = np.arange(1, dim + 1, dtype="float64")[None, :]  # [1, d]
    return (1.0 + 4.0 * (k - (dim + 1) / 2.0) * (j - (num_words + 1) / 2.0) / (dim * num_words)).astype("float32")


def position_weights(ids, dim: int, padded_length: bool = False):
    """Position encoding weights for left-aligned, zero-padded word ids.

    Args:
        ids: int ``[..., L]``; 0 pads.
        padded_length: ``J = L`` for every sentence (the authors' code, where ``J`` is the
            longest sentence of the data), instead of each sentence's own word count (the
            paper's text).
    Returns:
        float32 ``[..., L, dim]``: ``l_kj``, 0 at padded positions.
    """
    present = ops.cast(ops.not_equal(ids, 0), "float32")  # [..., L]
    length = ops.shape(ids)[-1]
    if padded_length:
        num_words = ops.cast(length, "float32")  # J = L: a word's weights depend on its position only
    else:
        num_words = ops.maximum(ops.sum(present, axis=-1, keepdims=True), 1.0)  # [..., 1]: J
    j = ops.cast(ops.arange(1, length + 1), "float32")  # [L]
    k = ops.cast(ops.arange(1, dim + 1), "float32") - (dim + 1) / 2.0  # [d]: k - (d + 1) / 2
    jc = (j - (num_words + 1.0) / 2.0) / (float(dim) * num_words)  # [..., L]: (j - (J + 1) / 2) / (d J)
    l = 1.0 + 4.0 * jc[..., None] * k  # [..., L, d]
    return l * present[..., None]


@serializable
class SentenceEmbedding(keras.layers.Layer):
    """Embeds sentences (sum of word vectors, optionally position-weighted) and adds a
    temporal vector per memory slot; ``reverse=True`` maps a vector back to word scores
    with the transposed matrix (the tied answer matrix ``W = C^K`` transposed).

    Args:
        vocab_size: V; id 0 pads and embeds to zero.
        dim: d.
        memory_size: M slots with a temporal vector each (0: no temporal encoding).
        position_encoding: weight words by ``l_j`` (else a bag of words).
        init_stddev: embeddings and temporal vectors start ~ N(0, init_stddev).
        pe_padded_length: position encoding with ``J`` = the padded length (see
            :func:`position_weights`).

    Call:
        ``ids`` int ``[batch, M, L]`` (a memory; temporal vectors added) -> ``[batch, M, d]``;
        ``ids`` int ``[batch, L]`` (a question) -> ``[batch, d]``;
        ``reverse=True``: ``u`` ``[batch, d]`` -> word scores ``[batch, V]``.
    """

    def __init__(self, vocab_size: int, dim: int, memory_size: int = 0, position_encoding: bool = True,
                 init_stddev: float = 0.1, pe_padded_length: bool = False, **kwargs):
        super().__init__(**kwargs)
        if vocab_size < 2 or dim < 1 or memory_size < 0:
            raise ValueError(f"SentenceEmbedding got vocab_size={vocab_size}, dim={dim}, memory_size={memory_size}; "
                             f"expected vocab_size >= 2, dim >= 1, memory_size >= 0")
        self.vocab_size, self.dim, self.memory_size = int(vocab_size), int(dim), int(memory_size)
        self.position_encoding, self.init_stddev = bool(position_encoding), float(init_stddev)
        self.pe_padded_length = bool(pe_padded_length)

    def build(self, input_shape):
        init = keras.initializers.RandomNormal(stddev=self.init_stddev)
        self.embeddings = self.add_weight(shape=(self.vocab_size, self.dim), initializer=init, name="embeddings")
        self.temporal = None
        if self.memory_size:
            self.temporal = self.add_weight(shape=(self.memory_size, self.dim), initializer=init, name="temporal")

    def call(self, inputs, reverse: bool = False):
        if reverse:  # [batch, d] -> [batch, V]
            return ops.matmul(inputs, ops.transpose(ops.cast(self.embeddings, self.compute_dtype)))
        ids = ops.cast(inputs, "int32")
        # ``* 1`` makes the table's gradient a dense [V, d] matrix: a plain lookup gives
        # TensorFlow ``IndexedSlices`` with one row per *occurrence* of a word, and Keras'
        # ``clipnorm`` then measures the norm of those rows before they are summed. A word
        # used n times in a batch ("is", "the") escapes the clip by up to sqrt(n), so the
        # paper's "gradient of norm > 40 rescaled to 40" per matrix did not hold and linear
        # start blew up (summed loss ~5000 per batch on bAbI task 16).
        table = ops.multiply(self.embeddings, ops.ones((), dtype=self.embeddings.dtype))  # [V, d]
        words = ops.take(table, ids, axis=0)  # [..., L, d]
        if self.position_encoding:
            weights = position_weights(ids, self.dim, self.pe_padded_length)  # [..., L, d]
        else:
            weights = ops.cast(ops.not_equal(ids, 0), "float32")[..., None]  # [..., L, 1]
        sentences = ops.sum(ops.cast(words, self.compute_dtype) * ops.cast(weights, self.compute_dtype), axis=-2)
        if len(inputs.shape) == 3 and self.temporal is not None:  # [batch, M, d] + [1, M, d]
            sentences = sentences + ops.cast(self.temporal, self.compute_dtype)[None]
        return sentences

    def compute_output_spec(self, inputs, reverse: bool = False):
        last = self.vocab_size if reverse else self.dim
        return keras.KerasTensor(tuple(inputs.shape[:-1]) + (last,), dtype=self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "dim": self.dim,
                "memory_size": self.memory_size, "position_encoding": self.position_encoding,
                "init_stddev": self.init_stddev, "pe_padded_length": self.pe_padded_length}
