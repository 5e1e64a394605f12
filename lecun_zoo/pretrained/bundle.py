"""Registering trained weights: a finished ``lecun_zoo.train(out=RUN)`` folder becomes a
weights folder with its ``entry.json`` (what ``bench/bundle_weights.py`` runs), or an
entry without files that ``lecun-zoo reproduce`` will make."""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Optional

from lecun_zoo.pretrained.files import sha256
from lecun_zoo.pretrained.folder import CARD, CONFIG, WEIGHTS

__all__ = ["result_of_run", "write_entry", "bundle_run"]


def result_of_run(run: str) -> Any:
    """The :class:`lecun_zoo.TrainResult` of a finished run folder (``model.keras`` and
    ``history.json``)."""
    from lecun_zoo.recipe import Recipe, TrainResult
    from lecun_zoo.saving import load

    with open(os.path.join(run, "history.json")) as f:
        hist = json.load(f)
    model = load(os.path.join(run, "model.keras"), compile=False)
    return TrainResult(model=model, history=None, metrics=dict(hist.get("test") or {}), config=model.zoo_config,
                       recipe=Recipe.from_dict(hist["recipe"]), files={}, train_seconds=hist.get("train_seconds", 0.0),
                       runtime=hist.get("runtime", ""))


def write_entry(folder: str, recipe: Mapping[str, Any], *, headline: Mapping[str, Any], summary: str = "",
                minutes: Optional[float] = None, data_dir_hint: str = "", url: Optional[str] = None,
                published: str = "") -> str:
    """``folder/entry.json``: with the SHA-256 of the folder's files where they are there."""
    os.makedirs(folder, exist_ok=True)
    names = (CONFIG, WEIGHTS, CARD)
    files = ({n: sha256(os.path.join(folder, n)) for n in names}
             if all(os.path.isfile(os.path.join(folder, n)) for n in names) else {})
    entry = {"summary": summary, "recipe": dict(recipe), "headline": dict(headline), "files": files,
             "minutes": minutes, "data_dir_hint": data_dir_hint, "url": url, "published": published}
    path = os.path.join(folder, "entry.json")
    with open(path, "w") as f:
        json.dump(entry, f, indent=2)
    return path


def bundle_run(run: str, dest: str, *, tag: str, headline: Mapping[str, Any], summary: str = "",
               data_dir: Optional[str] = None, data_dir_hint: str = "", notes: str = "",
               extra_metrics: Optional[Mapping[str, Any]] = None, published: str = "",
               storage: str = "float32") -> dict:
    """Write the weights folder of run folder ``run`` at ``dest`` (``FAMILY/weights/PRESET.TAG``
    inside the package) with its entry; returns the card. With ``storage="float16"`` the
    weights are rounded first and the test split measured again on the rounded weights: the
    card holds what the stored file scores (the run's float32 figures go into its notes)."""
    from lecun_zoo.pretrained import save_weights_folder
    from lecun_zoo.pretrained.storage import check_storage, round_weights

    result = result_of_run(run)
    if check_storage(storage) != "float32":
        from lecun_zoo.pretrained.rerun import test_metrics

        before = {k: round(float(v), 6) for k, v in result.metrics.items()}
        round_weights(result.model, storage)
        result.metrics = test_metrics(result.model, result.recipe, data_dir)
        notes = " ".join(x for x in (notes, f"Stored as {storage}; the float32 weights of the run scored {before} "
                                             f"on the test split.") if x)
    save_weights_folder(result, dest, tag=tag, headline=headline, data_dir=data_dir, notes=notes,
                        extra_metrics=extra_metrics, storage=storage)
    with open(os.path.join(dest, CARD)) as f:
        card = json.load(f)
    head = {k: card["headline"][k] for k in ("metric", "value", "tolerance", "higher_is_better", "text")}
    write_entry(dest, card["recipe"], headline=head, summary=summary,
                minutes=round(result.train_seconds / 60.0, 1), data_dir_hint=data_dir_hint or (data_dir or ""),
                published=published)
    return card
