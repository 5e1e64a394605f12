"""lecun_zoo: the architectures of LeCun, Bengio & Hinton, "Deep learning"
(Nature, 2015), as real, pluggable Keras 3 models.

    import lecun_zoo
    lecun_zoo.list()                         # family names (imports no family code)
    result = lecun_zoo.train("convnet")      # the family's recipe on its default data
    model = lecun_zoo.get("convnet")         # a compiled keras.Model

``import lecun_zoo`` does not import Keras or TensorFlow; they load on first use.
"""

from __future__ import annotations

import os as _os

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from lecun_zoo.version import __version__  # noqa: E402,F401

from lecun_zoo.api import get, get_family, info, list, plugin_report, register, unregister  # noqa: E402
from lecun_zoo.config import Config, ConfigError  # noqa: E402
from lecun_zoo.family import Family  # noqa: E402
from lecun_zoo.registry import PluginError, PluginWarning, UnknownFamilyError  # noqa: E402

# Imported eagerly (it is light: Keras loads inside the function) because the module has
# the function's name: a lazy attribute would be replaced by the submodule as soon as
# anything imported ``lecun_zoo.runtime``.
from lecun_zoo.runtime import runtime  # noqa: E402

__all__ = [
    "get", "get_family", "info", "list", "register", "unregister", "plugin_report", "load", "save", "tune",
    "train", "evaluate", "Recipe", "TrainResult", "runtime", "data", "Family", "Config", "ConfigError",
    "PluginError", "PluginWarning", "UnknownFamilyError", "ModelFileError", "InputDataError", "__version__",
]

_LAZY = {
    "load": ("lecun_zoo.saving", "load"),
    "save": ("lecun_zoo.saving", "save"),
    "ModelFileError": ("lecun_zoo.saving", "ModelFileError"),
    "tune": ("lecun_zoo.tuning", "tune"),
    "train": ("lecun_zoo.recipe", "train"),
    "evaluate": ("lecun_zoo.recipe", "evaluate"),
    "Recipe": ("lecun_zoo.recipe", "Recipe"),
    "TrainResult": ("lecun_zoo.recipe", "TrainResult"),
    "InputDataError": ("lecun_zoo.input_checks", "InputDataError"),
    "data": ("lecun_zoo.data", None),
    "testing": ("lecun_zoo.testing", None),
    "plots": ("lecun_zoo.plots", None),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        mod = importlib.import_module(module)
        value = mod if attr is None else getattr(mod, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lecun_zoo' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
