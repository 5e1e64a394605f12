"""The deep autoencoder (encoder + mirrored decoder) and the deep classifier that greedy
pretraining initialises (Hinton & Salakhutdinov 2006; LeCun, Bengio & Hinton 2015)."""

from __future__ import annotations

import keras

from lecun_zoo.families.autoencoder.config import AutoencoderConfig
from lecun_zoo.families.autoencoder.rbm import RBM  # noqa: F401  (registered for loading)
from lecun_zoo.families.autoencoder.metrics import SquaredError  # noqa: F401  (registered for loading)
from lecun_zoo.model import ZooModel, serializable


def encoder_name(i: int) -> str:
    """Name of encoder layer ``i`` (1-based); the last one is the code."""
    return f"encoder_{i}"


def decoder_name(i: int) -> str:
    """Name of decoder layer ``i`` (1-based): ``decoder_i`` mirrors ``encoder_i``."""
    return f"decoder_{i}"


@serializable
class DeepAutoencoder(ZooModel):
    """Logistic layers ``input -> layer_sizes[0] -> ... -> layer_sizes[-1]`` (the code),
    then either a mirrored decoder back to the input (``head="autoencoder"``) or a
    softmax classifier (``head="classifier"``).

    With ``head="autoencoder"`` the model learns to reconstruct its input: the loss and
    metrics compare the output with ``x`` and ignore any targets, so labelled datasets
    (``(image, label)``) train it unchanged.

    Args:
        config: an :class:`AutoencoderConfig` or a dict of its fields.

    Example:
        >>> model = DeepAutoencoder({"input_shape": [8, 8, 1], "layer_sizes": [16, 4]})
        >>> model.output_shape
        (None, 8, 8, 1)
    """

    config_cls = AutoencoderConfig

    @classmethod
    def default_name(cls, config: AutoencoderConfig) -> str:
        return "autoencoder" if config.head == "autoencoder" else "deep_classifier"

    @classmethod
    def build_graph(cls, c: AutoencoderConfig):
        inputs = keras.Input(shape=c.input_shape, name="image")  # [batch, *input_shape]
        x = keras.layers.Flatten(name="flatten")(inputs)  # [batch, input_dim]
        n = len(c.layer_sizes)
        if c.input_dropout:  # layers without weights: a model without them loads the same weights
            x = keras.layers.Dropout(c.input_dropout, name="input_dropout")(x)
        for i, units in enumerate(c.layer_sizes, start=1):
            act = c.code_activation if i == n else "sigmoid"
            x = keras.layers.Dense(units, activation=act, name=encoder_name(i))(x)  # [batch, units]
            if c.dropout:
                x = keras.layers.Dropout(c.dropout, name=f"dropout_{i}")(x)
        if c.head == "classifier":
            logits = keras.layers.Dense(c.num_classes, name="logits")(x)
            outputs = keras.layers.Activation("softmax", dtype="float32", name="probabilities")(logits)
            return inputs, outputs
        widths = (c.input_dim,) + tuple(c.layer_sizes[:-1])
        for i in range(n, 0, -1):
            act = "sigmoid" if i > 1 else None  # the output's activation comes in float32 below
            x = keras.layers.Dense(widths[i - 1], activation=act, name=decoder_name(i))(x)
        x = keras.layers.Reshape(c.input_shape, name="unflatten")(x)  # [batch, input_dim] -> [batch, *input_shape]
        out_act = "sigmoid" if c.visible_units == "bernoulli" else "linear"
        outputs = keras.layers.Activation(out_act, dtype="float32", name="reconstruction")(x)
        return inputs, outputs

    @property
    def is_autoencoder(self) -> bool:
        return self.zoo_config.head == "autoencoder"

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if self.is_autoencoder:
            y = x  # the target of an autoencoder is its input
        return super().compute_loss(x, y, y_pred, sample_weight, training=training)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        if self.is_autoencoder:
            y = x
        return super().compute_metrics(x, y, y_pred, sample_weight)
