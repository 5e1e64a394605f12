"""Hyperparameter search with keras-tuner over a family's declared search space."""

from __future__ import annotations

import tempfile
from typing import Any, Optional

from lecun_zoo.errors import TuningError

__all__ = ["FamilyHyperModel", "tune", "TUNERS", "TuningError"]

TUNERS = ("random", "bayesian", "hyperband")


def _hypermodel_base():
    import keras_tuner

    return keras_tuner.HyperModel


class FamilyHyperModel(_hypermodel_base()):
    """A keras-tuner HyperModel: each trial's hyperparameters are mapped onto config
    fields by ``family.search_space(hp, config)``, validated, built and compiled like
    ``lecun_zoo.get``, and trained the way ``lecun_zoo.train`` trains (the family's staged
    fit). A trial whose config implies other data options than the base (e.g. a window
    length) gets its data loaded anew by ``reload(config)``. The best model is a normal
    zoo model."""

    def __init__(self, family: Any, base_config: Any, reload: Any = None, **kwargs: Any) -> None:
        super().__init__(name=family.name, **kwargs)
        self.family = family
        self.base_config = base_config
        self.reload = reload

    def config_for(self, hp: Any):
        return self.base_config.replace(**self.family.search_overrides(hp, self.base_config))

    def build(self, hp: Any):
        from lecun_zoo.memory_guard import build_checked

        config = self.config_for(hp)
        model = build_checked(self.family, config)
        self.family.compile(model, config)
        return model

    def fit(self, hp: Any, model: Any, *args: Any, **kwargs: Any):
        config = self.config_for(hp)
        train = args[0] if args else kwargs.pop("x")
        validation = kwargs.get("validation_data")
        options = self.family.data_options
        if self.reload is not None and options is not None and options(config) != options(self.base_config):
            train, validation = self.reload(config)
        return self.family.train(model, config, train, validation_data=validation,
                                 epochs=kwargs.get("epochs", 1), callbacks=kwargs.get("callbacks"),
                                 verbose=kwargs.get("verbose", 1))


def _check_int(what: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"tune() {what} got {value!r}; expected an int >= {low}")


def _check_objective(objective: Any, fam: Any) -> None:
    allowed = [m for name in dict.fromkeys(("loss",) + tuple(fam.metrics)) for m in (name, f"val_{name}")]
    if objective not in allowed:
        import difflib

        close = difflib.get_close_matches(str(objective), allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"tune() objective got {objective!r}{hint} (expected one of {', '.join(allowed)}: "
                         f"the loss or a metric of family {fam.name!r}, 'val_' for the validation split)")


def _raise_if_nothing_finished(t: Any) -> None:
    trials = list(t.oracle.trials.values())
    if any(tr.status == "COMPLETED" for tr in trials):
        return
    failed = [tr for tr in trials if tr.status in ("FAILED", "INVALID")]
    why = (failed[0].message or "").strip().splitlines() if failed else []
    last = why[-1] if why else "no trial ran"
    raise TuningError(f"tune(): none of {len(trials)} trial(s) finished; the first failed with: {last}")


def tune(
    name: str,
    data: Optional[str] = None,
    *,
    tuner: str = "random",
    max_trials: int = 10,
    epochs: int = 3,
    preset: Optional[str] = None,
    objective: str = "val_loss",
    directory: Optional[str] = None,
    project_name: Optional[str] = None,
    batch_size: Optional[int] = None,
    data_dir: Optional[str] = None,
    seed: int = 0,
    overwrite: bool = True,
    verbose: int = 0,
    **overrides: Any,
):
    """Search a family's hyperparameters on a dataset and return the keras-tuner tuner.

    The search runs on the dataset's train split with a validation split carved from it
    (10 %); ``tuner.get_best_models(1)[0]`` is a normal lecun_zoo model.

    Args:
        name: family name.
        data: dataset name (see ``lecun_zoo.data.names()``; default: the family's).
        tuner: ``"random"``, ``"bayesian"`` or ``"hyperband"``.
        max_trials: trials (random, bayesian); hyperband sizes its brackets from ``epochs``.
        epochs: epochs per trial.
        preset: base preset; ``overrides`` change its fields.
        objective: the metric to minimise (``val_loss``) or maximise (``val_accuracy``).
    """
    import keras_tuner

    from lecun_zoo.recipe import Recipe, resolve_batch_size
    from lecun_zoo.user_data import load_named
    from lecun_zoo.registry import REGISTRY

    if tuner not in TUNERS:
        raise ValueError(f"tune() tuner got {tuner!r}; expected one of {list(TUNERS)}")
    _check_int("max_trials", max_trials, 1)
    _check_int("epochs", epochs, 1)
    if batch_size is not None:
        _check_int("batch_size", batch_size, 1)
    fam = REGISTRY.get(name)
    if "tuning" not in fam.capabilities or fam.search_space is None:
        raise ValueError(f"family {name!r} declares no search space (capability 'tuning')")
    _check_objective(objective, fam)
    batch_size, overrides = resolve_batch_size(fam, preset, overrides, batch_size)
    recipe = Recipe(family=fam.name, preset=preset, overrides=overrides,
                    data=data or fam.default_data_for(fam.make_config(preset, **overrides)),
                    epochs=epochs, batch_size=batch_size, seed=seed)
    if recipe.data is None:
        raise ValueError(f"tune() data got None and family {fam.name!r} has no default dataset; pass data=")

    def reload(config: Any):
        """The train and validation pipelines ``lecun_zoo.train`` would read for ``config``."""
        parts, info = load_named(fam, recipe, config, data_dir, False, splits=("train", "validation"))
        return (parts["train"], parts["validation"]), info

    (train, val), info = reload(fam.make_config(preset, **overrides))
    adapted = fam.adapt_to_data(info) if fam.adapt_to_data else {}
    adapted.update(overrides)
    base = fam.make_config(preset, **adapted)
    hypermodel = FamilyHyperModel(fam, base, reload=lambda config: reload(config)[0])
    # a folder of its own per search unless one is given: concurrent searches never share one
    directory = directory or tempfile.mkdtemp(prefix="lecun_zoo_tuning-")
    direction = "max" if "acc" in objective else "min"
    obj = keras_tuner.Objective(objective, direction=direction)
    common = dict(objective=obj, directory=directory, project_name=project_name or f"{name}_{recipe.data}",
                  overwrite=overwrite, seed=seed)
    if tuner == "random":
        t = keras_tuner.RandomSearch(hypermodel, max_trials=max_trials, **common)
    elif tuner == "bayesian":
        t = keras_tuner.BayesianOptimization(hypermodel, max_trials=max_trials, **common)
    else:
        t = keras_tuner.Hyperband(hypermodel, max_epochs=max(epochs, 2), factor=3,
                                  hyperband_iterations=1, max_consecutive_failed_trials=3, **common)
    fit_kwargs = dict(validation_data=val, verbose=verbose)
    if tuner != "hyperband":
        fit_kwargs["epochs"] = epochs
    try:
        t.search(train, **fit_kwargs)
    except RuntimeError as e:  # keras-tuner gives up after consecutive failed trials
        if "consecutive failures" not in str(e):
            raise
    _raise_if_nothing_finished(t)
    return t
