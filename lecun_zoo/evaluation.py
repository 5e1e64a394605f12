"""``lecun_zoo.evaluate``: a trained model's metrics on a dataset, read as ``train`` reads it."""

from __future__ import annotations

import numbers
import os
from typing import Any, Mapping, Optional

__all__ = ["evaluate"]


def evaluate(
    model: Any,
    data: Any = None,
    split: str = "test",
    *,
    data_dir: Optional[str] = None,
    batch_size: int = 64,
    data_options: Optional[Mapping[str, Any]] = None,
    seed: int = 0,
) -> dict:
    """The family's metrics of a trained model (or ``.keras`` path) on a dataset split,
    with the data read as ``train`` reads it: the family's data options for the model's
    config (its vocabulary included), no shuffling. ``data`` may also be the user's own
    ``(x, y)`` or a pipeline. Shapes that do not fit the model raise ``InputDataError``.
    ``seed`` is the run's seed where the split depends on it (a validation split carved from
    train, generated data)."""
    from lecun_zoo import data as zdata
    from lecun_zoo.registry import REGISTRY
    from lecun_zoo.user_data import pipeline

    if isinstance(model, (str, os.PathLike)):
        from lecun_zoo.saving import load

        model = load(model)
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"evaluate() batch_size got {batch_size!r}; expected an int >= 1")
    config = getattr(model, "zoo_config", None)
    fam = REGISTRY.get(config.family) if config is not None and config.family in REGISTRY.names() else None
    if data is None:
        data = fam.default_data_for(config) if fam is not None else None
        if data is None:
            raise ValueError("evaluate() needs data= (a dataset name or your own (x, y))")
    if not isinstance(data, str):
        part = pipeline(data, batch_size, 0, False, False)
        return {k: float(v) for k, v in model.evaluate(part, verbose=0, return_dict=True).items()}
    options = dict(fam.data_options(config)) if fam is not None and fam.data_options else {}
    accepted = getattr(zdata.get_source(data), "options", ())
    for key in ("vocab", "source_vocab", "target_vocab"):  # encode with the model's own vocabulary
        if key in accepted and getattr(config, key, None):
            options[key] = tuple(getattr(config, key))
    options.update(data_options or {})
    options.pop("shuffle_buffer", None)
    ds, info = zdata.load(data, split=split, with_info=True, **{"batch_size": batch_size, "data_dir": data_dir,
                                                                 "shuffle": False, "seed": seed, **options})
    if fam is not None and fam.adapt_to_data:
        _check_adapted(fam, config, info, data)
    return {k: float(v) for k, v in model.evaluate(ds, verbose=0, return_dict=True).items()}


def _check_adapted(fam: Any, config: Any, info: Any, data: str) -> None:
    """Refuse data that the model's config does not fit (another vocabulary, shape...)."""
    from lecun_zoo.input_checks import InputDataError

    for key, value in fam.adapt_to_data(info).items():
        mine = getattr(config, key, None)
        theirs = tuple(value) if isinstance(value, list) else value
        if key == "attend_slots" or mine == theirs:  # attend_slots: at most the model's memory, any is fine
            continue
        if key.endswith("vocab") and isinstance(mine, tuple) and isinstance(theirs, tuple):
            unknown = sorted(set(theirs) - set(mine))
            if not unknown:
                continue  # every token of the data is known to the model
            shown, have = f"{len(unknown)} tokens unknown to the model, e.g. {unknown[:5]}", f"{len(mine)} tokens"
        else:
            shown, have = repr(theirs), repr(mine)
        raise InputDataError(f"evaluate() data {data!r} implies {key}={shown}, but the model has {key}={have}; "
                             f"expected data the model was built for")
