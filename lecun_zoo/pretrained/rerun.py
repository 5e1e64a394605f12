"""``lecun-zoo reproduce ID``: the card's recipe run again through ``lecun_zoo.train``, the
weights folder written into the cache, the fresh headline metric judged against the card's;
``--evaluate-only``: the existing weights measured on the data instead."""

from __future__ import annotations

import json
import os
import time
from typing import Any, Optional

from lecun_zoo.pretrained.folder import CARD, build_from_folder, write_folder
from lecun_zoo.pretrained.index import Entry, cache_folder, find, home, locate, where

__all__ = ["reproduce", "card_of", "test_metrics"]


def test_metrics(model: Any, recipe: Any, data_dir: Optional[str] = None) -> dict:
    """``model`` (compiled here by its family) measured on the test split of ``recipe``'s data,
    read as the recipe reads it."""
    from lecun_zoo.evaluation import evaluate
    from lecun_zoo.registry import REGISTRY

    REGISTRY.get(recipe.family).compile(model, model.zoo_config)
    return evaluate(model, recipe.data, "test", data_dir=data_dir, batch_size=recipe.batch_size,
                    data_options=recipe.data_options, seed=recipe.seed)


def card_of(entry: Entry) -> Optional[dict]:
    """The card of the entry's files where they are on this machine (bundled or cached)."""
    state = where(entry)
    if state not in ("bundled", "cache"):
        return None
    folder = entry.bundled if state == "bundled" else cache_folder(entry.id)
    with open(os.path.join(folder, CARD)) as f:
        return json.load(f)


def reproduce(weights_id: str, *, data_dir: Optional[str] = None, evaluate_only: bool = False,
              verbose: Any = 2, epochs: Optional[int] = None) -> dict:
    """Returns ``{"id", "metric", "card", "fresh", "ok", "verdict", "folder", "seconds"}``."""
    import dataclasses

    from lecun_zoo.pretrained.card import judge, make_card
    from lecun_zoo.recipe import Recipe, train
    from lecun_zoo.registry import REGISTRY

    entry = find(weights_id)
    fam = REGISTRY.get(entry.family)
    recipe = Recipe.from_dict(entry.recipe)
    card = card_of(entry)
    headline = dict((card or {}).get("headline") or entry.headline)
    if not headline.get("metric"):
        raise ValueError(f"weights {entry.id}: the registry entry names no headline metric")
    t0 = time.time()
    if evaluate_only:
        folder = locate(entry)
        fresh = test_metrics(build_from_folder(folder, fam, {}, what=f"weights {entry.id}"), recipe, data_dir)
    else:
        if epochs is not None:
            recipe = dataclasses.replace(recipe, epochs=epochs)
        run = os.path.join(home(), "runs", entry.id.replace("/", "-"))
        result = train(recipe=recipe, data_dir=data_dir, out=run, verbose=verbose)
        spec = {k: headline[k] for k in ("metric", "tolerance", "higher_is_better") if k in headline}
        new_card = make_card(result, tag=entry.tag, headline=spec, data_dir=data_dir)
        folder = write_folder(result.model, cache_folder(entry.id), new_card, preset=entry.preset)
        fresh = result.metrics
    metric = headline["metric"]
    if metric not in fresh:
        raise ValueError(f"weights {entry.id}: the fresh metrics {sorted(fresh)} lack the card's {metric!r}")
    if "value" in headline:
        ok, verdict = judge(headline, float(fresh[metric]))
    else:
        ok, verdict = True, f"{metric} {float(fresh[metric]):.4f} (no card value to compare with yet)"
    return {"id": entry.id, "metric": metric, "card": headline.get("value"), "fresh": float(fresh[metric]),
            "ok": ok, "verdict": verdict, "folder": folder, "seconds": round(time.time() - t0, 1),
            "metrics": {k: float(v) for k, v in fresh.items()}}
