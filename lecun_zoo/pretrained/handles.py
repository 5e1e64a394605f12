"""What ``weights=`` may be: a tag of the preset (``"mnist"``), an id
(``"convnet/lenet5.mnist"``, or ``"lenet5.mnist"`` within the family), or a path (a weights
folder, a ``.keras`` file or a ``.weights.h5`` file: anything that exists on disk, or that
holds a path separator and is not an id)."""

from __future__ import annotations

import difflib
import os
from typing import Any, Mapping, Optional

from lecun_zoo.pretrained.files import WeightsError
from lecun_zoo.pretrained.folder import build_from_folder, load_weights_file, with_overrides
from lecun_zoo.pretrained.index import ID, Entry, entries, find, locate

__all__ = ["resolve", "pretrained_model"]


def resolve(fam: Any, preset: Optional[str], weights: Any, *, strict_preset: bool = True) -> "Entry | str":
    """The registry entry or the path that ``weights`` names for family ``fam``; a tag is one
    of ``preset``'s. ``strict_preset``: an id of another preset is an error (``get``); not
    for ``train(init=...)``, which copies weights layer by layer into the run's own preset."""
    if not isinstance(weights, (str, os.PathLike)) or not os.fspath(weights):
        raise WeightsError(f"weights got {weights!r}; expected a tag (e.g. 'mnist'), an id "
                           f"('FAMILY/PRESET.TAG') or a path to a weights folder, .keras or .weights.h5 file")
    text = os.fspath(weights)
    if os.path.exists(text):
        return text
    if ID.match(text):
        entry = find(text)
    elif ID.match(f"{fam.name}/{text}"):
        entry = find(f"{fam.name}/{text}")
    elif "/" in text or os.sep in text or text.endswith((".keras", ".h5")):
        raise WeightsError(f"weights got {text!r}: no such file or folder, and not an id; expected a path that "
                           f"exists or an id 'FAMILY/PRESET.TAG' (`lecun-zoo weights` lists them)")
    else:
        preset = preset or fam.default_preset
        wanted = f"{fam.name}/{preset}.{text}"
        mine = entries(fam.name)
        hit = [e for e in mine if e.id == wanted]
        if not hit:
            tags = [f"{e.tag} (preset {e.preset})" for e in mine]
            close = difflib.get_close_matches(text, [e.tag for e in mine if e.preset == preset], n=2, cutoff=0.5)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise WeightsError(f"family {fam.name!r} preset {preset!r} has no trained weights tagged {text!r}{hint} "
                               f"(its weights: {', '.join(tags) or 'none'}; `lecun-zoo weights` lists all)")
        entry = hit[0]
    if entry.family != fam.name:
        raise WeightsError(f"weights {entry.id!r} are {entry.family!r} weights; expected a {fam.name!r} id "
                           f"(ask lecun_zoo.get({entry.family!r}, weights={entry.id!r}))")
    if strict_preset and preset is not None and preset != entry.preset:
        from lecun_zoo.config import ConfigError

        raise ConfigError(f"preset got {preset!r} but weights {entry.id!r} are of preset {entry.preset!r}; expected "
                          f"preset={entry.preset!r} or no preset")
    return entry


def pretrained_model(fam: Any, preset: Optional[str], weights: Any, overrides: Mapping[str, Any],
                     *, report: bool = True, config: Any = None, strict_preset: bool = True) -> Any:
    """An uncompiled model of ``fam`` holding the weights ``weights`` names, its config
    changed by ``overrides`` (a head whose shape changes is reset, with a printed note). A
    ``.weights.h5`` file carries no config: it is read into a model of ``config`` (default:
    ``preset`` with ``overrides``)."""
    from lecun_zoo.memory_guard import build_checked

    target = resolve(fam, preset, weights, strict_preset=strict_preset)
    if isinstance(target, Entry):
        return build_from_folder(locate(target), fam, overrides, what=f"weights {target.id}",
                                 expected=None, report=report)
    path, what = target, f"weights {target}"
    if os.path.isdir(path):
        return build_from_folder(path, fam, overrides, what=what, report=report)
    if path.endswith(".keras"):
        from lecun_zoo.saving import load

        trained = load(path, compile=False)
        if getattr(trained, "family", None) != fam.name:
            raise WeightsError(f"{what}: holds a {getattr(trained, 'family', type(trained).__name__)!r} model; "
                               f"expected a {fam.name!r} one")
        return with_overrides(trained, fam, overrides, what, report)
    if path.endswith(".h5"):
        model = build_checked(fam, config if config is not None else fam.make_config(preset, **overrides))
        load_weights_file(model, path, what)
        return model
    raise WeightsError(f"{what}: expected a weights folder, a .keras file or a .weights.h5 file")
