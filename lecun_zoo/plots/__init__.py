"""Figures written to PNG with matplotlib's Agg backend (no display needed)."""

from lecun_zoo.plots.curves import learning_curve
from lecun_zoo.plots.maps import heatmap, image_grid

__all__ = ["learning_curve", "heatmap", "image_grid"]
