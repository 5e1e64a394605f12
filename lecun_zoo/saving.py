"""Loading (safe by default) and atomic saving of ``.keras`` files."""

from __future__ import annotations

import json
import os
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


def load(path: "str | os.PathLike", *, safe_mode: bool = True, compile: bool = True, custom_objects: Optional[dict] = None) -> Any:
    """Load a ``.keras`` file saved from any zoo model, in any process.

    Every family (built-in and plugin) is imported first, so its classes are known.
    ``safe_mode=True`` (the default) refuses files that carry code (``Lambda`` layers);
    errors name the path and say what was wrong.
    """
    path = os.fspath(path)
    _check_archive(path)
    from lecun_zoo.registry import REGISTRY

    import keras

    for fam in REGISTRY.load_all():  # register each family's model classes
        _import_model_modules(fam)
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=safe_mode, custom_objects=custom_objects)
    except (ValueError, TypeError) as e:
        msg = str(e)
        first = msg.strip().splitlines()[0] if msg.strip() else type(e).__name__
        if "safe_mode" in msg or "Lambda" in msg or "unsafe" in msg.lower():
            raise UnsafeModelError(
                f"{path}: refused to load: the file carries code (e.g. a Lambda layer) and safe mode is on. "
                f"Only load it with safe_mode=False if you trust its author."
            ) from None
        if isinstance(e, TypeError) or "Could not locate" in msg or "Unknown" in msg:
            raise ModelFileError(
                f"{path}: names a class that is not registered ({first}). Install and import "
                f"the package that defines it, or pass custom_objects."
            ) from None
        raise ModelFileError(f"{path}: cannot be loaded: {first}") from None
    except (OSError, KeyError, zipfile.BadZipFile, EOFError) as e:
        raise ModelFileError(f"{path}: cannot be loaded ({type(e).__name__}: {e}); truncated or corrupt?") from None


def _import_model_modules(fam: Any) -> None:
    """Import ``<family package>.model`` if it exists, registering the family's classes."""
    import importlib

    home = fam.build.__module__
    importlib.import_module(home)
    pkg = home.rpartition(".")[0]
    for mod in ("model", "models"):
        name = f"{pkg}.{mod}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:  # the module exists but one of its imports is missing
                raise


def save(model: Any, path: "str | os.PathLike") -> str:
    """Save atomically: write to a temporary file beside ``path``, then rename, so a
    crash never leaves a truncated file where a good one was."""
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ValueError(f"save() path got {path!r}; expected a name ending in '.keras'")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".keras", dir=folder)
    os.close(fd)
    try:
        model.save(tmp, overwrite=True)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
