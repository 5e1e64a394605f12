"""Starting a run from trained weights: ``lecun_zoo.train(init=..., freeze=..., reset_head=...)``."""

from __future__ import annotations

import fnmatch
import os
from typing import Any, Optional, Sequence

__all__ = ["initialise", "freeze"]


def _head(model: Any) -> list[Any]:
    """The last layer with weights: the head that ``reset_head`` leaves freshly initialised."""
    for layer in reversed(model.layers):
        if layer.weights:
            return [layer]
    return []


def _source(model: Any, init: Any, fam: Any, preset: Optional[str]) -> Any:
    """The model ``init`` names: itself, or what ``get(..., weights=init)`` would load (a tag
    of ``preset``, an id of any preset, a weights folder, a ``.keras`` file; a
    ``.weights.h5`` file is read into a model of ``model``'s own config)."""
    if not isinstance(init, (str, os.PathLike)):
        return init
    from lecun_zoo.pretrained.handles import pretrained_model
    from lecun_zoo.registry import REGISTRY

    fam = fam if fam is not None else REGISTRY.get(model.zoo_config.family)
    return pretrained_model(fam, preset, init, {}, report=False, config=model.zoo_config, strict_preset=False)


def initialise(model: Any, init: Any, reset_head: Optional[bool], fam: Any = None,
               preset: Optional[str] = None) -> list[str]:
    """Copy the weights of ``init`` (a model, or what ``get(weights=...)`` takes: a tag of
    ``preset``, an id, a weights folder, a ``.keras`` or ``.weights.h5`` file) into ``model``
    layer by layer (by name). Returns the layers left as built (the head, or those whose
    shapes changed when ``reset_head`` is not False)."""
    from lecun_zoo.config import ConfigError

    source = _source(model, init, fam, preset)
    if not hasattr(source, "layers"):
        raise ValueError(f"train() init got {type(init).__name__}; expected a keras model, a weights tag or id, "
                         f"or a path to a weights folder, .keras or .weights.h5 file")
    theirs = {layer.name: layer for layer in source.layers}
    head = {layer.name for layer in _head(model)} if reset_head else set()
    fresh = []
    for layer in model.layers:
        if not layer.weights:
            continue
        other = theirs.get(layer.name)
        if other is None or layer.name in head:
            fresh.append(layer.name)
            continue
        mine, given = layer.get_weights(), other.get_weights()
        if [w.shape for w in mine] != [w.shape for w in given]:
            if reset_head is False:
                raise ConfigError(f"train() init: layer {layer.name!r} has weights of shapes "
                                  f"{[w.shape for w in given]} in init but {[w.shape for w in mine]} here; pass "
                                  f"reset_head=True to train it from scratch, or keep the shape-changing fields")
            fresh.append(layer.name)
            continue
        layer.set_weights(given)
    return fresh


def freeze(model: Any, patterns: Sequence[str]) -> list[str]:
    """Make the layers named by ``patterns`` (names, wildcards, or a stage prefix: ``conv1``
    for ``conv1_1``) untrainable; returns their names. A pattern that names none raises."""
    from lecun_zoo.config import ConfigError

    names = [layer.name for layer in model.layers]
    frozen = []
    for pat in patterns:
        hit = [n for n in names if fnmatch.fnmatchcase(n, pat) or n.startswith(f"{pat}_")]
        if not hit:
            raise ConfigError(f"train() freeze got {pat!r}, which names no layer; expected layer names or "
                              f"wildcards among {', '.join(names)}")
        frozen += hit
    for layer in model.layers:
        if layer.name in frozen:
            layer.trainable = False
    return sorted(set(frozen))
