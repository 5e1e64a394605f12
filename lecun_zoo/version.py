"""The package version, in a leaf module (the registry reports it without importing the package top)."""

__version__ = "0.1.0"
