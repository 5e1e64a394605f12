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

__all__ = ["Perplexity", "BitsPerToken", "TokenNLL", "token_nll"]


def token_nll(y_true, y_pred, from_logits: bool = False):
    """Negative log-likelihood of each target token: ``y_true [...]`` ids,
    ``y_pred [..., vocab]`` probabilities (or logits) -> ``[...]`` float32.

    Reads one entry per token (``-log p[target]``, or ``logsumexp - logit[target]``)
    instead of a cross-entropy over the whole vocabulary: a metric of a 10k-word model
    then costs a gather, not a second softmax per step. Probabilities are floored at
    the smallest normal float32 (about 1e-38: NLL at most 87.3), not at Keras' 1e-7
    (16.1 nats), so rare tokens keep their true cost."""
    y_pred = ops.cast(y_pred, "float32")
    ids = ops.cast(y_true, "int32")  # [...]
    vocab = ops.shape(y_pred)[-1]
    flat_ids = ops.reshape(ids, (-1,))  # [n]
    rows = ops.arange(ops.shape(flat_ids)[0], dtype="int32") * vocab  # [n]
    # a gather from the flat table: its gradient is a scatter of n values (take_along_axis was slower)
    picked = ops.reshape(ops.take(ops.reshape(y_pred, (-1,)), rows + flat_ids), ops.shape(ids))  # [...]
    if from_logits:
        return ops.logsumexp(y_pred, axis=-1) - picked
    return -ops.log(ops.maximum(picked, _TINY))


_TINY = 1.1754944e-38  # smallest normal float32


@keras.saving.register_keras_serializable(package="lecun_zoo")
class TokenNLL(keras.losses.Loss):
    """Mean negative log-likelihood of the target tokens, read off the model's
    probabilities (:func:`token_nll`): the cross-entropy of a softmax output.

    Same value as ``keras.losses.SparseCategoricalCrossentropy()`` (up to its 1e-7
    floor) and the same gradient (``p - onehot`` at the logits), without TensorFlow's
    ``SparseSoftmaxCrossEntropyWithLogits`` kernel: on a 10k-word softmax that kernel
    took as long as the output layer's three matmuls together (bench/word_lm_throughput.py).

    Example:
        >>> round(float(TokenNLL()([[1]], [[[0.5, 0.5]]])), 4)   # ln 2
        0.6931
    """

    def __init__(self, from_logits: bool = False, name: str = "token_nll", **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        return token_nll(y_true, y_pred, self.from_logits)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}


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
