"""The two layers a word-embedding language model needs beyond stock Keras: the NPLM's
window of concatenated previous-word features, and an embedding table that is also
the output softmax's weight matrix (tied input/output embeddings)."""

from __future__ import annotations

import keras
from keras import ops

from lecun_zoo.model import serializable


@serializable
class ContextWindow(keras.layers.Layer):
    """Concatenates the features of ``size`` consecutive tokens at every position
    (Bengio et al. 2003's ``x = (C(w_{t-n+1}), ..., C(w_{t-1}))``), for every window at once.

    Args:
        size: tokens per window (the NPLM's n - 1).

    Input ``[batch, time, dim]``; output ``[batch, time - size + 1, size * dim]``: row
    ``j`` holds tokens ``j .. j + size - 1``, oldest first.

    Example:
        >>> import numpy as np
        >>> tuple(ContextWindow(2)(np.arange(3, dtype="float32").reshape(1, 3, 1)).shape)
        (1, 2, 2)
    """

    def __init__(self, size: int, **kwargs) -> None:
        super().__init__(**kwargs)
        if int(size) < 1:
            raise ValueError(f"ContextWindow size got {size!r}; expected an int >= 1")
        self.size = int(size)

    def call(self, inputs):
        k = self.size
        # slice i: tokens i .. time - k + i  -> [batch, time - k + 1, dim] each
        parts = [inputs[:, i: (i - k + 1) or None, :] for i in range(k)]
        return ops.concatenate(parts, axis=-1)  # [batch, time - k + 1, k * dim]

    def compute_output_shape(self, input_shape):
        b, t, d = input_shape
        return (b, None if t is None else t - self.size + 1, None if d is None else d * self.size)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


@serializable
class TiedEmbedding(keras.layers.Layer):
    """A token embedding table ``[vocab, dim]`` that is also the output layer:
    ``layer(ids)`` looks tokens up; ``layer(features, reverse=True)`` gives the logits
    ``features @ table^T + bias`` (Press & Wolf 2017; Inan et al. 2017).

    Args:
        vocab_size: number of tokens.
        dim: feature size.
        embeddings_initializer: initializer of the table.
    """

    def __init__(self, vocab_size: int, dim: int, embeddings_initializer="uniform", **kwargs) -> None:
        super().__init__(**kwargs)
        self.vocab_size, self.dim = int(vocab_size), int(dim)
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(shape=(self.vocab_size, self.dim), initializer=self.embeddings_initializer,
                                          name="embeddings")
        self.output_bias = self.add_weight(shape=(self.vocab_size,), initializer="zeros", name="output_bias")

    def call(self, inputs, reverse: bool = False):
        if reverse:  # inputs [..., dim] -> logits [..., vocab]
            return ops.matmul(inputs, ops.transpose(self.embeddings)) + self.output_bias
        return ops.take(self.embeddings, ops.cast(inputs, "int32"), axis=0)  # [..., dim]

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size, "dim": self.dim,
                "embeddings_initializer": keras.initializers.serialize(self.embeddings_initializer)}
