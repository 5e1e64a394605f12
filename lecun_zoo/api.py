"""The public functions on families: list, info, get, register."""

from __future__ import annotations

import builtins
import dataclasses
from typing import Any, Iterable, Optional, Union

from lecun_zoo.family import Family
from lecun_zoo.registry import REGISTRY, PluginRecord

__all__ = ["list", "info", "get", "get_family", "register", "unregister", "plugin_report", "Card"]


def list(pattern: Optional[str] = None, *, capability: Union[str, Iterable[str], None] = None,  # noqa: A001
         pretrained: bool = False) -> builtins.list[str]:
    """Family names, sorted. ``pattern`` is a shell wildcard (``"seq*"``); ``capability``
    keeps families that declare it as a capability or a tag (a name or several). Without ``capability`` no
    family code is imported. ``pretrained=True``: the ids of the trained weights instead
    (``"convnet/lenet5.mnist"``; ``pattern`` matches the ids), whether or not their files
    are on this machine (``lecun-zoo weights`` says which are)."""
    if pretrained:
        import fnmatch

        from lecun_zoo.pretrained import list_pretrained

        found = list_pretrained()
        if capability is not None:
            keep = set(REGISTRY.list(capability=capability))
            found = [i for i in found if i.split("/")[0] in keep]
        return [i for i in found if pattern is None or fnmatch.fnmatchcase(i, pattern)]
    return REGISTRY.list(pattern, capability=capability)


@dataclasses.dataclass
class Card:
    """What ``info(name)`` returns; ``str(card)`` is a readable text card."""

    name: str
    summary: str
    paper: str
    presets: dict
    default_preset: str
    config_fields: builtins.list[dict]
    datasets: tuple
    default_data: Optional[str]
    capabilities: builtins.list[str]
    tags: builtins.list[str]
    metrics: tuple
    aliases: tuple
    provider: str
    version: str
    recipes: dict = dataclasses.field(default_factory=dict)
    weights: builtins.list[str] = dataclasses.field(default_factory=builtins.list)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        lines = [
            f"{self.name}: {self.summary}",
            f"  paper:        {self.paper}",
            f"  provider:     {self.provider} {self.version}",
            f"  capabilities: {', '.join(self.capabilities)}",
            f"  tags:         {', '.join(self.tags)}",
            f"  datasets:     {', '.join(self.datasets)} (default: {self.default_data})",
            f"  metrics:      {', '.join(self.metrics)}",
            f"  presets:      {', '.join(sorted(self.presets))} (default: {self.default_preset})",
        ]
        if self.aliases:
            lines.append(f"  aliases:      {', '.join(self.aliases)}")
        for data, recs in sorted(self.recipes.items()):
            for rec in recs:
                lines.append(f"  recipe for {data}: {', '.join(f'{k}={v!r}' for k, v in rec.items())}")
        if self.weights:
            lines.append(f"  trained weights: {', '.join(self.weights)}")
        lines.append("  config fields:")
        for row in self.config_fields:
            allowed = f"  {row['allowed']}" if row["allowed"] else ""
            helptext = f"  - {row['help']}" if row["help"] else ""
            lines.append(f"    {row['name']}: {row['type']} = {row['default']!r}{allowed}{helptext}")
        return "\n".join(lines)


def _record(name: str) -> Optional[PluginRecord]:
    for rec in REGISTRY.report():
        if rec.name == name and rec.status == "loaded":
            return rec
    return None


def info(name: str) -> Card:
    """The card of a family: summary, paper, presets, config fields with defaults and
    allowed values, datasets, capabilities, and the providing distribution and version."""
    fam = REGISTRY.get(name)
    rec = _record(fam.name)
    return Card(
        name=fam.name,
        summary=fam.summary,
        paper=fam.paper,
        presets={k: dict(v) for k, v in fam.presets.items()},
        default_preset=fam.default_preset,
        config_fields=fam.config_cls.describe(),
        datasets=tuple(fam.datasets),
        default_data=fam.default_data,
        capabilities=sorted(fam.capabilities),
        tags=sorted(fam.tags),
        metrics=tuple(fam.metrics),
        aliases=tuple(fam.aliases),
        provider=rec.distribution if rec else "?",
        version=rec.version if rec else "?",
        recipes={k: [dict(r) for r in v] for k, v in fam.recipes.items()},
        weights=_weights_of(fam.name),
    )


def _weights_of(name: str) -> builtins.list[str]:
    """The ids of a family's trained weights; a malformed entry leaves the card without them."""
    from lecun_zoo.pretrained import list_pretrained

    try:
        return list_pretrained(name)
    except Exception:  # noqa: BLE001 - the card is still useful; `lecun-zoo weights` names the problem
        return []


def get(name: str, preset: Optional[str] = None, *, weights: Any = None, compile: bool = True,
        **overrides: Any) -> Any:
    """A Keras model of family ``name``.

    Args:
        name: a family name or alias (``list()``).
        preset: a preset of the family (default: its ``default_preset``, or the preset of
            the weights).
        weights: trained weights: a tag of the preset (``"mnist"``), an id
            (``"convnet/lenet5.mnist"``, ``list(pretrained=True)``) or a path (a weights
            folder, a ``.keras`` or a ``.weights.h5`` file). Overrides that change only the
            head's shape (``num_classes=5``) reset the head, with a printed note; others
            that the weights cannot fit raise ``ConfigError`` naming them. Files are checked
            against their SHA-256; loading runs no code.
        compile: compile with the family's loss, optimizer and metrics (default True).
        **overrides: config fields to change (validated: unknown keys, wrong types and
            out-of-range values raise ``ConfigError`` naming the field and value).

    Build inside ``lecun_zoo.runtime(...)`` to pick precision and strategy.
    """
    from lecun_zoo.memory_guard import build_checked

    fam = REGISTRY.get(name)
    if weights is not None:
        from lecun_zoo.pretrained import pretrained_model

        model = pretrained_model(fam, preset, weights, overrides)
        if compile:
            fam.compile(model, model.zoo_config)
        return model
    config = fam.make_config(preset, **overrides)
    model = build_checked(fam, config)
    if compile:
        fam.compile(model, config)
    return model


def register(family: Any = None, *, override: bool = False) -> Any:
    """Add a family at run time: ``register(FAMILY)`` or ``@register`` on a function
    that returns a Family. A taken name raises unless ``override=True``."""
    return REGISTRY.register(family, override=override)


def unregister(name: str) -> None:
    """Remove a family registered at run time."""
    REGISTRY.unregister(name)


def plugin_report(load: bool = False) -> builtins.list[PluginRecord]:
    """Every declared family with its status (loaded, not loaded, failed with the
    traceback, rejected on a name collision, overridden)."""
    return REGISTRY.report(load=load)


def get_family(name: str) -> Family:
    """The Family object of ``name`` (imports it)."""
    return REGISTRY.get(name)
