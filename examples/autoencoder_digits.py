"""
Title: Deep autoencoder with greedy layer-wise pretraining
Description: Pretrain a stack of RBMs one layer at a time, unroll it into a deep
autoencoder, fine-tune it, and draw the 2-D codes and the reconstructions.
Paper: Hinton & Salakhutdinov (2006), Reducing the dimensionality of data with neural
networks, Science 313 (Fig. 3 is the 2-D code map this example redraws).

Run it with no arguments on scikit-learn's 8x8 digits (offline, about a minute), or on
MNIST with `--data-dir /work/shared/data/mnist`:

    python examples/autoencoder_digits.py --out runs/autoencoder_example
"""

"""
## Setup
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import lecun_zoo
from lecun_zoo.families.autoencoder import encode, plot_codes, plot_reconstructions, reconstruct

parser = argparse.ArgumentParser(description="Deep autoencoder: pretrain, fine-tune, plot codes and reconstructions")
parser.add_argument("--data-dir", default=None, help="folder with MNIST idx files (default: 8x8 digits)")
parser.add_argument("--pretrain-epochs", type=int, default=20, help="epochs per RBM")
parser.add_argument("--epochs", type=int, default=30, help="fine-tuning epochs")
parser.add_argument("--train-size", type=int, default=10000, help="MNIST only: training images used")
parser.add_argument("--out", default="runs/autoencoder_example")
args = parser.parse_args()

"""
## Data

Images in [0, 1]: the first RBM treats pixel intensities as probabilities of logistic
(Bernoulli) visible units. The labels are only used to colour the code map; the
autoencoder's target is its own input.
"""

if args.data_dir:
    (x_train, y_train), (x_test, y_test) = lecun_zoo.data.arrays("mnist", ("train", "test"), data_dir=args.data_dir)
    x_train, y_train = x_train[: args.train_size], y_train[: args.train_size]
    layer_sizes = (1000, 500, 250, 2)  # the paper's Fig. 3 network
else:
    (x_train, y_train), (x_test, y_test) = lecun_zoo.data.arrays("digits", ("train", "test"))
    layer_sizes = (256, 128, 64, 2)
print(f"train {x_train.shape}, test {x_test.shape}")

"""
## The model, greedy pretraining, unrolling and fine-tuning

The `code2d` preset: logistic layers and a 2-unit linear code. Its top RBM has
Gaussian (linear) hidden units, as in the paper.

`lecun_zoo.train` fits the config to the arrays (input shape) and runs the family's
staged training: RBM 1 on the images, RBM 2 on RBM 1's hidden probabilities, and so
on, each stage with its own progress bar; then it copies the stack into the encoder and
(transposed) into the decoder, fine-tunes the whole network, scores the test split and
writes the model, its history and learning curve to `--out`.
"""

splits = {"train": (x_train, y_train), "validation": (x_test, y_test), "test": (x_test, y_test)}
result = lecun_zoo.train("autoencoder", "code2d", data=splits, epochs=args.epochs, batch_size=100, out=args.out,
                         verbose=2, layer_sizes=layer_sizes, pretrain_epochs=args.pretrain_epochs)
model = result.model
model.summary()
for stage in result.history.stages:
    h = stage["history"]
    key = "reconstruction_error" if "reconstruction_error" in h else "squared_error"
    print(f"{stage['name']:24s} {key} {h[key][0]:.2f} -> {h[key][-1]:.2f}")

"""
## Codes and reconstructions
"""

codes = encode(model, x_test)
recon = reconstruct(model, x_test)
print(f"test squared reconstruction error per image: {result.metrics['squared_error']:.3f}")
print("codes:", plot_codes(codes, y_test, os.path.join(args.out, "codes.png"), title="2-D codes of the test images"))
print("reconstructions:", plot_reconstructions(x_test, recon, os.path.join(args.out, "reconstructions.png"), n=10))
