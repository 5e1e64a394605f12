"""An interpolated Kneser-Ney n-gram language model (Kneser & Ney 1995; Chen & Goodman
1998), the count-based baseline the neural language models are compared with.

NumPy only: every k-gram gets an integer id built from the id of its (k-1)-gram
prefix and its last word (``key = prefix_id * V + word``), so tables are sorted int64
arrays and every lookup is one ``searchsorted``. Fits Penn Treebank (930k tokens,
order 5) in seconds.

For the highest order ``n`` the counts are raw counts; for lower orders they are
continuation counts ``N1+(. u)`` (the number of distinct words seen before ``u``)::

    P_k(w | h) = max(c(h w) - D_k, 0) / c(h .)  +  D_k * N1+(h .) / c(h .) * P_{k-1}(w | h')
    P_1(w)     = max(N1+(. w) - D_1, 0) / N1+(. .) + D_1 * N1+(. .)_types / N1+(. .) / V

with ``c(h .)`` the sum of counts after ``h``, ``N1+(h .)`` the number of distinct words
seen after ``h`` and ``h'`` the context without its oldest word. ``modified=True`` uses
three discounts per order by count (1, 2, 3+), and ``D N1+(h .)`` becomes the sum of the
discounts taken from the words after ``h`` (Chen & Goodman 1998). A context never seen
backs off to ``P_{k-1}`` entirely. The discount of each order defaults to Ney's
estimate ``D = n1 / (n1 + 2 n2)`` from the counts-of-counts of that order.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence, Union

import numpy as np

__all__ = ["KneserNey"]


class KneserNey:
    """Interpolated Kneser-Ney over token ids ``0 .. vocab_size - 1``.

    Args:
        order: n (the model conditions on n - 1 previous tokens).
        vocab_size: V; the lowest order interpolates with the uniform ``1 / V``.
        discounts: one discount per order (index 0: unigrams; with ``modified``, a
            ``(D1, D2, D3+)`` triple per order); ``None``: estimated from counts-of-counts.
        modified: Chen & Goodman's modified Kneser-Ney: discounts D1, D2, D3+ for
            counts 1, 2 and 3 or more (the variant SRILM's ``-kndiscount`` uses).

    Example:
        >>> lm = KneserNey(order=2, vocab_size=3).fit([0, 1, 0, 2, 0, 1])
        >>> round(lm.prob([0], 1), 4), round(sum(lm.prob([0], w) for w in range(3)), 6)
        (0.5667, 1.0)
    """

    def __init__(self, order: int = 5, vocab_size: int = 10000, discounts: Optional[Sequence] = None,
                 modified: bool = False) -> None:
        if order < 1:
            raise ValueError(f"KneserNey order got {order!r}; expected >= 1")
        if vocab_size < 1:
            raise ValueError(f"KneserNey vocab_size got {vocab_size!r}; expected >= 1")
        if discounts is not None and len(discounts) != order:
            raise ValueError(f"KneserNey discounts got {len(discounts)} values; expected one per order ({order})")
        self.order, self.vocab_size, self.modified = int(order), int(vocab_size), bool(modified)
        if discounts is None:
            self.fixed_discounts = None
        elif modified:
            self.fixed_discounts = [tuple(float(x) for x in d) for d in discounts]
        else:
            self.fixed_discounts = [float(d) for d in discounts]
        self.fitted = False

    # ------------------------------------------------------------------ fitting
    def fit(self, tokens: Union[Sequence[int], np.ndarray]) -> "KneserNey":
        """Count every k-gram (k = 1..n) of one token stream."""
        tok = np.asarray(tokens, dtype=np.int64)
        if tok.ndim != 1 or len(tok) < self.order:
            raise ValueError(f"KneserNey.fit needs a 1-D stream of at least {self.order} tokens; got shape {tok.shape}")
        if tok.min() < 0 or tok.max() >= self.vocab_size:
            raise ValueError(f"KneserNey.fit: token ids must be in [0, {self.vocab_size}); got [{tok.min()}, {tok.max()}]")
        V, n = self.vocab_size, self.order
        self.keys: list[np.ndarray] = []  # order k (index k-1): sorted unique keys of the k-grams
        positions: list[np.ndarray] = []  # id of the k-gram starting at each position
        raw_counts: list[np.ndarray] = []
        first_pos: list[np.ndarray] = []
        prev_ids = None
        for k in range(1, n + 1):
            m = len(tok) - k + 1
            key = tok[:m].copy() if k == 1 else prev_ids[:m] * V + tok[k - 1: k - 1 + m]
            uniq, first, inverse, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
            self.keys.append(uniq)
            positions.append(inverse)
            raw_counts.append(counts)
            first_pos.append(first)
            prev_ids = inverse.astype(np.int64)
        # counts used at each order: raw at the top, continuation counts below
        self.counts: list[np.ndarray] = [None] * n  # type: ignore[list-item]
        self.counts[n - 1] = raw_counts[n - 1].astype(np.float64)
        for k in range(1, n):  # order k from the distinct (k+1)-grams' suffixes
            suffix = positions[k - 1][first_pos[k] + 1]  # id (order k) of each unique (k+1)-gram's last k tokens
            self.counts[k - 1] = np.bincount(suffix, minlength=len(self.keys[k - 1])).astype(np.float64)
        # discount of every stored k-gram, from its count (one D, or D1 / D2 / D3+ when modified)
        self.discounts = []
        self.gram_discounts: list[np.ndarray] = []
        for k in range(1, n + 1):
            c = self.counts[k - 1]
            d = self._discount(k, c)
            self.discounts.append(d)
            if self.modified:
                gd = np.select([c == 1, c == 2, c >= 3], list(d), 0.0)
            else:
                gd = np.where(c > 0, d, 0.0)
            self.gram_discounts.append(gd)
        # per-context totals c(h .) and discounted mass sum_w D(c(h w)) (= D N1+(h .) for one D)
        self.totals: list[Optional[np.ndarray]] = [None] * n
        self.mass: list[Optional[np.ndarray]] = [None] * n
        for k in range(2, n + 1):
            prefix = self.keys[k - 1] // V  # [unique k-grams] order-(k-1) ids
            self.totals[k - 1] = np.bincount(prefix, weights=self.counts[k - 1], minlength=len(self.keys[k - 2]))
            self.mass[k - 1] = np.bincount(prefix, weights=self.gram_discounts[k - 1], minlength=len(self.keys[k - 2]))
        self.fitted = True
        return self

    def _discount(self, k: int, c: np.ndarray):
        if self.fixed_discounts is not None:
            return self.fixed_discounts[k - 1]
        n1, n2, n3, n4 = (float(np.sum(c == i)) for i in (1, 2, 3, 4))
        y = n1 / (n1 + 2 * n2) if n1 + 2 * n2 > 0 else 0.5
        if not self.modified:
            return y
        # Chen & Goodman (1998): D1 = 1 - 2Y n2/n1, D2 = 2 - 3Y n3/n2, D3+ = 3 - 4Y n4/n3
        d1 = 1 - 2 * y * n2 / n1 if n1 else 0.5
        d2 = 2 - 3 * y * n3 / n2 if n2 else 1.0
        d3 = 3 - 4 * y * n4 / n3 if n3 else 1.5
        return (max(d1, 0.0), max(d2, 0.0), max(d3, 0.0))

    # ------------------------------------------------------------------ lookup
    def _lookup(self, tok: np.ndarray) -> list[np.ndarray]:
        """For every order k: the table id of the k-gram starting at each position of
        ``tok`` (-1 where unseen); arrays of length ``len(tok) - k + 1``."""
        V = self.vocab_size
        out = []
        prev = None
        for k in range(1, self.order + 1):
            m = len(tok) - k + 1
            if m <= 0:
                out.append(np.zeros(0, dtype=np.int64))
                continue
            keys = self.keys[k - 1]
            if k == 1:
                key = tok[:m].astype(np.int64)
                ok = np.ones(m, dtype=bool)
            else:
                ok = prev[:m] >= 0
                key = np.where(ok, prev[:m], 0) * V + tok[k - 1: k - 1 + m]
            idx = np.searchsorted(keys, key)
            idx_c = np.minimum(idx, len(keys) - 1)
            found = ok & (keys[idx_c] == key)
            ids = np.where(found, idx_c, -1)
            out.append(ids)
            prev = ids
        return out

    def log_probs(self, tokens: Union[Sequence[int], np.ndarray], start: int = 0) -> np.ndarray:
        """Natural-log probability of every token ``tokens[i]`` (``i >= start``) given the
        up to ``n - 1`` tokens before it in ``tokens``."""
        if not self.fitted:
            raise RuntimeError("KneserNey: call fit() first")
        tok = np.asarray(tokens, dtype=np.int64)
        if len(tok) and (tok.min() < 0 or tok.max() >= self.vocab_size):
            raise ValueError(f"KneserNey: token ids must be in [0, {self.vocab_size})")
        ids = self._lookup(tok)
        N = len(tok)
        # order 1
        c1, g1 = self.counts[0], self.gram_discounts[0]
        total1, mass1 = float(c1.sum()), float(g1.sum())
        seen1 = ids[0] >= 0
        cnt = np.where(seen1, c1[np.maximum(ids[0], 0)], 0.0)
        dis = np.where(seen1, g1[np.maximum(ids[0], 0)], 0.0)
        p = np.maximum(cnt - dis, 0.0) / total1 + mass1 / total1 / self.vocab_size  # [N]
        for k in range(2, self.order + 1):
            # predicting position i with context positions i-k+1 .. i-1: needs i >= k-1
            i = np.arange(k - 1, N)
            if len(i) == 0:
                continue
            ctx = ids[k - 2][i - k + 1]  # order k-1 id of the context
            gram = ids[k - 1][i - k + 1]  # order k id of context + word
            seen = ctx >= 0
            ctx_c = np.maximum(ctx, 0)
            tot = np.where(seen, self.totals[k - 1][ctx_c], 0.0)
            seen &= tot > 0
            mass = np.where(seen, self.mass[k - 1][ctx_c], 0.0)
            g = np.maximum(gram, 0)
            cnt = np.where(gram >= 0, self.counts[k - 1][g], 0.0)
            dis = np.where(gram >= 0, self.gram_discounts[k - 1][g], 0.0)
            safe = np.where(seen, tot, 1.0)
            higher = np.maximum(cnt - dis, 0.0) / safe + mass / safe * p[i]
            p[i] = np.where(seen, higher, p[i])
        return np.log(p[start:])

    def prob(self, context: Sequence[int], word: int) -> float:
        """``P(word | context)`` (only the last n - 1 context tokens matter)."""
        ctx = list(context)[-(self.order - 1):] if self.order > 1 else []
        return float(np.exp(self.log_probs(ctx + [int(word)], start=len(ctx))[0]))

    def perplexity(self, tokens: Union[Sequence[int], np.ndarray], start: int = 1) -> float:
        """``exp`` of the mean negative log-probability of ``tokens[start:]``."""
        lp = self.log_probs(tokens, start=start)
        return float(math.exp(-lp.mean()))
