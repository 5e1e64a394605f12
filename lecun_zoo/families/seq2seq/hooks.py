"""The functions ``FAMILY`` names: how a Seq2Seq is compiled, tuned and fed (no Keras import at
module level)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lecun_zoo.families.seq2seq.config import Seq2SeqConfig
from lecun_zoo.optimizers import make_optimizer


def compile_model(model: Any, config: Seq2SeqConfig) -> None:
    from lecun_zoo.families.seq2seq.losses import MaskedAccuracy, MaskedSparseCrossentropy, SequenceAccuracy

    model.compile(
        optimizer=make_optimizer(config.optimizer, config.learning_rate, clipnorm=config.clipnorm, clip=config.clip),
        loss=MaskedSparseCrossentropy(config.loss_normalization),
        metrics=[MaskedAccuracy(), SequenceAccuracy()],
    )


def search_space(hp: Any, config: Seq2SeqConfig) -> dict:
    """Width, embedding size, dropout, learning rate and the attention score."""
    return {
        "units": hp.Choice("units", [8, 32, 128, 256]) if config.units <= 8 else hp.Choice("units", [128, 256, 512]),
        "embedding_dim": hp.Choice("embedding_dim", [8, 32, 128]),
        "dropout": hp.Float("dropout", 0.0, 0.5, step=0.1),
        "learning_rate": hp.Float("learning_rate", 1e-4, 1e-2, sampling="log"),
        "attention": hp.Choice("attention", ["none", "bahdanau", "luong"]),
    }


def example_batch(config: Seq2SeqConfig, batch_size: int = 8, seed: int = 0):
    """Random id sequences of random lengths, right-padded with 0 (a real teacher-forcing
    feed: ``target_in = <start> y``, ``target_out = y <end>``)."""
    rng = np.random.default_rng(seed)
    s_max, t_max = min(7, config.max_source_length), min(6, config.max_target_length)
    src = np.zeros((batch_size, s_max), "int32")
    t_in = np.zeros((batch_size, t_max + 1), "int32")
    t_out = np.zeros((batch_size, t_max + 1), "int32")
    for i in range(batch_size):
        n, m = int(rng.integers(1, s_max + 1)), int(rng.integers(1, t_max + 1))
        src[i, :n] = rng.integers(4, config.source_vocab_size, size=n)
        y = rng.integers(4, config.target_vocab_size, size=m)
        t_in[i, 0], t_in[i, 1: m + 1] = 2, y
        t_out[i, :m], t_out[i, m] = y, 3
    return {"source": src, "target_in": t_in}, t_out


def adapt_to_data(info: Any) -> dict:
    """Vocabularies and tokenisation come from the dataset."""
    extra = getattr(info, "extra", None) or {}
    out = {}
    for key in ("source_vocab", "target_vocab", "source_level", "target_level", "lowercase"):
        if key in extra:
            out[key] = tuple(extra[key]) if key.endswith("vocab") else extra[key]
    return out


def data_options(config: Seq2SeqConfig) -> dict:
    """Tokenisation, vocabulary and length options for parallel-text sources (generated
    tasks ignore them). The same config gives the same vocabulary from the same files, so
    ``lecun-zoo evaluate`` encodes the data as training did. A pair longer than the limits
    raises, naming its file and line."""
    return {"source_level": config.source_level, "target_level": config.target_level, "lowercase": config.lowercase,
            "min_count": config.min_count, "max_source_vocab": config.max_source_vocab or None,
            "max_target_vocab": config.max_target_vocab or None,
            "max_source_length": config.max_source_length, "max_target_length": config.max_target_length}
