"""Building a family's model when its weights do not fit in memory.

A config such as ``dense_units=(10**12,)`` or ``vocab_size=10**11`` is valid field by
field, but its weights do not fit in memory. :func:`build_checked` turns the
allocator's out-of-memory error into a :class:`~lecun_zoo.config.ConfigError` that
names the fields behind the weight that could not be allocated and the memory it needs.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from typing import Any, Optional

from lecun_zoo.config import Config, ConfigError

__all__ = ["build_checked", "available_bytes"]


def available_bytes() -> Optional[int]:
    """Memory this process can still take (``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _size_fields(config: Config, dims: set[int]) -> list[str]:
    """``field=value`` for every int field (or tuple of ints) with a value among ``dims``
    (all size fields above 1 when ``dims`` is empty)."""
    out = []
    for f in dataclasses.fields(config):
        v = getattr(config, f.name)
        ints = [x for x in (v if isinstance(v, tuple) else (v,)) if isinstance(x, int) and not isinstance(x, bool)]
        if any(x > 1 and (not dims or x in dims) for x in ints):
            out.append(f"{f.name}={v!r}")
    return out


_SHAPE = re.compile(r"shape\s*\[([\d,\s]+)\]")
_BYTES = re.compile(r"allocating (\d+) bytes")


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB"


def build_checked(family: Any, config: Config) -> Any:
    """``family.build(config)``; an out-of-memory error while building becomes a
    ``ConfigError`` naming the size fields, the weight's shape and the memory it needs."""
    try:
        return family.build(config)
    except Exception as e:  # noqa: BLE001 - only out-of-memory errors are translated
        text = str(e)
        oom = (isinstance(e, MemoryError) or type(e).__name__ == "ResourceExhaustedError"
               or "RESOURCE_EXHAUSTED" in text or "OOM when allocating" in text)
        if not oom:
            raise
    shape_m, bytes_m = _SHAPE.search(text), _BYTES.search(text)
    shape = [int(d) for d in shape_m.group(1).split(",")] if shape_m else []
    need = 4.0 * float(math.prod(shape)) if shape else (float(bytes_m.group(1)) if bytes_m else None)
    fields = _size_fields(config, set(shape)) or _size_fields(config, set())
    have = available_bytes()
    what = f"the weight of shape {shape}" if shape else "a weight"
    raise ConfigError(
        f"{config.family} config {', '.join(fields)}: {what} needs "
        f"{_gib(need) if need is not None else 'more memory than there is'}"
        f"{f'; this machine has {_gib(have)} available' if have is not None else ''} "
        f"(the allocator refused it); expected sizes whose weights fit in memory"
    ) from None
