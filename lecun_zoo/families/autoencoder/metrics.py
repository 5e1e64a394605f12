"""Squared reconstruction error per example, the measure of Hinton & Salakhutdinov
(2006, Fig. 2): the squared error summed over the pixels of an image, averaged over
images (not the per-pixel mean that ``"mse"`` reports)."""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["squared_error_per_example", "SquaredError"]


def squared_error_per_example(y_true, y_pred):
    """``sum over non-batch axes of (y_true - y_pred)^2``: [batch, ...] -> [batch]."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    diff = ops.reshape(y_true - y_pred, (ops.shape(y_pred)[0], -1))  # [batch, values]
    return ops.sum(ops.square(diff), axis=-1)


@keras.saving.register_keras_serializable(package="lecun_zoo")
class SquaredError(keras.metrics.MeanMetricWrapper):
    """Mean over examples of the summed squared error (``squared_error`` in logs).

    Example:
        >>> m = SquaredError()
        >>> m.update_state(np.zeros((2, 3)), np.ones((2, 3)))
        >>> float(m.result())
        3.0
    """

    def __init__(self, name: str = "squared_error", dtype=None) -> None:
        super().__init__(fn=squared_error_per_example, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}
