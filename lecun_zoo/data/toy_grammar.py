"""Moved to :mod:`lecun_zoo.families.word_lm.toy_grammar`; this path works for one release (DeprecationWarning)."""

from lecun_zoo._moved import alias

alias(__name__, "lecun_zoo.families.word_lm.toy_grammar")
