"""
Title: LeNet-5 and a modern ConvNet on MNIST
Description: Train the zoo's ConvNet presets on handwritten digits, look at what each
layer computes (the Nature paper's Fig. 2), save and reload the model.

Run with the real MNIST idx files:

    python examples/convnet_mnist.py --data-dir ../shared/data/mnist --epochs 5

Without ``--data-dir`` it uses scikit-learn's 8x8 digits, which need no download.
"""

import argparse
import os

import numpy as np

import lecun_zoo
from lecun_zoo.families.convnet.feature_maps import feature_maps, plot_feature_maps

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", default=None, help="folder with MNIST's idx .gz files")
parser.add_argument("--preset", default="lenet5", choices=["lenet5", "modern", "tiny"])
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--out", default="runs/example-convnet")
args = parser.parse_args()

"""
## Training

`lecun_zoo.train` reads the data (`lecun_zoo.data.load`: `tf.data` pipelines of
(image, label), with a validation split carved from train), fits the config to it
(input shape, number of classes), builds, compiles, trains and scores the test split.
With `out` it also writes the model, its history and a learning curve there. MNIST is
read from the standard idx files; the 8x8 digits come with scikit-learn.

LeNet-5 expects 28x28 images padded to 32x32; on 8x8 digits we switch to the modern
stack with 'same' padding. Any config field can be overridden by keyword.
"""

dataset = "mnist" if args.data_dir else "digits"
preset = "modern" if dataset == "digits" and args.preset == "lenet5" else args.preset
result = lecun_zoo.train("convnet", preset, data=dataset, data_dir=args.data_dir, epochs=args.epochs,
                         batch_size=128, out=args.out, verbose=2)
model, accuracy = result.model, result.metrics["accuracy"]
print(f"{dataset}: input {result.config.input_shape}, {result.config.num_classes} classes")
model.summary()
print(f"test accuracy {accuracy:.4f} (error {100 * (1 - accuracy):.2f} %)")
test = lecun_zoo.data.load(dataset, "test", data_dir=args.data_dir, batch_size=8)

"""
## What the layers compute

Each convolutional layer's maps for one test image: the first layers respond to
edges and strokes, later ones to combinations of them.
"""

image = next(iter(test))[0][0].numpy()
maps = feature_maps(model, image)
plot_feature_maps(maps, os.path.join(args.out, "feature_maps.png"), image=image)

"""
## Save and reload

`lecun_zoo.load` works in a fresh process and refuses files that carry code.
"""

path = lecun_zoo.save(model, os.path.join(args.out, "convnet.keras"))
again = lecun_zoo.load(path)
batch = next(iter(test))[0][:8]
assert np.allclose(again.predict(batch, verbose=0), model.predict(batch, verbose=0), atol=1e-6)
print(f"saved to {path}; learning curve and feature maps in {args.out}")
