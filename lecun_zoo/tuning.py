"""Hyperparameter search with keras-tuner over a family's declared search space."""

from __future__ import annotations

import tempfile
from typing import Any, Optional

__all__ = ["FamilyHyperModel", "tune", "TUNERS", "TuningError"]

TUNERS = ("random", "bayesian", "hyperband")


def _hypermodel_base():
    import keras_tuner

    return keras_tuner.HyperModel


class FamilyHyperModel(_hypermodel_base()):
    """A keras-tuner HyperModel: each trial's hyperparameters are mapped onto config
    fields by ``family.search_space(hp, config)``, validated, built and compiled like
    ``lecun_zoo.get``. The best model is therefore a normal zoo model."""

    def __init__(self, family: Any, base_config: Any, **kwargs: Any) -> None:
        super().__init__(name=family.name, **kwargs)
        self.family = family
        self.base_config = base_config

    def config_for(self, hp: Any):
        return self.base_config.replace(**self.family.search_overrides(hp, self.base_config))

    def build(self, hp: Any):
        from lecun_zoo.memory_guard import build_checked

        config = self.config_for(hp)
        model = build_checked(self.family, config)
        self.family.compile(model, config)
        return model

    def fit(self, hp: Any, model: Any, *args: Any, **kwargs: Any):
        """Train a trial the way the family trains (staged fit: pretraining, linear
        start...), so hyperparameters of those stages take effect."""
        if self.family.fit is None:
            return model.fit(*args, **kwargs)
        train = args[0] if args else kwargs.pop("x")
        return self.family.train(model, self.config_for(hp), train,
                                 validation_data=kwargs.get("validation_data"),
                                 epochs=kwargs.get("epochs", 1), callbacks=kwargs.get("callbacks"),
                                 verbose=kwargs.get("verbose", 1))


class TuningError(RuntimeError):
    """No trial of a search finished; the message carries the first trial's error."""


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
    batch_size: int = 64,
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

    from lecun_zoo import data as zdata
    from lecun_zoo.registry import REGISTRY

    if tuner not in TUNERS:
        raise ValueError(f"tune() tuner got {tuner!r}; expected one of {list(TUNERS)}")
    _check_int("max_trials", max_trials, 1)
    _check_int("epochs", epochs, 1)
    _check_int("batch_size", batch_size, 1)
    fam = REGISTRY.get(name)
    if "tuning" not in fam.capabilities or fam.search_space is None:
        raise ValueError(f"family {name!r} declares no search space (capability 'tuning')")
    _check_objective(objective, fam)
    data = data or fam.default_data
    if data is None:
        raise ValueError(f"tune() data got None and family {fam.name!r} has no default dataset; pass data=")
    options = dict(fam.data_options(fam.make_config(preset, **overrides))) if fam.data_options else {}
    (train, val), info = zdata.load(data, split=("train", "validation"), **{
        "batch_size": batch_size, "data_dir": data_dir, "seed": seed, "with_info": True, **options})
    adapted = fam.adapt_to_data(info) if fam.adapt_to_data else {}
    adapted.update(overrides)
    base = fam.make_config(preset, **adapted)
    hypermodel = FamilyHyperModel(fam, base)
    # a folder of its own per search unless one is given: concurrent searches never share one
    directory = directory or tempfile.mkdtemp(prefix="lecun_zoo_tuning-")
    direction = "max" if "acc" in objective else "min"
    obj = keras_tuner.Objective(objective, direction=direction)
    common = dict(objective=obj, directory=directory, project_name=project_name or f"{name}_{data}",
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
