"""Deep autoencoders with greedy layer-wise pretraining (Hinton & Salakhutdinov 2006,
Science 313; LeCun, Bengio & Hinton 2015).

``FAMILY`` is the entry-point target. This module imports no Keras.
"""

from lecun_zoo.family import Family
from lecun_zoo.families.autoencoder.codes import encode, plot_codes, plot_reconstructions, reconstruct
from lecun_zoo.families.autoencoder.config import PRESETS, AutoencoderConfig
from lecun_zoo.families.autoencoder.pretraining import fit, pretrain, unroll
from lecun_zoo.families.autoencoder.hooks import adapt_to_data, compile_model, example_batch, search_space

FAMILY = Family(
    name="autoencoder",
    summary="Deep autoencoders and classifiers pretrained greedily, one layer at a time (RBMs with CD-k, "
            "or plain/denoising autoencoder layers), then fine-tuned end to end.",
    paper=(
        "Hinton & Salakhutdinov (2006), Reducing the dimensionality of data with neural networks, Science 313; "
        "Hinton, Osindero & Teh (2006), A fast learning algorithm for deep belief nets, Neural Comput. 18; "
        "Bengio, Lamblin, Popovici & Larochelle (2007), Greedy layer-wise training of deep networks, NIPS; "
        "LeCun, Bengio & Hinton (2015), Deep learning, Nature 521."
    ),
    config_cls=AutoencoderConfig,
    build="lecun_zoo.families.autoencoder.model:DeepAutoencoder",
    compile=compile_model,
    presets=PRESETS,
    default_preset="hinton2006",
    capabilities=("mixed_precision", "distribution", "tuning"),
    tags=("pretraining", "vision"),
    datasets=("digits", "mnist", "fashion_mnist"),
    default_data="digits",
    metrics=("loss", "squared_error"),
    example_batch=example_batch,
    search_space=search_space,
    adapt_to_data=adapt_to_data,
    fit=fit,
    aliases=("dbn", "deep_autoencoder"),
    weights="lecun_zoo.families.autoencoder:weights",
    # Hinton & Salakhutdinov 2006 on all 60,000 MNIST training images (no validation split
    # carved): 50 CD-1 epochs per RBM (the presets), then fine-tuning with Adam in batches
    # of 100, the learning rate decaying at the end (docs/results/autoencoder.md)
    recipes={"mnist": [
        dict(preset="hinton2006", epochs=120, batch_size=100, validation=False,
             schedule={"kind": "exponential", "factor": 0.97, "after": 40}),
        dict(preset="hinton2006_classifier", epochs=40, batch_size=100, validation=False,
             schedule={"kind": "exponential", "factor": 0.9, "after": 5}),
    ]},
)

__all__ = ["FAMILY", "AutoencoderConfig", "encode", "reconstruct", "plot_codes", "plot_reconstructions",
           "pretrain", "unroll", "fit"]
