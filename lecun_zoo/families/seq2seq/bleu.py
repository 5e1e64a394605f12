"""Corpus BLEU (Papineni et al. 2002), on token lists; no Keras, no extra dependency.

    corpus_bleu([["a", "dog", "runs"]], [[["a", "dog", "runs"]]]).score   # 100.0

Clipped n-gram counts (n = 1..4) are summed over the whole corpus before the precisions
are taken (not averaged per sentence); the brevity penalty uses the corpus hypothesis
length ``c`` and the effective reference length ``r`` (for each sentence, the reference
length closest to the hypothesis, the shorter on a tie): ``BP = exp(1 - r / c)`` if
``c < r`` else 1. BLEU = ``BP * exp(mean_n log p_n)``, reported in [0, 100] like sacrebleu.
No smoothing by default (any zero precision gives 0), as in the original definition and
torchtext's ``bleu_score``; ``smooth=True`` adds 1 to numerator and denominator for n > 1
(Lin & Och 2004), for sentence-level use.
"""

from __future__ import annotations

import collections
import dataclasses
import math
from typing import Sequence

__all__ = ["BleuResult", "corpus_bleu", "sentence_bleu", "ngrams"]


@dataclasses.dataclass
class BleuResult:
    """``score`` in [0, 100]; ``precisions`` (percent, n = 1..max_n); ``brevity_penalty``;
    ``hyp_length`` / ``ref_length`` (corpus token counts)."""

    score: float
    precisions: list
    brevity_penalty: float
    hyp_length: int
    ref_length: int

    def __str__(self) -> str:
        p = "/".join(f"{x:.1f}" for x in self.precisions)
        return (f"BLEU = {self.score:.2f} {p} (BP = {self.brevity_penalty:.3f} ratio = "
                f"{self.hyp_length / max(self.ref_length, 1):.3f} hyp_len = {self.hyp_length} ref_len = {self.ref_length})")


def ngrams(tokens: Sequence[str], n: int) -> collections.Counter:
    """Counts of the n-grams of ``tokens``."""
    return collections.Counter(tuple(tokens[i: i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(hypotheses: Sequence[Sequence[str]], references: Sequence, *, max_n: int = 4,
                smooth: bool = False) -> BleuResult:
    """Corpus BLEU.

    Args:
        hypotheses: one token list per sentence.
        references: per sentence, either one token list or a list of token lists.
        max_n: highest n-gram order (4).
        smooth: add-one smoothing for n > 1.
    """
    if len(hypotheses) != len(references):
        raise ValueError(f"corpus_bleu() got {len(hypotheses)} hypotheses and {len(references)} references; "
                         f"expected one reference entry per hypothesis")
    matches = [0] * max_n
    totals = [0] * max_n
    hyp_len = ref_len = 0
    for i, (hyp, refs) in enumerate(zip(hypotheses, references)):
        if isinstance(hyp, str):
            raise TypeError(f"corpus_bleu() hypothesis {i} is a str; expected a list of tokens")
        if refs and isinstance(refs[0], str):
            refs = [refs]  # a single reference
        if not refs:
            raise ValueError(f"corpus_bleu() sentence {i} has no reference")
        hyp_len += len(hyp)
        ref_len += min((abs(len(r) - len(hyp)), len(r)) for r in refs)[1]
        for n in range(1, max_n + 1):
            h = ngrams(hyp, n)
            best: collections.Counter = collections.Counter()
            for r in refs:
                best |= ngrams(r, n)  # max count of each n-gram over the references
            matches[n - 1] += sum(min(c, best[g]) for g, c in h.items())
            totals[n - 1] += max(len(hyp) - n + 1, 0)
    precisions = []
    for n in range(max_n):
        num, den = matches[n], totals[n]
        if smooth and n > 0:
            num, den = num + 1, den + 1
        precisions.append(num / den if den > 0 else 0.0)
    if hyp_len == 0 or min(precisions) == 0.0:
        score = 0.0
    else:
        score = math.exp(sum(math.log(p) for p in precisions) / max_n)
    bp = 1.0 if hyp_len >= ref_len or hyp_len == 0 else math.exp(1.0 - ref_len / hyp_len)
    if hyp_len == 0:
        bp = 0.0
    return BleuResult(100.0 * bp * score, [100.0 * p for p in precisions], bp, hyp_len, ref_len)


def sentence_bleu(hypothesis: Sequence[str], references: Sequence, *, max_n: int = 4, smooth: bool = True) -> BleuResult:
    """BLEU of one sentence (add-one smoothed by default)."""
    return corpus_bleu([hypothesis], [references], max_n=max_n, smooth=smooth)
