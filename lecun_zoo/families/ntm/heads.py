"""NTM read and write heads: how the controller's emitted parameters become a key,
key strength, gate, shift, sharpening (and, for write heads, erase and add vectors),
and what each head then does to memory.

Activations as in Collier & Beel (2018): ``key = tanh``, ``beta = softplus``,
``g = sigmoid``, ``s = softmax``, ``gamma = 1 + softplus``, ``erase = sigmoid``,
``add = tanh``; the raw parameters are first clipped to ``[-clip, clip]``.

Each head's parameters are laid out as
``[key (M) | beta (1) | g (1) | shift (2R + 1) | gamma (1)]``, and write heads append
``[erase (M) | add (M)]``.
"""

from __future__ import annotations

from keras import ops

from lecun_zoo.families.ntm import addressing, memory as memory_ops


def addressing_size(memory_width: int, shift_range: int) -> int:
    """Parameters one head needs to address: key, beta, g, shift, gamma."""
    return memory_width + 3 + (2 * shift_range + 1)


def parameter_size(memory_width: int, shift_range: int, read_heads: int, write_heads: int) -> int:
    """Width of the controller -> heads projection for all heads."""
    per_head = addressing_size(memory_width, shift_range)
    return read_heads * per_head + write_heads * (per_head + 2 * memory_width)


def _addressing_params(p, memory_width: int, shift_range: int) -> dict:
    """``p [batch, addressing_size]`` -> activated key, beta, g, s, gamma."""
    m, width = memory_width, 2 * shift_range + 1
    return {
        "key": ops.tanh(p[:, :m]),  # [batch, M]
        "beta": ops.softplus(p[:, m : m + 1]),  # [batch, 1]
        "g": ops.sigmoid(p[:, m + 1 : m + 2]),  # [batch, 1]
        "s": ops.softmax(p[:, m + 2 : m + 2 + width], axis=-1),  # [batch, 2R + 1]
        "gamma": 1.0 + ops.softplus(p[:, m + 2 + width : m + 3 + width]),  # [batch, 1]
    }


def split_parameters(params, memory_width: int, shift_range: int, read_heads: int, write_heads: int,
                     clip_value: float = 0.0):
    """Cut ``params [batch, parameter_size]`` into per-head dicts of activated parameters.

    Returns:
        ``(read, write)``: lists of dicts; write dicts also hold ``erase`` and ``add``
        ``[batch, M]``.
    """
    if clip_value:
        params = ops.clip(params, -clip_value, clip_value)
    per_head = addressing_size(memory_width, shift_range)
    read, write, start = [], [], 0
    for _ in range(read_heads):
        read.append(_addressing_params(params[:, start : start + per_head], memory_width, shift_range))
        start += per_head
    for _ in range(write_heads):
        head = _addressing_params(params[:, start : start + per_head], memory_width, shift_range)
        start += per_head
        head["erase"] = ops.sigmoid(params[:, start : start + memory_width])  # [batch, M]
        head["add"] = ops.tanh(params[:, start + memory_width : start + 2 * memory_width])  # [batch, M]
        start += 2 * memory_width
        write.append(head)
    return read, write


def locate(memory, w_prev, head: dict):
    """A head's new weighting ``[batch, N]`` from ``memory [batch, N, M]`` and its previous one."""
    return addressing.address(memory, w_prev, head["key"], head["beta"], head["g"], head["s"], head["gamma"])


def read_heads(memory, w_prev: list, heads: list):
    """Address then read, per read head. Returns ``(read vectors [batch, M] each,
    weightings [batch, N] each)``."""
    weights = [locate(memory, w, h) for w, h in zip(w_prev, heads)]
    return [memory_ops.read(memory, w) for w in weights], weights


def write_heads(memory, w_prev: list, heads: list):
    """Address (on the memory before writing), then erase and add. Returns
    ``(new memory [batch, N, M], weightings [batch, N] each)``."""
    weights = [locate(memory, w, h) for w, h in zip(w_prev, heads)]
    new_memory = memory_ops.write(memory, weights, [h["erase"] for h in heads], [h["add"] for h in heads])
    return new_memory, weights
