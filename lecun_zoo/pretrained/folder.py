"""The weights folder, close to a keras-hub preset: ``config.json`` (the family and its
config), ``model.weights.h5`` (the weights), ``card.json`` (what the weights score and how
they were made, :mod:`lecun_zoo.pretrained.card`) and a ``README.md`` generated from the
card. Reading one runs no code: the config is data for the family's own config class,
the weights are an HDF5 file of arrays."""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Optional

from lecun_zoo.pretrained.files import WeightsError, replacing, sha256, verify

__all__ = ["CONFIG", "WEIGHTS", "CARD", "README", "write_folder", "read_folder", "build_from_folder",
           "transfer"]

CONFIG, WEIGHTS, CARD, README = "config.json", "model.weights.h5", "card.json", "README.md"


def write_folder(model: Any, folder: str, card: Mapping[str, Any], *, preset: Optional[str] = None,
                 storage: str = "float32") -> str:
    """Write ``model`` and ``card`` as a weights folder at ``folder`` (replaced whole: the
    files are written beside it and renamed, so a crash leaves the old folder or the new).
    The card gets ``files``: the SHA-256 of ``config.json`` and ``model.weights.h5``;
    ``storage`` is the dtype of the weights file (:mod:`lecun_zoo.pretrained.storage`)."""
    from lecun_zoo.pretrained.card import readme
    from lecun_zoo.pretrained.storage import store_as

    config = model.zoo_config
    folder = os.path.abspath(os.fspath(folder))
    with replacing(folder) as tmp:
        with open(os.path.join(tmp, CONFIG), "w") as f:
            json.dump({"family": config.family, "preset": preset, "config": config.to_dict()}, f, indent=2)
        model.save_weights(os.path.join(tmp, WEIGHTS))
        store_as(os.path.join(tmp, WEIGHTS), storage)
        card = dict(card)
        card["files"] = {name: sha256(os.path.join(tmp, name)) for name in (CONFIG, WEIGHTS)}
        with open(os.path.join(tmp, CARD), "w") as f:
            json.dump(card, f, indent=2)
        with open(os.path.join(tmp, README), "w") as f:
            f.write(readme(card))
        for name in os.listdir(tmp):
            os.chmod(os.path.join(tmp, name), 0o644)
    return folder


def _json(path: str, what: str) -> dict:
    try:
        with open(path) as f:
            value = json.load(f)
    except FileNotFoundError:
        raise WeightsError(f"{what}: {path} is missing; expected a weights folder with {CONFIG}, {WEIGHTS} "
                           f"and {CARD}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WeightsError(f"{what}: {path} is not valid JSON ({e}); the file is corrupt") from None
    if not isinstance(value, dict):
        raise WeightsError(f"{what}: {path} holds a {type(value).__name__}; expected a JSON object")
    return value


def read_folder(folder: str, *, what: str, expected: Optional[Mapping[str, str]] = None,
                fix: str = "") -> tuple[dict, dict]:
    """``(config.json, card.json)`` of a weights folder, after checking every file: against
    ``expected`` (the registry's SHA-256s) when given, else against the card's own ``files``."""
    fix = fix or f"write the folder again (lecun_zoo.pretrained.save_weights_folder) or delete {folder}"
    if not os.path.isdir(folder):
        raise WeightsError(f"{what}: {folder} is not a folder; expected a weights folder")
    if expected:
        verify(folder, expected, what=what, fix=fix)
    card = _json(os.path.join(folder, CARD), what)
    files = card.get("files")
    if not isinstance(files, dict) or set(files) != {CONFIG, WEIGHTS}:
        raise WeightsError(f"{what}: {os.path.join(folder, CARD)} field 'files' got {files!r}; expected the "
                           f"SHA-256 of {CONFIG} and {WEIGHTS}")
    verify(folder, files, what=what, fix=fix)
    config = _json(os.path.join(folder, CONFIG), what)
    if not isinstance(config.get("family"), str) or not isinstance(config.get("config"), dict):
        raise WeightsError(f"{what}: {os.path.join(folder, CONFIG)} must hold 'family' (a name) and 'config' "
                           f"(an object); got keys {sorted(config)}")
    return config, card


def load_weights_file(model: Any, path: str, what: str) -> None:
    """``model.load_weights(path)`` with errors that name the file and what did not fit."""
    if not os.path.isfile(path):
        raise WeightsError(f"{what}: {path}: no such weights file")
    try:
        model.load_weights(path)
    except Exception as e:  # noqa: BLE001 - h5py/Keras raise many kinds; name the file
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise WeightsError(f"{what}: {path} cannot be loaded into a {model.zoo_config.family} model of this config "
                           f"({type(e).__name__}: {first}); expected weights saved from the same config "
                           f"(truncated or corrupt file, or weights of another model?)") from None


def transfer(model: Any, source: Any, overrides: Mapping[str, Any], what: str, report: bool = True) -> list[str]:
    """Copy ``source``'s weights into ``model`` (built with ``overrides``). Only the head may
    change shape (it is left freshly initialised, as timm does); overrides that change other
    layers cannot be honoured and raise a ConfigError naming them."""
    from lecun_zoo.config import ConfigError
    from lecun_zoo.initial_weights import _head, initialise

    fresh = initialise(model, source, reset_head=None)
    head = {layer.name for layer in _head(model)}
    beyond = [name for name in fresh if name not in head]
    if beyond:
        fields = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
        raise ConfigError(f"{what}: the override(s) {fields} change the shapes of layer(s) {', '.join(beyond)}, "
                          f"not only the head; expected overrides the trained weights still fit (or only the "
                          f"head's, e.g. num_classes); train without weights= to change them")
    if fresh and report:
        fields = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
        print(f"lecun-zoo: {what}: head {', '.join(fresh)} reset (freshly initialised) for {fields}", flush=True)
    return fresh


def build_from_folder(folder: str, fam: Any, overrides: Mapping[str, Any], *, what: str,
                      expected: Optional[Mapping[str, str]] = None, fix: str = "", report: bool = True) -> Any:
    """The model of a weights folder (uncompiled), with ``overrides`` applied to its config."""
    from lecun_zoo.memory_guard import build_checked

    config_json, _card = read_folder(folder, what=what, expected=expected, fix=fix)
    if config_json["family"] != fam.name:
        raise WeightsError(f"{what}: {folder} holds {config_json['family']!r} weights; expected {fam.name!r} "
                           f"(ask lecun_zoo.get({config_json['family']!r}, weights=...))")
    base = fam.config_cls.from_dict(config_json["config"])
    trained = build_checked(fam, base)
    load_weights_file(trained, os.path.join(folder, WEIGHTS), what)
    return with_overrides(trained, fam, overrides, what, report)


def with_overrides(trained: Any, fam: Any, overrides: Mapping[str, Any], what: str, report: bool = True) -> Any:
    """``trained`` itself without overrides; else a model of its config with ``overrides``
    holding its weights (see :func:`transfer`)."""
    from lecun_zoo.memory_guard import build_checked

    if not overrides:
        return trained
    fam.config_cls.check_keys(overrides)
    config = fam.config_cls.from_dict({**trained.zoo_config.to_dict(), **overrides})
    if config == trained.zoo_config:
        return trained
    model = build_checked(fam, config)
    transfer(model, trained, overrides, what, report)
    return model
