"""scikit-learn's 8x8 handwritten digits: 1,797 images shipped inside scikit-learn,
so training needs no download. A fixed stratified split: 1,437 train, 360 test."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from lecun_zoo.data.base import DatasetInfo, Source


class Digits(Source):
    name = "digits"
    licence = "CC BY 4.0 (UCI Optical Recognition of Handwritten Digits, as shipped by scikit-learn)"
    scaling = "pixel counts / 16: float32 in [0, 1], shape 8x8x1"
    summary = "8x8 handwritten digits from scikit-learn (offline), 1437 train / 360 test"
    splits = ("train", "test")

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        return DatasetInfo("digits", "image_classification", (8, 8, 1), 10, {"train": 1437, "test": 360})

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        d = load_digits()
        x = (d.images / 16.0).astype("float32")[..., None]  # [n, 8, 8, 1] in [0, 1]
        y = d.target.astype("int32")
        x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=360, random_state=0, stratify=y)
        return (x_tr, y_tr) if split == "train" else (x_te, y_te)


DATASET = Digits()
