"""The functions ``FAMILY`` names: how a deep autoencoder is compiled, tuned and fed (no Keras
import at module level; its staged training is in ``pretraining``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lecun_zoo.data.base import shape_and_classes
from lecun_zoo.optimizers import make_optimizer

from lecun_zoo.families.autoencoder.config import AutoencoderConfig


def compile_model(model: Any, config: AutoencoderConfig) -> None:
    """Autoencoder head: cross-entropy (or MSE) on the input, plus ``squared_error``, the
    summed squared error per image of the paper's Fig. 2. Classifier head: sparse
    categorical cross-entropy and accuracy."""
    import keras

    from lecun_zoo.families.autoencoder.metrics import SquaredError

    opt = make_optimizer(config.optimizer, config.learning_rate,
                         momentum=config.momentum if config.optimizer == "sgd" else 0.0)
    if config.head == "autoencoder":
        loss = (keras.losses.BinaryCrossentropy() if config.reconstruction_loss == "binary_crossentropy"
                else keras.losses.MeanSquaredError())
        model.compile(optimizer=opt, loss=loss, metrics=[SquaredError()])
    else:
        model.compile(optimizer=opt, loss=keras.losses.SparseCategoricalCrossentropy(),
                      metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])


def search_space(hp: Any, config: AutoencoderConfig) -> dict:
    """Width of the hidden layers (the code size stays), epochs per layer, CD steps,
    pretraining and fine-tuning learning rates."""
    scale = hp.Choice("width_scale", [1.0, 0.5, 2.0])
    sizes = tuple(max(1, int(round(s * scale))) for s in config.layer_sizes[:-1]) + (config.layer_sizes[-1],)
    out = {
        "layer_sizes": sizes,
        "learning_rate": hp.Float("learning_rate", 1e-4, 1e-2, sampling="log"),
    }
    if config.pretrain != "none":
        out["pretrain_epochs"] = hp.Int("pretrain_epochs", 1, max(2, 2 * config.pretrain_epochs))
        out["pretrain_learning_rate"] = hp.Float("pretrain_learning_rate", 0.01, 0.3, sampling="log")
    if config.pretrain == "rbm":
        out["cd_steps"] = hp.Choice("cd_steps", [1, 3, 10])
    return out


def example_batch(config: AutoencoderConfig, batch_size: int = 8, seed: int = 0):
    """Images in [0, 1] and integer labels (the autoencoder head ignores the labels)."""
    rng = np.random.default_rng(seed)
    x = rng.random((batch_size, *config.input_shape), dtype=np.float32)
    if config.visible_units == "gaussian":
        x = (x - 0.5) * 2.0
    y = rng.integers(0, config.num_classes, size=(batch_size,)).astype("int32")
    return x, y


def adapt_to_data(info: Any) -> dict:
    """Input shape and number of classes come from the dataset."""
    return shape_and_classes(info)
