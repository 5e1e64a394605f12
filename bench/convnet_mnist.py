"""LeNet-5 (and the modern preset) on real MNIST: test error and wall time, next to
LeCun et al. 1998 (0.95 % test error for LeNet-5 without distortions).

    python bench/convnet_mnist.py --data-dir ../shared/data/mnist --epochs 10
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import lecun_zoo  # noqa: E402

PAPER = {"lenet5": "0.95 % (LeCun et al. 1998, no distortions)", "modern": "about 1 % (keras-io mnist_convnet, 15 epochs)"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", required=True, help="folder with the MNIST idx .gz files")
    p.add_argument("--presets", nargs="+", default=["lenet5"])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--precision", default="float32")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    # all 60,000 training images, no validation split (train() would carve one from data="mnist")
    train, test = lecun_zoo.data.load("mnist", split=("train", "test"), data_dir=args.data_dir,
                                      batch_size=args.batch_size, seed=args.seed)
    rows = []
    for preset in args.presets:
        result = lecun_zoo.train("convnet", preset, data={"train": train, "test": test}, epochs=args.epochs,
                                 precision=args.precision, seed=args.seed, verbose=2)
        wall = result.train_seconds
        rows.append((preset, 100 * (1 - result.metrics["accuracy"]), wall, wall / args.epochs,
                     result.history.history["loss"][-1]))
    print(f"\nMNIST 60k/10k, {args.epochs} epochs, batch {args.batch_size}, {args.precision}")
    print(f"{'preset':8s} | {'test error %':>12s} | {'wall s':>7s} | {'s/epoch':>7s} | {'final train loss':>16s} | published")
    print("-" * 100)
    for preset, err, wall, per, loss in rows:
        print(f"{preset:8s} | {err:12.2f} | {wall:7.1f} | {per:7.1f} | {loss:16.4f} | {PAPER.get(preset, '')}")


if __name__ == "__main__":
    main()
