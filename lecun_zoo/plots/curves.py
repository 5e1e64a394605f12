"""Learning curves from a Keras History (or its ``.history`` dict)."""

from __future__ import annotations

from typing import Any, Mapping

from lecun_zoo.plots._mpl import pyplot


def learning_curve(history: Any, path: str, title: str = "") -> str:
    """Plot every metric of ``history`` against epochs, train and ``val_`` together,
    one panel per metric; write a PNG to ``path``."""
    h: Mapping[str, list] = getattr(history, "history", history)
    metrics = [k for k in h if not k.startswith("val_")]
    if not metrics:
        raise ValueError("learning_curve() got an empty history")
    plt = pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        epochs = range(1, len(h[m]) + 1)
        ax.plot(epochs, h[m], marker="o", label="train")
        if f"val_{m}" in h:
            ax.plot(range(1, len(h[f"val_{m}"]) + 1), h[f"val_{m}"], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(m)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
