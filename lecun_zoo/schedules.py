"""Learning-rate schedules that work for every family: a multiplier of the learning rate
the model was compiled with, set at the start of each epoch.

A schedule is a JSON value, so it is part of a training recipe:

- ``"constant"``: the compiled learning rate throughout;
- ``{"kind": "step", "every": 10, "factor": 0.5}``: times ``factor`` every ``every`` epochs;
- ``{"kind": "exponential", "factor": 0.8, "after": 6}``: times ``factor`` each epoch
  after the first ``after`` (Zaremba et al.'s LSTM LM schedule);
- ``{"kind": "piecewise", "boundaries": [2, 5, 8], "factors": [1, 0.4, 0.2, 0.1]}``:
  ``factors[i]`` from epoch ``boundaries[i-1]`` on (LeNet-5's decreasing step size);
- ``"family"`` (the default, ``None``): what the family does itself (its config's own
  schedule fields, or the family's ``schedule(config)``), else constant.
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Optional

__all__ = ["KINDS", "check_schedule", "multiplier", "schedule_callback", "ScheduleError"]

KINDS = ("constant", "step", "exponential", "piecewise", "family")
_FIELDS = {"step": ("every", "factor"), "exponential": ("factor", "after"), "piecewise": ("boundaries", "factors")}


class ScheduleError(ValueError):
    """A schedule that is not one of the kinds, or whose fields are out of range."""


def _num(where: str, value: Any, low: float, integer: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= low
    if ok and integer and float(value) != int(value):
        ok = False
    if not ok:
        kind = "an int" if integer else "a finite number"
        raise ScheduleError(f"schedule field {where!r} got {value!r}; expected {kind} >= {low}")
    return value


def check_schedule(spec: Any) -> Any:
    """``spec`` normalised (``None`` -> ``"family"``), or a ScheduleError naming the field."""
    if spec is None:
        return "family"
    if isinstance(spec, str):
        if spec in ("constant", "family"):
            return spec
        raise ScheduleError(f"schedule got {spec!r}; expected one of {list(KINDS)} or a dict with 'kind'")
    if not isinstance(spec, dict) or spec.get("kind") not in _FIELDS:
        raise ScheduleError(f"schedule got {spec!r}; expected 'constant', 'family' or a dict whose 'kind' is one "
                            f"of {list(_FIELDS)}")
    kind = spec["kind"]
    fields = _FIELDS[kind]
    extra = sorted(set(spec) - {"kind", *fields})
    if extra:
        raise ScheduleError(f"schedule {kind!r} got unknown field {extra[0]!r}; expected only {list(fields)}")
    defaults = {"after": 0}
    out = {"kind": kind, **{f: spec.get(f, defaults.get(f)) for f in fields}}
    if kind == "step":
        _num("every", out["every"], 1, integer=True)
        _num("factor", out["factor"], 0)
    elif kind == "exponential":
        _num("factor", out["factor"], 0)
        _num("after", out["after"], 0, integer=True)
    else:
        b, f = out["boundaries"], out["factors"]
        if not isinstance(b, (list, tuple)) or not isinstance(f, (list, tuple)) or len(f) != len(b) + 1:
            raise ScheduleError(f"schedule 'piecewise' got boundaries={b!r}, factors={f!r}; expected lists with "
                                f"one more factor than boundaries")
        for i, v in enumerate(b):
            _num(f"boundaries[{i}]", v, 1, integer=True)
        if list(b) != sorted(b):
            raise ScheduleError(f"schedule 'piecewise' boundaries got {list(b)}; expected increasing epochs")
        for i, v in enumerate(f):
            _num(f"factors[{i}]", v, 0)
        out["boundaries"], out["factors"] = [int(v) for v in b], [float(v) for v in f]
    return out


def multiplier(spec: Any, epoch: int) -> float:
    """The learning-rate multiplier of (0-based) ``epoch``."""
    spec = check_schedule(spec)
    if isinstance(spec, str):
        return 1.0
    if spec["kind"] == "step":
        return float(spec["factor"]) ** (epoch // int(spec["every"]))
    if spec["kind"] == "exponential":
        return float(spec["factor"]) ** max(0, epoch + 1 - int(spec["after"]))
    return spec["factors"][bisect.bisect_right(spec["boundaries"], epoch)]


def schedule_callback(spec: Any) -> Optional[Any]:
    """A Keras callback applying ``spec``, or None for ``constant``/``family``. The base
    rate is the optimizer's when the callback first meets the model (before any checkpoint
    is restored into it), so a resumed run continues the same schedule; the rate of an
    epoch is a function of the epoch's number."""
    spec = check_schedule(spec)
    if isinstance(spec, str):
        return None
    import keras

    class Schedule(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.spec, self.base = spec, None

        def set_model(self, model):
            super().set_model(model)
            if self.base is None and getattr(model, "optimizer", None) is not None:
                self.base = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))

        def on_epoch_begin(self, epoch, logs=None):
            self.model.optimizer.learning_rate = self.base * multiplier(self.spec, epoch)

    return Schedule()
