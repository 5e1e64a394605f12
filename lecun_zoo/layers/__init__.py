"""Layers that two or more families use (none today: a family's own layers are in its
folder, e.g. ``lecun_zoo.families.seq2seq.attention``). ``lecun_zoo.layers.attention`` works
for one release, with a DeprecationWarning."""
