"""Built-in model families, one folder each. Each folder's ``FAMILY`` is declared in
the ``lecun_zoo.families`` entry-point group of pyproject.toml."""
