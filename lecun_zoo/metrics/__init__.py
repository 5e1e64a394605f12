"""Metrics that two or more families use (none today: each family's own metrics are in its
folder, e.g. ``lecun_zoo.families.seq2seq.bleu``). The old module paths here work for one
release, with a DeprecationWarning."""
