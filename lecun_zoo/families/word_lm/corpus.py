"""Plain-text corpora for language models: tokenising, vocabularies, and the windows
of token ids that word and character language models train on.

One data path for every language model of the zoo (``word_lm``: NPLM, LSTM, RNN):

* a corpus is a list of tokens; ``level="word"`` splits each line on white space and
  ends it with ``<eos>`` (the Penn Treebank convention of Mikolov et al.);
  ``level="char"`` keeps every character, newlines included;
* a :class:`~lecun_zoo.data.vocab.Vocabulary` has ``<unk>`` at id 0, then the training tokens by decreasing
  frequency (ties alphabetical), cut at ``min_count`` and ``max_vocab``. It is
  deterministic, so a model that stores it in its config tokenises the same way after
  reloading;
* :func:`lm_windows` cuts the id stream into ``(inputs [n, seq_len + context],
  targets [n, seq_len])``: target ``j`` of a window is the token after input
  ``j + context``, so a model that needs ``context`` extra tokens of left context
  (the NPLM's n-2) predicts every token once. With ``streams=B`` the windows come in
  the order of Zaremba et al.'s PTB iterator: the corpus is cut into ``B`` contiguous
  streams, and batch ``k`` (of ``B`` consecutive windows) continues batch ``k-1`` row
  by row, so a stateful RNN carries its state across batches (truncated BPTT).

Sources: ``"text"`` (any folder of ``train.txt`` / ``valid.txt`` / ``test.txt``, or
``*.train.txt`` ...), ``"ptb"`` (``ptb.{train,valid,test}.txt``), ``"tiny_shakespeare"``
(karpathy's ``input.txt`` in ``data_dir``, else tensorflow-datasets), ``"lm1b"``
(tensorflow-datasets only).
"""

from __future__ import annotations

import collections
import functools
import glob
import os
from typing import Any, Iterable, Optional, Sequence

import numpy as np

from lecun_zoo.data.vocab import UNK, Vocabulary
from lecun_zoo.data.base import (DataFormatError, DataNotFoundError, DataOptionError, DatasetInfo, Source,
                                  choice_option, int_option, read_text, tfds_load)

__all__ = [
    "UNK", "EOS", "LEVELS", "Vocabulary", "vocabulary_from", "build_vocabulary", "tokenize", "read_tokens", "lm_windows",
    "TextFolder", "TinyShakespeare", "Lm1b", "TEXT", "PTB", "TINY_SHAKESPEARE", "LM1B",
]

EOS = "<eos>"
SPECIALS = (UNK,)  # word_lm's only reserved token, id 0
LEVELS = ("word", "char")


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"text level got {level!r}; expected one of {list(LEVELS)}")
    return level


def tokenize(text: str, level: str = "word") -> list[str]:
    """Words (each line ends with ``<eos>``; blank lines give nothing) or characters."""
    if _check_level(level) == "char":
        return list(text)
    out: list[str] = []
    for line in text.splitlines():
        words = line.split()
        if words:
            out.extend(words)
            out.append(EOS)
    return out


def vocabulary_from(itos: Sequence[str]) -> Vocabulary:
    """A word_lm vocabulary from the token list its config stores (every id, ``<unk>`` first)."""
    return Vocabulary.from_itos(itos, SPECIALS, UNK)


def build_vocabulary(tokens: Iterable[str], min_count: int = 1, max_vocab: int = 0) -> Vocabulary:
    """``<unk>``, then tokens seen ``>= min_count`` times by decreasing count (ties in
    sorted order), at most ``max_vocab`` entries in all (0: no limit).

    Example:
        >>> v = build_vocabulary("a b a c".split(), min_count=2)
        >>> v.itos, v.encode(["a", "b", "zzz"]).tolist()
        (('<unk>', 'a'), [1, 0, 0])
    """
    return Vocabulary.build(tokens, SPECIALS, UNK, min_count=min_count, max_size=max_vocab)


@functools.lru_cache(maxsize=16)
def _read_cached(path: str, mtime: float, level: str) -> tuple:
    return tuple(tokenize(_read_text(path), level))


def read_tokens(path: str, level: str = "word") -> tuple:
    """The tokens of one text file (cached); a missing or empty file raises an error
    naming ``path``."""
    _check_level(level)
    if not os.path.isfile(path):
        raise DataNotFoundError(f"{path}: no such corpus file")
    return _read_cached(os.path.abspath(path), os.path.getmtime(path), level)


def lm_windows(ids: np.ndarray, seq_len: int, context: int = 0, streams: int = 0):
    """``(inputs [n, seq_len + context], targets [n, seq_len])`` int32 from a stream of ids.

    Target ``j`` of a window is the token that follows input ``j + context``. Without
    ``streams`` the windows are consecutive (every token after the first
    ``context + 1`` is a target exactly once). With ``streams=B`` the corpus is cut into
    ``B`` contiguous rows and the windows are ordered so that each batch of ``B`` rows
    continues the previous batch row by row (stateful truncated BPTT).
    """
    ids = np.asarray(ids, dtype=np.int32)
    if seq_len < 1 or context < 0 or streams < 0:
        raise ValueError(f"lm_windows got seq_len={seq_len}, context={context}, streams={streams}; "
                         "expected seq_len >= 1, context >= 0, streams >= 0")
    width = seq_len + context
    if streams:
        per_row = len(ids) // streams
        rows = ids[: per_row * streams].reshape(streams, per_row)  # [B, per_row]
        n_win = (per_row - context - 1) // seq_len
        if n_win < 1:
            raise ValueError(f"lm_windows: {len(ids)} tokens are too few for {streams} streams of "
                             f"seq_len={seq_len} (+ context {context}); use fewer streams or a shorter seq_len")
        starts = np.arange(n_win) * seq_len  # [n_win]
        offs = starts[:, None, None] + np.arange(width)[None, None, :]  # [n_win, 1, width]
        x = rows[np.arange(streams)[None, :, None], offs]  # [n_win, B, width]
        y = rows[np.arange(streams)[None, :, None], offs[..., context:] + 1]  # [n_win, B, seq_len]
        return x.reshape(-1, width), y.reshape(-1, seq_len)  # window-major, row-minor
    n_win = (len(ids) - context - 1) // seq_len
    if n_win < 1:
        raise ValueError(f"lm_windows: {len(ids)} tokens are too few for one window of seq_len={seq_len} "
                         f"(+ context {context}); expected at least {seq_len + context + 1}")
    starts = np.arange(n_win) * seq_len
    x = ids[starts[:, None] + np.arange(width)[None, :]]  # [n, width]
    y = ids[starts[:, None] + context + 1 + np.arange(seq_len)[None, :]]  # [n, seq_len]
    return x, y


class LanguageModelSource(Source):
    """Base of corpus sources: subclasses give ``split_tokens(split, data_dir, level)``.

    Options (``lecun_zoo.data.load(..., **options)``, usually from the word_lm family's
    ``data_options``): ``level`` ("word"/"char"), ``seq_len`` (20), ``context`` (0),
    ``streams`` (0), ``vocab`` (a token list to use instead of building one),
    ``min_count`` (1), ``max_vocab`` (0 = no limit).
    """

    splits = ("train", "validation", "test")
    default_level = "word"
    options = ("level", "seq_len", "context", "streams", "vocab", "min_count", "max_vocab")

    def split_tokens(self, split: str, data_dir: Optional[str], level: str, **options: Any) -> Sequence[str]:
        raise NotImplementedError

    def _settings(self, options: dict) -> dict:
        """The common options, checked (errors name the option, the value and what was expected)."""
        n, get = self.name, options.get
        return {"level": choice_option(n, "level", get("level") or self.default_level, LEVELS),
                "seq_len": int_option(n, "seq_len", get("seq_len", 20), 1),
                "context": int_option(n, "context", get("context", 0), 0),
                "streams": int_option(n, "streams", get("streams", 0), 0),
                "min_count": int_option(n, "min_count", get("min_count", 1), 1),
                "max_vocab": int_option(n, "max_vocab", get("max_vocab", 0), 0)}

    def _tokens(self, split: str, data_dir: Optional[str], options: dict) -> Sequence[str]:
        tokens = self.split_tokens(split, data_dir, self._settings(options)["level"], **_without_level(options))
        if not len(tokens):
            where = f" (data_dir={data_dir!r})" if data_dir else ""
            raise DataFormatError(f"dataset {self.name!r} split {split!r} has no tokens{where}; expected a "
                                  f"non-empty corpus")
        return tokens

    def vocabulary(self, data_dir: Optional[str] = None, **options: Any) -> Vocabulary:
        s = self._settings(options)
        if options.get("vocab"):
            try:
                return vocabulary_from(options["vocab"])
            except (TypeError, ValueError) as e:
                raise DataOptionError(f"dataset {self.name!r} option 'vocab' is no vocabulary ({e}); expected a "
                                      f"sequence of unique tokens starting with {UNK!r}") from None
        return build_vocabulary(self._tokens("train", data_dir, options), s["min_count"], s["max_vocab"])

    def ids(self, split: str, data_dir: Optional[str] = None, **options: Any) -> np.ndarray:
        """The token ids of a whole split (with the vocabulary the options imply)."""
        vocab = self.vocabulary(data_dir, **options)
        return vocab.encode(self._tokens(split, data_dir, options))

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        vocab, s = self.vocabulary(data_dir, **options), self._settings(options)
        return DatasetInfo(self.name, "language_modeling", (s["seq_len"] + s["context"],), len(vocab), {},
                           {"vocab": vocab.itos, "level": s["level"]})

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        s = self._settings(options)
        return lm_windows(self.ids(split, data_dir, **options), s["seq_len"], s["context"], s["streams"])


def _without_level(options: dict) -> dict:
    return {k: v for k, v in options.items() if k != "level"}


def _split_names(split: str) -> tuple:
    return ("valid", "validation", "dev") if split == "validation" else (split,)


class TextFolder(LanguageModelSource):
    """A folder of plain-text splits: ``{split}.txt`` or ``*.{split}.txt`` (``valid``,
    ``validation`` or ``dev`` for the validation split). Without a validation file,
    the last 10 % of the train tokens are held out as validation."""

    def __init__(self, name: str = "text", summary: str = "", pattern: Optional[str] = None,
                 default_level: str = "word") -> None:
        self.name = name
        self.summary = summary or "plain-text corpus folder: train.txt, valid.txt, test.txt (word or char level)"
        self.pattern = pattern  # e.g. "ptb.{split}.txt"
        self.default_level = default_level

    def _expected(self) -> str:
        if self.pattern:
            return ", ".join(self.pattern.format(split=s) for s in ("train", "valid", "test"))
        return ("train.txt, valid.txt, test.txt (or *.train.txt, *.valid.txt, *.test.txt; valid may be validation "
                "or dev)")

    def _path(self, split: str, data_dir: Optional[str]) -> Optional[str]:
        if not data_dir:
            raise DataNotFoundError(f"dataset {self.name!r} needs data_dir: a folder holding {self._expected()}")
        if not os.path.isdir(data_dir):
            raise DataNotFoundError(f"{data_dir}: no such folder (dataset {self.name!r}); expected a folder holding "
                                    f"{self._expected()}")
        for name in _split_names(split):
            if self.pattern:
                candidates = [os.path.join(data_dir, self.pattern.format(split=name))]
            else:
                candidates = [os.path.join(data_dir, f"{name}.txt")] + sorted(glob.glob(os.path.join(data_dir, f"*.{name}.txt")))
            for p in candidates:
                if os.path.isfile(p):
                    return p
        return None

    def files(self, data_dir: Optional[str], **options: Any) -> list[str]:
        """The split files read: train, validation (where there is one) and test."""
        if not data_dir:
            return []
        return [p for p in (self._path(s, data_dir) for s in ("train", "validation", "test")) if p]

    def split_tokens(self, split: str, data_dir: Optional[str], level: str, **options: Any):
        path = self._path(split, data_dir)
        if path is None and split == "validation":
            train = self.split_tokens("train", data_dir, level)
            return train[int(len(train) * 0.9):]
        if path is None:
            want = (self.pattern or "{split}.txt").format(split=_split_names(split)[0])
            raise DataNotFoundError(f"{os.path.join(data_dir, want)}: no such corpus file (dataset "
                                    f"{self.name!r}, split {split!r}); expected {self._expected()} in {data_dir}")
        tokens = read_tokens(path, level)
        if split == "train" and self._path("validation", data_dir) is None:
            return tokens[: int(len(tokens) * 0.9)]
        return tokens


class TinyShakespeare(LanguageModelSource):
    """Tiny Shakespeare (Karpathy's char-rnn), character level by default. Reads
    ``input.txt`` from ``data_dir`` when there (split like tensorflow-datasets: 90 % train,
    5 % validation, 5 % test, in order), else
    ``tfds.load("tiny_shakespeare", data_dir=data_dir)``."""

    name = "tiny_shakespeare"
    summary = "Tiny Shakespeare, 1.1 M characters (input.txt in data_dir, or tensorflow-datasets)"
    default_level = "char"

    @staticmethod
    def split_points(n: int) -> tuple:
        """90 / 5 / 5 %: for the 1,115,394-character file, tensorflow-datasets' split
        (1,003,854 train, 55,770 validation, 55,770 test)."""
        test = int(round(n * 0.05))
        return int(n * 0.9), n - test

    def _text(self, split: str, data_dir: Optional[str]) -> str:
        raw = os.path.join(data_dir, "input.txt") if data_dir else None
        if raw and os.path.isfile(raw):
            text = _read_text(raw)
            a, b = self.split_points(len(text))
            return {"train": text[:a], "validation": text[a:b], "test": text[b:]}[split]
        return _tfds_text("tiny_shakespeare", split, data_dir, "text")

    def split_tokens(self, split: str, data_dir: Optional[str], level: str, **options: Any):
        return _tokens_of_text(self._text(split, data_dir), level)


class Lm1b(LanguageModelSource):
    """The One Billion Word benchmark through tensorflow-datasets (``data_dir`` where it
    was prepared). Only the first ``max_sentences`` (default 100,000) sentences of a
    split are read; validation is the last 5 % of those train sentences."""

    name = "lm1b"
    summary = "One Billion Word benchmark (tensorflow-datasets; first max_sentences sentences)"
    default_level = "word"

    options = LanguageModelSource.options + ("max_sentences",)

    def split_tokens(self, split: str, data_dir: Optional[str], level: str, **options: Any):
        limit = int_option(self.name, "max_sentences", options.get("max_sentences", 100_000), 1)
        tfds_split = "test" if split == "test" else "train"
        text = _tfds_text("lm1b", tfds_split, data_dir, "text", limit=limit, sep="\n")
        lines = text.split("\n")
        if split != "test":
            cut = int(len(lines) * 0.95)
            lines = lines[:cut] if split == "train" else lines[cut:]
        return _tokens_of_text("\n".join(lines), level)


def _read_text(path: str) -> str:
    text = read_text(path, "a text corpus")
    if not text.strip():
        raise DataFormatError(f"{path}: the corpus is empty ({len(text)} characters of white space); expected a "
                              f"non-empty text file")
    return text


@functools.lru_cache(maxsize=8)
def _tokens_of_text(text: str, level: str) -> tuple:
    return tuple(tokenize(text, level))


def _tfds_text(name: str, split: str, data_dir: Optional[str], key: str, limit: int = 0, sep: str = "") -> str:
    hint = ", or pass data_dir=<folder holding Karpathy's input.txt>" if name == "tiny_shakespeare" else ""
    ds = tfds_load(name, split, data_dir, hint, download=False)
    parts = []
    for i, ex in enumerate(ds.as_numpy_iterator()):
        if limit and i >= limit:
            break
        parts.append(ex[key].decode("utf-8"))
    return sep.join(parts)


TEXT = TextFolder()
PTB = TextFolder("ptb", "Penn Treebank, Mikolov's LM version: ptb.{train,valid,test}.txt in data_dir (10k words)",
                 pattern="ptb.{split}.txt")
TINY_SHAKESPEARE = TinyShakespeare()
LM1B = Lm1b()
