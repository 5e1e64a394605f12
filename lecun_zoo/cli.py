"""The ``lecun-zoo`` command line: list, info, plugins, train, evaluate, tune."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
import warnings
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
            raise SystemExit(f"lecun-zoo: --set got {pair!r}; expected field=value")
        k, v = pair.split("=", 1)
        out[k.strip()] = _parse_value(v.strip())
    return out


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "history") and isinstance(obj.history, dict):
        return _jsonable(obj.history)
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    try:
        return float(obj)
    except (TypeError, ValueError):
        return str(obj)


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


def _splits(source: Any) -> tuple:
    have = tuple(source.splits)
    test = "test" if "test" in have else None
    return ("train", "validation") + ((test,) if test else ())


def cmd_train(args: argparse.Namespace) -> int:
    import lecun_zoo
    from lecun_zoo import data as zdata
    from lecun_zoo.plots import learning_curve
    from lecun_zoo.registry import REGISTRY
    from lecun_zoo.runtime import runtime

    fam = REGISTRY.get(args.name)
    data_name = args.data or fam.default_data
    if data_name is None:
        raise SystemExit(f"lecun-zoo: family {fam.name!r} has no default dataset; pass --data")
    overrides = _overrides(args.set)
    config = fam.make_config(args.preset, **overrides)
    options = dict(fam.data_options(config)) if fam.data_options else {}
    source = zdata.get_source(data_name)
    splits = _splits(source)
    # what the family's config implies (e.g. a stateful model's batch size) wins over defaults
    load_kwargs = {"batch_size": args.batch_size, "data_dir": args.data_dir, "seed": args.seed, **options}
    if args.strategy == "multi_worker":  # every worker must see the same number of equal batches
        load_kwargs["drop_remainder"] = True
        # Keras cannot know a sharded dataset's length in the first epoch and warns that it "ran out"
        warnings.filterwarnings("ignore", message="Your input ran out of data")
    loaded, info = zdata.load(data_name, split=splits, with_info=True, **load_kwargs)
    parts = dict(zip(splits, loaded))
    adapted = dict(fam.adapt_to_data(info)) if fam.adapt_to_data else {}
    adapted.update(overrides)  # what the user set wins over what the data implies
    config = fam.make_config(args.preset, **adapted)
    out = os.path.abspath(args.out or os.path.join("runs", f"{fam.name}-{data_name}"))
    os.makedirs(out, exist_ok=True)
    import keras

    with runtime(precision=args.precision, strategy=args.strategy, seed=args.seed) as rt:
        print(f"lecun-zoo: training {fam.name} (preset {args.preset or fam.default_preset}) on {data_name}; {rt.describe()}")
        model = fam.build(config)
        fam.compile(model, config)
    if not rt.is_chief:  # every worker runs the same code (collectives); only the chief's files stay
        out = os.path.join(out, f".worker-{rt.process_id}")
        os.makedirs(out, exist_ok=True)
        args.verbose = 0
    # keras.distribution (JAX) shards each batch only while its scope is active
    in_distribution = contextlib.ExitStack()
    if rt.strategy is not None and not hasattr(rt.strategy, "num_replicas_in_sync"):
        in_distribution.enter_context(rt.strategy.scope())
    from lecun_zoo.checkpointing import Resumable

    # checkpoints of every fit call (stages too) in <out>/checkpoints; the same command resumes
    fingerprint = {"family": fam.name, "preset": args.preset or fam.default_preset, "data": data_name,
                   "config": config.to_dict(), "epochs": args.epochs, "seed": args.seed,
                   "batch_size": args.batch_size, "precision": args.precision, "strategy": args.strategy}
    run = Resumable(os.path.join(out, "checkpoints"), fingerprint, data=parts["train"],
                    resume=not getattr(args, "no_resume", False))
    t0 = time.time()
    with run:
        callbacks = [keras.callbacks.CSVLogger(os.path.join(out, "log.csv"), append=run.resumed_from is not None)]
        history = fam.train(model, config, parts["train"], validation_data=parts.get("validation"),
                            epochs=args.epochs, callbacks=callbacks, verbose=args.verbose)
    train_s = time.time() - t0
    results = {}
    if "test" in parts:
        results = model.evaluate(parts["test"], verbose=0, return_dict=True)
        shown = ", ".join(f"test {k}: {v:.4f}" for k, v in results.items())
        print(f"lecun-zoo: {shown}")
    in_distribution.close()
    model_path = lecun_zoo.save(model, os.path.join(out, "model.keras"))
    run.finish()  # the checkpoints go only once model.keras is safely written
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    # staged training (e.g. greedy pretraining) keeps each stage's history in history.stages
    stages = _jsonable(getattr(history, "stages", None) or [])
    with open(os.path.join(out, "history.json"), "w") as f:
        json.dump({"family": fam.name, "data": data_name, "config": config.to_dict(), "history": hist,
                   "stages": stages,
                   "test": {k: float(v) for k, v in results.items()}, "train_seconds": train_s,
                   "runtime": rt.describe()}, f, indent=2)
    curve = learning_curve(hist, os.path.join(out, "learning_curve.png"), title=f"{fam.name} on {data_name}")
    print(f"lecun-zoo: model saved to {model_path}")
    print(f"lecun-zoo: history saved to {os.path.join(out, 'history.json')}")
    if not rt.is_chief:
        if not os.environ.get("LECUN_ZOO_KEEP_WORKER_DIRS"):
            shutil.rmtree(out, ignore_errors=True)
        return 0
    print(f"lecun-zoo: learning curve saved to {curve}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    import lecun_zoo
    from lecun_zoo import data as zdata
    from lecun_zoo.registry import REGISTRY

    model = lecun_zoo.load(args.model)
    family = getattr(model, "family", None)
    options = {}
    if family in REGISTRY.names():
        fam = REGISTRY.get(family)
        if fam.data_options:
            options = dict(fam.data_options(model.zoo_config))
    ds = zdata.load(args.data, split=args.split, **{"batch_size": args.batch_size, "data_dir": args.data_dir,
                                                    "shuffle": False, **options})
    results = model.evaluate(ds, verbose=0, return_dict=True)
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
                           **_overrides(args.set))
    best = tuner.get_best_hyperparameters(1)[0]
    print(f"lecun-zoo: best hyperparameters: {json.dumps(best.values)}")
    trial = tuner.oracle.get_best_trials(1)[0]
    print(f"lecun-zoo: best {args.objective}: {trial.score:.4f}")
    return 0


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
        s.add_argument("--batch-size", type=_positive_int, default=64)
        s.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))

    s = sub.add_parser("train", help="train a family on a dataset")
    s.add_argument("name")
    s.add_argument("--data", default=None, help="dataset name (default: the family's)")
    s.add_argument("--preset", default=None)
    s.add_argument("--epochs", type=_positive_int, default=10)
    s.add_argument("--precision", default="float32", help="float32 | mixed_float16 | mixed_bfloat16 | auto")
    s.add_argument("--strategy", default="default",
                   help="default | mirrored | tpu | auto | data_parallel (JAX) | multi_worker (JAX; see launch)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="config override (repeatable)")
    s.add_argument("--out", default=None, help="output folder (default runs/NAME-DATA)")
    s.add_argument("--no-resume", action="store_true",
                   help="start over, deleting OUT/checkpoints (default: resume from them)")
    common(s)
    s.set_defaults(func=cmd_train)

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
    s.add_argument("--data", required=True)
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

    try:
        return int(args.func(args) or 0)
    except (ConfigError, UnknownFamilyError, PluginError, DataFormatError, DataNotFoundError,
            RuntimeConfigError, NonFiniteLossError, FileNotFoundError, KeyError, ValueError) as e:
        if os.environ.get("LECUN_ZOO_DEBUG"):
            raise
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"lecun-zoo: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
