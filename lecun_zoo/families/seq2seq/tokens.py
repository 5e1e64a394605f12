"""Tokenisation and vocabularies for parallel text (sequence-to-sequence data).

A :class:`~lecun_zoo.data.vocab.Vocabulary` (the shared type) maps tokens to ids with
four reserved ids first::

    0 <pad>   1 <unk>   2 <start>   3 <end>

so padding is id 0 everywhere (masks are ``ids != 0``). Word level splits on word
characters and punctuation (``"Two dogs."`` -> ``["two", "dogs", "."]`` when lower-cased);
character level keeps every character, spaces included. Vocabularies are plain tuples
of tokens, so a family config can store them and a reloaded model decodes the same way.
This module imports neither Keras nor TensorFlow.
"""

from __future__ import annotations

import itertools
import re
from typing import Iterable, Optional, Sequence

import numpy as np

from lecun_zoo.data.vocab import END, PAD, SPECIALS, START, UNK, Vocabulary

__all__ = [
    "PAD", "UNK", "START", "END", "SPECIALS", "PAD_ID", "UNK_ID", "START_ID", "END_ID",
    "LEVELS", "tokenize", "detokenize", "Vocabulary", "build_vocabulary", "pad_batch",
]

PAD_ID, UNK_ID, START_ID, END_ID = 0, 1, 2, 3
LEVELS = ("word", "char")

_WORD = re.compile(r"\w+(?:'\w+)?|[^\w\s]", re.UNICODE)


def tokenize(text: str, level: str = "word", lowercase: bool = True) -> list[str]:
    """Split ``text`` into tokens: words and punctuation marks (``level="word"``) or
    characters (``level="char"``)."""
    if level not in LEVELS:
        raise ValueError(f"tokenize() level got {level!r}; expected one of {list(LEVELS)}")
    if not isinstance(text, str):
        raise TypeError(f"tokenize() text got {type(text).__name__}; expected a str")
    if lowercase:
        text = text.lower()
    if level == "char":
        return list(text.strip("\n"))
    return _WORD.findall(text)


_NO_SPACE_BEFORE = frozenset(".,!?;:)]}%")
_NO_SPACE_AFTER = frozenset("([{")
_JOINERS = frozenset("-/")


def detokenize(tokens: Sequence[str], level: str = "word") -> str:
    """Join tokens back into a string: characters as they are; words with single spaces,
    except before closing punctuation (``dog .`` -> ``dog.``), after an opening bracket and
    around ``-`` and ``/`` (``t - shirt`` -> ``t-shirt``). ``tokenize`` gives the tokens back."""
    if level == "char":
        return "".join(tokens)
    out, prev = [], None
    for t in tokens:
        if prev is not None and not (t in _NO_SPACE_BEFORE or t in _JOINERS or prev in _JOINERS
                                     or prev in _NO_SPACE_AFTER):
            out.append(" ")
        out.append(t)
        prev = t
    return "".join(out)


def build_vocabulary(token_lists: Iterable[Sequence[str]], max_size: Optional[int] = None,
                     min_count: int = 1) -> Vocabulary:
    """The most frequent tokens (ties broken alphabetically, so it is deterministic),
    at most ``max_size`` ids in all (reserved ids included), each seen ``min_count`` times."""
    if max_size is not None and max_size < len(SPECIALS) + 1:
        raise ValueError(f"build_vocabulary() max_size got {max_size}; expected >= {len(SPECIALS) + 1}")
    return Vocabulary.build(itertools.chain.from_iterable(token_lists), SPECIALS, min_count=min_count,
                            max_size=max_size)


def pad_batch(sequences: Sequence[Sequence[int]], length: Optional[int] = None) -> np.ndarray:
    """Right-pad id lists with 0 into an int32 array ``[n, length]`` (default: the longest)."""
    length = max((len(s) for s in sequences), default=0) if length is None else length
    out = np.zeros((len(sequences), max(length, 1)), dtype="int32")
    for i, s in enumerate(sequences):
        if len(s) > length:
            raise ValueError(f"pad_batch() sequence {i} has {len(s)} ids; longer than length={length}")
        out[i, : len(s)] = s
    return out


def encode_pairs(sources: Sequence[Sequence[str]], targets: Sequence[Sequence[str]],
                 source_vocab: Vocabulary, target_vocab: Vocabulary):
    """Model arrays for token-list pairs (teacher forcing).

    Returns:
        ``({"source": int32 [n, src_len], "target_in": int32 [n, tgt_len + 1]},
        target_out int32 [n, tgt_len + 1])`` where ``target_in = <start> y`` and
        ``target_out = y <end>``, 0-padded on the right.
    """
    if len(sources) != len(targets):
        raise ValueError(f"encode_pairs() got {len(sources)} sources and {len(targets)} targets")
    src = [source_vocab.encode(s) for s in sources]
    tgt = [target_vocab.encode(t) for t in targets]
    x = {
        "source": pad_batch(src),
        "target_in": pad_batch([[START_ID, *t] for t in tgt]),
    }
    y = pad_batch([[*t, END_ID] for t in tgt])
    return x, y
