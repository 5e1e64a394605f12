"""What each layer of a ConvNet computes for one image (the Nature paper's Fig. 2)."""

from __future__ import annotations

from typing import Optional

import numpy as np

LAYER_KINDS = ("Conv2D", "Activation", "MaxPooling2D", "AveragePooling2D", "BatchNormalization")


def feature_maps(model, image: np.ndarray, layers: Optional[list[str]] = None) -> dict[str, np.ndarray]:
    """Each convolutional-stage layer's output for ``image``.

    Args:
        model: a ConvNet (any functional Keras model with 2-D feature maps).
        image: one image ``[h, w, c]`` (or a batch of one).
        layers: layer names; default every conv, activation, pooling and batch-norm layer.

    Returns:
        ``{layer name: maps [h', w', channels]}`` in network order.
    """
    import keras

    x = np.asarray(image, dtype="float32")
    if x.ndim == len(model.input_shape) - 1:
        x = x[None]
    if x.shape[1:] != tuple(model.input_shape[1:]):
        raise ValueError(f"feature_maps() image has shape {x.shape[1:]}; the model expects {tuple(model.input_shape[1:])}")
    if layers is None:
        chosen = [l for l in model.layers if type(l).__name__ in LAYER_KINDS and len(l.output.shape) == 4]
    else:
        by_name = {l.name: l for l in model.layers}
        missing = [n for n in layers if n not in by_name]
        if missing:
            raise ValueError(f"feature_maps() layers {missing} are not in the model; it has {list(by_name)}")
        chosen = [by_name[n] for n in layers]
    probe = keras.Model(model.inputs, [l.output for l in chosen])
    outs = probe([x], training=False)
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    return {l.name: np.asarray(keras.ops.convert_to_numpy(o))[0] for l, o in zip(chosen, outs)}


def plot_feature_maps(maps: dict[str, np.ndarray], path: str, image: Optional[np.ndarray] = None,
                      max_channels: int = 8) -> str:
    """One row per layer, up to ``max_channels`` maps each (and the input on top)."""
    from lecun_zoo.plots._mpl import pyplot

    plt = pyplot()
    rows = list(maps.items())
    n_rows = len(rows) + (image is not None)
    cols = max(1, min(max_channels, max(m.shape[-1] for _, m in rows)))
    fig, axes = plt.subplots(n_rows, cols + 1, figsize=(1.2 * (cols + 1), 1.2 * n_rows), squeeze=False)
    r0 = 0
    if image is not None:
        img = np.asarray(image).squeeze()
        axes[0][0].text(0, 0.5, "input", fontsize=7)
        axes[0][1].imshow(img, cmap="gray")
        r0 = 1
    for r, (name, m) in enumerate(rows, start=r0):
        axes[r][0].text(0, 0.5, name, fontsize=7)
        for c in range(min(cols, m.shape[-1])):
            axes[r][c + 1].imshow(m[..., c], cmap="viridis")
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
