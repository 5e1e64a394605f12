"""Benchmark: beam search's top-k selection, the zoo's ``_top`` (a chunk-maximum bound, one
pass) against a full ``np.argpartition`` top-k (what it replaced), side by side on the same
candidate scores; both return the same indices (checked here).

    python bench/seq2seq_topk.py --items 250 --beam 4 --vocab 4582

Candidates are ``[items, beam * vocab]`` log probabilities as beam search builds them each
step: the running score of each live hypothesis plus the next-token log probabilities, drawn
peaked (Dirichlet 0.05) like a trained decoder's.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def argpartition_top(scores: np.ndarray, k: int) -> np.ndarray:
    """The replaced selection: full argpartition, then every entry >= the k-th, stable order."""
    k = min(k, scores.shape[1])
    part = np.argpartition(scores, -k, axis=1)[:, -k:]
    kth = np.take_along_axis(scores, part, 1).min(axis=1, keepdims=True)
    rows = []
    for b in range(scores.shape[0]):
        idx = np.flatnonzero(scores[b] >= kth[b])
        rows.append(idx[np.argsort(-scores[b, idx], kind="stable")][:k])
    return np.stack(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=250, help="sentences decoded together")
    ap.add_argument("--beam", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=4582, help="target vocabulary (Multi30k, min-count 3: 4,582)")
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args(argv)

    from lecun_zoo.families.seq2seq.beam_search import _top

    rng = np.random.default_rng(0)
    B, K, V = args.items, args.beam, args.vocab
    log_probs = np.log(rng.dirichlet(np.full(V, 0.05), size=B * K) + 1e-30).reshape(B, K, V)
    alive = np.sort(rng.normal(-5.0, 2.0, size=(B, K)), axis=1)[:, ::-1]
    cand = (alive[:, :, None] + log_probs).reshape(B, K * V)
    first = cand.copy()
    first.reshape(B, K, V)[:, 1:] = -np.inf  # the first step: one live hypothesis per item
    rows = []
    for label, scores in (("later steps", cand), ("first step", first)):
        assert np.array_equal(_top(scores, 2 * K), argpartition_top(scores, 2 * K))
        times = {}
        for name, fn in (("argpartition", argpartition_top), ("zoo _top", _top)):
            fn(scores, 2 * K)
            t0 = time.perf_counter()
            for _ in range(args.repeats):
                fn(scores, 2 * K)
            times[name] = 1000 * (time.perf_counter() - t0) / args.repeats
        rows.append((label, times["argpartition"], times["zoo _top"]))
    print(f"top-{2 * K} of [{B}, {K} x {V}] candidates, ms per beam-search step (same indices):")
    print("| step | argpartition ms | zoo _top ms | speed-up |")
    print("|---|---:|---:|---:|")
    for label, a, z in rows:
        print(f"| {label} | {a:.1f} | {z:.1f} | {a / z:.1f}x |")
    return rows


if __name__ == "__main__":
    main()
