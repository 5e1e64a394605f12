"""Errors that modules with heavy imports raise, kept here so that catching them (the
command line does) imports nothing heavy."""

from __future__ import annotations

__all__ = ["TuningError", "RuntimeConfigError", "NonFiniteLossError", "CheckpointError", "CheckpointMismatchError"]


class RuntimeConfigError(ValueError):
    """A precision, strategy or device that is unknown or cannot be had on this machine."""


class TuningError(RuntimeError):
    """No trial of a search finished; the message carries the first trial's error."""


class NonFiniteLossError(RuntimeError):
    """The loss became NaN or infinite; training stopped."""


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or does not fit the model it is restored into."""


class CheckpointMismatchError(CheckpointError):
    """The checkpoint folder belongs to a different run (family, config, data, seed...)."""
