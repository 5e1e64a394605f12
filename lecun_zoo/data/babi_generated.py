"""Moved to :mod:`lecun_zoo.families.memnet.babi_generated`; this path works for one release (DeprecationWarning)."""

from lecun_zoo._moved import alias

alias(__name__, "lecun_zoo.families.memnet.babi_generated")
