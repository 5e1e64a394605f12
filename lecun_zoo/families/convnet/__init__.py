"""ConvNet: convolutional networks (LeCun et al. 1998; LeCun, Bengio & Hinton 2015, Fig. 2).

``FAMILY`` is the entry-point target. This module imports no Keras.
"""

from lecun_zoo.family import Family
from lecun_zoo.families.convnet.config import PRESETS, ConvNetConfig
from lecun_zoo.families.convnet.hooks import adapt_to_data, compile_model, example_batch, search_space

FAMILY = Family(
    name="convnet",
    summary="Convolutional networks: LeNet-5 and a modern ReLU/max-pool/dropout/augmentation stack.",
    paper=(
        "LeCun, Bottou, Bengio & Haffner (1998), Gradient-based learning applied to document "
        "recognition, Proc. IEEE 86(11); LeCun, Bengio & Hinton (2015), Deep learning, Nature 521."
    ),
    config_cls=ConvNetConfig,
    build="lecun_zoo.families.convnet.model:ConvNet",
    compile=compile_model,
    presets=PRESETS,
    default_preset="modern",
    capabilities=("mixed_precision", "distribution", "tuning"),
    tags=("vision",),
    datasets=("digits", "mnist", "fashion_mnist", "cifar10"),
    default_data="digits",
    sources={"cifar10": "lecun_zoo.data.tfds_source:CIFAR10"},  # a shared reader; only convnet trains on it
    metrics=("loss", "accuracy"),
    example_batch=example_batch,
    search_space=search_space,
    adapt_to_data=adapt_to_data,
    aliases=("cnn", "lenet"),
    weights="lecun_zoo.families.convnet:weights",
    # `lecun-zoo train convnet` (the README's main job): on the whole train split, as the
    # scikit-learn baselines it is compared with, with a decreasing learning rate
    recipes={"digits": dict(preset="digits", epochs=40, validation=False,
                            schedule={"kind": "piecewise", "boundaries": [25, 33], "factors": [1, 0.3, 0.1]})},
)

__all__ = ["FAMILY", "ConvNetConfig"]
