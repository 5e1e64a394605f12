"""The functions ``FAMILY`` names: how a ConvNet is compiled, tuned and fed (no Keras import at
module level)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lecun_zoo.data.base import shape_and_classes
from lecun_zoo.optimizers import make_optimizer

from lecun_zoo.families.convnet.config import ConvNetConfig


def compile_model(model: Any, config: ConvNetConfig) -> None:
    import keras

    model.compile(
        optimizer=make_optimizer(config.optimizer, config.learning_rate,
                                 momentum=config.momentum if config.optimizer == "sgd" else 0.0),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )


def search_space(hp: Any, config: ConvNetConfig) -> dict:
    """Width of the first stage (later stages double it), dropout, learning rate, batch norm."""
    base = hp.Choice("base_filters", [8, 16, 32, 64])
    return {
        "filters": tuple(base * 2**i for i in range(len(config.filters))),
        "dropout": hp.Float("dropout", 0.0, 0.5, step=0.1),
        "learning_rate": hp.Float("learning_rate", 1e-4, 1e-2, sampling="log"),
        "batch_norm": hp.Boolean("batch_norm"),
    }


def example_batch(config: ConvNetConfig, batch_size: int = 8, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((batch_size, *config.input_shape), dtype=np.float32)
    y = rng.integers(0, config.num_classes, size=(batch_size,)).astype("int32")
    return x, y


def adapt_to_data(info: Any) -> dict:
    """Input shape and number of classes come from the dataset."""
    return shape_and_classes(info)
