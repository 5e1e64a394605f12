"""Loading (safe by default) and atomic saving of ``.keras`` files."""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from typing import Any, Optional

__all__ = ["load", "save", "ModelFileError", "UnsafeModelError"]


class ModelFileError(ValueError):
    """A model file is missing, truncated, corrupt, or names classes nobody registered."""


class UnsafeModelError(ModelFileError):
    """A model file carries code (a ``Lambda`` layer or a pickled function) and safe mode
    refused to run it."""


def _check_archive(path: str) -> dict:
    if not os.path.exists(path):
        raise ModelFileError(f"{path}: no such model file")
    if os.path.isdir(path):
        raise ModelFileError(f"{path}: is a folder; expected a .keras file")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path}: not a .keras archive (not a zip file; truncated or corrupt?)")
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise ModelFileError(f"{path}: member {bad!r} fails its CRC check; the file is corrupt")
            names = set(zf.namelist())
            if "config.json" not in names:
                raise ModelFileError(f"{path}: has no config.json; expected a Keras 3 .keras archive")
            return json.loads(zf.read("config.json"))
    except (zipfile.BadZipFile, EOFError, OSError, json.JSONDecodeError) as e:
        raise ModelFileError(f"{path}: cannot be read ({type(e).__name__}: {e}); the file is truncated or corrupt") from None


_SHAPE_MISMATCH = re.compile(r"object <(.*?)>.*?variable\.shape=(\(.*?\)), Received: value\.shape=(\(.*?\))", re.S)


def _named_classes(config: Any) -> list[tuple[str, str, Optional[str]]]:
    """Every ``(module, class_name, registered_name)`` a saved config names outside Keras."""
    found: dict = {}

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            module = obj.get("module")
            if isinstance(module, str) and "class_name" in obj and module.split(".")[0] != "keras":
                found.setdefault((module, str(obj["class_name"]), obj.get("registered_name")), None)
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(config)
    return list(found)


def _owners(module: str) -> list[Any]:
    """The declared families whose package holds ``module``: a family owns the modules under
    the top-level package of its entry point (``my_pkg.capsnet:FAMILY`` owns ``my_pkg.*``),
    closest package first. Nothing is imported here."""
    from lecun_zoo.registry import REGISTRY

    top = module.split(".")[0]
    owners = []
    for rec in REGISTRY.report():
        if rec.target == "<runtime>" or rec.status in ("rejected", "overridden"):
            continue
        home = rec.target.partition(":")[0]
        if home.split(".")[0] != top:
            continue
        shared = 0
        for a, b in zip(home.split("."), module.split(".")):
            if a != b:
                break
            shared += 1
        owners.append((shared, rec))
    return [rec for _, rec in sorted(owners, key=lambda t: -t[0])]


def _import_classes(path: str, config: dict) -> dict[str, str]:
    """Import the modules that define the classes the file names, through the families that
    own them (their entry points), and nothing else: a broken or oddly laid out plugin can
    only break files that need its classes. Returns ``{module: why it could not be had}``."""
    import importlib
    import sys

    from lecun_zoo.registry import REGISTRY

    problems: dict[str, str] = {}
    for module, _cls, _reg in _named_classes(config):
        if module in sys.modules or module == "__main__":
            continue
        owners = _owners(module)
        if module.split(".")[0] == "lecun_zoo":
            owners = []  # our own code: import it directly
        elif not owners:
            problems[module] = "no installed lecun_zoo family provides that module"
            continue  # never import a module just because a file names it
        why = None
        for rec in owners:
            try:
                REGISTRY.get(rec.name)  # the family's own entry point first (its registrations)
                why = None
                break
            except Exception as e:  # noqa: BLE001 - report it for this file only
                why = f"family {rec.name!r} from {rec.distribution} failed to load: {str(e).splitlines()[0]}"
        if why is None:
            try:
                importlib.import_module(module)
            except Exception as e:  # noqa: BLE001
                why = f"importing it raised {type(e).__name__}: {e}"
        if why is not None:
            problems[module] = why
    return problems


def load(path: "str | os.PathLike", *, safe_mode: bool = True, compile: bool = True, custom_objects: Optional[dict] = None) -> Any:
    """Load a ``.keras`` file saved from any zoo model, in any process.

    The classes the file names are imported through the families that own them (the
    entry points of installed families), so a broken plugin affects only files that need
    it. ``safe_mode=True`` (the default) refuses files that carry code (``Lambda`` layers);
    errors name the path and say what was wrong.
    """
    path = os.fspath(path)
    config = _check_archive(path)
    import keras

    problems = _import_classes(path, config)
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=safe_mode, custom_objects=custom_objects)
    except (ValueError, TypeError) as e:
        msg = str(e)
        lines = [ln.strip() for ln in msg.strip().splitlines() if ln.strip()]
        first = lines[0] if lines else type(e).__name__
        if "safe_mode" in msg or "Lambda" in msg or "unsafe" in msg.lower():
            raise UnsafeModelError(
                f"{path}: refused to load: the file carries code (e.g. a Lambda layer) and safe mode is on. "
                f"Only load it with safe_mode=False if you trust its author."
            ) from None
        if isinstance(e, TypeError) or "Could not locate" in msg or "Unknown" in msg:
            needed = [f"{cls} from module {mod!r}: {problems[mod]}" for mod, cls, _ in _named_classes(config)
                      if mod in problems]
            hint = ("; ".join(needed) + ". ") if needed else ""
            raise ModelFileError(
                f"{path}: names a class that is not registered ({first}). {hint}Install and import "
                f"the package that defines it, or pass custom_objects."
            ) from None
        mismatch = _SHAPE_MISMATCH.search(msg)
        if mismatch:
            layer, want, got = mismatch.groups()
            raise ModelFileError(
                f"{path}: its weights do not fit the model its config builds: layer {layer} expects "
                f"{want}, the file holds {got}; expected weights saved from this config (was config.json "
                f"edited, or the weights taken from another model?)"
            ) from None
        raise ModelFileError(f"{path}: cannot be loaded: {first}") from None
    except (OSError, KeyError, zipfile.BadZipFile, EOFError) as e:
        raise ModelFileError(f"{path}: cannot be loaded ({type(e).__name__}: {e}); truncated or corrupt?") from None


def file_mode() -> int:
    """The mode a new file gets here (``0o666`` less the umask); ``mkstemp`` files are 0600."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def save(model: Any, path: "str | os.PathLike") -> str:
    """Save atomically: write to a temporary file beside ``path``, then rename, so a
    crash never leaves a truncated file where a good one was. The file gets the mode
    any new file gets (``0o666`` less the umask)."""
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ValueError(f"save() path got {path!r}; expected a name ending in '.keras'")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".keras", dir=folder)
    except OSError as e:
        raise ModelFileError(
            f"save() path got {path!r}: cannot write into the folder {folder!r} ({e.strerror or e}); "
            f"expected a folder you can write to"
        ) from None
    os.close(fd)
    try:
        model.save(tmp, overwrite=True)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except OSError as e:
        raise ModelFileError(f"save() path got {path!r}: writing it failed ({e.strerror or e})") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
