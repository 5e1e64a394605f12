"""Greedy and beam-search decoding over any step function (batched, NumPy).

A decoder is a function ``step(tokens, state) -> (log_probs, new_state, extra)``:

- ``tokens``: int ``[n]``, the previous token of each row;
- ``state``: any nest (lists/tuples/dicts) of arrays whose first axis has ``n`` rows;
- ``log_probs``: float ``[n, vocab]``; ``extra``: ``[n, ...]`` per-step data to keep with
  each hypothesis (attention weights), or None.

Beam search keeps ``beam_width`` live hypotheses per batch item, moves a hypothesis that
emits ``end_id`` to the finished list (when it ranks within the beam), and stops an item
once ``beam_width`` hypotheses have finished. Finished hypotheses are ranked by
``log p / lp(len)`` with the GNMT length penalty ``lp(L) = ((5 + L) / 6) ** alpha``
(``alpha = length_penalty``; 0 ranks by log probability). With ``beam_width=1`` it is
greedy decoding exactly (same tokens, same score).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional

import numpy as np

__all__ = ["Hypothesis", "greedy_search", "beam_search", "length_penalty_factor", "take_rows"]


@dataclasses.dataclass
class Hypothesis:
    """One decoded sequence: ``tokens`` (ids, without ``<end>``), ``score`` (sum of log
    probabilities, ``<end>`` included when it was emitted), ``normalized_score`` (score /
    length penalty), ``finished`` (``<end>`` emitted) and ``extra`` (``[len(tokens), ...]``
    stacked per-step extras for the emitted tokens, or None)."""

    tokens: list
    score: float
    normalized_score: float
    finished: bool
    extra: Optional[np.ndarray] = None


def length_penalty_factor(length: int, alpha: float) -> float:
    """GNMT length penalty ``((5 + length) / 6) ** alpha`` (Wu et al. 2016)."""
    return ((5.0 + length) / 6.0) ** alpha


def take_rows(nest: Any, index: np.ndarray) -> Any:
    """Gather rows ``index`` from every array in a nest (lists, tuples, dicts)."""
    if isinstance(nest, dict):
        return {k: take_rows(v, index) for k, v in nest.items()}
    if isinstance(nest, (list, tuple)):
        return type(nest)(take_rows(v, index) for v in nest)
    if nest is None:
        return None
    return np.asarray(nest)[index]


def _stack(extras: list) -> Optional[np.ndarray]:
    return np.stack(extras) if extras else None


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest entries of each row, best first; ties -> lower index
    first (the order ``np.argmax`` and a stable sort give)."""
    n = scores.shape[1]
    k = min(k, n)
    # A lower bound on each row's k-th best that costs one pass: split the row into m >= k
    # chunks; the k-th largest chunk maximum has k entries at or above it. (A full
    # argpartition of [items, beam * vocab] was half of beam search's time.)
    m = min(n, max(4 * k, 64))
    maxima = np.maximum.reduceat(scores, np.linspace(0, n, m, endpoint=False).astype(np.int64), axis=1)  # [B, m]
    bound = np.partition(maxima, m - k, axis=1)[:, m - k]  # [B]
    rows = []
    for b in range(scores.shape[0]):  # every entry >= the bound, best first, ties in index order
        idx = np.flatnonzero(scores[b] >= bound[b])
        rows.append(idx[np.argsort(-scores[b, idx], kind="stable")][:k])
    return np.stack(rows)


def greedy_search(step: Callable, state: Any, batch_size: int, max_length: int, *,
                  start_id: int = 2, end_id: int = 3) -> list[Hypothesis]:
    """Pick the most probable token at every step, for ``batch_size`` rows at once."""
    if max_length < 1:
        raise ValueError(f"greedy_search() max_length got {max_length}; expected >= 1")
    tokens = np.full((batch_size,), start_id, dtype="int32")
    finished = np.zeros((batch_size,), dtype=bool)
    scores = np.zeros((batch_size,), dtype="float64")
    out: list[list[int]] = [[] for _ in range(batch_size)]
    extras: list[list] = [[] for _ in range(batch_size)]
    for _ in range(max_length):
        log_probs, state, extra = step(tokens, state)
        log_probs = np.asarray(log_probs, dtype="float64")
        best = np.argmax(log_probs, axis=-1).astype("int32")  # first maximum, as beam search's stable sort
        for b in np.flatnonzero(~finished):
            scores[b] += log_probs[b, best[b]]
            if best[b] == end_id:
                finished[b] = True
            else:
                out[b].append(int(best[b]))
                if extra is not None:
                    extras[b].append(np.asarray(extra[b]))
        tokens = np.where(finished, end_id, best).astype("int32")
        if finished.all():
            break
    return [Hypothesis(out[b], float(scores[b]), float(scores[b]), bool(finished[b]), _stack(extras[b]))
            for b in range(batch_size)]


def beam_search(step: Callable, state: Any, batch_size: int, max_length: int, *, beam_width: int = 4,
                length_penalty: float = 0.0, start_id: int = 2, end_id: int = 3,
                return_all: bool = False) -> list:
    """Beam search for ``batch_size`` items at once; ``state`` has ``batch_size`` rows
    (repeated here to ``batch_size * beam_width``).

    Returns:
        the best :class:`Hypothesis` per item, or (``return_all``) every finished one,
        best first.
    """
    if beam_width < 1:
        raise ValueError(f"beam_search() beam_width got {beam_width}; expected >= 1")
    if max_length < 1:
        raise ValueError(f"beam_search() max_length got {max_length}; expected >= 1")
    B, K = batch_size, beam_width
    state = take_rows(state, np.repeat(np.arange(B), K))  # rows b*K + k
    alive_scores = np.full((B, K), -np.inf)
    alive_scores[:, 0] = 0.0  # one live hypothesis at the start; the others are empty
    alive_tokens: list[list[list[int]]] = [[[] for _ in range(K)] for _ in range(B)]
    alive_extra: list[list[list]] = [[[] for _ in range(K)] for _ in range(B)]
    last = np.full((B * K,), start_id, dtype="int32")
    done = np.zeros((B,), dtype=bool)
    finished: list[list[Hypothesis]] = [[] for _ in range(B)]
    for _ in range(max_length):
        log_probs, state, extra = step(last, state)
        log_probs = np.asarray(log_probs, dtype="float64")
        V = log_probs.shape[-1]
        cand = (alive_scores[:, :, None] + log_probs.reshape(B, K, V)).reshape(B, K * V)  # [B, K*V]
        order = _top(cand, 2 * K)  # [B, 2K] best first
        new_scores = np.full((B, K), -np.inf)
        new_tokens = [[[] for _ in range(K)] for _ in range(B)]
        new_extra = [[[] for _ in range(K)] for _ in range(B)]
        source_rows = np.repeat(np.arange(B) * K, K)  # default: keep row 0 of each item
        for b in range(B):
            if done[b]:
                continue
            n_alive = 0
            for rank, idx in enumerate(order[b]):
                score = cand[b, idx]
                if not np.isfinite(score):
                    break
                k, tok = int(idx // V), int(idx % V)
                ext = alive_extra[b][k] + ([np.asarray(extra[b * K + k])] if extra is not None else [])
                if tok == end_id:
                    if rank < K:  # only a hypothesis that ranks within the beam may finish
                        toks = list(alive_tokens[b][k])
                        finished[b].append(Hypothesis(
                            toks, float(score), float(score / length_penalty_factor(len(toks) + 1, length_penalty)),
                            True, _stack(alive_extra[b][k])))
                    continue
                if n_alive < K:
                    new_scores[b, n_alive] = score
                    new_tokens[b][n_alive] = alive_tokens[b][k] + [tok]
                    new_extra[b][n_alive] = ext
                    source_rows[b * K + n_alive] = b * K + k
                    last[b * K + n_alive] = tok
                    n_alive += 1
                if n_alive >= K:
                    break
            if len(finished[b]) >= K or n_alive == 0:
                done[b] = True
        alive_scores, alive_tokens, alive_extra = new_scores, new_tokens, new_extra
        state = take_rows(state, source_rows)
        if done.all():
            break
    results = []
    for b in range(B):
        hyps = list(finished[b])
        if len(hyps) < K:  # out of steps: unfinished hypotheses compete too
            for k in range(K):
                if np.isfinite(alive_scores[b, k]):
                    toks = alive_tokens[b][k]
                    hyps.append(Hypothesis(list(toks), float(alive_scores[b, k]),
                                           float(alive_scores[b, k] / length_penalty_factor(len(toks), length_penalty)),
                                           False, _stack(alive_extra[b][k])))
        hyps.sort(key=lambda h: -h.normalized_score)
        results.append(hyps if return_all else hyps[0])
    return results
