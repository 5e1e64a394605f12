"""Image classification datasets through tensorflow-datasets. Pass ``data_dir`` where
the data was prepared to work offline; ``download=False`` forbids a download."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from lecun_zoo.data.base import DataNotFoundError, DatasetInfo, Source


class TfdsImages(Source):
    def __init__(self, name: str, shape: tuple, num_classes: int, sizes: dict) -> None:
        self.name = name
        self.summary = f"tensorflow-datasets '{name}' (images scaled to [0, 1])"
        self.shape, self.num_classes, self.sizes = shape, num_classes, sizes
        self.splits = tuple(sizes)

    def info(self, data_dir: Optional[str] = None, **options: Any) -> DatasetInfo:
        return DatasetInfo(self.name, "image_classification", self.shape, self.num_classes, dict(self.sizes))

    def tf_dataset(self, split: str, data_dir: Optional[str] = None, **options: Any):
        import tensorflow as tf
        import tensorflow_datasets as tfds

        try:
            ds = tfds.load(self.name, split=split, data_dir=data_dir, as_supervised=True,
                           download=bool(options.get("download", True)))
        except Exception as e:  # DatasetNotFoundError, network errors when offline, ...
            raise DataNotFoundError(
                f"tensorflow-datasets could not load {self.name!r} split {split!r} from data_dir="
                f"{data_dir!r}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}. "
                f"Prepare it once with network access (tfds.load({self.name!r}, data_dir=...)) "
                f"and pass that data_dir."
            ) from None
        return ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, tf.cast(y, tf.int32)),
                      num_parallel_calls=tf.data.AUTOTUNE)

    def arrays(self, split: str, data_dir: Optional[str] = None, **options: Any):
        xs, ys = [], []
        for x, y in self.tf_dataset(split, data_dir=data_dir, **options).batch(4096).as_numpy_iterator():
            xs.append(x)
            ys.append(y)
        return np.concatenate(xs), np.concatenate(ys)


TFDS_IMAGE = {
    "mnist": TfdsImages("mnist", (28, 28, 1), 10, {"train": 60000, "test": 10000}),
    "fashion_mnist": TfdsImages("fashion_mnist", (28, 28, 1), 10, {"train": 60000, "test": 10000}),
    "cifar10": TfdsImages("cifar10", (32, 32, 3), 10, {"train": 50000, "test": 10000}),
}
FASHION_MNIST = TFDS_IMAGE["fashion_mnist"]
CIFAR10 = TFDS_IMAGE["cifar10"]
