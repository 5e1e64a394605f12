"""Heat maps (attention, memory, addressing weights) and image grids (feature maps,
reconstructions)."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from lecun_zoo.plots._mpl import pyplot


def heatmap(
    matrix: np.ndarray,
    path: str,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    xticklabels: Optional[Sequence[str]] = None,
    yticklabels: Optional[Sequence[str]] = None,
    cmap: str = "viridis",
) -> str:
    """Draw a 2-D array as a heat map with a colour bar; write a PNG."""
    m = np.asarray(matrix, dtype="float32")
    if m.ndim != 2:
        raise ValueError(f"heatmap() matrix has shape {m.shape}; expected 2-D")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(3.0, 0.35 * m.shape[1] + 2), max(2.5, 0.3 * m.shape[0] + 1.5)))
    im = ax.imshow(m, aspect="auto", cmap=cmap, interpolation="nearest")
    fig.colorbar(im, ax=ax)
    if xticklabels is not None:
        ax.set_xticks(range(len(xticklabels)))
        ax.set_xticklabels(xticklabels, rotation=90)
    if yticklabels is not None:
        ax.set_yticks(range(len(yticklabels)))
        ax.set_yticklabels(yticklabels)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def image_grid(
    images: np.ndarray,
    path: str,
    *,
    rows: Optional[int] = None,
    titles: Optional[Sequence[str]] = None,
    title: str = "",
    cmap: str = "gray",
) -> str:
    """Draw ``images`` ([n, h, w] or [n, h, w, 1|3]) in a grid; write a PNG."""
    imgs = np.asarray(images, dtype="float32")
    if imgs.ndim == 4 and imgs.shape[-1] == 1:
        imgs = imgs[..., 0]
    if imgs.ndim not in (3, 4):
        raise ValueError(f"image_grid() images have shape {imgs.shape}; expected [n, h, w] or [n, h, w, c]")
    n = len(imgs)
    cols = int(np.ceil(n / rows)) if rows else int(np.ceil(np.sqrt(n)))
    rows = rows or int(np.ceil(n / cols))
    plt = pyplot()
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.3 * rows + (0.4 if title else 0)), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(imgs[i], cmap=cmap if imgs.ndim == 3 else None)
            if titles is not None and i < len(titles):
                ax.set_title(titles[i], fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path
