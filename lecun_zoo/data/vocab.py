"""One vocabulary type for every family that reads text (``word_lm``, ``seq2seq``,
``memnet``): reserved tokens first, then the ordinary tokens.

A family chooses its reserved tokens (``specials``, in id order) and which of them
unknown tokens encode to (``unk``)::

    seq2seq  <pad> <unk> <start> <end>   (the default: padding is id 0, masks are ids != 0)
    word_lm  <unk>
    memnet   <pad> <unk>

Configs store a vocabulary as a plain tuple of tokens: ``itos`` (every id, reserved ones
included) for word_lm and memnet, ``tokens`` (the ordinary ones) for seq2seq, so a saved
model encodes and decodes the same way after reloading; :meth:`Vocabulary.from_itos` reads
the first form back. This module imports neither Keras nor TensorFlow.
"""

from __future__ import annotations

import collections
from typing import Iterable, Optional, Sequence

import numpy as np

__all__ = ["Vocabulary", "PAD", "UNK", "START", "END", "SPECIALS"]

PAD, UNK, START, END = "<pad>", "<unk>", "<start>", "<end>"
SPECIALS = (PAD, UNK, START, END)


class Vocabulary:
    """Tokens <-> ids: ``specials`` at ids ``0 .. len(specials) - 1``, then ``tokens``.

    Args:
        tokens: the ordinary tokens in id order, without the reserved ones.
        specials: the reserved tokens in id order.
        unk: the reserved token an unknown token encodes to (one of ``specials``).

    Attributes: ``tokens`` (ordinary), ``specials``, ``itos`` (every token by id),
    ``index`` (token -> id), ``unk_id``.

    Example:
        >>> v = Vocabulary.build("b a b c".split(), specials=("<unk>",), min_count=1)
        >>> v.itos, v.encode(["a", "zzz"]).tolist()
        (('<unk>', 'b', 'a', 'c'), [2, 0])
    """

    def __init__(self, tokens: Iterable[str], specials: Sequence[str] = SPECIALS, unk: str = UNK) -> None:
        tokens, specials = tuple(tokens), tuple(specials)
        if unk not in specials:
            raise ValueError(f"Vocabulary unk got {unk!r}; expected one of its specials {list(specials)}")
        seen: set = set()
        for i, t in enumerate(specials + tokens):
            if not isinstance(t, str) or t == "":
                raise ValueError(f"Vocabulary token {i} got {t!r}; expected a non-empty str")
            if t in seen:
                reserved = i >= len(specials) and t in specials
                raise ValueError(f"Vocabulary token {i} {t!r} " + ("is reserved; leave reserved tokens out"
                                                                    if reserved else "appears twice"))
            seen.add(t)
        self.tokens, self.specials = tokens, specials
        self.itos = specials + tokens
        self.index = {t: i for i, t in enumerate(self.itos)}
        self.unk_id = self.index[unk]

    @classmethod
    def from_itos(cls, itos: Sequence[str], specials: Sequence[str] = SPECIALS, unk: str = UNK) -> "Vocabulary":
        """The vocabulary whose ``itos`` is ``itos`` (it must start with ``specials``)."""
        itos, specials = tuple(itos), tuple(specials)
        if itos[: len(specials)] != specials:
            raise ValueError(f"Vocabulary tokens must start with {list(specials)}; got {list(itos[:3])}...")
        return cls(itos[len(specials):], specials, unk)

    @classmethod
    def build(cls, tokens: Iterable[str], specials: Sequence[str] = SPECIALS, unk: str = UNK, *,
              min_count: int = 1, max_size: Optional[int] = None) -> "Vocabulary":
        """The tokens seen ``min_count`` times or more, by decreasing count (ties in sorted
        order, so it is deterministic), at most ``max_size`` ids in all, reserved ones
        included (``None`` or 0: no limit). Reserved tokens in the data are not counted."""
        counts = collections.Counter(tokens)
        for s in specials:
            counts.pop(s, None)
        kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        if max_size:
            kept = kept[: max(0, max_size - len(tuple(specials)))]
        return cls(kept, specials, unk)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and (other.itos, other.unk_id) == (self.itos, self.unk_id)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} ids: {list(self.itos[:8])}{' ...' if len(self) > 8 else ''})"

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """int32 ids; tokens not in the vocabulary become ``unk_id``."""
        get, unk = self.index.get, self.unk_id
        return np.fromiter((get(t, unk) for t in tokens), dtype=np.int32)

    def decode(self, ids: Iterable[int], *, strip: bool = False) -> list[str]:
        """Tokens of ``ids`` (an id out of range raises ``ValueError``). With ``strip`` it
        stops at ``<end>`` and drops ``<pad>`` and ``<start>`` (those of them reserved here)."""
        stop = self.index.get(END) if END in self.specials else None
        skip = {self.index[t] for t in (PAD, START) if t in self.specials}
        n, out = len(self.itos), []
        for i in ids:
            i = int(i)
            if strip and i == stop:
                break
            if strip and i in skip:
                continue
            if not 0 <= i < n:
                raise ValueError(f"Vocabulary.decode got id {i}; expected 0 <= id < {n}")
            out.append(self.itos[i])
        return out
