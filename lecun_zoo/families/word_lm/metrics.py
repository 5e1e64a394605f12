"""Perplexity and bits per token of a language model, exact over a whole data set.

Both accumulate the total negative log-likelihood and the total number of tokens, so
the result after any number of batches of any sizes is ``exp(total NLL / tokens)``
(or ``total NLL / tokens / ln 2``): the perplexity of the whole data set, not a mean
of per-batch perplexities.
"""

from __future__ import annotations

import math

import keras
from keras import ops

__all__ = ["Perplexity", "BitsPerToken", "token_nll"]


def token_nll(y_true, y_pred, from_logits: bool = False):
    """Negative log-likelihood of each target token: ``y_true [...]`` ids,
    ``y_pred [..., vocab]`` probabilities (or logits) -> ``[...]`` float32."""
    y_pred = ops.cast(y_pred, "float32")
    y_true = ops.cast(y_true, "int32")
    return keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits)


@keras.saving.register_keras_serializable(package="lecun_zoo")
class Perplexity(keras.metrics.Metric):
    """``exp(sum NLL / number of tokens)`` over every batch seen since the last reset.

    Args:
        from_logits: ``y_pred`` holds logits rather than probabilities.
        ignore_id: a target id (e.g. padding) that does not count; ``None``: every token counts.
        name: metric name.

    Example:
        >>> m = Perplexity()
        >>> m.update_state([[0, 1]], [[[0.5, 0.5], [0.25, 0.75]]])
        >>> round(float(m.result()), 4)   # exp(-(ln 0.5 + ln 0.75) / 2)
        1.633
    """

    def __init__(self, from_logits: bool = False, ignore_id=None, name: str = "perplexity", **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.from_logits = from_logits
        self.ignore_id = ignore_id
        self.total_nll = self.add_variable(shape=(), initializer="zeros", dtype="float32", name="total_nll")
        self.tokens = self.add_variable(shape=(), initializer="zeros", dtype="float32", name="tokens")

    def update_state(self, y_true, y_pred, sample_weight=None):
        nll = token_nll(y_true, y_pred, self.from_logits)  # [batch, ...]
        weight = ops.ones_like(nll)
        if self.ignore_id is not None:
            weight = weight * ops.cast(ops.not_equal(ops.cast(y_true, "int32"), self.ignore_id), "float32")
        if sample_weight is not None:
            sw = ops.cast(sample_weight, "float32")
            while len(sw.shape) < len(weight.shape):
                sw = ops.expand_dims(sw, -1)
            weight = weight * sw
        self.total_nll.assign_add(ops.sum(nll * weight))
        self.tokens.assign_add(ops.sum(weight))

    def mean_nll(self):
        return ops.divide_no_nan(self.total_nll, self.tokens)

    def result(self):
        return ops.exp(self.mean_nll())

    def reset_state(self):
        self.total_nll.assign(0.0)
        self.tokens.assign(0.0)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits, "ignore_id": self.ignore_id}


@keras.saving.register_keras_serializable(package="lecun_zoo")
class BitsPerToken(Perplexity):
    """``sum NLL / number of tokens / ln 2``: bits per character for a character model."""

    def __init__(self, from_logits: bool = False, ignore_id=None, name: str = "bits_per_token", **kwargs) -> None:
        super().__init__(from_logits=from_logits, ignore_id=ignore_id, name=name, **kwargs)

    def result(self):
        return self.mean_nll() / math.log(2.0)
