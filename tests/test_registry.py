import os
import subprocess
import sys
import textwrap

import pytest
from tests_support_plugins import toy_family, write_dist

import lecun_zoo
from lecun_zoo.registry import PluginError, PluginWarning, Registry, UnknownFamilyError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_py(code, env_extra=None, path_extra=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if path_extra:
        env["PYTHONPATH"] = os.pathsep.join([path_extra, env.get("PYTHONPATH", "")])
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=300)


def test_list_imports_no_family_code_and_no_keras():
    proc = run_py("""
        import sys, lecun_zoo
        names = lecun_zoo.list()
        assert "convnet" in names, names
        loaded = [m for m in sys.modules if m.startswith("lecun_zoo.families.")]
        print(loaded, "keras" in sys.modules, "tensorflow" in sys.modules)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[] False False"


def test_list_filters_by_pattern_and_capability():
    assert lecun_zoo.list("conv*") == ["convnet"]
    assert lecun_zoo.list("nothing*") == []
    assert "convnet" in lecun_zoo.list(capability="mixed_precision")
    with pytest.raises(ValueError, match=r"capability got 'flying'.*expected one of .*attention"):
        lecun_zoo.list(capability="flying")


def test_info_card_has_everything_a_user_needs():
    card = lecun_zoo.info("convnet")
    assert card.provider.startswith("lecun-zoo") and card.version == lecun_zoo.__version__
    assert {"lenet5", "modern", "tiny"} <= set(card.presets)
    assert "LeCun" in card.paper
    assert "digits" in card.datasets and card.default_data == "digits"
    fields = {r["name"] for r in card.config_fields}
    assert {"filters", "dropout", "input_shape"} <= fields
    assert "config fields:" in str(card)


def test_unknown_name_lists_close_matches():
    with pytest.raises(UnknownFamilyError, match=r"no model family named 'convent'.*did you mean 'convnet'"):
        lecun_zoo.get("convent")


def test_alias_resolves():
    assert lecun_zoo.get_family("lenet").name == "convnet"


def test_register_as_call_and_decorator_then_get_a_model():
    fam = toy_family("toy_call")
    lecun_zoo.register(fam)
    try:
        assert "toy_call" in lecun_zoo.list()
        model = lecun_zoo.get("toy_call", units=5)
        assert model.output_shape == (None, 5)
        assert lecun_zoo.info("toy_call").provider.endswith("(run time)")
    finally:
        lecun_zoo.unregister("toy_call")
    assert "toy_call" not in lecun_zoo.list()

    @lecun_zoo.register
    def make():
        return toy_family("toy_deco")

    try:
        assert "toy_deco" in lecun_zoo.list()
    finally:
        lecun_zoo.unregister("toy_deco")


def test_register_collision_needs_explicit_override():
    with pytest.raises(ValueError, match="already registered.*override=True"):
        lecun_zoo.register(toy_family("convnet"))
    lecun_zoo.register(toy_family("convnet"), override=True)
    try:
        assert lecun_zoo.get_family("convnet").summary == "a toy"
    finally:
        lecun_zoo.unregister("convnet")
    assert lecun_zoo.get_family("convnet").summary != "a toy"


class FakeDist:
    def __init__(self, name, version="1.0"):
        self.metadata = {"Name": name}
        self.version = version


class FakeEP:
    def __init__(self, name, value, dist, load):
        self.name, self.value, self.dist, self._load = name, value, FakeDist(dist), load

    def load(self):
        return self._load()


def make_registry(monkeypatch, eps):
    monkeypatch.setattr("lecun_zoo.registry._entry_points", lambda: eps)
    return Registry()


def test_broken_plugin_is_reported_and_skipped(monkeypatch):
    def boom():
        raise ImportError("No module named 'missing_dep'")

    reg = make_registry(monkeypatch, [
        FakeEP("good", "good:FAMILY", "goodpkg", lambda: toy_family("good")),
        FakeEP("bad", "bad:FAMILY", "badpkg", boom),
        FakeEP("notfam", "x:FAMILY", "xpkg", lambda: 42),
    ])
    with pytest.warns(PluginWarning, match="bad.*badpkg.*missing_dep"):
        with pytest.warns(PluginWarning, match="notfam"):
            names = reg.list(capability=())
    assert "good" in names and "bad" not in names and "notfam" not in names
    report = {r.name: r for r in reg.report()}
    assert report["bad"].status == "failed" and "missing_dep" in report["bad"].traceback
    assert report["notfam"].status == "failed" and "expected a lecun_zoo.Family" in report["notfam"].error
    assert reg.get("good").name == "good"
    with pytest.raises(PluginError, match="'bad' from badpkg failed to load: ImportError.*missing_dep"):
        reg.get("bad")


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("LECUN_ZOO_STRICT_PLUGINS", "1")
    reg = make_registry(monkeypatch, [FakeEP("bad", "bad:F", "badpkg", lambda: 1 / 0)])
    with pytest.raises(PluginError, match="ZeroDivisionError"):
        reg.list(capability=())


def test_plugin_cannot_silently_take_a_builtin_name(monkeypatch):
    builtin = FakeEP("convnet", "lecun_zoo.families.convnet:FAMILY", "lecun-zoo", lambda: lecun_zoo.get_family("convnet"))
    rogue = FakeEP("convnet", "rogue:FAMILY", "roguepkg", lambda: toy_family("convnet"))
    reg = make_registry(monkeypatch, [rogue, builtin])
    with pytest.warns(PluginWarning, match="already taken by the built-in"):
        fam = reg.get("convnet")
    assert fam.summary != "a toy"
    assert sorted(r.status for r in reg.report() if r.name == "convnet") == ["loaded", "rejected"]
    monkeypatch.setenv("LECUN_ZOO_OVERRIDE", "convnet")
    reg2 = make_registry(monkeypatch, [rogue, builtin])
    assert reg2.get("convnet").summary == "a toy"
    assert {r.status for r in reg2.report() if r.name == "convnet"} == {"loaded", "overridden"}


def write_fake_distribution(site, module_code, ep_line, dist="fakeplug"):
    name, target = (part.strip() for part in ep_line.split("=", 1))
    write_dist(site, dist, {f"{dist}_mod.py": module_code}, {name: target}, version="1.2.3")


def test_installed_broken_plugin_never_breaks_import_or_cli(tmp_path):
    site = str(tmp_path / "site")
    write_fake_distribution(site, "raise RuntimeError('plugin exploded at import')\n", f"exploding = fakeplug_mod:FAMILY")
    proc = run_py("""
        import warnings, lecun_zoo
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            print(sorted(lecun_zoo.list(capability="vision")))
            print(any("plugin exploded" in str(x.message) for x in w))
        print([(r.name, r.status, r.distribution) for r in lecun_zoo.plugin_report() if r.name == "exploding"])
    """, path_extra=site)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert "'convnet'" in lines[0] and lines[1] == "True"
    assert lines[2] == "[('exploding', 'failed', 'fakeplug')]"
    cli = subprocess.run([sys.executable, "-m", "lecun_zoo.cli", "plugins"], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=site), timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert "exploding" in cli.stdout and "failed" in cli.stdout and "plugin exploded" in cli.stdout


def test_installed_plugin_family_is_usable(tmp_path):
    site = str(tmp_path / "site")
    write_fake_distribution(site, """
        import dataclasses
        from lecun_zoo import Config, Family

        @dataclasses.dataclass(frozen=True)
        class MlpConfig(Config):
            family = "mlp"
            units: int = 4

        def build(config):
            import keras
            inp = keras.Input((3,))
            return keras.Model(inp, keras.layers.Dense(config.units)(inp))

        def compile_model(model, config):
            model.compile(optimizer="sgd", loss="mse")

        FAMILY = Family(name="mlp", summary="plugin mlp", paper="-", config_cls=MlpConfig, build=build,
                        compile=compile_model, presets={"tiny": {}}, default_preset="tiny",
                        capabilities=("tuning",))
    """, "mlp = fakeplug_mod:FAMILY")
    proc = run_py("""
        import lecun_zoo
        print(lecun_zoo.list())
        card = lecun_zoo.info("mlp")
        print(card.provider, card.version)
        print(lecun_zoo.get("mlp", units=7).output_shape)
    """, path_extra=site)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.strip().splitlines()
    assert "mlp" in out[0] and "convnet" in out[0]
    assert out[1] == "fakeplug 1.2.3"
    assert out[2] == "(None, 7)"


def test_capabilities_are_kit_claims_and_tags_describe():
    import dataclasses

    from lecun_zoo.family import CAPABILITIES, TAGS
    from lecun_zoo.testing.conformance import CHECK_CAPABILITIES

    assert set(CAPABILITIES) == set(CHECK_CAPABILITIES.values())  # every capability gates a kit check
    fam = lecun_zoo.get_family("convnet")
    with pytest.warns(DeprecationWarning, match=r"\['vision'\] are tags now"):
        old = dataclasses.replace(fam, name="oldstyle", capabilities=("tuning", "vision"), tags=())
    assert old.capabilities == {"tuning"} and old.tags == {"vision"}
    with pytest.raises(ValueError, match="unknown tags"):
        dataclasses.replace(fam, name="badtag", tags=("flying",))
    assert set(lecun_zoo.info("convnet").tags) <= set(TAGS)
