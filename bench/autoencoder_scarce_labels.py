"""MNIST classification with few labels: the 784-500-500-2000-10 network initialised from
an RBM stack pretrained on unlabelled images vs a random init, several seeds; optionally
the full-label classifier (Hinton & Salakhutdinov 2006: 1.2 % test error with
pretraining, 1.6 % without).

    python bench/autoencoder_scarce_labels.py --data-dir /work/shared/data/mnist \
        --unlabelled 20000 --pretrain-epochs 5 --labels 100 600 1000 3000 --seeds 0 1 --steps 400

The stack is pretrained once (on the first ``--unlabelled`` images of a seeded permutation
of the training set, labels unused); each labelled subset is class-balanced and drawn
per seed from the whole training set; test error is on the 10,000 test images.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def balanced_subset(y, n, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    per = [n // len(classes) + (1 if i < n % len(classes) else 0) for i in range(len(classes))]
    idx = np.concatenate([rng.choice(np.flatnonzero(y == c), k, replace=False) for c, k in zip(classes, per)])
    return rng.permutation(idx)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default="/work/shared/data/mnist")
    p.add_argument("--unlabelled", type=int, default=20000, help="images for pretraining")
    p.add_argument("--pretrain-epochs", type=int, default=5, help="epochs per RBM (paper: 50)")
    p.add_argument("--labels", type=int, nargs="+", default=[100, 600, 1000, 3000])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--steps", type=int, default=400, help="fine-tuning gradient steps per run")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--full-epochs", type=int, default=0, help="also fine-tune on all 60k labels for this many epochs")
    p.add_argument("--json", default=None)
    args = p.parse_args()

    import keras
    import numpy as np

    import lecun_zoo
    from lecun_zoo.families.autoencoder import FAMILY, pretrain, unroll

    (x_tr, y_tr), (x_te, y_te) = lecun_zoo.data.arrays("mnist", ("train", "test"), data_dir=args.data_dir)
    pool = x_tr[np.random.default_rng(1234).permutation(len(x_tr))[: args.unlabelled]]
    cfg = FAMILY.make_config("hinton2006_classifier", pretrain_epochs=args.pretrain_epochs,
                             learning_rate=args.learning_rate)
    keras.utils.set_random_seed(0)
    t0 = time.time()
    stack = pretrain(cfg, pool, verbose=2, batch_size=args.batch_size, seed=0)
    pretrain_s = time.time() - t0
    print(f"pretrained 784-500-500-2000 on {len(pool)} unlabelled images in {pretrain_s:.0f} s", flush=True)

    pretrained = FAMILY.build(cfg)
    unroll(pretrained, stack)

    def run(x, y, init, seed, epochs):
        # the softmax layer stays randomly initialised (reset_head); nothing is pretrained again
        result = lecun_zoo.train("autoencoder", "hinton2006_classifier", data={"train": (x, y), "test": (x_te, y_te)},
                                 epochs=epochs, batch_size=min(args.batch_size, len(x)), seed=seed, verbose=0,
                                 init=pretrained if init == "pretrained" else None, reset_head=True, pretrain="none",
                                 learning_rate=args.learning_rate)
        return 100.0 * (1.0 - result.metrics["accuracy"])

    results = []
    for n in args.labels:
        for seed in args.seeds:
            idx = balanced_subset(y_tr, n, seed)
            epochs = max(1, math.ceil(args.steps / math.ceil(n / min(args.batch_size, n))))
            row = {"labels": n, "seed": seed, "epochs": epochs}
            for init in ("pretrained", "random"):
                t = time.time()
                row[init] = run(x_tr[idx], y_tr[idx], init, seed, epochs)
                row[f"{init}_s"] = time.time() - t
            results.append(row)
            print(f"labels {n:5d} seed {seed}: test error pretrained {row['pretrained']:.2f} %, "
                  f"random init {row['random']:.2f} % ({epochs} epochs)", flush=True)

    full = None
    if args.full_epochs:
        full = {}
        for init in ("pretrained", "random"):
            t = time.time()
            full[init] = run(x_tr, y_tr, init, 0, args.full_epochs)
            full[f"{init}_s"] = time.time() - t
            print(f"all 60000 labels, {init}: test error {full[init]:.2f} % ({full[f'{init}_s']:.0f} s)", flush=True)

    print()
    print("| labels | pretrained: test error % (mean ± sd) | random init: test error % (mean ± sd) | seeds |")
    print("|---:|---:|---:|---:|")
    for n in args.labels:
        rs = [r for r in results if r["labels"] == n]
        pre = np.array([r["pretrained"] for r in rs])
        rnd = np.array([r["random"] for r in rs])
        print(f"| {n} | {pre.mean():.2f} ± {pre.std():.2f} | {rnd.mean():.2f} ± {rnd.std():.2f} | {len(rs)} |")
    if full:
        print(f"| 60000 | {full['pretrained']:.2f} | {full['random']:.2f} | 1 |")
    print(f"pretraining: {pretrain_s:.0f} s; reference (recalled): Kingma et al. 2014 plain NN 25.8 / 11.4 / 10.7 / 6.0 % "
          f"at 100 / 600 / 1000 / 3000 labels; Hinton & Salakhutdinov 2006 full labels 1.2 % (pretrained) vs 1.6 %")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "pretrain_seconds": pretrain_s, "runs": results, "full": full}, f, indent=2)


if __name__ == "__main__":
    main()
