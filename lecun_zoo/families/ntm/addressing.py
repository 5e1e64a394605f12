"""NTM addressing (Graves, Wayne & Danihelka 2014, Sec. 3.3), batched, on ``keras.ops``.

One head's weighting over the N memory locations comes from four steps:

1. content addressing: ``w_c = softmax(beta * cos(k, M_i))``         (eqs. 5-6)
2. interpolation with the previous weighting: ``w_g = g w_c + (1 - g) w_prev``  (eq. 7)
3. convolutional shift: ``w~(i) = sum_j w_g(j) s(i - j)``, indices modulo N  (eq. 8)
4. sharpening: ``w(i) = w~(i)^gamma / sum_j w~(j)^gamma``             (eq. 9)

Shapes: ``memory [batch, N, M]``, ``key [batch, M]``, weightings ``[batch, N]``,
scalars ``beta, g, gamma [batch, 1]``, ``shift [batch, 2 * shift_range + 1]`` whose
column ``j`` is the probability of a shift by ``j - shift_range``. Every function also
takes all heads at once, with a head axis after the batch (``key [batch, H, M]``,
weightings ``[batch, H, N]``, scalars ``[batch, H, 1]``): the NTM cell addresses its
read and write heads in one pass, so each step runs each op once, not once per head.
"""

from __future__ import annotations

from keras import ops

#: added to norms and sums so that all-zero memory or weightings stay finite
EPSILON = 1e-8


def cosine_similarity(memory, key):
    """``K[b, i] = <k_b, M_b,i> / (|k_b| |M_b,i| + eps)``.

    Args:
        memory: ``[batch, N, M]``.
        key: ``[batch, M]`` (or ``[batch, H, M]``, one key per head).

    Returns:
        ``[batch, N]`` (or ``[batch, H, N]``).
    """
    if len(key.shape) == 3:  # heads: the memory's row norms are computed once for all of them
        # one batched matrix-vector product per head: XLA on CPU runs "bnm,bhm->bhn" as 32 tiny matmuls
        dot = ops.stack([ops.einsum("bnm,bm->bn", memory, key[:, h]) for h in range(key.shape[1])], axis=1)  # [batch, H, N]
        norms = ops.expand_dims(ops.norm(memory, axis=-1), 1) * ops.norm(key, axis=-1, keepdims=True)  # [batch, H, N]
    else:
        dot = ops.einsum("bnm,bm->bn", memory, key)  # [batch, N]
        norms = ops.norm(memory, axis=-1) * ops.norm(key, axis=-1, keepdims=True)  # [batch, N]
    return dot / (norms + EPSILON)


def content_weights(memory, key, beta):
    """Content addressing: softmax over locations of ``beta * cosine(key, memory row)``.

    Args: ``memory [batch, N, M]``, ``key [batch, M]``, ``beta [batch, 1]`` (>= 0).
    Returns: ``[batch, N]``.
    """
    return ops.softmax(beta * cosine_similarity(memory, key), axis=-1)


def interpolate(w_content, w_prev, g):
    """``g * w_content + (1 - g) * w_prev``; ``g [batch, 1]`` in [0, 1]."""
    return g * w_content + (1.0 - g) * w_prev


def shift(w, s):
    """Circular convolution of the weighting with the shift distribution.

    ``out[b, i] = sum_k s[b, k + R] * w[b, (i - k) mod N]`` for ``k = -R..R``: a shift by
    +1 moves the weight of location i to location i + 1 (wrapping at the end).

    Args:
        w: ``[batch, N]`` (or ``[batch, H, N]``).
        s: ``[batch, 2R + 1]`` (or ``[batch, H, 2R + 1]``), rows sum to 1.

    Returns:
        the shape of ``w``.
    """
    width = s.shape[-1]
    n = w.shape[-1]
    if width is None or width % 2 != 1:
        raise ValueError(f"shift() shift distribution has {width} columns; expected an odd number 2 * shift_range + 1")
    if n is not None and width > n:
        raise ValueError(
            f"shift() shift range {width // 2} needs {width} distinct shifts but the memory has only {n} "
            f"locations; expected 2 * shift_range + 1 <= memory_size"
        )
    r = width // 2
    out = None
    for j in range(width):
        term = s[..., j : j + 1] * ops.roll(w, shift=j - r, axis=-1)  # [batch, (H,) N]
        out = term if out is None else out + term
    return out


def sharpen(w, gamma):
    """``w^gamma / sum(w^gamma)`` with ``gamma [batch, 1]`` >= 1.

    Computed as ``softmax(gamma * log(w + eps))``: the same ratio, but it cannot underflow
    when gamma is large (0.6^60 is 5e-14), and zero weights have a finite gradient with
    respect to gamma.
    """
    return ops.softmax(gamma * ops.log(w + EPSILON), axis=-1)  # [batch, N]


def address(memory, w_prev, key, beta, g, s, gamma):
    """The whole addressing pipeline (content, interpolation, shift, sharpening).

    Args:
        memory: ``[batch, N, M]``; w_prev: ``[batch, N]``; key: ``[batch, M]``;
        beta, g, gamma: ``[batch, 1]``; s: ``[batch, 2R + 1]``.

    Returns:
        the new weighting ``[batch, N]``.
    """
    w_c = content_weights(memory, key, beta)
    w_g = interpolate(w_c, w_prev, g)
    return sharpen(shift(w_g, s), gamma)
