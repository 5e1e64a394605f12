"""The README's main job against scikit-learn on the same digits split, side by side.

    python bench/digits_baselines.py --seeds 0 1 2 [--preset modern --epochs 30 --set learning_rate=3e-3 ...]

Prints one row per model and seed: test accuracy on the fixed 360-image test split of
``lecun_zoo.data`` ("digits", 1,437 train images), and wall seconds. The zoo row is
``lecun_zoo.train("convnet", ...)``, the recipe of ``lecun-zoo train convnet`` (the family's
recipe for digits: preset ``digits``, 40 epochs on the whole train split, as the baselines); the
baselines are ``SVC(gamma=0.001)`` on the 0-16 pixel values (scikit-learn's digits example)
and ``MLPClassifier`` on [0, 1] pixels.
"""

import argparse
import json
import platform
import time

import numpy as np

import lecun_zoo


def parse_sets(pairs):
    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="default: the family's digits recipe (40)")
    parser.add_argument("--preset", default=None)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="ConvNet config override")
    args = parser.parse_args()

    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    (x, y), (xt, yt) = lecun_zoo.data.arrays("digits", ("train", "test"))
    flat, flat_t = x.reshape(len(x), -1), xt.reshape(len(xt), -1)
    rows = []
    for seed in args.seeds:
        t = time.time()
        res = lecun_zoo.train("convnet", args.preset, epochs=args.epochs, seed=seed, verbose=0, **parse_sets(args.set))
        rows.append((f"zoo convnet preset {res.recipe.preset} {json.dumps(res.recipe.overrides)}", seed, res.metrics["accuracy"], time.time() - t))
        t = time.time()
        mlp = MLPClassifier(max_iter=1000, random_state=seed).fit(flat, y)
        rows.append(("sklearn MLPClassifier", seed, mlp.score(flat_t, yt), time.time() - t))
    t = time.time()
    svc = SVC(gamma=0.001).fit(flat * 16, y)  # deterministic: one row
    rows.append(("sklearn SVC(gamma=0.001)", "-", svc.score(flat_t * 16, yt), time.time() - t))

    print(f"machine: {platform.processor() or platform.machine()}; digits: {len(x)} train / {len(xt)} test")
    print("| model | seed | test accuracy | wall s |\n|---|---|---|---|")
    for name, seed, acc, wall in rows:
        print(f"| {name} | {seed} | {acc:.4f} | {wall:.1f} |")
    for name in dict.fromkeys(r[0] for r in rows):
        accs = [r[2] for r in rows if r[0] == name]
        print(f"{name}: mean {np.mean(accs):.4f} over {len(accs)}")


if __name__ == "__main__":
    main()
