"""Checksums: every weights file is checked against its SHA-256 before it is used."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from typing import Iterator, Mapping

__all__ = ["WeightsError", "sha256", "verify", "replacing"]


class WeightsError(ValueError):
    """Trained weights that cannot be had or trusted: an unknown id or tag, a missing,
    truncated or mismatched file, weights that do not fit the model asked for."""


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(folder: str, expected: Mapping[str, str], *, what: str, fix: str) -> None:
    """Raise :class:`WeightsError` unless every file of ``expected`` is in ``folder`` with
    that SHA-256. ``what`` names the weights, ``fix`` says how to get good files."""
    for name, want in expected.items():
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise WeightsError(f"{what}: {path} is missing (the folder must hold {', '.join(sorted(expected))}); {fix}")
        found = sha256(path)
        if found != want:
            raise WeightsError(f"{what}: {path} has SHA-256 {found}, expected {want} (truncated, corrupt or "
                               f"replaced); {fix}")


@contextlib.contextmanager
def replacing(folder: str) -> Iterator[str]:
    """A fresh folder beside ``folder`` to write into; when the block ends without an error
    it replaces ``folder`` whole (a crash leaves the old folder or the new, never a mix)."""
    parent = os.path.dirname(os.path.abspath(folder))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-weights-", dir=parent)
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
