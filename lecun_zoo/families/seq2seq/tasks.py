"""Generated sequence-to-sequence tasks, deterministic by seed (no files, no network).

- ``reversal``: a string of symbols -> the same string reversed (``"cadb"`` -> ``"bdac"``);
  character level. Options ``num_symbols`` (10: ``a``..``j``), ``min_len`` (3), ``max_len`` (8),
  ``train_size`` (4000), ``eval_size`` (500).
- ``addition``: ``"123+45"`` -> ``"168"`` (keras-io ``addition_rnn``: operands of 1..``digits``
  digits, each unordered question once). Options ``digits`` (3), ``train_size`` (20000),
  ``eval_size`` (2000).

Both have native ``train``/``validation``/``test`` splits drawn without overlap from one
seeded generator, and the same feed as the parallel-text sources:
``({"source", "target_in"}, target_out)`` with 0 = padding.
"""

from __future__ import annotations

import string
from typing import Any, Optional

import numpy as np

from lecun_zoo.data.base import DataOptionError, DatasetInfo, Source, int_option
from lecun_zoo.families.seq2seq.tokens import Vocabulary, encode_pairs

__all__ = ["Reversal", "Addition", "REVERSAL", "ADDITION"]


#: the seq2seq family's ``data_options``, passed to every dataset it reads: generated
#: character strings need no tokenisation or vocabulary options, so these are accepted and ignored
_FAMILY_OPTIONS = ("source_level", "target_level", "lowercase", "min_count", "max_source_vocab", "max_target_vocab",
                   "max_source_length", "max_target_length")


class _Generated(Source):
    splits = ("train", "validation", "test")
    options = ("train_size", "eval_size") + _FAMILY_OPTIONS

    def examples(self, seed: int, **options: Any) -> dict[str, tuple[list[str], list[str]]]:
        raise NotImplementedError

    def vocabularies(self, **options: Any) -> tuple[Vocabulary, Vocabulary]:
        raise NotImplementedError

    def _sizes(self, options: dict, train: int, evaluation: int) -> dict[str, int]:
        n_train = int_option(self.name, "train_size", options.get("train_size", train), 1)
        n_eval = int_option(self.name, "eval_size", options.get("eval_size", evaluation), 1)
        return {"train": n_train, "validation": n_eval, "test": n_eval}

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        sv, tv = self.vocabularies(**options)
        return DatasetInfo(self.name, "sequence_to_sequence", None, len(tv), self._sizes(options, *self.default_sizes),
                           extra={"source_vocab": sv.tokens, "target_vocab": tv.tokens,
                                  "source_level": "char", "target_level": "char", "lowercase": False})

    def texts(self, split: str, data_dir: Optional[str] = None, seed: int = 0, **options: Any):
        """(source strings, target strings) of a split."""
        return self.examples(seed, **options)[split]

    def arrays(self, split: str, data_dir: Optional[str] = None, seed: int = 0, **options: Any):
        src, tgt = self.texts(split, seed=seed, **options)
        sv, tv = self.vocabularies(**options)
        return encode_pairs([list(s) for s in src], [list(t) for t in tgt], sv, tv)


class Reversal(_Generated):
    name = "reversal"
    summary = "generated: reverse a string of 3-8 symbols (char level, deterministic by seed)"
    default_sizes = (4000, 500)
    options = _Generated.options + ("num_symbols", "min_len", "max_len")

    def _opts(self, options: dict) -> tuple[int, int, int]:
        k = int_option(self.name, "num_symbols", options.get("num_symbols", 10), 2, 26)
        lo = int_option(self.name, "min_len", options.get("min_len", 3), 1)
        hi = int_option(self.name, "max_len", options.get("max_len", 8), 1)
        if lo > hi:
            raise DataOptionError(f"dataset 'reversal' options min_len={lo} > max_len={hi}; "
                                  f"expected min_len <= max_len")
        return k, lo, hi

    def vocabularies(self, **options: Any):
        k, _, _ = self._opts(options)
        v = Vocabulary(string.ascii_lowercase[:k])
        return v, v

    def examples(self, seed: int = 0, **options: Any):
        k, lo, hi = self._opts(options)
        sizes = self._sizes(options, *self.default_sizes)
        rng = np.random.default_rng(seed)
        alphabet = np.array(list(string.ascii_lowercase[:k]))
        capacity = sum(k**n for n in range(lo, hi + 1))
        total = sum(sizes.values())
        if total > capacity:
            raise DataOptionError(f"dataset 'reversal' options train_size + 2 * eval_size ask {total} distinct "
                                  f"strings; expected at most the {capacity} that exist (raise max_len or num_symbols)")
        seen, out = set(), {}
        for split, n in sizes.items():
            src = []
            while len(src) < n:
                s = "".join(alphabet[rng.integers(0, k, size=int(rng.integers(lo, hi + 1)))])
                if s not in seen:
                    seen.add(s)
                    src.append(s)
            out[split] = (src, [s[::-1] for s in src])
        return out


class Addition(_Generated):
    name = "addition"
    licence = "generated by lecun_zoo (no third-party data)"
    scaling = "character ids of the vocabularies in the config (source_vocab, target_vocab)"
    summary = "generated: 'a+b' -> 'a+b' summed, operands of 1-3 digits (keras-io addition_rnn task)"
    default_sizes = (20000, 2000)
    options = _Generated.options + ("digits",)

    def vocabularies(self, **options: Any):
        return Vocabulary("0123456789+"), Vocabulary("0123456789")

    def examples(self, seed: int = 0, **options: Any):
        digits = int_option(self.name, "digits", options.get("digits", 3), 1, 9)
        sizes = self._sizes(options, *self.default_sizes)
        capacity = 10**digits * (10**digits + 1) // 2
        if 2 * sum(sizes.values()) > capacity:
            raise DataOptionError(f"dataset 'addition' options train_size + 2 * eval_size ask {sum(sizes.values())} "
                                  f"distinct questions with digits={digits}; expected at most {capacity // 2} (half "
                                  f"of the {capacity} that exist)")
        rng = np.random.default_rng(seed)
        seen, out = set(), {}
        for split, n in sizes.items():
            src, tgt = [], []
            while len(src) < n:
                # keras-io: each operand has 1..digits digits, drawn digit by digit
                a, b = (int("".join(map(str, rng.integers(0, 10, size=int(rng.integers(1, digits + 1)))))) for _ in range(2))
                key = (min(a, b), max(a, b))
                if key in seen:
                    continue
                seen.add(key)
                src.append(f"{a}+{b}")
                tgt.append(str(a + b))
            out[split] = (src, tgt)
        return out


REVERSAL = Reversal()
ADDITION = Addition()
