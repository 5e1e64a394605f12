"""The family contract that every model family, built-in or plugin, fills in.

A family is one :class:`Family` object, exposed by its package as ``FAMILY`` and
declared in the ``lecun_zoo.families`` entry-point group. Keep the module that defines
``FAMILY`` free of Keras imports (import Keras inside ``build``/``compile``): the registry
loads cards cheaply, and ``import lecun_zoo`` stays fast.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from lecun_zoo.config import Config, ConfigError

__all__ = ["Family", "CAPABILITIES", "TAGS", "RECIPE_KEYS"]

#: what a family's per-dataset recipe (``Family.recipes``) may set
RECIPE_KEYS = ("preset", "overrides", "epochs", "batch_size", "validation", "schedule", "data_options")

#: Capabilities a family may declare: each is a claim the conformance kit checks
#: (``lecun_zoo.testing.CHECK_CAPABILITIES``). ``list(capability=...)`` filters on them.
CAPABILITIES = (
    "mixed_precision",  # fits under mixed_float16 / mixed_bfloat16, loss in float32 (kit: mixed_*)
    "distribution",  # fits under tf.distribute / keras.distribution (kit: mirrored, data_parallel)
    "tuning",  # declares a keras-tuner search space (kit: search_space)
)

#: Descriptive tags (what the model is, not a claim the kit checks); ``list(capability=...)``
#: matches them too. Before 0.2 they were capabilities; given there, they move here with a
#: DeprecationWarning.
TAGS = ("attention", "generation", "memory", "pretraining", "recurrent", "text", "vision")


class ModelClass:
    """``Family.build`` given as ``"module:Class"``: builds ``Class(config)``, importing the
    module on the first call (so the module defining ``FAMILY`` needs no Keras)."""

    def __init__(self, target: str, family: str = "?") -> None:
        module, _, attr = target.partition(":")
        if not module or not attr:
            raise ValueError(f"family {family!r}: build got {target!r}; expected 'module:Class' or a function")
        self.target = target

    def __call__(self, config: Config) -> Any:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)(config)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelClass) and other.target == self.target

    def __hash__(self) -> int:
        return hash(self.target)

    def __repr__(self) -> str:
        return f"ModelClass({self.target!r})"


@dataclasses.dataclass(frozen=True)
class Family:
    """A model family: metadata, presets, a validated config type and the functions
    that build, compile, tune and (optionally) train its models.

    Args:
        name: registry name, lower case (``"convnet"``).
        summary: one line.
        paper: citation of the paper the model implements.
        config_cls: a :class:`~lecun_zoo.config.Config` subclass with defaults.
        build: the model class as a lazy ``"module:Class"`` string (imported on the first
            build, called as ``Class(config)``), or a function ``build(config) ->
            keras.Model``; the model's ``get_config`` / ``from_config`` round-trip and its
            classes are registered serializable.
        compile: ``compile(model, config) -> None``: the paper's loss, optimizer, metrics.
        presets: named partial configs (field -> value). Must include ``"tiny"``, the
            small, deterministic-in-training preset that tests and CI use.
        default_preset: the preset ``get(name)`` uses.
        capabilities: a subset of :data:`CAPABILITIES`: claims the conformance kit checks.
        tags: a subset of :data:`TAGS`: what the model is (``list(capability=...)`` finds them).
        datasets: dataset names (see ``lecun_zoo.data.names()``) it trains on.
        default_data: dataset the CLI uses when ``--data`` is not given.
        metrics: names that ``model.evaluate(..., return_dict=True)`` returns.
        example_batch: ``example_batch(config, batch_size, seed) -> (x, y)`` numpy
            arrays that fit the config; the conformance kit feeds them.
        search_space: ``search_space(hp, config) -> dict`` of config overrides drawn
            from a keras-tuner ``HyperParameters``; ``config`` is the base config.
        adapt_to_data: ``adapt_to_data(info) -> dict`` of config overrides implied by
            a dataset (input shape, number of classes, vocabulary...).
        data_options: ``data_options(config) -> dict`` of keyword options for
            ``lecun_zoo.data.load`` that the model's config implies (context size,
            sequence length, bit width...).
        fit: optional staged training (layer-wise pretraining, linear start,
            curricula): ``fit(model, config, train, *, validation_data=None, epochs=1,
            callbacks=None, verbose=1) -> keras.callbacks.History``. It must still work
            with callbacks and return a History, and pass the callbacks that carry
            ``every_fit = True`` (``lecun_zoo.checkpointing.every_fit(callbacks)``) to every
            fit it makes, so checkpoints and the data order reach each stage. Without it,
            ``model.fit`` is used.
        aliases: other names that resolve to this family.
        data_field: a config field whose value names the dataset to train on when none
            is given (the NTM's ``task``); else ``default_data``.
        sources: datasets the family ships: ``{name: "module:attribute"}`` of a
            :class:`lecun_zoo.data.Source` (imported when the dataset is first used);
            ``lecun_zoo.data.load(name)`` finds them.
        weights: where the family's trained weights are registered: ``"package:folder"``,
            a folder of the package holding one ``PRESET.TAG/entry.json`` per set of
            weights (:mod:`lecun_zoo.pretrained.index`); found by ``get(..., weights=TAG)``
            and ``lecun_zoo.list(pretrained=True)``.
        recipes: the family's own training recipes per dataset: ``{dataset: {"preset": ...,
            "overrides": {...}, "epochs": ..., "batch_size": ..., "validation": ...,
            "schedule": ..., "data_options": {...}}}`` (any subset), or a list of such dicts,
            one per preset, the first being the dataset's default. ``lecun_zoo.train`` and
            ``lecun-zoo train`` fill what the caller did not give from the recipe of the preset
            the caller names (the first one when none is named; see :meth:`recipe_for`).
            Stored as ``{dataset: [recipe, ...]}``.
    """

    name: str
    summary: str
    paper: str
    config_cls: type[Config]
    build: Union[str, Callable[[Config], Any]]
    compile: Callable[[Any, Config], None]
    presets: Mapping[str, Mapping[str, Any]]
    default_preset: str
    capabilities: frozenset[str] | Sequence[str] = ()
    tags: frozenset[str] | Sequence[str] = ()
    datasets: Sequence[str] = ()
    default_data: Optional[str] = None
    metrics: Sequence[str] = ("loss",)
    example_batch: Optional[Callable[..., Any]] = None
    search_space: Optional[Callable[[Any, Config], dict]] = None
    adapt_to_data: Optional[Callable[[Any], dict]] = None
    data_options: Optional[Callable[[Config], dict]] = None
    fit: Optional[Callable[..., Any]] = None
    aliases: Sequence[str] = ()
    data_field: Optional[str] = None
    sources: Mapping[str, str] = dataclasses.field(default_factory=dict)
    weights: Optional[str] = None
    recipes: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def _recipe_list(self, data: str, value: Any) -> list:
        recs = [value] if isinstance(value, Mapping) else list(value) if isinstance(value, (list, tuple)) else None
        if not recs or not all(isinstance(r, Mapping) for r in recs):
            raise ValueError(f"family {self.name!r}: recipes[{data!r}] got {value!r}; expected a dict of "
                             f"{list(RECIPE_KEYS)}, or a non-empty list of them (one per preset)")
        recs = [dict(r) for r in recs]
        presets = []
        for i, rec in enumerate(recs):
            where = f"recipes[{data!r}]" + (f"[{i}]" if len(recs) > 1 else "")
            extra = sorted(set(rec) - set(RECIPE_KEYS))
            if extra:
                raise ValueError(f"family {self.name!r}: {where} got unknown key {extra[0]!r}; expected "
                                 f"some of {list(RECIPE_KEYS)}")
            preset = rec.get("preset", self.default_preset)
            if preset not in self.presets:
                raise ValueError(f"family {self.name!r}: {where} preset {preset!r} is not one of "
                                 f"its presets {sorted(self.presets)}")
            if preset in presets:
                raise ValueError(f"family {self.name!r}: {where} repeats preset {preset!r}; expected one recipe "
                                 f"per preset")
            presets.append(preset)
        return recs

    def recipe_for(self, data: str, preset: Optional[str] = None) -> dict:
        """The family's recipe for dataset ``data`` and ``preset`` (a copy; ``{}`` when it has
        none). With no preset: the dataset's first recipe."""
        recs = self.recipes.get(data, [])
        if preset is None:
            return dict(recs[0]) if recs else {}
        for rec in recs:
            if rec.get("preset", self.default_preset) == preset:
                return dict(rec)
        return {}

    def __post_init__(self) -> None:
        caps, tags = frozenset(self.capabilities), frozenset(self.tags)
        moved = caps & set(TAGS)
        if moved:
            import warnings

            warnings.warn(f"family {self.name!r}: {sorted(moved)} are tags now, not capabilities (the kit checks "
                          f"no claim for them); declare them with tags=", DeprecationWarning, stacklevel=3)
        object.__setattr__(self, "capabilities", caps - moved)
        object.__setattr__(self, "tags", tags | moved)
        bad_tags = self.tags - set(TAGS)
        if bad_tags:
            raise ValueError(f"family {self.name!r}: unknown tags {sorted(bad_tags)}; expected a subset of {list(TAGS)}")
        if isinstance(self.build, str):
            object.__setattr__(self, "build", ModelClass(self.build, self.name))
        object.__setattr__(self, "datasets", tuple(self.datasets))
        object.__setattr__(self, "metrics", tuple(self.metrics))
        object.__setattr__(self, "aliases", tuple(self.aliases))
        object.__setattr__(self, "sources", dict(self.sources))
        bad = {k: v for k, v in self.sources.items() if not isinstance(v, str) or ":" not in v}
        if bad:
            raise ValueError(f"family {self.name!r}: sources got {bad}; expected dataset name -> "
                             f"'module:attribute' strings")
        if self.weights is not None and (not isinstance(self.weights, str) or not self.weights.partition(":")[0]):
            raise ValueError(f"family {self.name!r}: weights got {self.weights!r}; expected 'package:folder'")
        object.__setattr__(self, "recipes", {k: self._recipe_list(k, v) for k, v in dict(self.recipes).items()})
        unknown = self.capabilities - set(CAPABILITIES)
        if unknown:
            raise ValueError(
                f"family {self.name!r}: unknown capabilities {sorted(unknown)}; "
                f"expected a subset of {list(CAPABILITIES)}"
            )
        if self.default_preset not in self.presets:
            raise ValueError(
                f"family {self.name!r}: default_preset {self.default_preset!r} is not one "
                f"of its presets {sorted(self.presets)}"
            )
        if not issubclass(self.config_cls, Config):
            raise TypeError(f"family {self.name!r}: config_cls must subclass lecun_zoo.Config")
        if self.data_field is not None and self.data_field not in self.config_cls.field_names():
            raise ValueError(f"family {self.name!r}: data_field {self.data_field!r} is not a field of "
                             f"{self.config_cls.__name__}")

    # ------------------------------------------------------------------ config
    def make_config(self, preset: Optional[str] = None, **overrides: Any) -> Config:
        """The config of ``preset`` (default: ``default_preset``) with ``overrides``."""
        preset = self.default_preset if preset is None else preset
        if not isinstance(preset, str):
            raise ConfigError(
                f"family {self.name!r} preset got {preset!r} ({type(preset).__name__}); expected a "
                f"preset name, one of {', '.join(map(repr, sorted(self.presets)))}"
            )
        if preset not in self.presets:
            import difflib

            close = difflib.get_close_matches(preset, list(self.presets), n=2)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ConfigError(
                f"family {self.name!r} has no preset {preset!r}{hint} "
                f"(presets: {', '.join(sorted(self.presets))})"
            )
        values = dict(self.presets[preset])
        self.config_cls.check_keys(overrides)
        values.update(overrides)
        return self.config_cls.from_dict(values)

    def default_data_for(self, config: Config) -> Optional[str]:
        """The dataset a config trains on when none is named: its ``data_field``, else
        ``default_data``."""
        if self.data_field is not None:
            value = getattr(config, self.data_field, None)
            if isinstance(value, str) and value:
                return value
        return self.default_data

    def search_overrides(self, hp: Any, config: Config) -> dict:
        if self.search_space is None:
            raise NotImplementedError(f"family {self.name!r} declares no search space")
        overrides = dict(self.search_space(hp, config))
        self.config_cls.check_keys(overrides)
        return overrides

    def train(self, model: Any, config: Config, train: Any, *, validation_data: Any = None,
              epochs: int = 1, callbacks: Any = None, verbose: Any = 1) -> Any:
        """Train with the family's staged ``fit`` if it has one, else ``model.fit``."""
        if self.fit is not None:
            return self.fit(model, config, train, validation_data=validation_data, epochs=epochs,
                            callbacks=callbacks, verbose=verbose)
        from lecun_zoo.input_checks import is_zoo_pipeline

        shuffle = not is_zoo_pipeline(train)  # lecun_zoo.data's pipelines are already shuffled
        return model.fit(train, validation_data=validation_data, epochs=epochs,
                         callbacks=callbacks, verbose=verbose, shuffle=shuffle)
