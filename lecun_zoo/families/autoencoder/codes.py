"""What a trained deep autoencoder gives: codes, reconstructions, and their figures (the
2-D code map of Hinton & Salakhutdinov 2006, Fig. 3, and original/reconstruction grids)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

__all__ = ["encode", "reconstruct", "plot_codes", "plot_reconstructions"]


def encode(model: Any, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Codes (the top encoder layer) of images ``x`` [n, *input_shape] -> [n, code size]."""
    import keras

    from lecun_zoo.families.autoencoder.model import encoder_name

    c = model.zoo_config
    x = np.asarray(x, dtype="float32")
    if x.shape[1:] != tuple(c.input_shape):
        raise ValueError(f"encode() images have shape {x.shape[1:]}; the model's input_shape is {tuple(c.input_shape)}")
    code = model.get_layer(encoder_name(len(c.layer_sizes))).output
    encoder = keras.Model(model.inputs, code)
    return np.asarray(encoder.predict(x, batch_size=batch_size, verbose=0), dtype="float32")


def reconstruct(model: Any, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """The autoencoder's reconstructions of ``x`` (same shape)."""
    if model.zoo_config.head != "autoencoder":
        raise ValueError("reconstruct() needs head='autoencoder'; this model has head='classifier'")
    return np.asarray(model.predict(np.asarray(x, "float32"), batch_size=batch_size, verbose=0), dtype="float32")


def plot_codes(codes: np.ndarray, labels: np.ndarray, path: str, *, title: str = "") -> str:
    """Scatter of 2-D codes coloured by label (codes with more than 2 dimensions are
    shown on their first two principal components); writes a PNG."""
    from lecun_zoo.plots._mpl import pyplot

    z = np.asarray(codes, dtype="float64")
    if z.ndim != 2:
        raise ValueError(f"plot_codes() codes have shape {z.shape}; expected [n, code size]")
    axis_names = ("code 1", "code 2")
    if z.shape[1] > 2:
        zc = z - z.mean(axis=0)
        _, _, vt = np.linalg.svd(zc, full_matrices=False)
        z = zc @ vt[:2].T
        axis_names = ("code PC 1", "code PC 2")
    elif z.shape[1] == 1:
        z = np.concatenate([z, np.zeros_like(z)], axis=1)
    labels = np.asarray(labels).ravel()
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for k in np.unique(labels):
        sel = labels == k
        ax.scatter(z[sel, 0], z[sel, 1], s=6, alpha=0.7, label=str(k))
    ax.legend(markerscale=3, fontsize=7, loc="best")
    ax.set_xlabel(axis_names[0])
    ax.set_ylabel(axis_names[1])
    ax.set_title(title or "codes by label")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_reconstructions(originals: np.ndarray, reconstructions: np.ndarray, path: str, *,
                         n: int = 10, title: str = "top: originals, bottom: reconstructions") -> str:
    """Two rows: ``n`` originals above their reconstructions (lecun_zoo.plots.image_grid)."""
    from lecun_zoo.plots import image_grid

    a = np.asarray(originals, "float32")[:n]
    b = np.asarray(reconstructions, "float32")[:n]
    if a.shape != b.shape:
        raise ValueError(f"plot_reconstructions() originals {a.shape} and reconstructions {b.shape} differ in shape")
    return image_grid(np.concatenate([a, b]), path, rows=2, title=title)
