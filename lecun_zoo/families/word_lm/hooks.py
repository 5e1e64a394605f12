"""The functions ``FAMILY`` names: how a word_lm model is compiled, fed, tuned and trained (no
Keras import at module level)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lecun_zoo.families.word_lm.config import WordLMConfig
from lecun_zoo.optimizers import make_optimizer


def compile_model(model: Any, config: WordLMConfig) -> None:
    """Cross-entropy of every next token, the perplexity and bits per token of the
    whole data set, SGD with gradient-norm clipping (global by default, as Zaremba et al.) or Adam."""
    from lecun_zoo.families.word_lm.metrics import BitsPerToken, Perplexity, TokenNLL

    opt = make_optimizer(config.optimizer, config.learning_rate, clipnorm=config.clipnorm, clip=config.clip)
    model.compile(optimizer=opt, loss=TokenNLL(),
                  metrics=[Perplexity(), BitsPerToken()])


def example_batch(config: WordLMConfig, batch_size: int = 8, seed: int = 0):
    """Random token windows: ``x [batch, seq_len + context]``, ``y [batch, seq_len]`` int32."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, config.vocab_size, size=(batch_size, config.seq_len + config.context)).astype("int32")
    y = rng.integers(0, config.vocab_size, size=(batch_size, config.seq_len)).astype("int32")
    return x, y


def data_options(config: WordLMConfig) -> dict:
    """Window length and left context the model needs, stream order for a stateful
    model (and no shuffling: a shuffle buffer of 1 keeps the order), the vocabulary."""
    opts: dict = {"seq_len": config.seq_len, "context": config.context,
                  "min_count": config.min_count, "max_vocab": config.max_vocab}
    if config.level != "auto":
        opts["level"] = config.level
    if config.vocab:
        opts["vocab"] = tuple(config.vocab)
    if config.stateful:
        opts["streams"] = config.batch_size
        opts["shuffle_buffer"] = 1
    return opts


def adapt_to_data(info: Any) -> dict:
    """The vocabulary (and its size) and the token level come from the dataset."""
    extra = getattr(info, "extra", None) or {}
    out: dict = {}
    if extra.get("vocab"):
        out["vocab"] = tuple(extra["vocab"])
        out["vocab_size"] = len(extra["vocab"])
    elif getattr(info, "num_classes", None):
        out["vocab_size"] = int(info.num_classes)
    if extra.get("level"):
        out["level"] = extra["level"]
    return out


def search_space(hp: Any, config: WordLMConfig) -> dict:
    """Width, dropout and learning rate (embedding width follows the hidden width when tied)."""
    base = max(4, config.hidden_units)
    units = hp.Choice("hidden_units", [base // 2, base, base * 2])
    out = {
        "hidden_units": units,
        "dropout": hp.Float("dropout", 0.0, 0.5, step=0.1),
        "learning_rate": hp.Float("learning_rate", config.learning_rate / 10, config.learning_rate, sampling="log"),
    }
    if config.tie_embeddings:
        out["embedding_dim"] = units
    return out


def fit(model: Any, config: WordLMConfig, train: Any, *, validation_data: Any = None, epochs: int = 1,
        callbacks: Any = None, verbose: Any = 1):
    """``model.fit`` with the paper's learning-rate schedule: ``learning_rate`` for
    ``decay_after`` epochs, then multiplied by ``lr_decay`` every epoch."""
    import keras

    cbs = list(callbacks or [])
    if config.lr_decay < 1.0:
        lr0, decay, after = config.learning_rate, config.lr_decay, config.decay_after

        def schedule(epoch: int, lr: float) -> float:
            return float(lr0 * decay ** max(0, epoch + 1 - after))

        cbs.append(keras.callbacks.LearningRateScheduler(schedule))
    return model.fit(train, validation_data=validation_data, epochs=epochs, callbacks=cbs, verbose=verbose)
