"""Validated, JSON-round-trippable family configurations.

A family's config is a frozen dataclass that subclasses :class:`Config`. Each field
may carry constraints in its metadata::

    dropout: float = field(default=0.5, metadata=spec(range=(0.0, 1.0), help="..."))

Validation happens at construction and names the field, the value received and what
is allowed. Unknown keys raise with a "did you mean" suggestion. This module does not
import Keras, so cards and configs are cheap to inspect.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import numbers
import types
import typing
from typing import Any, Mapping

__all__ = ["Config", "ConfigError", "spec", "field"]

field = dataclasses.field


class ConfigError(ValueError):
    """A config value is unknown, of the wrong type, or out of range."""


def spec(
    *,
    range: tuple[float | None, float | None] | None = None,
    choices: typing.Iterable[Any] | None = None,
    help: str = "",
    min_len: int | None = None,
    open_upper: bool = False,
) -> dict:
    """Field metadata: an inclusive ``range`` (upper bound exclusive if ``open_upper``),
    a set of ``choices``, a minimum length for tuples, and a help line."""
    return {
        "range": range,
        "choices": tuple(choices) if choices is not None else None,
        "help": help,
        "min_len": min_len,
        "open_upper": open_upper,
    }


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return f"tuple of {_type_name(args[0])}"
        return "tuple (" + ", ".join(_type_name(a) for a in args) + ")"
    if tp is type(None):
        return "None"
    return getattr(tp, "__name__", str(tp))


def _coerce(value: Any, tp: Any, where: str) -> Any:
    """Return ``value`` converted to ``tp`` or raise a ConfigError naming ``where``."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        errors = []
        for arg in typing.get_args(tp):
            try:
                return _coerce(value, arg, where)
            except ConfigError as e:
                errors.append(e)
        raise ConfigError(f"{where} got {value!r}; expected {_type_name(tp)}")
    if tp is type(None):
        if value is None:
            return None
        raise ConfigError(f"{where} got {value!r}; expected None")
    if origin is tuple:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ConfigError(
                f"{where} got {value!r} ({type(value).__name__}); expected {_type_name(tp)}"
            )
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
        if len(args) != len(value):
            raise ConfigError(
                f"{where} got {value!r} with {len(value)} items; expected {len(args)} items "
                f"({_type_name(tp)})"
            )
        return tuple(_coerce(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
    if origin is dict or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where} got {value!r}; expected a mapping")
        return dict(value)
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where} got {value!r} ({type(value).__name__}); expected a bool")
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ConfigError(
                f"{where} got {value!r} ({type(value).__name__}); expected an int"
            )
        return int(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ConfigError(
                f"{where} got {value!r} ({type(value).__name__}); expected a float"
            )
        if not math.isfinite(value):  # NaN passes every comparison; inf is no size or rate
            raise ConfigError(f"{where} got {value!r}; expected a finite float")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} got {value!r} ({type(value).__name__}); expected a str")
        return value
    if isinstance(tp, type) and not isinstance(value, tp):
        raise ConfigError(f"{where} got {value!r}; expected {_type_name(tp)}")
    return value


def _check_constraints(name: str, value: Any, meta: Mapping, where: str) -> None:
    choices = meta.get("choices")
    if choices is not None:
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if v not in choices:
                close = difflib.get_close_matches(str(v), [str(c) for c in choices], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(
                    f"{where} got {v!r}; expected one of {list(choices)}{hint}"
                )
    rng = meta.get("range")
    if rng is not None:
        lo, hi = rng
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            if v is None or isinstance(v, (str, bool)):
                continue
            too_low = lo is not None and v < lo
            too_high = hi is not None and (v >= hi if meta.get("open_upper") else v > hi)
            if too_low or too_high:
                right = ")" if meta.get("open_upper") else "]"
                raise ConfigError(
                    f"{where} got {v!r}; expected a value in "
                    f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
                )
    min_len = meta.get("min_len")
    if min_len is not None and isinstance(value, tuple) and len(value) < min_len:
        raise ConfigError(
            f"{where} got {value!r}; expected at least {min_len} item(s)"
        )


@dataclasses.dataclass(frozen=True)
class Config:
    """Base class of every family's config: typed, validated, JSON round-trippable.

    Subclasses add fields and may override :meth:`validate` for checks that involve
    several fields (raise :class:`ConfigError` naming the fields).
    """

    #: the family name, used in error messages; subclasses set it as a ClassVar.
    family: typing.ClassVar[str] = "family"

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            where = f"{self.family} config field {f.name!r}"
            value = _coerce(getattr(self, f.name), hints[f.name], where)
            _check_constraints(f.name, value, f.metadata, where)
            object.__setattr__(self, f.name, value)
        self.validate()

    def validate(self) -> None:
        """Cross-field checks; override in subclasses."""

    # -- construction -------------------------------------------------------
    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def check_keys(cls, keys: typing.Iterable[str]) -> None:
        known = cls.field_names()
        for key in keys:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=3)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise ConfigError(
                    f"{cls.family} config has no field {key!r}{hint} "
                    f"(fields: {', '.join(known)})"
                )

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "Config":
        cls.check_keys(values)
        return cls(**dict(values))

    def replace(self, **changes: Any) -> "Config":
        self.check_keys(changes)
        return dataclasses.replace(self, **changes)

    # -- export -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict (tuples become lists)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = _jsonable(v)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Config":
        return cls.from_dict(json.loads(text))

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One row per field: name, type, default, allowed values, help."""
        hints = typing.get_type_hints(cls)
        rows = []
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                default = f.default
            elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
                default = f.default_factory()  # type: ignore[misc]
            else:
                default = None
            allowed = ""
            if f.metadata.get("choices") is not None:
                allowed = "one of " + ", ".join(repr(c) for c in f.metadata["choices"])
            elif f.metadata.get("range") is not None:
                lo, hi = f.metadata["range"]
                right = ")" if f.metadata.get("open_upper") else "]"
                allowed = f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
            rows.append(
                {
                    "name": f.name,
                    "type": _type_name(hints[f.name]),
                    "default": _jsonable(default),
                    "allowed": allowed,
                    "help": f.metadata.get("help", ""),
                }
            )
        return rows


def _jsonable(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    return v
