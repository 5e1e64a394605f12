"""The functions ``FAMILY`` names: how a memory network is compiled, tuned and fed (no Keras
import at module level; its linear-start training is in ``linear_start``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lecun_zoo.families.memnet.config import MemNetConfig
from lecun_zoo.optimizers import make_optimizer


def compile_model(model: Any, config: MemNetConfig) -> None:
    """SGD (paper) or Adam, the gradients clipped to ``max_grad_norm`` (per weight by
    default, ``config.clip``), the loss summed over the batch as in the paper."""
    import keras

    opt = make_optimizer(config.optimizer, config.learning_rate, clipnorm=config.max_grad_norm, clip=config.clip)
    reduction = "sum" if config.loss_reduction == "sum" else "sum_over_batch_size"
    model.compile(
        optimizer=opt,
        loss=keras.losses.SparseCategoricalCrossentropy(reduction=reduction),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )


def search_space(hp: Any, config: MemNetConfig) -> dict:
    """Embedding size, hops, sentence representation and learning rate."""
    return {
        "embedding_dim": hp.Choice("embedding_dim", [8, 20, 50]),
        "hops": hp.Int("hops", 1, 3),
        "sentence_encoding": hp.Choice("sentence_encoding", ["pe", "bow"]),
        "learning_rate": hp.Float("learning_rate", 1e-3, 3e-2, sampling="log"),
    }


def example_batch(config: MemNetConfig, batch_size: int = 8, seed: int = 0):
    """Random stories that fill every memory slot (so every temporal vector is used)."""
    rng = np.random.default_rng(seed)
    v, m, l = config.vocab_size, config.memory_size, config.sentence_len
    lengths = rng.integers(1, l + 1, size=(batch_size, m))  # words per sentence
    story = rng.integers(2, v, size=(batch_size, m, l)).astype("int32")
    story *= (np.arange(l)[None, None, :] < lengths[..., None])  # left-aligned, zero-padded
    qlen = rng.integers(1, l + 1, size=(batch_size, 1))
    question = (rng.integers(2, v, size=(batch_size, l)) * (np.arange(l)[None, :] < qlen)).astype("int32")
    answer = rng.integers(2, v, size=(batch_size,)).astype("int32")
    return {"story": story.astype("int32"), "question": question}, answer


def adapt_to_data(info: Any) -> dict:
    """Vocabulary, sentence length and the longest story (``attend_slots``) come from the dataset."""
    extra = getattr(info, "extra", None) or {}
    out = {}
    if extra.get("longest_story"):
        out["attend_slots"] = int(extra["longest_story"])
    if extra.get("vocab"):
        out["vocab"] = tuple(extra["vocab"])
    if extra.get("sentence_len"):
        out["sentence_len"] = int(extra["sentence_len"])
    return out


def data_options(config: MemNetConfig) -> dict:
    """Memory size and sentence padding of the model; the task and set size if set."""
    out = {"memory_size": config.memory_size, "sentence_len": config.sentence_len, "size": config.babi_size}
    if config.task != "":
        out["task"] = config.task
    return out
