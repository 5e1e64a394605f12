"""Choose the classifier's fine-tuning learning rate on a validation split, never on the test set.

The ``hinton2006_classifier`` recipe (784-500-500-2000-10, RBM-pretrained, Hinton & Salakhutdinov
2006: 1.2 % test error) fine-tunes with Adam at 1e-3. This script pretrains the RBM stack once
(on the 60,000 training images, no labels, as the recipe does), saves it, then fine-tunes copies
of it with the recipe's schedule and budget on 50,000 labelled images, scoring each learning rate
on the 10,000 held out. ``final`` fine-tunes the chosen rate on all 60,000 and only then reads the
test set once. The steps are separate so that each can run on its own core:

    python bench/autoencoder_finetune_lr.py pretrain --out /work/runs/cls_stack.npz
    python bench/autoencoder_finetune_lr.py select --stack /work/runs/cls_stack.npz --lr 3e-4 1e-4
    python bench/autoencoder_finetune_lr.py final --stack /work/runs/cls_stack.npz --lr 3e-4

``select`` prints a table (validation error per learning rate, best epoch, seconds) and, with
``--json``, writes it.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PRESET = "hinton2006_classifier"


def _recipe():
    from lecun_zoo.registry import REGISTRY

    return next(r for r in REGISTRY.get("autoencoder").recipes["mnist"] if r["preset"] == PRESET)


def pretrain_stack(args) -> None:
    import keras
    import numpy as np

    import lecun_zoo
    from lecun_zoo.families.autoencoder import pretrain

    keras.utils.set_random_seed(args.seed)
    from lecun_zoo.registry import REGISTRY

    overrides = {} if args.pretrain_epochs is None else {"pretrain_epochs": args.pretrain_epochs}
    config = REGISTRY.get("autoencoder").make_config(PRESET, **overrides)
    x, _ = lecun_zoo.data.arrays("mnist", "train", data_dir=args.data_dir)
    x = x[: args.limit]
    t0 = time.time()
    stack = pretrain(config, x, batch_size=_recipe()["batch_size"], seed=args.seed, verbose=2)
    flat = {f"{i}/{k}": v for i, layer in enumerate(stack.weights()) for k, v in layer.items()}
    np.savez(args.out, **flat)
    print(f"pretrained {len(stack)} layers on {len(x)} images in {time.time() - t0:.0f} s -> {args.out}")


def _finetune(stack_path: str, lr: float, train, validation, seed: int, epochs: int, overrides: dict):
    import keras
    import numpy as np

    import lecun_zoo
    from lecun_zoo.families.autoencoder import fit
    from lecun_zoo.schedules import schedule_callback

    keras.utils.set_random_seed(seed)
    model = lecun_zoo.get("autoencoder", PRESET, learning_rate=lr, **overrides)
    saved = np.load(stack_path)
    stack = [{k: saved[f"{i}/{k}"] for k in ("kernel", "hidden_bias", "visible_bias")}
             for i in range(len(model.zoo_config.layer_sizes))]
    recipe = _recipe()
    t0 = time.time()
    hist = fit(model, model.zoo_config, train, validation_data=validation, epochs=epochs, stack=stack,
               callbacks=[schedule_callback(recipe["schedule"])], verbose=2, batch_size=recipe["batch_size"],
               seed=seed)
    return model, hist, time.time() - t0


def select(args) -> None:
    import lecun_zoo

    train, val = lecun_zoo.data.arrays("mnist", ("train", "validation"), data_dir=args.data_dir,
                                       validation_fraction=args.validation_fraction, seed=args.seed)
    train, val = [(x[: args.limit], y[: args.limit]) for x, y in (train, val)]
    print(f"fine-tuning on {len(train[0])} images, scoring on {len(val[0])} held-out training images; overrides {args.set}")
    rows = []
    for lr in args.lr:
        _, hist, secs = _finetune(args.stack, lr, train, val, args.seed, args.epochs, args.set)
        errs = [1 - a for a in hist.history["val_accuracy"]]
        best = min(range(len(errs)), key=errs.__getitem__)
        rows.append({"learning_rate": lr, "overrides": args.set, "validation_error_final": errs[-1], "validation_error_best": errs[best],
                     "best_epoch": best + 1, "seconds": secs, "curve": errs})
        print(f"lr {lr:g}: validation error {100 * errs[-1]:.2f} % after {len(errs)} epochs "
              f"(best {100 * errs[best]:.2f} % at epoch {best + 1}), {secs:.0f} s", flush=True)
    print("\n| fine-tuning lr | validation error, last epoch | best (epoch) | seconds |\n|---|---|---|---|")
    for r in rows:
        print(f"| {r['learning_rate']:g} | {100 * r['validation_error_final']:.2f} % | "
              f"{100 * r['validation_error_best']:.2f} % ({r['best_epoch']}) | {r['seconds']:.0f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


def final(args) -> None:
    import lecun_zoo

    train, test = lecun_zoo.data.arrays("mnist", ("train", "test"), data_dir=args.data_dir)
    train = (train[0][: args.limit], train[1][: args.limit])
    model, hist, secs = _finetune(args.stack, args.lr[0], train, None, args.seed, args.epochs, args.set)
    res = model.evaluate(*test, batch_size=1000, verbose=0, return_dict=True)
    print(f"lr {args.lr[0]:g} on {len(train[0])} images: test error {100 * (1 - res['accuracy']):.2f} % ({secs:.0f} s)")
    if args.save:
        model.save(args.save)
        print(f"saved -> {args.save}")


def _override(item: str) -> tuple:
    field, sep, value = item.partition("=")
    if not sep:
        raise SystemExit(f"--set {item!r}: expected FIELD=VALUE")
    try:
        return field, json.loads(value)
    except ValueError:
        return field, value


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("step", choices=("pretrain", "select", "final"))
    p.add_argument("--data-dir", default="/work/shared/data/mnist")
    p.add_argument("--out", help="pretrain: where to save the stack (.npz)")
    p.add_argument("--stack", help="select/final: the saved stack")
    p.add_argument("--lr", type=float, nargs="+", default=[1e-3, 3e-4, 1e-4])
    p.add_argument("--epochs", type=int, default=None, help="fine-tuning epochs (default: the recipe's)")
    p.add_argument("--validation-fraction", type=float, default=1 / 6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pretrain-epochs", type=int, default=None, help="pretrain: epochs per RBM (default: the preset's 50)")
    p.add_argument("--limit", type=int, default=None, help="use the first N images of each split (smoke runs only)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="select/final: a config override of the fine-tuned model (e.g. dropout=0.5); repeatable")
    p.add_argument("--json", default=None)
    p.add_argument("--save", default=None, help="final: save the model (.keras) here")
    args = p.parse_args()
    args.set = dict(_override(item) for item in args.set)
    if args.epochs is None:
        args.epochs = _recipe()["epochs"]
    {"pretrain": pretrain_stack, "select": select, "final": final}[args.step](args)


if __name__ == "__main__":
    main()
