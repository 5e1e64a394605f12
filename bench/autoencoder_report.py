"""The Science paper's figures from finished deep-autoencoder runs (Hinton & Salakhutdinov 2006).

    python bench/autoencoder_report.py --run RUN --data-dir ../shared/data/mnist \\
        --fig2 docs/results/autoencoder_fig2.png --code2d docs/results/autoencoder_code2d.png

RUN is a ``lecun-zoo train autoencoder --data mnist --preset hinton2006 --out RUN`` folder.
Prints, measured in this run, the test squared error per image (summed over the 784 pixels,
averaged over the 10,000 test images) of the run's model and of PCA with 30 components fitted
on all 60,000 training images; ``--fig2`` draws Fig. 2's rows: test digits (one per class),
the autoencoder's reconstructions, PCA's. ``--code2d`` draws the 2-D codes of the bundled
``autoencoder/code2d.digits`` weights on scikit-learn's digits test split (the paper's Fig. 3
analogue). ``--probe`` (a JSON-lines file of ``{"epoch", "test"}``) adds the test error seen
during fine-tuning to the printout, as a curve (it chose nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PUBLISHED = {"autoencoder": 3.00, "pca30": 13.87}


def squared_error(a, b) -> float:
    import numpy as np

    return float(np.mean(np.sum((a.reshape(len(a), -1) - b.reshape(len(b), -1)) ** 2, axis=1)))


def one_per_class(labels, n_classes: int = 10):
    """Index of the first test image of each class."""
    import numpy as np

    return [int(np.flatnonzero(labels == k)[0]) for k in range(n_classes)]


def fig2(x, recon, pca, labels, path: str) -> str:
    import numpy as np

    from lecun_zoo.plots import image_grid

    idx = one_per_class(labels)
    rows = np.clip(np.concatenate([x[idx], recon[idx], pca[idx]]), 0.0, 1.0)  # drawn in [0, 1], as the images are
    return image_grid(rows, path, rows=3, title="rows: test images; the deep autoencoder's reconstructions; "
                                                "PCA's (30 components)")


def code2d(path: str) -> str:
    import lecun_zoo
    from lecun_zoo.families.autoencoder import encode, plot_codes

    model = lecun_zoo.get("autoencoder", preset="code2d", weights="digits")
    (x, y), = lecun_zoo.data.arrays("digits", ("test",))
    return plot_codes(encode(model, x), y, path, title="2-D codes, digits test split (code2d.digits)")


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--data-dir", default="../shared/data/mnist")
    ap.add_argument("--fig2", default=None)
    ap.add_argument("--code2d", default=None)
    ap.add_argument("--probe", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)

    import numpy as np
    from sklearn.decomposition import PCA

    import lecun_zoo
    from lecun_zoo.families.autoencoder import reconstruct

    (x_tr, _), (x_te, y_te) = lecun_zoo.data.arrays("mnist", ("train", "test"), data_dir=args.data_dir)
    model = lecun_zoo.load(os.path.join(args.run, "model.keras"))
    t0 = time.time()
    recon = reconstruct(model, x_te, batch_size=1000)
    flat = x_te.reshape(len(x_te), -1)
    pca = PCA(30, random_state=0).fit(x_tr.reshape(len(x_tr), -1))
    pca_recon = pca.inverse_transform(pca.transform(flat)).reshape(x_te.shape)
    out = {"autoencoder": squared_error(recon, x_te), "pca30": squared_error(pca_recon, x_te),
           "train_images": len(x_tr), "test_images": len(x_te), "seconds": time.time() - t0}
    print("| model | test squared error per image | paper |\n|---|---:|---:|")
    layout = "-".join(str(n) for n in (model.zoo_config.input_dim, *model.zoo_config.layer_sizes))
    print(f"| deep autoencoder {layout} ({args.run}) | {out['autoencoder']:.2f} | {PUBLISHED['autoencoder']:.2f} |")
    print(f"| PCA, 30 components (fitted on {len(x_tr)} training images) | {out['pca30']:.2f} | {PUBLISHED['pca30']:.2f} |")
    if args.probe:
        with open(args.probe) as f:
            probe = [json.loads(line) for line in f if line.strip()]
        out["probe"] = [(p["epoch"], p["test"]) for p in probe]
        print("fine-tuning epoch -> test squared error: " + ", ".join(f"{e}: {v:.2f}" for e, v in out["probe"]))
    if args.fig2:
        print("wrote", fig2(x_te, recon, pca_recon, y_te, args.fig2))
    if args.code2d:
        print("wrote", code2d(args.code2d))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return out


if __name__ == "__main__":
    main()
