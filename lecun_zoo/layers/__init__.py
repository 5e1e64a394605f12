"""Shared layers (used by two or more families)."""
