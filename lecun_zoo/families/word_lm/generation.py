"""Tokenising with a model's own vocabulary, sampling text, and the perplexity of a text."""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Union

import numpy as np

from lecun_zoo.families.word_lm.corpus import EOS, Vocabulary, lm_windows, tokenize, vocabulary_from

__all__ = ["vocabulary_of", "encode", "decode", "generate", "perplexity"]


def vocabulary_of(model: Any) -> Vocabulary:
    """The vocabulary saved in a word_lm model's config."""
    vocab = tuple(model.zoo_config.vocab)
    if not vocab:
        raise ValueError("this word_lm model has no vocabulary in its config (config.vocab is empty); train it "
                         "through lecun_zoo.data / the CLI, or build it with vocab=build_vocabulary(...).itos")
    return vocabulary_from(vocab)


def encode(model: Any, text: Union[str, Sequence[str]]) -> np.ndarray:
    """Token ids of ``text`` with the model's vocabulary and level; out-of-vocabulary
    tokens map to ``<unk>`` (id 0). A string prompt is split like the corpus, without
    the ``<eos>`` that ends a line."""
    vocab = vocabulary_of(model)
    level = model.zoo_config.resolved_level
    if isinstance(text, str):
        tokens = list(text) if level == "char" else text.split()
    else:
        tokens = list(text)
    return vocab.encode(tokens)


def decode(model: Any, ids: Sequence[int]) -> str:
    """Text of ``ids``: characters joined as they are, words with spaces (``<eos>`` as a newline)."""
    tokens = vocabulary_of(model).decode(ids)
    if model.zoo_config.resolved_level == "char":
        return "".join(tokens)
    out = ""
    for t in tokens:
        if t == EOS:
            out += "\n"
        else:
            out += ("" if not out or out.endswith("\n") else " ") + t
    return out


def _step_model(model: Any):
    """A batch-1 stateful copy of a recurrent model (same weights), for O(1) steps."""
    from lecun_zoo.families.word_lm.model import WordLanguageModel

    c = model.zoo_config
    clone = WordLanguageModel(c.replace(stateful=True, batch_size=1, dropout=0.0), name="word_lm_sampler")
    for a, b in zip(clone.trainable_weights, model.trainable_weights):
        a.assign(b)
    clone.reset_lm_state()
    return clone


def _sample(probs: np.ndarray, temperature: float, top_k: int, rng: np.random.Generator) -> int:
    p = np.asarray(probs, dtype=np.float64)
    if temperature <= 0:
        return int(np.argmax(p))
    logp = np.log(np.maximum(p, 1e-30)) / temperature
    if top_k and top_k < len(p):
        cut = np.partition(logp, -top_k)[-top_k]
        logp = np.where(logp >= cut, logp, -np.inf)
    logp -= logp.max()
    q = np.exp(logp)
    q /= q.sum()
    return int(rng.choice(len(q), p=q))


def generate(model: Any, prompt: Union[str, Sequence[str]] = "", length: int = 50, temperature: float = 1.0,
             top_k: int = 0, seed: Optional[int] = None, return_ids: bool = False):
    """Sample ``length`` tokens after ``prompt`` from a word_lm model.

    Args:
        model: a trained word_lm model (its config holds the vocabulary).
        prompt: text (or a token list); unknown tokens become ``<unk>``. Empty: start
            after an ``<eos>`` (word level) or a newline (char level) when the
            vocabulary has one.
        length: tokens to sample.
        temperature: divides the log-probabilities; 0 takes the most probable token.
        top_k: sample among the ``top_k`` most probable tokens only (0: all).
        seed: seeds the sampler.
        return_ids: return the sampled ids instead of text.

    Returns:
        the generated continuation (without the prompt) as text, or ids.

    Sampling starts from a zero state (recurrent models run a batch-1 stateful copy of
    the model, one token per step). A model trained with its state carried across
    batches for a long stream has mostly seen non-zero states; prime it with a longer
    prompt for better first tokens.
    """
    import keras

    if length < 0 or temperature < 0 or top_k < 0:
        raise ValueError(f"generate() got length={length}, temperature={temperature}, top_k={top_k}; "
                         "expected non-negative values")
    c = model.zoo_config
    vocab = vocabulary_of(model)
    ids = list(encode(model, prompt))
    if not ids:
        start = EOS if c.resolved_level == "word" else "\n"
        ids = [vocab.index.get(start, vocab.unk_id)]
    rng = np.random.default_rng(seed)
    out: list[int] = []
    if c.architecture == "nplm":
        need = c.order - 1
        history = [ids[0]] * max(0, need - len(ids)) + ids  # pad on the left with the first token
        for _ in range(length):
            window = np.asarray(history[-need:], dtype="int32")[None]  # [1, n-1]
            probs = keras.ops.convert_to_numpy(model(window, training=False))[0, -1]  # [vocab]
            nxt = _sample(probs, temperature, top_k, rng)
            out.append(nxt)
            history.append(nxt)
    else:
        stepper = _step_model(model)
        probs = keras.ops.convert_to_numpy(stepper(np.asarray([ids], dtype="int32"), training=False))[0, -1]
        for _ in range(length):
            nxt = _sample(probs, temperature, top_k, rng)
            out.append(nxt)
            probs = keras.ops.convert_to_numpy(stepper(np.asarray([[nxt]], dtype="int32"), training=False))[0, -1]
    return out if return_ids else decode(model, out)


def perplexity(model: Any, text: Union[str, Sequence[int], np.ndarray], batch_size: int = 32) -> float:
    """Perplexity of ``model`` on a held-out ``text`` (a string tokenised like the corpus,
    or token ids): windows of the model's ``seq_len`` (+ context), every token after
    the first ``context + 1`` counted once. A stateful model reads the text as
    ``batch_size`` contiguous streams carrying its state (its own batch size)."""
    import keras

    c = model.zoo_config
    if isinstance(text, str):
        ids = vocabulary_of(model).encode(tokenize(text, c.resolved_level))
    else:
        ids = np.asarray(text, dtype=np.int32)
    streams = c.batch_size if c.stateful else 0
    x, y = lm_windows(ids, c.seq_len, c.context, streams)
    if c.stateful:
        model.reset_lm_state()
        batch_size = c.batch_size
    total, count = 0.0, 0
    for s in range(0, len(x), batch_size):
        probs = keras.ops.convert_to_numpy(model(x[s: s + batch_size], training=False))  # [b, seq_len, vocab]
        yy = y[s: s + batch_size]
        p = np.take_along_axis(probs, yy[..., None], axis=-1)[..., 0]
        total += float(-np.log(np.maximum(p.astype(np.float64), 1e-30)).sum())
        count += yy.size
    return math.exp(total / count)
