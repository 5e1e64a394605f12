"""MNIST reconstruction: the 784-1000-500-250-30 deep autoencoder with and without greedy
RBM pretraining, next to PCA with 30 components, all measured in the same run
(Hinton & Salakhutdinov 2006, Fig. 2: autoencoder 3.00, PCA 13.87 squared error per test image).

    python bench/autoencoder_mnist.py --data-dir /work/shared/data/mnist \
        --train-size 20000 --pretrain-epochs 5 --epochs 20

Prints a table: test squared reconstruction error per image (summed over the 784 pixels,
averaged over the 10,000 test images) and wall time per model.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def squared_error(a, b):
    import numpy as np

    return float(np.mean(np.sum((a.reshape(len(a), -1) - b.reshape(len(b), -1)) ** 2, axis=1)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default="/work/shared/data/mnist")
    p.add_argument("--train-size", type=int, default=20000, help="training images used (first N of a seeded permutation)")
    p.add_argument("--test-size", type=int, default=10000)
    p.add_argument("--pretrain-epochs", type=int, default=5, help="epochs per RBM (paper: 50)")
    p.add_argument("--epochs", type=int, default=20, help="fine-tuning epochs (also for the random-init model)")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--code-lr", type=float, default=0.01, help="learning rate of the linear code RBM (paper code: 0.001)")
    p.add_argument("--learning-rate", type=float, default=1e-3, help="fine-tuning Adam learning rate")
    p.add_argument("--precision", default="float32")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-random", action="store_true", help="skip the random-init baseline")
    p.add_argument("--json", default=None, help="also write the results here")
    args = p.parse_args()

    import numpy as np
    from sklearn.decomposition import PCA

    import lecun_zoo

    (x_tr, _), (x_te, _) = lecun_zoo.data.arrays("mnist", ("train", "test"), data_dir=args.data_dir)
    perm = np.random.default_rng(args.seed).permutation(len(x_tr))[: args.train_size]
    x_tr, x_te = x_tr[perm], x_te[: args.test_size]
    print(f"MNIST: {len(x_tr)} training images, {len(x_te)} test images")
    rows = []

    t0 = time.time()
    pca = PCA(30, random_state=args.seed).fit(x_tr.reshape(len(x_tr), -1))
    flat = x_te.reshape(len(x_te), -1)
    rows.append(("PCA, 30 components", squared_error(pca.inverse_transform(pca.transform(flat)), flat), time.time() - t0, ""))

    variants = [("rbm", "deep autoencoder 784-1000-500-250-30, RBM-pretrained")]
    if not args.skip_random:
        variants.append(("none", "deep autoencoder 784-1000-500-250-30, random init"))
    for pretrain, label in variants:
        over = dict(pretrain=pretrain, code_learning_rate=args.code_lr, learning_rate=args.learning_rate)
        if pretrain != "none":
            over["pretrain_epochs"] = args.pretrain_epochs
        result = lecun_zoo.train("autoencoder", "hinton2006", data={"train": (x_tr, x_tr), "test": (x_te, x_te)},
                                 epochs=args.epochs, batch_size=args.batch_size, precision=args.precision,
                                 seed=args.seed, verbose=2, **over)
        hist, wall, err = result.history, result.train_seconds, result.metrics["squared_error"]
        pre_s = ""
        if pretrain != "none":
            pre_s = "; ".join(f"layer {s['layer']} recon err {s['history']['reconstruction_error'][0]:.2f}->"
                              f"{s['history']['reconstruction_error'][-1]:.2f}" for s in hist.stages[:-1])
        rows.append((label, err, wall, pre_s))
        print(f"--> {label}: test squared error {err:.2f} ({wall:.0f} s)", flush=True)

    print()
    print(f"| model | test squared error per image | wall time (s) |")
    print(f"|---|---:|---:|")
    for label, err, wall, _ in rows:
        print(f"| {label} | {err:.2f} | {wall:.0f} |")
    for label, _, _, note in rows:
        if note:
            print(f"{label}: {note}")
    print(f"paper (Hinton & Salakhutdinov 2006, full MNIST, 50 epochs/RBM, CG fine-tuning): autoencoder 3.00, PCA 13.87")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "rows": [dict(model=r[0], squared_error=r[1], seconds=r[2], note=r[3]) for r in rows]},
                      f, indent=2)


if __name__ == "__main__":
    main()
