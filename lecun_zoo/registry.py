"""The one registry of model families.

Families are discovered through the ``lecun_zoo.families`` entry-point group; the
built-in families are declared in that same group by this package's own metadata, so
there is one discovery path for both. Nothing is imported until it is needed:
``lecun_zoo.list()`` reads entry-point names only, and a family's module is imported the
first time its card or model is asked for.

A plugin whose entry point fails to import, raises, or returns something that is not a
:class:`~lecun_zoo.family.Family` is reported (a :class:`PluginWarning` and a row in
:func:`plugin_report`) and skipped. Set ``LECUN_ZOO_STRICT_PLUGINS=1`` to make such
errors raise instead, which is what a plugin author wants while developing.

Built-in names win collisions. A plugin that claims a built-in name is reported and not
used, unless the name is listed in ``LECUN_ZOO_OVERRIDE`` (comma separated), or the
family is registered at run time with ``register(family, override=True)``.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import os
import sys
import threading
import traceback
import warnings
from typing import Any, Callable, Iterable, Optional, Union

from lecun_zoo.family import CAPABILITIES, TAGS, Family

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginError",
    "PluginWarning",
    "UnknownFamilyError",
    "PluginRecord",
    "Registry",
    "REGISTRY",
]

ENTRY_POINT_GROUP = "lecun_zoo.families"
BUILTIN_DISTRIBUTION = "lecun-zoo"
STRICT_ENV = "LECUN_ZOO_STRICT_PLUGINS"
OVERRIDE_ENV = "LECUN_ZOO_OVERRIDE"


class PluginError(RuntimeError):
    """A plugin family could not be loaded (raised in strict mode or on ``get``)."""


class PluginWarning(UserWarning):
    """A plugin family was skipped; see ``lecun_zoo.plugin_report()``."""


class UnknownFamilyError(KeyError):
    """No family of that name; the message lists close matches."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@dataclasses.dataclass
class PluginRecord:
    """What the registry knows about one declared family."""

    name: str
    target: str  # "module:attr", or "<runtime>" for register()
    distribution: str
    version: str
    builtin: bool
    status: str = "not loaded"  # not loaded | loaded | failed | rejected | overridden
    error: Optional[str] = None
    traceback: Optional[str] = None
    loader: Optional[Callable[[], Any]] = dataclasses.field(default=None, repr=False)

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d.pop("loader")
        return d


def _strict() -> bool:
    return os.environ.get(STRICT_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _overrides() -> set[str]:
    return {n.strip() for n in os.environ.get(OVERRIDE_ENV, "").split(",") if n.strip()}


def _entry_points() -> list[Any]:
    from importlib import metadata

    try:
        return list(metadata.entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # a broken installed distribution must not break the zoo
        return []


def _source_checkout_entry_points() -> dict[str, str]:
    """Read the built-in declarations from pyproject.toml when the package runs from a
    source tree that was never installed (so its entry points are not in metadata)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "pyproject.toml")
    if not os.path.exists(path):
        return {}
    try:
        import tomllib
    except ImportError:  # Python 3.10
        return {}
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return dict(data.get("project", {}).get("entry-points", {}).get(ENTRY_POINT_GROUP, {}))


def _import_target(target: str) -> Any:
    import importlib

    module, _, attr = target.partition(":")
    obj = importlib.import_module(module)
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


class Registry:
    """Name -> family, discovered lazily from entry points plus run-time registrations."""

    def __init__(self, group: str = ENTRY_POINT_GROUP) -> None:
        self.group = group
        self._lock = threading.RLock()
        self._records: Optional[dict[str, PluginRecord]] = None
        self._shadowed: list[PluginRecord] = []  # rejected / overridden declarations
        self._families: dict[str, Family] = {}
        self._aliases: dict[str, str] = {}

    # ----------------------------------------------------------- discovery
    def _discover(self) -> dict[str, PluginRecord]:
        with self._lock:
            if self._records is not None:
                return self._records
            declared: list[PluginRecord] = []
            seen_builtin = False
            for ep in _entry_points():
                dist = getattr(ep, "dist", None)
                dist_name = (dist.metadata["Name"] if dist is not None else "?") or "?"
                version = (dist.version if dist is not None else "?") or "?"
                builtin = dist_name.lower().replace("_", "-") == BUILTIN_DISTRIBUTION
                seen_builtin |= builtin
                declared.append(
                    PluginRecord(ep.name, ep.value, dist_name, version, builtin, loader=ep.load)
                )
            if not seen_builtin:
                from lecun_zoo.version import __version__

                for name, target in _source_checkout_entry_points().items():
                    declared.append(
                        PluginRecord(
                            name,
                            target,
                            BUILTIN_DISTRIBUTION + " (source tree)",
                            __version__,
                            True,
                            loader=(lambda t=target: _import_target(t)),
                        )
                    )
            records: dict[str, PluginRecord] = {}
            overrides = _overrides()
            # built-ins first so that they claim their names
            for rec in sorted(declared, key=lambda r: (not r.builtin, r.distribution, r.name)):
                held = records.get(rec.name)
                if held is None:
                    records[rec.name] = rec
                    continue
                if held.builtin and not rec.builtin and rec.name in overrides:
                    held.status = "overridden"
                    held.error = f"replaced by {rec.distribution} through {OVERRIDE_ENV}"
                    self._shadowed.append(held)
                    records[rec.name] = rec
                    continue
                if held.target == rec.target and held.distribution == rec.distribution:
                    continue  # the same declaration seen twice (e.g. an editable install)
                rec.status = "rejected"
                rec.error = (
                    f"the name {rec.name!r} is already taken by "
                    f"{'the built-in family' if held.builtin else 'the plugin'} from "
                    f"{held.distribution}; set {OVERRIDE_ENV}={rec.name} to use this one instead"
                )
                self._shadowed.append(rec)
                self._warn(rec)
            self._records = records
            return records

    def _warn(self, rec: PluginRecord) -> None:
        msg = f"lecun_zoo: family {rec.name!r} from {rec.distribution} was skipped: {rec.error}"
        if _strict():
            raise PluginError(msg + ("\n" + rec.traceback if rec.traceback else ""))
        warnings.warn(msg, PluginWarning, stacklevel=3)

    def _load(self, rec: PluginRecord) -> Optional[Family]:
        if rec.name in self._families:
            return self._families[rec.name]
        if rec.status in ("failed", "rejected"):
            return None
        try:
            obj = rec.loader() if rec.loader is not None else None
            if not isinstance(obj, Family) and callable(obj):
                obj = obj()
            if not isinstance(obj, Family):
                raise TypeError(
                    f"entry point {rec.target!r} gave {type(obj).__name__}; expected a "
                    f"lecun_zoo.Family (or a callable returning one)"
                )
            if obj.name != rec.name:
                raise ValueError(
                    f"entry point is named {rec.name!r} but its Family is named {obj.name!r}"
                )
        except Exception as e:  # noqa: BLE001 - any plugin failure is reported, not fatal
            rec.status = "failed"
            rec.error = f"{type(e).__name__}: {e}"
            rec.traceback = traceback.format_exc()
            if rec.builtin:
                raise  # our own bug: never hide it
            self._warn(rec)
            return None
        rec.status = "loaded"
        self._families[rec.name] = obj
        for alias in obj.aliases:
            self._aliases.setdefault(alias, rec.name)
        return obj

    # ---------------------------------------------------------------- public
    def names(self) -> list[str]:
        """All usable family names (declared and registered), without importing them."""
        recs = self._discover()
        return sorted(n for n, r in recs.items() if r.status not in ("failed", "rejected"))

    def list(
        self, pattern: Optional[str] = None, *, capability: Union[str, Iterable[str], None] = None
    ) -> list[str]:
        if pattern is not None and not isinstance(pattern, str):
            raise TypeError(f"list() pattern got {pattern!r} ({type(pattern).__name__}); expected a shell "
                            f"wildcard string such as 'seq*'")
        wanted = None
        if capability is not None:
            wanted = {capability} if isinstance(capability, str) else set(capability)
            known = CAPABILITIES + TAGS
            unknown = sorted(c for c in wanted if c not in known)
            if unknown:
                close = difflib.get_close_matches(str(unknown[0]), known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"list() capability got {unknown[0]!r}{hint} (expected one of the capabilities "
                                 f"{', '.join(CAPABILITIES)} or the tags {', '.join(TAGS)})")
        names = self.names()
        if pattern is not None:
            names = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if wanted is not None:
            keep = []
            for n in names:
                fam = self._load(self._discover()[n])
                if fam is not None and wanted <= fam.capabilities | fam.tags:
                    keep.append(n)
            names = keep
        return names

    def get(self, name: str) -> Family:
        """The family named ``name`` (or one of its aliases), imported on first use."""
        if not isinstance(name, str):
            raise TypeError(f"family name must be a str, got {name!r}")
        recs = self._discover()
        key = name if name in recs else self._aliases.get(name, name)
        if key not in recs:
            for rec in list(recs.values()):  # aliases are known only once a family is loaded
                fam = self._load(rec) if rec.status == "not loaded" else self._families.get(rec.name)
                if fam is not None and name in fam.aliases:
                    return fam
            known = self.names() + sorted(self._aliases)
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            failed = [r for r in self.report() if r.name == name and r.status in ("failed", "rejected")]
            why = f" (a plugin of that name was skipped: {failed[0].error})" if failed else ""
            raise UnknownFamilyError(
                f"no model family named {name!r}{hint}{why} (known: {', '.join(self.names())})"
            )
        rec = recs[key]
        fam = self._load(rec)
        if fam is None:
            raise PluginError(
                f"family {name!r} from {rec.distribution} failed to load: {rec.error}\n"
                f"{rec.traceback or ''}"
            )
        return fam

    def register(self, family: Any = None, *, override: bool = False) -> Any:
        """Add a family at run time. Use as a call, ``register(FAMILY)``, or as a
        decorator on a zero-argument function that returns a Family. A name already
        taken raises unless ``override=True``."""
        if family is None:
            return lambda obj: self.register(obj, override=override)
        fam = family() if (not isinstance(family, Family) and callable(family)) else family
        if not isinstance(fam, Family):
            raise TypeError(f"register() takes a lecun_zoo.Family, got {type(fam).__name__}")
        with self._lock:
            recs = self._discover()
            held = recs.get(fam.name)
            if held is not None and held.status != "failed" and not override:
                raise ValueError(
                    f"a family named {fam.name!r} is already registered (from "
                    f"{held.distribution}); pass override=True to replace it"
                )
            if held is not None:
                held.status = "overridden"
                held.error = "replaced at run time by register(override=True)"
                self._shadowed.append(held)
                self._families.pop(fam.name, None)
            module = getattr(fam.build, "target", None) or getattr(fam.build, "__module__", "?") or "?"
            top = module.split(".")[0]
            recs[fam.name] = PluginRecord(
                fam.name, "<runtime>", f"{top} (run time)", getattr(sys.modules.get(top), "__version__", "?"),
                builtin=False, status="loaded",
            )
            self._families[fam.name] = fam
            for alias in fam.aliases:
                self._aliases[alias] = fam.name
        return family

    def unregister(self, name: str) -> None:
        """Remove a run-time registration (tests use this to clean up)."""
        with self._lock:
            recs = self._discover()
            rec = recs.get(name)
            if rec is None or rec.target != "<runtime>":
                raise ValueError(f"{name!r} was not registered at run time")
            del recs[name]
            self._families.pop(name, None)
            self._aliases = {a: n for a, n in self._aliases.items() if n != name}
            for old in list(self._shadowed):
                if old.name == name and old.status == "overridden" and old.target != "<runtime>":
                    old.status = "not loaded"
                    old.error = None
                    self._shadowed.remove(old)
                    recs[name] = old
                    break

    def load_all(self) -> list[Family]:
        """Import every family (skipping failed plugins); returns the loaded ones."""
        out = []
        for rec in list(self._discover().values()):
            fam = self._load(rec)
            if fam is not None:
                out.append(fam)
        return out

    def report(self, load: bool = False) -> list[PluginRecord]:
        """Every declaration seen: loaded, not yet loaded, failed (with traceback),
        rejected (name collision) or overridden. ``load=True`` imports them all first."""
        if load:
            self.load_all()
        recs = self._discover()
        return sorted(list(recs.values()) + self._shadowed, key=lambda r: (r.name, not r.builtin))

    def reset(self) -> None:
        """Forget everything and rediscover on next use (tests, after installs)."""
        with self._lock:
            self._records = None
            self._shadowed = []
            self._families = {}
            self._aliases = {}


REGISTRY = Registry()
