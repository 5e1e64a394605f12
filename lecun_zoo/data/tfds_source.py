"""Image classification datasets through tensorflow-datasets. Pass ``data_dir`` where
the data was prepared to work offline; ``download=False`` forbids a download."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from lecun_zoo.data.base import DatasetInfo, Source, bool_option, tfds_load


class TfdsImages(Source):
    #: ``download``: let tensorflow-datasets download the data when it is not prepared (default True)
    options = ("download",)

    def __init__(self, name: str, shape: tuple, num_classes: int, sizes: dict, hint: str = "") -> None:
        self.name = name
        self.summary = f"tensorflow-datasets '{name}' (images scaled to [0, 1])"
        self.shape, self.num_classes, self.sizes = shape, num_classes, sizes
        self.splits = tuple(sizes)
        self.hint = hint  # another way to get the data, for the error message

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        bool_option(self.name, "download", options.get("download", True))
        return DatasetInfo(self.name, "image_classification", self.shape, self.num_classes, dict(self.sizes))

    def tf_dataset(self, split: str, data_dir: Optional[str] = None, **options: Any):
        import tensorflow as tf

        download = bool_option(self.name, "download", options.get("download", True))
        ds = tfds_load(self.name, split, data_dir, self.hint, as_supervised=True, download=download)
        return ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, tf.cast(y, tf.int32)),
                      num_parallel_calls=tf.data.AUTOTUNE)

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        xs, ys = [], []
        for x, y in self.tf_dataset(split, data_dir=data_dir, **options).batch(4096).as_numpy_iterator():
            xs.append(x)
            ys.append(y)
        return np.concatenate(xs), np.concatenate(ys)


TFDS_IMAGE = {
    "mnist": TfdsImages("mnist", (28, 28, 1), 10, {"train": 60000, "test": 10000},
                        hint=", or pass data_dir=<folder holding train-images-idx3-ubyte.gz, "
                             "train-labels-idx1-ubyte.gz, t10k-...> without source='tfds'"),
    "fashion_mnist": TfdsImages("fashion_mnist", (28, 28, 1), 10, {"train": 60000, "test": 10000}),
    "cifar10": TfdsImages("cifar10", (32, 32, 3), 10, {"train": 50000, "test": 10000}),
}
FASHION_MNIST = TFDS_IMAGE["fashion_mnist"]
CIFAR10 = TFDS_IMAGE["cifar10"]
