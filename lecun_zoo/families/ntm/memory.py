"""NTM memory: reading (Graves et al. 2014, eq. 2), writing as erase then add
(eqs. 3-4), and the initial memory (Collier & Beel 2018, Sec. 3).

Shapes: ``memory [batch, N, M]``, weightings ``[batch, N]``, vectors ``[batch, M]``.
"""

from __future__ import annotations

from typing import Sequence

from keras import ops

#: Collier & Beel's constant initialisation: every cell of memory starts at 1e-6.
CONSTANT_INIT = 1e-6


def read(memory, w):
    """``r = sum_i w(i) M(i)``: ``memory [batch, N, M]``, ``w [batch, N]`` -> ``[batch, M]``
    (or, for several heads at once, ``w [batch, H, N]`` -> ``[batch, H, M]``)."""
    if len(w.shape) == 3:  # per head (see addressing.cosine_similarity)
        return ops.stack([ops.einsum("bn,bnm->bm", w[:, h], memory) for h in range(w.shape[1])], axis=1)  # [batch, H, M]
    return ops.einsum("bn,bnm->bm", w, memory)


def write(memory, weights: Sequence, erases: Sequence, adds: Sequence):
    """Erase then add, for any number of write heads (eqs. 3-4).

    ``M~ = M * prod_h (1 - w_h e_h^T)``, then ``M' = M~ + sum_h w_h a_h^T``: all heads erase
    first, then all add, so the result does not depend on the order of the heads.

    Args:
        memory: ``[batch, N, M]``.
        weights: per head ``[batch, N]``.
        erases: per head ``[batch, M]`` in [0, 1].
        adds: per head ``[batch, M]``.

    Returns:
        ``[batch, N, M]``.
    """
    for w, e in zip(weights, erases):
        memory = memory * (1.0 - ops.einsum("bn,bm->bnm", w, e))  # [batch, N, M]
    for w, a in zip(weights, adds):
        memory = memory + ops.einsum("bn,bm->bnm", w, a)  # [batch, N, M]
    return memory
