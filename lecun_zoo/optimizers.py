"""Optimizers by name, shared by the families' ``compile`` functions."""

from __future__ import annotations

from typing import Any

OPTIMIZERS = ("adam", "sgd", "rmsprop")


def make_optimizer(name: str, learning_rate: float, momentum: float = 0.9, **kwargs: Any):
    """``adam``, ``sgd`` (with ``momentum``) or ``rmsprop``; ``kwargs`` (e.g. ``clipnorm``)
    go to the Keras optimizer."""
    import keras

    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=momentum, **kwargs)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate, **kwargs)
    if name == "adam":
        return keras.optimizers.Adam(learning_rate, **kwargs)
    raise ValueError(f"optimizer got {name!r}; expected one of {list(OPTIMIZERS)}")
