"""MemNet: end-to-end memory networks (Sukhbaatar, Szlam, Weston & Fergus 2015) on bAbI.

``FAMILY`` is the entry-point target. This module imports no Keras.

    model = lecun_zoo.get("memnet", preset="tiny")
    from lecun_zoo.families.memnet import answer
    answer(model, "Frodo went to the kitchen. Sam went to the garden.", "Where is Frodo?")
"""

from lecun_zoo.families.memnet.answer import Answer, answer, encode, plot_attention
from lecun_zoo.families.memnet.config import PRESETS, MemNetConfig
from lecun_zoo.families.memnet.linear_start import fit
from lecun_zoo.families.memnet.hooks import adapt_to_data, compile_model, data_options, example_batch, search_space
from lecun_zoo.family import Family

FAMILY = Family(
    name="memnet",
    summary="End-to-end memory networks (MemN2N): K soft-attention hops over sentence memories, bAbI QA.",
    paper=(
        "Sukhbaatar, Szlam, Weston & Fergus (2015), End-to-end memory networks, NeurIPS 28; "
        "Weston, Bordes, Chopra et al. (2015), Towards AI-complete question answering: a set of "
        "prerequisite toy tasks (bAbI)."
    ),
    config_cls=MemNetConfig,
    build="lecun_zoo.families.memnet.model:MemN2N",
    compile=compile_model,
    presets=PRESETS,
    default_preset="babi_single",
    capabilities=("mixed_precision", "distribution", "tuning"),
    tags=("attention", "memory", "text"),
    datasets=("babi_generated", "babi"),
    default_data="babi_generated",
    sources={"babi_generated": "lecun_zoo.families.memnet.babi_generated:DATASET",
             "babi": "lecun_zoo.families.memnet.babi:DATASET"},
    metrics=("loss", "accuracy"),
    example_batch=example_batch,
    search_space=search_space,
    adapt_to_data=adapt_to_data,
    data_options=data_options,
    fit=fit,
    aliases=("memn2n", "memory_network"),
    weights="lecun_zoo.families.memnet:weights",
    # the authors' joint schedule on the real bAbI 1k (config_babi_joint.m): 90 epochs, batch 32
    recipes={"babi": dict(preset="babi_joint", epochs=90, batch_size=32)},
)

__all__ = ["FAMILY", "MemNetConfig", "answer", "encode", "plot_attention", "Answer"]
