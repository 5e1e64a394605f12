"""The ConvNet model: stages of convolution, non-linearity and pooling, then a
classifier (LeCun, Bengio & Hinton 2015, Fig. 2; LeCun et al. 1998)."""

from __future__ import annotations

import keras

from lecun_zoo.families.convnet.config import ConvNetConfig
from lecun_zoo.model import ZooModel, serializable


@serializable
class ConvNet(ZooModel):
    """A convolutional classifier.

    Args:
        config: a :class:`ConvNetConfig` or a dict of its fields.

    Example:
        >>> model = ConvNet({"input_shape": [8, 8, 1], "filters": [4]})
        >>> model.output_shape
        (None, 10)
    """

    config_cls = ConvNetConfig

    @classmethod
    def build_graph(cls, c: ConvNetConfig):
        inputs = keras.Input(shape=c.input_shape, name="image")  # [batch, h, w, channels]
        x = inputs
        if c.augment:  # active only when training=True
            x = keras.layers.RandomTranslation(c.shift, c.shift, fill_mode="constant", name="random_shift")(x)
            if c.rotation > 0:
                x = keras.layers.RandomRotation(c.rotation, fill_mode="constant", name="random_rotation")(x)
        if c.input_padding:
            x = keras.layers.ZeroPadding2D(c.input_padding, name="input_padding")(x)
        pool_layer = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}.get(c.pooling)
        for stage, filters in enumerate(c.filters, start=1):
            for j in range(1, c.convs_per_stage + 1):
                if c.batch_norm:  # conv -> batch norm -> non-linearity
                    x = keras.layers.Conv2D(filters, c.kernel_size, padding=c.padding, use_bias=False,
                                            name=f"conv{stage}_{j}")(x)
                    x = keras.layers.BatchNormalization(name=f"bn{stage}_{j}")(x)
                    x = keras.layers.Activation(c.activation, name=f"act{stage}_{j}")(x)
                else:  # the non-linearity inside the conv layer, which oneDNN fuses
                    x = keras.layers.Conv2D(filters, c.kernel_size, padding=c.padding,
                                            activation=c.activation, name=f"conv{stage}_{j}")(x)
            if pool_layer is not None:
                x = pool_layer(c.pool_size, name=f"pool{stage}")(x)
        x = keras.layers.Flatten(name="flatten")(x)  # [batch, h * w * filters[-1]]
        for i, units in enumerate(c.dense_units, start=1):
            if c.dropout:
                x = keras.layers.Dropout(c.dropout, name=f"dropout{i}")(x)
            x = keras.layers.Dense(units, activation=c.activation, name=f"dense{i}")(x)
        if c.dropout:
            x = keras.layers.Dropout(c.dropout, name="dropout_out")(x)
        logits = keras.layers.Dense(c.num_classes, name="logits")(x)
        # float32 probabilities, so the loss is float32 under mixed precision
        outputs = keras.layers.Activation("softmax", dtype="float32", name="probabilities")(logits)
        return inputs, outputs
