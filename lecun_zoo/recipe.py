"""The one training path: a :class:`Recipe` (a value) run by :func:`train`.

    result = lecun_zoo.train("convnet", epochs=30)            # the README's main job
    result.metrics, result.model, result.history.stages
    result = lecun_zoo.train("convnet", data=(x, y), epochs=5)  # your own arrays
    again = result.recipe.run()                                 # the same run again
    lecun_zoo.evaluate("runs/convnet-digits/model.keras", data="digits")

``lecun-zoo train``, ``lecun-zoo evaluate``, ``lecun_zoo.tune`` (one recipe per trial), the
examples and the benchmarks all go through here. A run does, in order: the config from
the preset and overrides; the data options the config implies; loading (or wrapping the
user's arrays); the config adapted to the data (input shape, classes, vocabulary); the
runtime (precision, strategy, seed); build and compile; optional initial weights
(``init``, ``freeze``, ``reset_head``); resumable checkpoints when ``out`` is given; the
family's staged fit with the recipe's learning-rate schedule; evaluation on the test
split; and, with ``out``, ``model.keras``, ``history.json`` (holding the recipe),
``log.csv`` and ``learning_curve.png``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import sys
import time
import warnings
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from lecun_zoo.evaluation import evaluate  # re-exported: train and evaluate go together
from lecun_zoo.user_data import USER_DATA

__all__ = ["Recipe", "TrainResult", "train", "evaluate", "USER_DATA", "check_count"]


def check_count(where: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"train() {where} got {value!r}; expected an int >= 1")
    return int(value)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Everything that decides a training run, as JSON: ``Recipe.from_dict(r.to_dict()) == r``.

    ``data`` is a dataset name (``lecun_zoo.data.names()``), or :data:`USER_DATA` for a run
    on arrays or pipelines the user passed (``run(data=...)`` must then give them again).
    ``schedule`` is a learning-rate schedule (:mod:`lecun_zoo.schedules`).
    """

    family: str
    preset: Optional[str] = None
    overrides: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    data: Optional[str] = None
    data_options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    epochs: int = 10
    batch_size: int = 64
    validation: bool = True
    schedule: Any = None
    seed: int = 0
    precision: str = "float32"
    strategy: str = "default"

    def to_dict(self) -> dict:
        return json.loads(json.dumps(dataclasses.asdict(self), default=_jsonable))

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "Recipe":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"Recipe got unknown field {unknown[0]!r}; expected fields {sorted(known)}")
        return cls(**dict(values))

    def run(self, **kwargs: Any) -> "TrainResult":
        """Train this recipe again (``out``, ``callbacks``, ``verbose``, ``data`` for user data...)."""
        return train(recipe=self, **kwargs)

    def fingerprint(self, config: Any) -> dict:
        """What a checkpoint folder must match to be resumed: the recipe and the final config."""
        return {**self.to_dict(), "config": config.to_dict()}


@dataclasses.dataclass
class TrainResult:
    """What :func:`train` returns."""

    model: Any
    history: Any  # keras.callbacks.History; ``history.stages`` for staged families
    metrics: dict  # on the test split, when there is one
    config: Any
    recipe: Recipe
    files: dict  # name -> path of what was written (empty when ``out`` is None)
    train_seconds: float = 0.0
    runtime: str = ""

    def summary(self) -> list[str]:
        """The lines ``train`` prints at its end: test metrics and the files written."""
        lines = []
        if self.metrics:
            lines.append("lecun-zoo: " + ", ".join(f"test {k}: {v:.4f}" for k, v in self.metrics.items()))
        lines += [f"lecun-zoo: {key.replace('_', ' ')} saved to {path}" for key, path in self.files.items()
                  if key != "log"]
        return lines


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "history") and isinstance(obj.history, dict):
        return _jsonable(obj.history)
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    if isinstance(obj, np.integer):
        return int(obj)
    try:
        return float(obj)
    except (TypeError, ValueError):
        return str(obj)


# --------------------------------------------------------------------------- train
def train(
    name: Optional[str] = None,
    preset: Optional[str] = None,
    *,
    data: Any = None,
    data_dir: Optional[str] = None,
    epochs: Optional[int] = None,
    batch_size: Optional[int] = None,
    precision: str = "float32",
    strategy: str = "default",
    seed: int = 0,
    out: Optional[str] = None,
    resume: bool = True,
    callbacks: Optional[Sequence[Any]] = None,
    verbose: Any = "auto",
    report: Optional[bool] = None,
    schedule: Any = None,
    data_options: Optional[Mapping[str, Any]] = None,
    validation: Optional[bool] = None,
    init: Any = None,
    freeze: Sequence[str] = (),
    reset_head: Optional[bool] = None,
    recipe: Optional[Recipe] = None,
    **overrides: Any,
) -> TrainResult:
    """Train family ``name`` the way it is meant to be trained, and evaluate it.

    Args:
        name, preset, **overrides: the family, its preset and config fields (``get``'s).
        data: a dataset name (default: the family's), or your own data: NumPy ``(x, y)``,
            ``((x, y), (x_val, y_val))``, ``{"train": ..., "validation": ..., "test": ...}``,
            a batched ``tf.data.Dataset`` or a ``keras.utils.PyDataset``. The config is
            adapted to it (input shape, number of classes from integer labels).
        data_dir: where a named dataset's files are.
        epochs, batch_size: default 10 and 64 (a config's own ``batch_size`` field, e.g. a
            stateful LM's, is the default and is set by ``batch_size=``).
        validation: read a validation split (carved from train where the dataset has none)
            and evaluate on it every epoch; False trains on the whole train split (default True).

        What is not given comes from the family's own recipe for the dataset and preset
        (``Family.recipes``; e.g. the ConvNet's for ``digits``: preset ``digits``, 40 epochs
        on the whole train split, a decreasing learning rate; with no preset named, the
        dataset's first recipe), then from the defaults above.
        precision, strategy, seed: as in ``lecun_zoo.runtime``.
        verbose: Keras' progress output (0, 1, 2 or "auto"); report: print lecun-zoo's own
            lines (what runs on what, test metrics, files written); default: unless verbose is 0.
        out: a folder for ``model.keras``, ``history.json``, ``log.csv``,
            ``learning_curve.png`` and the checkpoints (``None``: write nothing).
        resume: with ``out``, go on from its checkpoints (False: start over).
        schedule: a learning-rate schedule (:mod:`lecun_zoo.schedules`).
        data_options: more options for ``lecun_zoo.data.load``.
        init: start from these weights (a model, or what ``get(weights=...)`` takes: a tag
            of the preset, an id, a weights folder, a ``.keras`` or ``.weights.h5`` path); ``freeze``: layer
            names or wildcards to keep fixed; ``reset_head``: leave the last layer with
            weights freshly initialised (None: only where its shape changed).
        recipe: run this recipe (the other arguments then must not be given, except
            ``out``, ``resume``, ``callbacks``, ``verbose``, ``data`` and ``data_dir``).
    """
    from lecun_zoo.registry import REGISTRY
    from lecun_zoo.schedules import check_schedule

    user_data = None
    if recipe is not None:
        given = {k: v for k, v in dict(name=name, preset=preset, epochs=epochs, batch_size=batch_size,
                                       schedule=schedule, data_options=data_options).items() if v is not None}
        if validation is not None:
            given["validation"] = validation
        if given or overrides:
            raise ValueError(f"train() got recipe= and also {sorted(set(given) | set(overrides))}; change the "
                             f"recipe instead (dataclasses.replace(recipe, ...))")
        if recipe.data == USER_DATA:
            if data is None:
                raise ValueError("train() recipe was trained on user data; pass data= again")
            user_data = data
        elif data is not None and data != recipe.data:
            raise ValueError(f"train() got recipe for data {recipe.data!r} and data={data!r}")
    else:
        if name is None:
            raise ValueError("train() needs a family name (or recipe=)")
        fam = REGISTRY.get(name)
        if data is not None and not isinstance(data, str):
            user_data, data = data, USER_DATA
        data = data or fam.default_data_for(fam.make_config(preset, **overrides))
        own = fam.recipe_for(data, preset)
        preset = own.get("preset") if preset is None else preset
        overrides = {**own.get("overrides", {}), **overrides}
        epochs = own.get("epochs") if epochs is None else epochs
        schedule = own.get("schedule") if schedule is None else schedule
        data_options = {**own.get("data_options", {}), **dict(data_options or {})}
        validation = own.get("validation", True) if validation is None else validation
        batch_size, overrides = resolve_batch_size(fam, preset, overrides,
                                                   own.get("batch_size") if batch_size is None else batch_size)
        if not isinstance(validation, bool):
            raise ValueError(f"train() validation got {validation!r}; expected True or False")
        recipe = Recipe(family=fam.name, preset=preset, overrides=overrides, data=data,
                        data_options=data_options, epochs=check_count("epochs", epochs, 10),
                        batch_size=batch_size, validation=validation, schedule=check_schedule(schedule),
                        seed=seed, precision=precision, strategy=strategy)
    return _run(recipe, user_data, data_dir=data_dir, out=out, resume=resume, callbacks=callbacks,
                verbose=verbose, report=report, init=init, freeze=tuple(freeze), reset_head=reset_head)


def resolve_batch_size(fam: Any, preset: Optional[str], overrides: Mapping[str, Any],
                       batch_size: Optional[int]) -> tuple[int, dict]:
    """The loader's batch size, and the overrides: a family whose config has a ``batch_size``
    field (a stateful LM's state batch) trains at that size, and ``batch_size=`` sets both."""
    overrides = dict(overrides)
    if "batch_size" not in fam.config_cls.field_names():
        return check_count("batch_size", batch_size, 64), overrides
    if batch_size is not None:
        overrides["batch_size"] = check_count("batch_size", batch_size, 64)
    return int(fam.make_config(preset, **overrides).batch_size), overrides


def _verbose(verbose: Any) -> Any:
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    if verbose not in (0, 1, 2):
        raise ValueError(f"train() verbose got {verbose!r}; expected 0, 1, 2 or 'auto'")
    return verbose


def _run(recipe: Recipe, user_data: Any, *, data_dir, out, resume, callbacks, verbose, report, init, freeze,
         reset_head):
    import keras

    from lecun_zoo.initial_weights import freeze as freeze_layers
    from lecun_zoo.initial_weights import initialise
    from lecun_zoo.memory_guard import build_checked
    from lecun_zoo.registry import REGISTRY
    from lecun_zoo.runtime import runtime
    from lecun_zoo.user_data import load_named, pipeline, user_info, user_splits
    from lecun_zoo.schedules import check_schedule, schedule_callback

    fam = REGISTRY.get(recipe.family)
    verbose = _verbose(verbose)
    report = bool(verbose) if report is None else bool(report)
    if recipe.data is None:
        raise ValueError(f"family {fam.name!r} has no default dataset; pass data=")
    check_count("epochs", recipe.epochs, 1)
    check_count("batch_size", recipe.batch_size, 1)
    check_schedule(recipe.schedule)
    config = fam.make_config(recipe.preset, **recipe.overrides)  # bad fields fail before anything is read
    multi_worker = recipe.strategy == "multi_worker"
    if multi_worker:  # Keras cannot know a sharded dataset's length in its first epoch
        warnings.filterwarnings("ignore", message="Your input ran out of data")
    with runtime(precision=recipe.precision, strategy=recipe.strategy, seed=recipe.seed) as rt:
        if user_data is None:
            parts, info = load_named(fam, recipe, config, data_dir, multi_worker)
        else:
            parts = user_splits(user_data)
            info = user_info(parts)
            parts = {k: pipeline(v, recipe.batch_size, recipe.seed, k == "train", multi_worker)
                     for k, v in parts.items()}
        adapted = dict(fam.adapt_to_data(info)) if fam.adapt_to_data else {}
        adapted.update(recipe.overrides)  # what the user set wins over what the data implies
        config = fam.make_config(recipe.preset, **adapted)
        if report:
            print(f"lecun-zoo: training {fam.name} (preset {recipe.preset or fam.default_preset}) on "
                  f"{recipe.data}; {rt.describe()}", flush=True)
        model = build_checked(fam, config)
        fresh = initialise(model, init, reset_head, fam, recipe.preset) if init is not None else []
        if init is not None and fresh and report:
            print(f"lecun-zoo: from init; trained from scratch: {', '.join(fresh)}", flush=True)
        frozen = freeze_layers(model, freeze) if freeze else []
        if frozen and report:
            print(f"lecun-zoo: frozen: {', '.join(frozen)}", flush=True)
        fam.compile(model, config)

    files: dict = {}
    folder = None
    if out is not None:
        folder = os.path.abspath(os.fspath(out))
        if not rt.is_chief:  # every worker runs the same code (collectives); only the chief's files stay
            folder = os.path.join(folder, f".worker-{rt.process_id}")
            verbose = report = 0
        os.makedirs(folder, exist_ok=True)
    # keras.distribution (JAX) shards each batch only while its scope is active
    scope = contextlib.ExitStack()
    if rt.strategy is not None and not hasattr(rt.strategy, "num_replicas_in_sync"):
        scope.enter_context(rt.strategy.scope())
    cbs = list(callbacks or [])
    sched = schedule_callback(recipe.schedule)
    if sched is not None:
        cbs.append(sched)
    from lecun_zoo.checkpointing import Resumable

    # every fit of the run reads its epochs' data order; with out, checkpoints to resume from
    run = Resumable(os.path.join(folder, "checkpoints") if folder is not None else None, recipe.fingerprint(config),
                    resume=resume)
    t0 = time.time()
    with scope:
        with run:
            if folder is not None:
                resumed = run.resumed_from is not None
                cbs.append(keras.callbacks.CSVLogger(os.path.join(folder, "log.csv"), append=resumed))
            history = fam.train(model, config, parts["train"], validation_data=parts.get("validation"),
                                epochs=recipe.epochs, callbacks=cbs + run.callbacks, verbose=verbose)
        train_s = time.time() - t0
        metrics = {}
        if "test" in parts:
            metrics = {k: float(v) for k, v in model.evaluate(parts["test"], verbose=0, return_dict=True).items()}
    result = TrainResult(model, history, metrics, config, recipe, files, train_s, rt.describe())
    if folder is not None:
        _write(result, folder, run)
        if not rt.is_chief and not os.environ.get("LECUN_ZOO_KEEP_WORKER_DIRS"):
            shutil.rmtree(folder, ignore_errors=True)  # a worker's files: only the chief's stay
            files.clear()
    if report:
        print("\n".join(result.summary()), flush=True)
    return result


def _write(result: TrainResult, folder: str, run: Any) -> None:
    from lecun_zoo.plots import learning_curve
    from lecun_zoo.saving import save

    files = result.files
    files["model"] = save(result.model, os.path.join(folder, "model.keras"))
    run.finish()  # the checkpoints go only once model.keras is safely written
    hist = {k: [float(v) for v in vals] for k, vals in result.history.history.items()}
    # staged training (e.g. greedy pretraining) keeps each stage's history in history.stages
    stages = _jsonable(getattr(result.history, "stages", None) or [])
    files["history"] = os.path.join(folder, "history.json")
    with open(files["history"], "w") as f:
        json.dump({"family": result.recipe.family, "data": result.recipe.data, "recipe": result.recipe.to_dict(),
                   "config": result.config.to_dict(), "history": hist, "stages": stages, "test": result.metrics,
                   "train_seconds": result.train_seconds, "runtime": result.runtime}, f, indent=2)
    files["log"] = os.path.join(folder, "log.csv")
    title = f"{result.recipe.family} on {result.recipe.data}"
    files["learning_curve"] = learning_curve(hist, os.path.join(folder, "learning_curve.png"), title=title)
