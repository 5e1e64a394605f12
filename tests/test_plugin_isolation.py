"""A broken or oddly laid out plugin affects only itself, on every path: list, info,
get, save/load, evaluate, train, tune. Plugin distributions of several layouts are put
on ``sys.path`` (a ``.dist-info`` folder with ``entry_points.txt`` is all that
``importlib.metadata`` needs) and used from fresh processes."""

import os
import subprocess
import sys
import textwrap

import pytest
from tests_support_plugins import write_dist

CONFIG_CODE = '''
import dataclasses
import numpy as np
from lecun_zoo import Config, Family
from lecun_zoo.config import field, spec

@dataclasses.dataclass(frozen=True)
class {Name}Config(Config):
    family = "{name}"
    units: int = field(default=4, metadata=spec(range=(1, None)))
'''

CLASS_CODE = '''
import keras
from lecun_zoo.model import ZooModel

@keras.saving.register_keras_serializable(package="{name}")
class {Name}Model(ZooModel):
    config_cls = {Name}Config

    @classmethod
    def build_graph(cls, config):
        inputs = keras.Input((3,), name="features")
        hidden = keras.layers.Dense(config.units, activation="relu")(inputs)
        return inputs, keras.layers.Dense(2, activation="softmax", dtype="float32")(hidden)

def model_cls():
    return {Name}Model
'''

FAMILY_CODE = '''
def build(config):
    from {model_module} import model_cls
    return model_cls()(config)

def compile_model(model, config):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

def example_batch(config, batch_size=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((batch_size, 3), dtype=np.float32), rng.integers(0, 2, batch_size)

FAMILY = Family(name="{name}", summary="a {layout} plugin", paper="-", config_cls={Name}Config,
                build=build, compile=compile_model, presets={{"tiny": {{"units": 3}}}},
                default_preset="tiny", example_batch=example_batch, metrics=("loss", "accuracy"))
'''


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = str(tmp_path_factory.mktemp("site"))
    def plugin(name, layout, model_module):
        fmt = dict(name=name, Name=name.capitalize(), layout=layout, model_module=model_module)
        return {k: v.format(**fmt) for k, v in (("config", CONFIG_CODE), ("cls", CLASS_CODE), ("family", FAMILY_CODE))}

    # 1. everything in the top-level package's __init__.py (the layout that broke load for all)
    p = plugin("flat", "flat", "flatplug")
    write_dist(site, "flatplug", {"flatplug/__init__.py": p["config"] + p["cls"] + p["family"]},
               {"flat": "flatplug:FAMILY"})
    # 2. the README's layout: my_pkg/capsnet/__init__.py, the model class in a sibling file
    p = plugin("nested", "nested", "nestedplug.caps.layers")
    write_dist(site, "nestedplug", {
        "nestedplug/__init__.py": "",
        "nestedplug/caps/__init__.py": p["config"] + p["family"],
        "nestedplug/caps/layers.py": "from nestedplug.caps import NestedConfig\n" + p["cls"],
    }, {"nested": "nestedplug.caps:FAMILY"})
    # 3. one module, no package
    p = plugin("single", "single-module", "single_mod")
    write_dist(site, "singleplug", {"single_mod.py": p["config"] + p["cls"] + p["family"]},
               {"single": "single_mod:FAMILY"})
    # 4. fails at import; 5. imports, but its model module is broken; 6. not a Family
    write_dist(site, "explodingplug", {"exploding/__init__.py": "raise RuntimeError('exploded at import')\n"},
               {"exploding": "exploding:FAMILY"})
    p = plugin("halfbroken", "half-broken", "halfbroken.model")
    write_dist(site, "halfbrokenplug", {"halfbroken/__init__.py": p["config"] + p["family"],
                                        "halfbroken/model.py": "import no_such_dependency_xyz\n"},
               {"halfbroken": "halfbroken:FAMILY"})
    write_dist(site, "weirdplug", {"weird.py": "FAMILY = 42\n"}, {"weird": "weird:FAMILY"})
    return site


def run(site, code, *args, timeout=600):
    env = dict(os.environ, PYTHONPATH=site, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("LECUN_ZOO_STRICT_PLUGINS", None)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def cli(site, *args, timeout=600):
    env = dict(os.environ, PYTHONPATH=site, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "-m", "lecun_zoo.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_every_layout_saves_and_reloads_and_broken_ones_touch_nothing_else(site, tmp_path):
    save = run(site, """
        import sys, warnings, numpy as np, lecun_zoo
        warnings.simplefilter("ignore")
        names = lecun_zoo.list()
        assert {"flat", "nested", "single", "convnet"} <= set(names), names
        for name in ("convnet", "flat", "nested", "single"):
            model = lecun_zoo.get(name, preset="tiny")
            lecun_zoo.save(model, f"{sys.argv[1]}/{name}.keras")
            assert lecun_zoo.info(name).summary
        print(sorted(lecun_zoo.list(capability=())))
        status = {r.name: r.status for r in lecun_zoo.plugin_report(load=True)}
        print(status["exploding"], status["weird"], status["halfbroken"])
    """, str(tmp_path))
    assert save.returncode == 0, save.stderr
    listed, statuses = save.stdout.strip().splitlines()[-2:]
    assert "exploding" not in listed and "weird" not in listed and "'flat'" in listed
    assert statuses == "failed failed loaded"
    # each file in a fresh process: only what the file needs is imported
    load = run(site, """
        import sys, numpy as np, lecun_zoo
        for name in ("convnet", "flat", "nested", "single"):
            model = lecun_zoo.load(f"{sys.argv[1]}/{name}.keras")
            assert model.zoo_config.family == name, (name, model)
            print(name, type(model).__name__)
        print("halfbroken" in sys.modules, "exploding" in sys.modules)
    """, str(tmp_path))
    assert load.returncode == 0, load.stderr
    lines = load.stdout.strip().splitlines()
    assert lines[:4] == ["convnet ConvNet", "flat FlatModel", "nested NestedModel", "single SingleModel"]
    assert lines[4] == "False False"  # the broken plugins were never imported


def test_a_file_that_needs_a_broken_plugin_names_it(site, tmp_path):
    # a halfbroken model cannot even be built: fake its file from the flat one's
    import json
    import zipfile

    made = run(site, """
        import sys, lecun_zoo
        lecun_zoo.save(lecun_zoo.get("flat"), sys.argv[1])
    """, str(tmp_path / "flat.keras"))
    assert made.returncode == 0, made.stderr
    src, dst = tmp_path / "flat.keras", tmp_path / "halfbroken.keras"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.namelist():
            data = zin.read(item)
            if item == "config.json":
                cfg = json.loads(data)
                cfg.update(module="halfbroken.model", class_name="HalfbrokenModel",
                           registered_name="halfbroken>HalfbrokenModel")
                data = json.dumps(cfg).encode()
            zout.writestr(item, data)
    proc = run(site, """
        import sys, lecun_zoo
        try:
            lecun_zoo.load(sys.argv[1])
        except lecun_zoo.ModelFileError as e:
            print("ERR", e)
        print(type(lecun_zoo.load(sys.argv[2])).__name__)
    """, str(dst), str(src))
    assert proc.returncode == 0, proc.stderr
    err = proc.stdout.splitlines()[0]
    assert "halfbroken.keras" in err and "HalfbrokenModel" in err and "halfbroken.model" in err
    assert "no_such_dependency_xyz" in err
    assert proc.stdout.splitlines()[-1] == "FlatModel"


def test_cli_evaluate_train_and_tune_work_with_broken_plugins_installed(site, tmp_path):
    out = tmp_path / "run"
    train = cli(site, "train", "convnet", "--preset", "tiny", "--epochs", "1", "--out", str(out), "--verbose", "0")
    assert train.returncode == 0, train.stderr
    assert "test accuracy" in train.stdout
    ev = cli(site, "evaluate", str(out / "model.keras"), "--data", "digits")
    assert ev.returncode == 0, ev.stderr
    assert "test accuracy" in ev.stdout
    tune = cli(site, "tune", "convnet", "--preset", "tiny", "--max-trials", "1", "--epochs", "1",
               "--out", str(tmp_path / "tune"))
    assert tune.returncode == 0, tune.stderr
    assert "best val_loss" in tune.stdout
    plug = cli(site, "train", "flat", "--epochs", "1", "--data", "digits", "--out", str(tmp_path / "flat"))
    assert plug.returncode == 2, plug.stderr  # digits do not fit a 3-feature model: said so
    assert "expects (batch,) + (3,)" in plug.stderr and "(None, 8, 8, 1)" in plug.stderr
    info = cli(site, "info", "exploding")
    assert info.returncode == 2 and "exploded at import" in info.stderr


DOTS_SOURCE = '''
import numpy as np
from lecun_zoo.data import DatasetInfo, Source

class Dots(Source):
    """Points in the unit cube; the label says whether their coordinates sum past 1.5."""
    name = "dots_data"
    splits = ("train", "test")
    options = ("n",)

    def info(self, data_dir=None, **options):
        return DatasetInfo("dots_data", "classification", (3,), 2, {"train": 400, "test": 100})

    def arrays(self, split, data_dir=None, n=400, seed=0, **_):
        rng = np.random.default_rng({"train": 1, "test": 2}[split] + 10 * seed)
        x = rng.random((n if split == "train" else n // 4, 3), dtype=np.float32)
        return x, (x.sum(1) > 1.5).astype("int32")

DOTS = Dots()
'''


def test_a_plugin_ships_its_own_dataset_and_trains_on_it_through_train(tmp_path):
    site = str(tmp_path / "site")
    fmt = dict(name="dots", Name="Dots", layout="dataset", model_module="dotsplug")
    family = FAMILY_CODE.format(**fmt).replace(
        'metrics=("loss", "accuracy"))',
        'metrics=("loss", "accuracy"), datasets=("dots_data",), default_data="dots_data", '
        'sources={"dots_data": "dotsplug.data:DOTS"})')
    write_dist(site, "dotsplug", {"dotsplug/__init__.py": CONFIG_CODE.format(**fmt) + CLASS_CODE.format(**fmt) + family,
                                  "dotsplug/data.py": DOTS_SOURCE}, {"dots": "dotsplug:FAMILY"})
    write_dist(site, "brokendataplug", {"brokendata/__init__.py": textwrap.dedent('''
        import dataclasses
        from lecun_zoo import Config, Family

        @dataclasses.dataclass(frozen=True)
        class C(Config):
            family = "brokendata"

        FAMILY = Family(name="brokendata", summary="-", paper="-", config_cls=C, build=None, compile=None,
                        presets={"tiny": {}}, default_preset="tiny", sources={"broken_ds": "brokendata.nowhere:X"})
    ''')}, {"brokendata": "brokendata:FAMILY"})
    proc = run(site, """
        import lecun_zoo
        from lecun_zoo.testing import run_check
        names = lecun_zoo.data.names()
        assert "dots_data" in names and "digits" in names and "broken_ds" in names, names
        res = lecun_zoo.train("dots", epochs=20, batch_size=16, verbose=0, units=16)
        print(res.recipe.data, round(res.metrics["accuracy"], 3))
        run_check("dots", "registry")  # the kit sees the family's own dataset
        try:
            lecun_zoo.data.load("broken_ds")
        except KeyError as e:
            print("ERR", e)
        print(lecun_zoo.data.arrays("digits", "test")[0].shape)
    """)
    assert proc.returncode == 0, proc.stderr[-4000:]
    lines = proc.stdout.strip().splitlines()
    data, acc = lines[0].split()
    assert data == "dots_data" and float(acc) > 0.7  # chance is about 0.5
    assert lines[1].startswith("ERR") and "brokendata" in lines[1] and "No module named 'brokendata.nowhere'" in lines[1]
    assert lines[2] == "(360, 8, 8, 1)"
