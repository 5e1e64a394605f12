"""The ``lecun-zoo`` command line: list, info, plugins, train, evaluate, tune, weights, reproduce."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Optional, Sequence

__all__ = ["main"]


def _parse_value(text: str) -> Any:
    """``--set field=value``: JSON when it parses (numbers, lists, true/false), else a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        low = text.lower()
        if low in ("true", "false"):
            return low == "true"
        return text


def _overrides(pairs: Sequence[str]) -> dict:
    out = {}
    for pair in pairs or ():
        if "=" not in pair:
            raise ValueError(f"--set got {pair!r}; expected field=value")
        k, v = pair.split("=", 1)
        out[k.strip()] = _parse_value(v.strip())
    return out


def _positive_int(text: str) -> int:
    """argparse type: an int >= 1 (the message names the value; argparse adds the flag)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected an int >= 1") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"got {value}; expected an int >= 1")
    return value


# ------------------------------------------------------------------ commands
def cmd_list(args: argparse.Namespace) -> int:
    import lecun_zoo

    for name in lecun_zoo.list(args.pattern, capability=args.capability):
        if args.long:
            print(f"{name:14s} {lecun_zoo.info(name).summary}")
        else:
            print(name)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    import lecun_zoo

    card = lecun_zoo.info(args.name)
    print(json.dumps(card.as_dict(), indent=2) if args.json else card)
    return 0


def cmd_plugins(args: argparse.Namespace) -> int:
    import lecun_zoo

    rows = lecun_zoo.plugin_report(load=True)
    for r in rows:
        kind = "built-in" if r.builtin else "plugin"
        print(f"{r.name:14s} {r.status:11s} {kind:8s} {r.distribution} {r.version}  {r.target}")
        if r.error:
            print(f"{'':14s} reason: {r.error}")
        if r.traceback and args.traceback:
            print("\n".join(" " * 16 + line for line in r.traceback.rstrip().splitlines()))
    return 1 if any(r.status == "failed" for r in rows) and args.strict else 0


def cmd_train(args: argparse.Namespace) -> int:
    from lecun_zoo.recipe import train

    overrides = _overrides(args.set)
    data = args.data
    if data is None:
        from lecun_zoo.registry import REGISTRY

        fam = REGISTRY.get(args.name)
        data = fam.default_data_for(fam.make_config(args.preset, **overrides))
    out = args.out or os.path.join("runs", f"{args.name}-{data}")
    train(args.name, args.preset, data=data, data_dir=args.data_dir, epochs=args.epochs,
          batch_size=args.batch_size, precision=args.precision, strategy=args.strategy, seed=args.seed,
          out=out, resume=not args.no_resume, verbose=args.verbose, report=True,
          validation=False if args.no_validation else None, schedule=_parse_value(args.schedule) if args.schedule else None,
          **overrides)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from lecun_zoo.recipe import evaluate

    results = evaluate(args.model, args.data, args.split, data_dir=args.data_dir, batch_size=args.batch_size or 64)
    for k, v in results.items():
        print(f"{args.split} {k}: {v:.4f}")
    return 0


def cmd_translate(args: argparse.Namespace) -> int:
    import lecun_zoo
    from lecun_zoo.families.seq2seq import translate

    model = lecun_zoo.load(args.model)
    if getattr(model, "family", None) != "seq2seq":
        raise ValueError(f"{args.model}: is a {getattr(model, 'family', type(model).__name__)!r} model; "
                         f"translate needs a seq2seq model")
    for line in translate(model, list(args.sentences), beam_width=args.beam_width):
        print(line)
    return 0


def cmd_tune(args: argparse.Namespace) -> int:
    import lecun_zoo

    tuner = lecun_zoo.tune(args.name, data=args.data, tuner=args.tuner, max_trials=args.max_trials,
                           epochs=args.epochs, preset=args.preset, directory=args.out,
                           data_dir=args.data_dir, objective=args.objective, verbose=args.verbose,
                           batch_size=args.batch_size, **_overrides(args.set))
    best = tuner.get_best_hyperparameters(1)[0]
    print(f"lecun-zoo: best hyperparameters: {json.dumps(best.values)}")
    trial = tuner.oracle.get_best_trials(1)[0]
    print(f"lecun-zoo: best {args.objective}: {trial.score:.4f}")
    return 0


def cmd_weights(args: argparse.Namespace) -> int:
    from lecun_zoo.pretrained import entries, where
    from lecun_zoo.pretrained.rerun import card_of

    rows = [e for e in entries() if args.pattern is None or __import__("fnmatch").fnmatchcase(e.id, args.pattern)]
    if args.json:
        print(json.dumps([{**e.as_dict(), "where": where(e), "card": card_of(e)} for e in rows], indent=2))
        return 0
    for e in rows:
        state = where(e)
        card = card_of(e)
        head = (card or {}).get("headline") or e.headline
        text = head.get("text", "") if head else ""
        if state == "missing":
            minutes = f" (about {e.minutes:g} minutes here)" if e.minutes else ""
            present = f"not present; `lecun-zoo reproduce {e.id}` makes it{minutes}"
        elif state == "url":
            present = "not present; downloaded on first use"
        else:
            present = f"present ({state})"
        print(f"{e.id:34s} {text:24s} {present}")
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    from lecun_zoo.pretrained import reproduce

    out = reproduce(args.id, data_dir=args.data_dir, evaluate_only=args.evaluate_only, verbose=args.verbose,
                    epochs=args.epochs)
    card = "-" if out["card"] is None else f"{out['card']:.4f}"
    print(f"{'weights':34s} {'metric':12s} {'card':>8s} {'fresh':>8s}  verdict")
    print(f"{out['id']:34s} {out['metric']:12s} {card:>8s} {out['fresh']:8.4f}  {out['verdict']}")
    print(f"lecun-zoo: weights folder {out['folder']} ({out['seconds']} s)")
    return 0 if out["ok"] else 1


def cmd_launch(args: argparse.Namespace) -> int:
    from lecun_zoo.launch import launch

    return launch(args.command, workers=args.workers, backend=args.backend, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lecun-zoo", description="The Deep learning (Nature 2015) model zoo on Keras 3.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("list", help="list families")
    s.add_argument("pattern", nargs="?", default=None, help="shell wildcard, e.g. 'seq*'")
    s.add_argument("--capability", default=None)
    s.add_argument("-l", "--long", action="store_true", help="with summaries")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("info", help="a family's card")
    s.add_argument("name")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_info)

    s = sub.add_parser("plugins", help="which families loaded, which failed and why")
    s.add_argument("--traceback", action="store_true")
    s.add_argument("--strict", action="store_true", help="exit 1 if a plugin failed")
    s.set_defaults(func=cmd_plugins)

    def common(s: argparse.ArgumentParser) -> None:
        s.add_argument("--data-dir", default=None, help="folder with the dataset's files")
        s.add_argument("--batch-size", type=_positive_int, default=None,
                       help="default 64, or the config's own batch_size (a stateful LM's)")
        s.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))

    s = sub.add_parser("train", help="train a family on a dataset")
    s.add_argument("name")
    s.add_argument("--data", default=None, help="dataset name (default: the family's)")
    s.add_argument("--preset", default=None)
    s.add_argument("--epochs", type=_positive_int, default=None,
                   help="default: the family's recipe for the dataset (`lecun-zoo info NAME`), else 10")
    s.add_argument("--precision", default="float32", help="float32 | mixed_float16 | mixed_bfloat16 | auto")
    s.add_argument("--strategy", default="default",
                   help="default | mirrored | tpu | auto | data_parallel (JAX) | multi_worker (JAX; see launch)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="config override (repeatable)")
    s.add_argument("--out", default=None, help="output folder (default runs/NAME-DATA)")
    s.add_argument("--no-resume", action="store_true",
                   help="start over, deleting OUT/checkpoints (default: resume from them)")
    s.add_argument("--no-validation", action="store_true",
                   help="train on the whole train split (no validation split carved or evaluated; "
                        "default: the family's recipe for the dataset, else a validation split)")
    s.add_argument("--schedule", default=None,
                   help="learning-rate schedule: constant, family, or JSON such as "
                        "'{\"kind\": \"step\", \"every\": 10, \"factor\": 0.5}'")
    common(s)
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("weights", help="list the trained weights: headline metric, present here or not")
    s.add_argument("pattern", nargs="?", default=None, help="shell wildcard on ids, e.g. 'convnet/*'")
    s.add_argument("--json", action="store_true", help="every entry with its whole card")
    s.set_defaults(func=cmd_weights)

    s = sub.add_parser("reproduce", help="re-run the recipe of trained weights and compare with their card")
    s.add_argument("id", help="FAMILY/PRESET.TAG (lecun-zoo weights)")
    s.add_argument("--data-dir", default=None, help="folder with the dataset's files")
    s.add_argument("--evaluate-only", action="store_true", help="evaluate the existing weights instead of training")
    s.add_argument("--epochs", type=_positive_int, default=None, help="fewer epochs than the recipe (a quick look)")
    s.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
    s.set_defaults(func=cmd_reproduce)

    s = sub.add_parser("launch", help="run `train` in N worker processes on this host (multi_worker, JAX)",
                       description="Start N workers on 127.0.0.1, each running `lecun-zoo COMMAND "
                                   "--strategy multi_worker` with KERAS_BACKEND=jax; stream their logs; "
                                   "stop all if one fails; exit with the chief's status.")
    s.add_argument("--workers", type=_positive_int, default=2)
    s.add_argument("--backend", default="jax", help="KERAS_BACKEND of the workers (default jax)")
    s.add_argument("--port", type=int, default=None, help="coordinator port (default: a free one)")
    s.add_argument("command", nargs=argparse.REMAINDER, help="-- train NAME [train options]")
    s.set_defaults(func=cmd_launch)

    s = sub.add_parser("evaluate", help="evaluate a saved .keras model on a dataset")
    s.add_argument("model")
    s.add_argument("--data", default=None, help="dataset name (default: the family's)")
    s.add_argument("--split", default="test")
    common(s)
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("translate", help="decode sentences with a saved seq2seq model")
    s.add_argument("model")
    s.add_argument("sentences", nargs="+")
    s.add_argument("--beam-width", type=int, default=None, help="1 = greedy (default: the model's)")
    s.set_defaults(func=cmd_translate)

    s = sub.add_parser("tune", help="hyperparameter search with keras-tuner")
    s.add_argument("name")
    s.add_argument("--data", default=None, help="dataset name (default: the family's)")
    s.add_argument("--tuner", default="random", choices=("random", "bayesian", "hyperband"))
    s.add_argument("--max-trials", type=_positive_int, default=5)
    s.add_argument("--epochs", type=_positive_int, default=3)
    s.add_argument("--preset", default=None)
    s.add_argument("--objective", default="val_loss")
    s.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    s.add_argument("--out", default=None, help="tuner directory")
    common(s)
    s.set_defaults(func=cmd_tune)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    from lecun_zoo.config import ConfigError
    from lecun_zoo.data.base import DataFormatError, DataNotFoundError
    from lecun_zoo.registry import PluginError, UnknownFamilyError
    from lecun_zoo.runtime import RuntimeConfigError
    from lecun_zoo.checkpointing import NonFiniteLossError
    from lecun_zoo.errors import TuningError

    try:
        return int(args.func(args) or 0)
    except (ConfigError, UnknownFamilyError, PluginError, DataFormatError, DataNotFoundError,
            RuntimeConfigError, NonFiniteLossError, TuningError, FileNotFoundError, KeyError, ValueError) as e:
        if os.environ.get("LECUN_ZOO_DEBUG"):
            raise
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"lecun-zoo: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
