"""Padding-aware loss and metrics for sequence outputs (0 = padding in ``y_true``).

Known Keras pitfalls these avoid: a loss averaged over every position (padding included),
and a mask that a multi-input layer silently drops. Here the mask comes from ``y_true``
itself, and the model's output carries no Keras mask, so padding is removed exactly once.

Normalisations (``loss_normalization`` in the config):

- ``"sentence"``: each sentence's mean token cross-entropy, averaged over sentences. Every
  replica of a data-parallel step sees whole sentences, so the loss (and gradient) is the
  same on 1 or N devices.
- ``"token"``: the mean over all non-padding tokens of the batch (per replica under a
  distribution strategy).
"""

from __future__ import annotations

import keras
from keras import ops

from lecun_zoo.model import serializable

__all__ = ["MaskedSparseCrossentropy", "MaskedAccuracy", "SequenceAccuracy"]


@serializable
class MaskedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy of probabilities ``y_pred [batch, T, vocab]`` against ids ``y_true
    [batch, T]``, ignoring positions where ``y_true == 0``.

    Args:
        normalization: ``"sentence"`` or ``"token"`` (see the module docstring).
    """

    def __init__(self, normalization: str = "sentence", name: str = "masked_crossentropy", **kwargs) -> None:
        if normalization not in ("sentence", "token"):
            raise ValueError(f"MaskedSparseCrossentropy normalization got {normalization!r}; expected 'sentence' or 'token'")
        kwargs.setdefault("reduction", "sum_over_batch_size")
        super().__init__(name=name, **kwargs)
        self.normalization = normalization

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, "int32")  # [batch, T]
        mask = ops.cast(ops.not_equal(y_true, 0), "float32")  # [batch, T]
        nll = keras.losses.sparse_categorical_crossentropy(y_true, ops.cast(y_pred, "float32"))  # [batch, T]
        nll = nll * mask
        if self.normalization == "sentence":
            # [batch]; the reduction then averages over sentences
            return ops.divide_no_nan(ops.sum(nll, axis=1), ops.sum(mask, axis=1))
        # [batch, T] scaled so that sum / (batch * T) = sum(nll) / (non-pad tokens)
        total = ops.cast(ops.size(mask), "float32")
        return nll * ops.divide_no_nan(total, ops.sum(mask))

    def get_config(self) -> dict:
        return {**super().get_config(), "normalization": self.normalization}


@serializable
class MaskedAccuracy(keras.metrics.Mean):
    """Token accuracy (argmax == target) over non-padding positions, accumulated as
    correct tokens / real tokens across batches (and replicas)."""

    def __init__(self, name: str = "accuracy", **kwargs) -> None:
        super().__init__(name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, "int32")  # [batch, T]
        mask = ops.cast(ops.not_equal(y_true, 0), "float32")
        if sample_weight is not None:
            mask = mask * ops.cast(ops.reshape(sample_weight, (-1, 1)), "float32")
        hit = ops.cast(ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), y_true), "float32")
        # flattened: keras' Mean averages 2-D weights over the time axis first, which
        # weights a token by 1/T and so mixes batches of different widths wrongly
        return super().update_state(ops.reshape(hit, (-1,)), sample_weight=ops.reshape(mask, (-1,)))

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


@serializable
class SequenceAccuracy(keras.metrics.Mean):
    """Fraction of target sequences whose every non-padding token is predicted right
    (teacher forced: each step sees the true previous tokens)."""

    def __init__(self, name: str = "sequence_accuracy", **kwargs) -> None:
        super().__init__(name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, "int32")  # [batch, T]
        pad = ops.equal(y_true, 0)
        hit = ops.logical_or(pad, ops.equal(ops.cast(ops.argmax(y_pred, axis=-1), "int32"), y_true))
        whole = ops.cast(ops.all(hit, axis=1), "float32")  # [batch]
        return super().update_state(whole, sample_weight=sample_weight)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}
