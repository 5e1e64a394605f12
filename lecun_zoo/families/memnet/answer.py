"""Ask a trained memory network a question about a story in plain English, and see where
each hop looked."""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Optional, Sequence, Union

import numpy as np

from lecun_zoo.families.memnet.babi import tokenize, vocabulary_from

__all__ = ["Answer", "encode", "answer", "plot_attention"]


@dataclasses.dataclass
class Answer:
    """What :func:`answer` returns.

    Attributes:
        answer: the predicted word.
        probability: its probability.
        attention: ``[hops, sentences]``, hop ``k``'s attention over the kept story
            sentences, oldest first (columns line up with ``sentences``).
        sentences: the story sentences in memory (the last ``memory_size``), tokenized.
        dropped: how many earlier sentences did not fit in memory.
        unknown_words: words not in the model's vocabulary (read as ``<unk>``).
    """

    answer: str
    probability: float
    attention: np.ndarray
    sentences: list
    dropped: int
    unknown_words: list


def _sentences(story: Union[str, Sequence[str]]) -> list[list[str]]:
    parts = re.split(r"[.!?\n]+", story) if isinstance(story, str) else list(story)
    return [w for w in (tokenize(p) for p in parts) if w]


def encode(config: Any, story: Union[str, Sequence[str]], question: str, *, on_unknown: str = "unk"):
    """A story (text or a list of sentences) and a question -> the model's inputs (batch
    of one), the kept sentences, how many were dropped and the unknown words.

    Raises:
        ValueError: empty question, a sentence longer than ``sentence_len`` words, or
            unknown words when ``on_unknown="raise"``.
    """
    if on_unknown not in ("unk", "raise"):
        raise ValueError(f"answer() on_unknown got {on_unknown!r}; expected 'unk' or 'raise'")
    vocab = list(config.vocab)
    index = vocabulary_from(vocab).index
    sents = _sentences(story)
    q = tokenize(question)
    if not q:
        raise ValueError(f"answer() question {question!r} has no words")
    kept = sents[-config.memory_size:]
    unknown = sorted({w for s in kept + [q] for w in s if w not in index or w in ("<pad>", "<unk>")})
    if unknown and on_unknown == "raise":
        raise ValueError(f"answer(): words not in the model's vocabulary: {unknown}; known words include "
                         f"{vocab[2:12]}... (pass on_unknown='unk' to read them as '<unk>')")
    for s in kept + [q]:
        if len(s) > config.sentence_len:
            raise ValueError(f"answer(): {' '.join(s)!r} has {len(s)} words; this model reads at most "
                             f"sentence_len={config.sentence_len} words per sentence")
    ids = lambda words: [index.get(w, 1) if w not in ("<pad>", "<unk>") else 1 for w in words]  # noqa: E731
    x_story = np.zeros((1, config.memory_size, config.sentence_len), dtype="int32")
    for slot, s in enumerate(reversed(kept)):  # slot 0 = most recent sentence
        x_story[0, slot, : len(s)] = ids(s)
    x_question = np.zeros((1, config.sentence_len), dtype="int32")
    x_question[0, : len(q)] = ids(q)
    return {"story": x_story, "question": x_question}, kept, len(sents) - len(kept), unknown


def _probe(model: Any):
    """A model from the inputs to ``[answer, p(hop 1), ..., p(hop K)]`` (cached)."""
    import keras

    from lecun_zoo.families.memnet.model import hop_layers

    probe = getattr(model, "_memnet_probe", None)
    if probe is None:
        probe = keras.Model(model.input, [model.output] + [h.output[1] for h in hop_layers(model)])
        model._memnet_probe = probe
    return probe


def answer(model: Any, story: Union[str, Sequence[str]], question: str, *, on_unknown: str = "unk") -> Answer:
    """Answer ``question`` about ``story`` with a trained MemN2N.

    Args:
        model: a ``MemN2N`` (its config carries the vocabulary).
        story: text (sentences end with ``.``, ``!``, ``?`` or a new line) or a list of
            sentences; only the last ``memory_size`` are kept, as in the paper.
        question: e.g. ``"Where is Frodo?"``.
        on_unknown: ``"unk"`` reads unknown words as ``<unk>``; ``"raise"`` raises.

    Example:
        >>> a = answer(model, "Frodo went to the kitchen. Sam went to the garden.", "Where is Frodo?")
        >>> a.answer, a.attention.shape   # ('kitchen', (3, 2))
    """
    import keras

    config = model.zoo_config
    x, kept, dropped, unknown = encode(config, story, question, on_unknown=on_unknown)
    outs = _probe(model)(x, training=False)
    outs = [np.asarray(keras.ops.convert_to_numpy(o)) for o in outs]
    probs, hops = outs[0][0], [p[0] for p in outs[1:]]  # [V], K x [M]
    n = len(kept)
    # slot s holds sentence n - 1 - s; attention columns in story order (oldest first)
    attention = np.stack([p[:n][::-1] for p in hops]) if n else np.zeros((len(hops), 0), "float32")
    best = int(np.argmax(probs))
    return Answer(config.vocab[best], float(probs[best]), attention, [" ".join(s) for s in kept], dropped, unknown)


def plot_attention(result: Answer, path: str, *, question: Optional[str] = None) -> str:
    """A heat map of ``result.attention``: one row per hop, one column per sentence."""
    from lecun_zoo.plots import heatmap

    title = f"answer: {result.answer} ({result.probability:.2f})"
    if question:
        title = f"{question} -> {title}"
    return heatmap(result.attention.T, path, title=title, xlabel="hop", ylabel="story sentence",
                   xticklabels=[f"hop {k + 1}" for k in range(result.attention.shape[0])],
                   yticklabels=result.sentences)
