"""ConvNet configuration and presets (no Keras import)."""

from __future__ import annotations

import dataclasses

from lecun_zoo.config import Config, ConfigError, field, spec

ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "gelu")


@dataclasses.dataclass(frozen=True)
class ConvNetConfig(Config):
    """A stack of convolution stages (conv x ``convs_per_stage``, optional batch norm,
    activation, pooling), a dense head and a softmax classifier."""

    family = "convnet"

    input_shape: tuple[int, int, int] = field(default=(28, 28, 1), metadata=spec(range=(1, None), help="height, width, channels"))
    num_classes: int = field(default=10, metadata=spec(range=(2, None), help="output classes"))
    filters: tuple[int, ...] = field(default=(32, 64), metadata=spec(range=(1, None), min_len=1, help="filters of each conv stage"))
    kernel_size: int = field(default=3, metadata=spec(range=(1, None), help="square kernel size"))
    convs_per_stage: int = field(default=1, metadata=spec(range=(1, 8), help="conv layers before each pooling"))
    padding: str = field(default="same", metadata=spec(choices=("same", "valid")))
    activation: str = field(default="relu", metadata=spec(choices=ACTIVATIONS))
    pooling: str = field(default="max", metadata=spec(choices=("max", "avg", "none"), help="'avg' is LeNet's subsampling"))
    pool_size: int = field(default=2, metadata=spec(range=(1, None)))
    batch_norm: bool = field(default=False, metadata=spec(help="batch norm after every conv"))
    dense_units: tuple[int, ...] = field(default=(), metadata=spec(range=(1, None), help="hidden dense layers of the head"))
    dropout: float = field(default=0.5, metadata=spec(range=(0.0, 1.0), open_upper=True, help="dropout before each dense layer"))
    input_padding: int = field(default=0, metadata=spec(range=(0, 64), help="zero padding around the image (LeNet-5: 28x28 -> 32x32)"))
    augment: bool = field(default=False, metadata=spec(help="random shifts and rotations, in training only"))
    shift: float = field(default=0.1, metadata=spec(range=(0.0, 0.5), help="max shift, fraction of height/width"))
    rotation: float = field(default=0.03, metadata=spec(range=(0.0, 0.5), help="max rotation, fraction of a full turn"))
    optimizer: str = field(default="adam", metadata=spec(choices=("adam", "sgd", "rmsprop")))
    learning_rate: float = field(default=1e-3, metadata=spec(range=(0.0, 10.0), open_upper=False))
    momentum: float = field(default=0.9, metadata=spec(range=(0.0, 1.0), open_upper=True, help="sgd only"))

    def validate(self) -> None:
        if self.learning_rate <= 0:
            raise ConfigError(f"convnet config field 'learning_rate' got {self.learning_rate!r}; expected a value > 0")
        self.feature_map_sizes()  # raises if the image shrinks to nothing

    def feature_map_sizes(self) -> list[tuple[int, int]]:
        """(height, width) after each stage; raises ConfigError naming the stage that
        the image no longer fits."""
        h, w = (self.input_shape[0] + 2 * self.input_padding, self.input_shape[1] + 2 * self.input_padding)
        sizes = []
        for stage, f in enumerate(self.filters, start=1):
            for _ in range(self.convs_per_stage):
                if self.padding == "valid":
                    h, w = h - self.kernel_size + 1, w - self.kernel_size + 1
                if h < 1 or w < 1:
                    raise ConfigError(
                        f"convnet config: input_shape {self.input_shape} is too small for stage {stage} "
                        f"(filters={f}, kernel_size={self.kernel_size}, padding='valid'): the maps shrink "
                        f"to {h}x{w}; expected >= 1x1. Use padding='same', a smaller kernel_size, "
                        f"fewer filters stages or input_padding"
                    )
            if self.pooling != "none":
                h, w = h // self.pool_size, w // self.pool_size
                if h < 1 or w < 1:
                    raise ConfigError(
                        f"convnet config: input_shape {self.input_shape} is too small for pooling after "
                        f"stage {stage} (pool_size={self.pool_size}): the maps shrink to {h}x{w}; "
                        f"expected >= 1x1. Use fewer stages, pool_size or pooling='none'"
                    )
            sizes.append((h, w))
        return sizes


PRESETS = {
    # LeCun, Bottou, Bengio & Haffner 1998: C1 6@5x5, S2 avg 2x2, C3 16@5x5, S4, C5 120, F6 84.
    # C5 sees a 5x5 map with a 5x5 kernel, so it is a 120-unit dense layer here.
    # Deviations (stated in the README): C3 fully connected to S2 (no connection
    # table), a softmax output instead of Euclidean RBF units, Adam.
    "lenet5": dict(
        input_shape=(28, 28, 1), input_padding=2, filters=(6, 16), kernel_size=5, padding="valid",
        activation="tanh", pooling="avg", dense_units=(120, 84), dropout=0.0, augment=False,
    ),
    # The Nature paper's recipe: ReLU, max pooling, dropout, augmentation (keras-io mnist_convnet
    # layout: 32 and 64 3x3 filters, dropout 0.5 before the classifier).
    "modern": dict(
        input_shape=(28, 28, 1), filters=(32, 64), kernel_size=3, padding="same", activation="relu",
        pooling="max", dense_units=(), dropout=0.5, augment=True, shift=0.1, rotation=0.03,
    ),
    # The main job's ConvNet for scikit-learn's 8x8 digits (Family.recipes["digits"]): two
    # same-padded 3x3 stages with batch norm, a 128-unit head; no augmentation (8x8 images
    # have no room to shift). Measured on the fixed split: bench/digits_baselines.py.
    "digits": dict(
        input_shape=(8, 8, 1), filters=(64, 128), kernel_size=3, padding="same", activation="relu",
        pooling="max", batch_norm=True, dense_units=(128,), dropout=0.3, augment=False, learning_rate=3e-3,
    ),
    # Small and deterministic in training (no dropout, no augmentation): tests and CI.
    "tiny": dict(
        input_shape=(8, 8, 1), filters=(4,), kernel_size=3, padding="same", activation="relu",
        pooling="max", dense_units=(), dropout=0.0, augment=False,
    ),
}
