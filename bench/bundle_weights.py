"""Register a finished training run as bundled trained weights.

    python bench/bundle_weights.py RUN --tag mnist --metric accuracy --tolerance 0.002 \\
        --data-dir ../shared/data/mnist --published "0.95 % (LeCun et al. 1998)"

RUN is a ``lecun_zoo.train(out=RUN)`` / ``lecun-zoo train --out RUN`` folder (model.keras,
history.json). Writes ``lecun_zoo/families/FAMILY/weights/PRESET.TAG/`` (config.json,
model.weights.h5, card.json, README.md, entry.json) and prints the card's headline.
``--extra-json`` adds metrics measured outside ``model.evaluate`` (e.g. greedy exact match).
"""

import argparse
import json
import os

from lecun_zoo.pretrained.bundle import bundle_run, result_of_run


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run")
    ap.add_argument("--tag", required=True)
    ap.add_argument("--metric", default="accuracy")
    ap.add_argument("--tolerance", type=float, required=True)
    ap.add_argument("--lower-is-better", action="store_true")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--summary", default="")
    ap.add_argument("--published", default="")
    ap.add_argument("--notes", default="")
    ap.add_argument("--extra-json", default=None, help="JSON object of more test metrics")
    ap.add_argument("--storage", choices=("float32", "float16"), default="float32",
                    help="dtype of the stored weights (float16: rounded, the test split measured again)")
    args = ap.parse_args(argv)

    result = result_of_run(args.run)
    preset = result.recipe.preset or __import__("lecun_zoo").get_family(result.recipe.family).default_preset
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lecun_zoo", "families")
    dest = os.path.join(root, result.recipe.family, "weights", f"{preset}.{args.tag}")
    card = bundle_run(args.run, dest, tag=args.tag, summary=args.summary, data_dir=args.data_dir,
                      headline={"metric": args.metric, "tolerance": args.tolerance,
                                "higher_is_better": not args.lower_is_better},
                      extra_metrics=json.loads(args.extra_json) if args.extra_json else None,
                      notes=args.notes, published=args.published, storage=args.storage)
    sizes = {n: os.path.getsize(os.path.join(dest, n)) for n in sorted(os.listdir(dest))}
    print(f"{card['id']}: {card['headline']['text']} -> {dest}")
    print("  " + ", ".join(f"{n} {b / 1e6:.2f} MB" for n, b in sizes.items()))
    return card


if __name__ == "__main__":
    main()
