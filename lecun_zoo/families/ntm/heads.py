"""NTM read and write heads: how the controller's emitted parameters become a key,
key strength, gate, shift, sharpening (and, for write heads, erase and add vectors),
and how all heads are addressed at once.

Activations as in Collier & Beel (2018): ``key = tanh``, ``beta = softplus``,
``g = sigmoid``, ``s = softmax``, ``gamma = 1 + softplus``, ``erase = sigmoid``,
``add = tanh``; the raw parameters are first clipped to ``[-clip, clip]``.

Each head's parameters are laid out as
``[key (M) | beta (1) | g (1) | shift (2R + 1) | gamma (1)]``, and write heads append
``[erase (M) | add (M)]``.
"""

from __future__ import annotations

from keras import ops

from lecun_zoo.families.ntm import addressing


def addressing_size(memory_width: int, shift_range: int) -> int:
    """Parameters one head needs to address: key, beta, g, shift, gamma."""
    return memory_width + 3 + (2 * shift_range + 1)


def parameter_size(memory_width: int, shift_range: int, read_heads: int, write_heads: int) -> int:
    """Width of the controller -> heads projection for all heads."""
    per_head = addressing_size(memory_width, shift_range)
    return read_heads * per_head + write_heads * (per_head + 2 * memory_width)


def _columns(memory_width: int, shift_range: int, read_heads: int, write_heads: int):
    """Column indices into the projection: ``[H, addressing_size]`` of every head's
    addressing parameters (read heads first) and ``[W, 2M]`` of each write head's erase and add."""
    per_head = addressing_size(memory_width, shift_range)
    address, vectors, start = [], [], 0
    for h in range(read_heads + write_heads):
        address.append(list(range(start, start + per_head)))
        start += per_head
        if h >= read_heads:
            vectors.append(list(range(start, start + 2 * memory_width)))
            start += 2 * memory_width
    return address, vectors


def gate_columns(memory_width: int, shift_range: int, read_heads: int, write_heads: int) -> list[int]:
    """Column indices into the projection of every head's interpolation gate ``g`` (read heads first)."""
    address, _ = _columns(memory_width, shift_range, read_heads, write_heads)
    return [cols[memory_width + 1] for cols in address]


def split_parameters(params, memory_width: int, shift_range: int, read_heads: int, write_heads: int,
                     clip_value: float = 0.0) -> dict:
    """Cut ``params [batch, parameter_size]`` into the activated parameters of all heads,
    with a head axis (read heads first, then write heads; ``H = R + W``):

    ``key [batch, H, M]``, ``beta``, ``g``, ``gamma [batch, H, 1]``, ``s [batch, H, 2R + 1]``,
    and for the write heads ``erase``, ``add [batch, W, M]``.
    """
    if clip_value:
        params = ops.clip(params, -clip_value, clip_value)
    m, width = memory_width, 2 * shift_range + 1
    address, vectors = _columns(memory_width, shift_range, read_heads, write_heads)
    p = ops.take(params, address, axis=1)  # [batch, H, addressing_size]
    v = ops.take(params, vectors, axis=1)  # [batch, W, 2M]
    return {
        "key": ops.tanh(p[..., :m]),
        "beta": ops.softplus(p[..., m : m + 1]),
        "g": ops.sigmoid(p[..., m + 1 : m + 2]),
        "s": ops.softmax(p[..., m + 2 : m + 2 + width], axis=-1),
        "gamma": 1.0 + ops.softplus(p[..., m + 2 + width : m + 3 + width]),
        "erase": ops.sigmoid(v[..., :m]),
        "add": ops.tanh(v[..., m:]),
    }


def locate(memory, w_prev, heads: dict):
    """Every head's new weighting ``[batch, H, N]`` from ``memory [batch, N, M]`` (before
    this step's write: read and write heads address the same memory) and the previous
    weightings ``[batch, H, N]``, in one pass over the heads."""
    return addressing.address(memory, w_prev, heads["key"], heads["beta"], heads["g"], heads["s"], heads["gamma"])

