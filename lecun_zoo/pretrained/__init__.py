"""Trained weights: ``lecun_zoo.get("convnet", preset="lenet5", weights="mnist")``.

Every set has an id ``FAMILY/PRESET.TAG`` (``convnet/lenet5.mnist``); ``list_pretrained()``
(and ``lecun_zoo.list(pretrained=True)``) gives them. A weights folder holds
``config.json``, ``model.weights.h5``, ``card.json`` and ``README.md``
(:mod:`~lecun_zoo.pretrained.folder`, :mod:`~lecun_zoo.pretrained.card`); where the files
are found and how they are checked: :mod:`~lecun_zoo.pretrained.index`.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

from lecun_zoo.pretrained.files import WeightsError
from lecun_zoo.pretrained.index import Entry, cache_folder, entries, find, home, locate, where

__all__ = ["WeightsError", "Entry", "entries", "find", "list_pretrained", "locate", "where", "home",
           "cache_folder", "save_weights_folder", "reproduce", "pretrained_model"]


def list_pretrained(family: Optional[str] = None) -> list[str]:
    """The ids of every registered set of trained weights (of ``family``), sorted."""
    return [e.id for e in entries(family)]


def save_weights_folder(result: Any, folder: "str | os.PathLike", *, tag: str, headline: Mapping[str, Any],
                        data_dir: Optional[str] = None, extra_metrics: Optional[Mapping[str, Any]] = None,
                        notes: str = "", storage: str = "float32") -> str:
    """Write the weights folder of a :class:`lecun_zoo.TrainResult` (config, weights, card,
    README). ``headline``: ``{"metric": "accuracy", "tolerance": 0.002}`` (a name among
    ``result.metrics`` or ``extra_metrics``; ``"higher_is_better": False`` for a loss).
    ``storage="float16"`` stores the weights file in half precision: the model's weights must
    already be rounded (:func:`lecun_zoo.pretrained.storage.round_weights`) and
    ``result.metrics`` measured on them, as :func:`lecun_zoo.pretrained.bundle.bundle_run` does."""
    from lecun_zoo.pretrained.card import make_card
    from lecun_zoo.pretrained.folder import write_folder
    from lecun_zoo.pretrained.storage import check_storage

    card = make_card(result, tag=tag, headline=headline, data_dir=data_dir, extra_metrics=extra_metrics, notes=notes,
                     storage=check_storage(storage))
    return write_folder(result.model, os.fspath(folder), card, preset=card["preset"], storage=storage)


def reproduce(weights_id: str, **kwargs: Any) -> dict:
    from lecun_zoo.pretrained.rerun import reproduce as run

    return run(weights_id, **kwargs)


def pretrained_model(fam: Any, preset: Optional[str], weights: Any, overrides: Mapping[str, Any],
                     *, report: bool = True) -> Any:
    from lecun_zoo.pretrained.handles import pretrained_model as build

    return build(fam, preset, weights, overrides, report=report)
