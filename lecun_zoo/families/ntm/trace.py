"""What an NTM does with its memory over one sequence: read and write weightings, read
and add vectors and the memory at every step, and heat maps of them (the analogues of
Graves et al. 2014, Figs. 6 and 8)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np


def memory_trace(model: Any, x: np.ndarray) -> dict[str, np.ndarray]:
    """Run ``model``'s NTM cell over ``x`` and record its internals.

    Args:
        model: an NTM from the ``ntm`` family (``model_type="ntm"``).
        x: ``[time, bits + 2]`` or ``[batch, time, bits + 2]``.

    Returns:
        numpy arrays with a batch axis first: ``inputs [b, T, bits + 2]``, ``outputs
        [b, T, out]`` (logits), ``read_weights [b, T, R, N]``, ``write_weights [b, T, W, N]``,
        ``reads [b, T, R, M]``, ``erases`` and ``adds [b, T, W, M]``, ``memory [b, T, N, M]`` (after the
        step's write).
    """
    import keras

    from lecun_zoo.families.ntm.model import make_cell

    x = np.asarray(x, "float32")
    if x.ndim == 2:
        x = x[None]
    c = model.zoo_config
    cell = model.cell
    traced = make_cell(c, emit_trace=True)
    inputs = keras.Input((None, x.shape[-1]))
    probe = keras.Model(inputs, keras.layers.RNN(traced, return_sequences=True, dtype="float32")(inputs))
    traced.set_weights(cell.get_weights())
    out = np.asarray(probe.predict_on_batch(x))  # [batch, time, sum(trace_sizes)] (a compiled loop, not eager)
    b, t = out.shape[:2]
    n, m, r, w = c.memory_size, c.memory_width, c.read_heads, c.write_heads
    parts, start = {}, 0
    for name, size in traced.trace_sizes.items():
        parts[name] = out[..., start : start + size]
        start += size
    return {
        "inputs": x,
        "outputs": parts["outputs"],
        "read_weights": parts["read_weights"].reshape(b, t, r, n),  # [b, T, R*N] -> [b, T, R, N]
        "write_weights": parts["write_weights"].reshape(b, t, w, n),  # [b, T, W*N] -> [b, T, W, N]
        "reads": parts["reads"].reshape(b, t, r, m),  # [b, T, R*M] -> [b, T, R, M]
        "erases": parts["erases"].reshape(b, t, w, m),  # [b, T, W*M] -> [b, T, W, M]
        "adds": parts["adds"].reshape(b, t, w, m),  # [b, T, W*M] -> [b, T, W, M]
        "memory": parts["memory"].reshape(b, t, n, m),  # [b, T, N*M] -> [b, T, N, M]
    }


def plot_memory_trace(trace: dict, out_dir: str, *, index: int = 0, head: int = 0, prefix: str = "ntm",
                      locations: int | None = None) -> dict[str, str]:
    """Heat maps (PNG) of one sequence of a :func:`memory_trace`: inputs, outputs
    (sigmoid), add and read vectors, write and read weightings (locations x time), and the
    final memory. Returns ``{name: path}``.

    Args:
        trace: from :func:`memory_trace`.
        out_dir: folder for the PNGs (created).
        index: which sequence of the batch.
        head: which read / write head.
        prefix: file name prefix.
        locations: show only the first ``locations`` memory rows (default: all).
    """
    from lecun_zoo.plots import heatmap

    os.makedirs(out_dir, exist_ok=True)
    rows = slice(None) if locations is None else slice(0, locations)
    outputs = 1.0 / (1.0 + np.exp(-trace["outputs"][index]))
    figures = {
        "inputs": (trace["inputs"][index].T, "inputs", "channel"),
        "outputs": (outputs.T, "outputs (sigmoid)", "bit"),
        "adds": (trace["adds"][index, :, head].T, f"add vectors, write head {head}", "memory width"),
        "reads": (trace["reads"][index, :, head].T, f"read vectors, read head {head}", "memory width"),
        "write_weights": (trace["write_weights"][index, :, head, rows].T, f"write weighting, head {head}", "location"),
        "read_weights": (trace["read_weights"][index, :, head, rows].T, f"read weighting, head {head}", "location"),
        "memory": (trace["memory"][index, -1, rows], "memory after the last step", "location"),
    }
    paths = {}
    for name, (matrix, title, ylabel) in figures.items():
        path = os.path.join(out_dir, f"{prefix}_{name}.png")
        xlabel = "memory width" if name == "memory" else "time"
        paths[name] = heatmap(matrix, path, title=title, xlabel=xlabel, ylabel=ylabel,
                              cmap="gray" if name in ("inputs", "outputs") else "viridis")
    return paths
