"""NTM memory: reading (Graves et al. 2014, eq. 2), writing as erase then add
(eqs. 3-4), and the initial memory (Collier & Beel 2018, Sec. 3).

Shapes: ``memory [batch, N, M]``, weightings ``[batch, N]``, vectors ``[batch, M]``.
"""

from __future__ import annotations

from keras import ops

#: Collier & Beel's constant initialisation: every cell of memory starts at 1e-6.
CONSTANT_INIT = 1e-6


def read(memory, w):
    """``r = sum_i w(i) M(i)``: ``memory [batch, N, M]``, ``w [batch, N]`` -> ``[batch, M]``
    (or, for several heads at once, ``w [batch, H, N]`` -> ``[batch, H, M]``)."""
    if len(w.shape) == 3:  # per head (see addressing.cosine_similarity)
        return ops.stack([ops.einsum("bn,bnm->bm", w[:, h], memory) for h in range(w.shape[1])], axis=1)  # [batch, H, M]
    return ops.einsum("bn,bnm->bm", w, memory)


def write(memory, weights, erases, adds):
    """Erase then add, for any number of write heads (eqs. 3-4).

    ``M~ = M * prod_h (1 - w_h e_h^T)``, then ``M' = M~ + sum_h w_h a_h^T``: all heads erase
    first, then all add, so the result does not depend on the order of the heads.

    Args:
        memory: ``[batch, N, M]``.
        weights: ``[batch, W, N]``, or a sequence of ``[batch, N]``, one per head.
        erases: ``[batch, W, M]`` (or per head ``[batch, M]``) in [0, 1].
        adds: ``[batch, W, M]`` (or per head ``[batch, M]``).

    Returns:
        ``[batch, N, M]``.
    """
    as_heads = lambda v: v if not isinstance(v, (list, tuple)) else ops.stack(v, axis=1)  # noqa: E731
    return _write(memory, as_heads(weights), as_heads(erases), as_heads(adds))


def _keep(w, e, skip=None):
    """``prod_h (1 - w_h e_h^T)`` over the heads but ``skip``: ``[batch, N, M]``."""
    keep = None
    for h in range(w.shape[1]):
        if h != skip:
            factor = 1.0 - ops.einsum("bn,bm->bnm", w[:, h], e[:, h])
            keep = factor if keep is None else keep * factor
    return keep


@ops.custom_gradient
def _write(memory, w, e, a):
    """:func:`write` on stacked heads, with its gradient written out. Automatic
    differentiation would keep ``prod_h (1 - w_h e_h^T)``, a memory-sized tensor, for every
    time step of the loop; this gradient recomputes it from ``w`` and ``e`` (small), so
    the backward pass keeps only what it keeps anyway (the memory before the write)."""
    heads = w.shape[1]
    new = memory * _keep(w, e) + ops.einsum("bhn,bhm->bnm", w, a)

    def grad(*args, upstream=None):
        g = args[0] if upstream is None else upstream  # [batch, N, M]
        d_memory = g * _keep(w, e)
        d_w, d_e, d_a = [], [], []
        for h in range(heads):
            others = _keep(w, e, skip=h)
            d_outer = -g * memory if others is None else -g * memory * others  # d loss / d (w_h e_h^T)
            d_w.append(ops.einsum("bnm,bm->bn", d_outer, e[:, h]) + ops.einsum("bnm,bm->bn", g, a[:, h]))
            d_e.append(ops.einsum("bnm,bn->bm", d_outer, w[:, h]))
            d_a.append(ops.einsum("bnm,bn->bm", g, w[:, h]))
        return d_memory, ops.stack(d_w, axis=1), ops.stack(d_e, axis=1), ops.stack(d_a, axis=1)

    return new, grad
