"""Old import paths of modules that moved into their family's folder (0.x -> next): each
still works for one release, and warns once, with a ``DeprecationWarning`` that names the
new path, where it is first imported. The old name is the new module itself (the same
objects, private names too)."""

from __future__ import annotations

import importlib
import sys
import warnings


def alias(old: str, new: str) -> None:
    """Make module ``old`` (being imported now) the module ``new``."""
    module = importlib.import_module(new)
    frame, level = sys._getframe(2), 3  # the importer: past the shim and importlib's frames
    while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
        frame, level = frame.f_back, level + 1
    warnings.warn(f"{old} moved to {new}; import it from there (the old path goes in the next release)",
                  DeprecationWarning, stacklevel=level)
    sys.modules[old] = module
