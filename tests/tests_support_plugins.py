"""Toy families and plugin distributions for tests. Plugin distributions: a ``.dist-info`` folder with ``entry_points.txt`` on
``sys.path`` is all that ``importlib.metadata`` needs to see an installed plugin."""

import os
import textwrap

from lecun_zoo.config import Config
from lecun_zoo.family import Family


def write_dist(site, dist, files, entry_points, version="0.1"):
    """Write ``files`` ({relative path: code}) under ``site`` and a distribution ``dist`` that
    declares ``entry_points`` ({family name: "module:attribute"})."""
    for rel, code in files.items():
        path = os.path.join(site, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(code))
    info = os.path.join(site, f"{dist}-{version}.dist-info")
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    with open(os.path.join(info, "entry_points.txt"), "w") as f:
        f.write("[lecun_zoo.families]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items()))


def toy_family(name="toy", **kw):
    """A one-layer family on 4 features (``units`` outputs, MSE); ``kw`` go to ``Family``."""
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class ToyConfig(Config):
        family = name
        units: int = 3

    def build(config):
        import keras

        inp = keras.Input((4,))
        return keras.Model(inp, keras.layers.Dense(config.units)(inp))

    def compile_model(model, config):
        model.compile(optimizer="sgd", loss="mse")

    return Family(name=name, summary="a toy", paper="none", config_cls=ToyConfig, build=build,
                  compile=compile_model, presets={"tiny": {}}, default_preset="tiny", **kw)
