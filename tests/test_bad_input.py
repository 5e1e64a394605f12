"""The bad-input corpus over the public API (the data readers' corpus is in
``test_bad_data.py``): every case must raise an error of the stated class whose message
names the field, value or path and what was expected. Nothing silently accepted.

Part one is generated: every config field of every family gets a wrong type, an
out-of-range value, a value outside its choices, NaN and infinity (for floats). Part two
is written by hand over get/list/info/register, runtime, save/load, fit/evaluate/predict,
tune and the command line.
"""

import dataclasses
import json
import math
import os
import typing
import zipfile

import numpy as np
import pytest
from tests_support_plugins import toy_family

import lecun_zoo
from lecun_zoo.config import ConfigError
from lecun_zoo.input_checks import InputDataError
from lecun_zoo.registry import UnknownFamilyError
from lecun_zoo.runtime import RuntimeConfigError
from lecun_zoo.saving import ModelFileError, UnsafeModelError

FAMILIES = ("autoencoder", "convnet", "memnet", "ntm", "seq2seq", "word_lm")


# ------------------------------------------------------- generated: every config field
def _bad_values(tp, meta):
    """(label, value, text the message must contain) that a field of type ``tp`` refuses."""
    origin = typing.get_origin(tp)
    out = []
    if tp is float:
        out += [("nan", math.nan, "nan"), ("inf", math.inf, "inf"), ("-inf", -math.inf, "-inf"),
                ("str", "fast", "'fast'")]
    elif tp is int:
        out += [("str", "many", "'many'"), ("fraction", 2.5, "2.5"), ("nan", math.nan, "nan"), ("bool", True, "True")]
    elif tp is bool:
        out += [("int", 3, "3"), ("str", "yes", "'yes'")]
    elif tp is str:
        out += [("int", 7, "7")]
    elif origin is tuple:
        out += [("scalar", 5, "5"), ("str", "abc", "'abc'")]
        args = typing.get_args(tp)
        if args and args[0] is int:
            out += [("item", ["x"], "'x'")]
    rng = meta.get("range")
    if rng is not None and tp in (int, float):
        lo, hi = rng
        if lo is not None:
            v = lo - 1 if tp is int else lo - 0.5
            out.append(("below", v, repr(v)))
        if hi is not None:
            v = hi + 1 if tp is int else hi + 0.5
            out.append(("above", v, repr(v)))
    if meta.get("choices") is not None and tp is str:
        out.append(("choice", "no_such_choice", "'no_such_choice'"))
    return out


def _config_cases():
    cases = []
    for fam_name in FAMILIES:
        cls = lecun_zoo.get_family(fam_name).config_cls
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            for label, value, shown in _bad_values(hints[f.name], f.metadata):
                cases.append(pytest.param(fam_name, f.name, value, shown, id=f"{fam_name}.{f.name}-{label}"))
    return cases


@pytest.mark.parametrize("family,field,value,shown", _config_cases())
def test_every_config_field_refuses_bad_values(family, field, value, shown):
    fam = lecun_zoo.get_family(family)
    with pytest.raises(ConfigError) as err:
        fam.make_config("tiny", **{field: value})
    msg = str(err.value)
    assert repr(field) in msg or f"{field}=" in msg or f"{field}[" in msg, msg
    assert shown in msg, msg
    assert "expected" in msg, msg


@pytest.mark.parametrize("family", FAMILIES)
def test_unknown_field_and_preset_are_named_with_suggestions(family):
    fam = lecun_zoo.get_family(family)
    field = fam.config_cls.field_names()[0]
    with pytest.raises(ConfigError, match=rf"no field '{field}x'.*did you mean '{field}'"):
        lecun_zoo.get(family, **{field + "x": 1})
    with pytest.raises(ConfigError, match=r"no preset 'tinyy'.*did you mean 'tiny'"):
        lecun_zoo.get(family, preset="tinyy")
    with pytest.raises(ConfigError, match=r"preset got 3 \(int\); expected a preset name, one of .*'tiny'"):
        lecun_zoo.get(family, preset=3)


def test_sizes_that_do_not_fit_in_memory_name_the_field_and_the_memory():
    with pytest.raises(ConfigError, match=r"dense_units=\(1000000000000,\).*shape \[3136, 1000000000000\] "
                                          r"needs [\d,.]+ GiB.*expected sizes whose weights fit"):
        lecun_zoo.get("convnet", dense_units=(10**12,))
    with pytest.raises(ConfigError, match=r"vocab_size=100000000000.*needs [\d,.]+ GiB"):
        lecun_zoo.get("word_lm", vocab_size=10**11)


# ---------------------------------------------------------------- hand-written cases
CASES = [
    # registry
    ("get non-str name", lambda: lecun_zoo.get(3), TypeError, ["family name", "3", "str"]),
    ("get unknown", lambda: lecun_zoo.get("convent"), UnknownFamilyError, ["'convent'", "did you mean 'convnet'", "known"]),
    ("info unknown", lambda: lecun_zoo.info("memnett"), UnknownFamilyError, ["'memnett'", "did you mean 'memnet'"]),
    ("list capability", lambda: lecun_zoo.list(capability="flying"), ValueError, ["'flying'", "expected one of", "vision"]),
    ("list capability in list", lambda: lecun_zoo.list(capability=["vision", "atention"]), ValueError,
     ["'atention'", "did you mean 'attention'"]),
    ("list pattern type", lambda: lecun_zoo.list(3), TypeError, ["pattern", "3", "wildcard"]),
    ("register non-family", lambda: lecun_zoo.register(42), TypeError, ["register()", "lecun_zoo.Family", "int"]),
    ("unregister built-in", lambda: lecun_zoo.unregister("convnet"), ValueError, ["'convnet'", "run time"]),
    # runtime
    ("runtime precision", lambda: _enter(precision="fp8"), RuntimeConfigError, ["precision", "'fp8'", "expected one of"]),
    ("runtime strategy", lambda: _enter(strategy="mirorred"), RuntimeConfigError, ["strategy", "'mirorred'", "expected one of"]),
    ("runtime seed str", lambda: _enter(seed="abc"), RuntimeConfigError, ["seed", "'abc'", "expected an int"]),
    ("runtime seed negative", lambda: _enter(seed=-1), RuntimeConfigError, ["seed", "-1", "expected an int >= 0"]),
    ("runtime seed bool", lambda: _enter(seed=True), RuntimeConfigError, ["seed", "True", "expected an int"]),
    ("runtime missing device", lambda: _enter(strategy="mirrored", devices=["/gpu:7"]), RuntimeConfigError,
     ["'/gpu:7'", "does not have", "CPU:0"]),
    ("runtime device string", lambda: _enter(strategy="mirrored", devices="/cpu:0"), RuntimeConfigError,
     ["devices", "'/cpu:0'", "list"]),
    ("runtime device name", lambda: _enter(strategy="mirrored", devices=["cpu"]), RuntimeConfigError,
     ["'cpu'", "expected a device name like"]),
    ("runtime data_parallel on tf", lambda: _enter(strategy="data_parallel"), RuntimeConfigError,
     ["data_parallel", "KERAS_BACKEND=jax", "mirrored"]),
    # tune
    ("tune epochs", lambda: lecun_zoo.tune("convnet", epochs=-1), ValueError, ["epochs", "-1", "expected an int >= 1"]),
    ("tune epochs zero", lambda: lecun_zoo.tune("convnet", epochs=0), ValueError, ["epochs", "0", ">= 1"]),
    ("tune objective", lambda: lecun_zoo.tune("convnet", objective="val_acuracy"), ValueError,
     ["objective", "'val_acuracy'", "did you mean 'val_accuracy'"]),
    ("tune tuner", lambda: lecun_zoo.tune("convnet", tuner="grid"), ValueError, ["tuner", "'grid'", "expected one of"]),
    ("tune trials", lambda: lecun_zoo.tune("convnet", max_trials=0), ValueError, ["max_trials", "0", ">= 1"]),
    ("tune batch", lambda: lecun_zoo.tune("convnet", batch_size=0), ValueError, ["batch_size", "0", ">= 1"]),
    ("tune no search space", lambda: lecun_zoo.tune("ntm", preset="tiny"), ValueError, ["'ntm'", "search space"])
    if "tuning" not in lecun_zoo.get_family("ntm").capabilities else
    ("tune bad field", lambda: lecun_zoo.tune("ntm", bogus=1), ConfigError, ["bogus", "no field"]),
]


def _enter(**kw):
    with lecun_zoo.runtime(**kw):
        pass


@pytest.mark.parametrize("call,error,needles", [pytest.param(c, e, n, id=i) for i, c, e, n in CASES])
def test_public_api_bad_input(call, error, needles):
    with pytest.raises(error) as err:
        call()
    for needle in needles:
        assert needle in str(err.value), (needle, str(err.value))


# ------------------------------------------------------------------- data into a model
@pytest.fixture(scope="module")
def convnet():
    return lecun_zoo.get("convnet", preset="tiny")


X = np.random.default_rng(0).random((16, 8, 8, 1), dtype=np.float32)
Y = np.arange(16) % 10

FIT_CASES = [
    ("strings", lambda m: m.fit(np.array([["a"] * 8] * 16), Y, verbose=0), ["fit() x", "dtype <U1", "expected numbers"]),
    ("missing channel", lambda m: m.fit(X[..., 0], Y, verbose=0), ["shape (16, 8, 8)", "expects (batch,) + (8, 8, 1)"]),
    ("labels too high", lambda m: m.fit(X, Y + 5, verbose=0), ["label 14", "[0, 10)", "num_classes"]),
    ("labels negative", lambda m: m.fit(X, Y - 1, verbose=0), ["label -1", "[0, 10)"]),
    ("one-hot", lambda m: m.fit(X, np.eye(10)[Y], verbose=0), ["looks one-hot", "y.argmax(-1)", "(16,)"]),
    ("fractional labels", lambda m: m.fit(X, Y + 0.5, verbose=0), ["non-integer", "0.5", "class ids"]),
    ("nan labels", lambda m: m.fit(X, np.full(16, np.nan), verbose=0), ["NaN", "class ids"]),
    ("nan images", lambda m: m.fit(np.full_like(X, np.nan), Y, verbose=0), ["NaN", "1024 of 1024", "finite"]),
    ("bad validation", lambda m: m.fit(X, Y, validation_data=(X, Y + 20), verbose=0), ["validation_data", "label"]),
    ("evaluate strings", lambda m: m.evaluate(X.astype(str), Y, verbose=0), ["evaluate() x", "dtype", "numbers"]),
    ("predict shape", lambda m: m.predict(np.zeros((2, 28, 28, 1)), verbose=0), ["predict() x", "(2, 28, 28, 1)", "(8, 8, 1)"]),
    ("dataset shape", lambda m: m.fit(lecun_zoo.data.load("digits", "train").map(lambda x, y: (x[..., 0], y)), verbose=0),
     ["dataset x", "(None, 8, 8)", "expects (batch,) + (8, 8, 1)"]),
]


@pytest.mark.parametrize("call,needles", [pytest.param(c, n, id=i) for i, c, n in FIT_CASES])
def test_fit_data_that_cannot_fit_the_model(convnet, call, needles):
    with pytest.raises(InputDataError) as err:
        call(convnet)
    for needle in needles:
        assert needle in str(err.value), (needle, str(err.value))


def test_fit_data_of_multi_input_models_is_checked_by_input_name():
    from lecun_zoo.testing import example_batch

    model = lecun_zoo.get("memnet", preset="tiny")
    x, y = example_batch("memnet")
    model.fit(x, y, verbose=0)  # the dict order differs from the model's inputs: still fine
    with pytest.raises(InputDataError, match=r"fit\(\) x\['question'\] got shape \(8, 6\).*expects \(batch,\) \+ \(5,\)"):
        model.fit({**x, "question": np.zeros((8, 6), "int32")}, y, verbose=0)
    with pytest.raises(InputDataError, match=r"label 30; expected class ids in \[0, 30\).*vocab_size"):
        model.fit(x, np.full(8, 30), verbose=0)


# ------------------------------------------------------------------------ model files
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    path = lecun_zoo.save(lecun_zoo.get("convnet", preset="tiny"), str(folder / "good.keras"))
    return folder, path


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.namelist():
            data = zin.read(item)
            if item == "config.json":
                cfg = json.loads(data)
                change(cfg)
                data = json.dumps(cfg).encode()
            zout.writestr(item, data)
    return str(dst)


def test_model_file_errors_name_the_path_and_the_problem(saved, tmp_path):
    folder, good = saved
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(open(good, "rb").read()[:1000])
    text = tmp_path / "text.keras"
    text.write_text("not a model")
    empty_zip = tmp_path / "empty.keras"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("readme.txt", "hi")
    mismatched = _rewrite(good, tmp_path / "mismatch.keras", lambda c: c["config"]["config"].update(num_classes=5))
    bad_config = _rewrite(good, tmp_path / "badcfg.keras", lambda c: c["config"]["config"].update(dropout=float("nan")))
    unknown = _rewrite(good, tmp_path / "unknown.keras",
                       lambda c: c.update(module="someone_elses.models", class_name="Mystery",
                                          registered_name="someone>Mystery"))
    cases = [
        (str(tmp_path / "missing.keras"), ModelFileError, ["missing.keras", "no such model file"]),
        (str(tmp_path), ModelFileError, ["is a folder", "expected a .keras file"]),
        (str(truncated), ModelFileError, ["truncated.keras", "truncated or corrupt"]),
        (str(text), ModelFileError, ["text.keras", "not a .keras archive"]),
        (str(empty_zip), ModelFileError, ["empty.keras", "no config.json"]),
        (mismatched, ModelFileError, ["mismatch.keras", "expects (64, 5)", "holds (64, 10)"]),
        (bad_config, ModelFileError, ["badcfg.keras", "dropout", "nan", "finite"]),
        (unknown, ModelFileError, ["unknown.keras", "Mystery", "someone_elses.models",
                                   "no installed lecun_zoo family provides that module"]),
    ]
    for path, error, needles in cases:
        with pytest.raises(error) as err:
            lecun_zoo.load(path)
        for needle in needles:
            assert needle in str(err.value), (path, needle, str(err.value))
    assert "someone_elses" not in __import__("sys").modules  # a name in a file is never imported


def test_save_errors_and_file_mode(saved, tmp_path):
    folder, good = saved
    model = lecun_zoo.load(good)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(ModelFileError, match=r"save\(\) path got '.*a_file/m\.keras': cannot write into the folder"):
        lecun_zoo.save(model, str(blocker / "m.keras"))
    with pytest.raises(ValueError, match=r"save\(\) path got 'model\.h5'; expected a name ending in '\.keras'"):
        lecun_zoo.save(model, "model.h5")
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(good).st_mode & 0o777 == 0o666 & ~mask
    assert not [p for p in os.listdir(folder) if p.startswith(".tmp-")]


def test_unsafe_files_are_refused(tmp_path):
    import keras

    inp = keras.Input((2,))
    model = keras.Model(inp, keras.layers.Lambda(lambda t: t * 2)(inp))
    path = lecun_zoo.save(model, str(tmp_path / "lambda.keras"))
    with pytest.raises(UnsafeModelError, match=r"lambda\.keras: refused to load.*safe mode"):
        lecun_zoo.load(path)


# ------------------------------------------------------------------------------ tune
def test_tune_where_every_trial_fails_raises_with_the_trials_error(tmp_path):
    from lecun_zoo.tuning import TuningError

    def fit(model, config, train, **kw):
        raise RuntimeError(f"toy fit refuses units={config.units}")

    fam = toy_family("toy_tune_fail", search_space=lambda hp, cfg: {"units": hp.Int("units", 100, 200)}, fit=fit,
                     capabilities=("tuning",))
    lecun_zoo.register(fam)
    try:
        with pytest.raises(TuningError, match=r"none of \d trial\(s\) finished.*toy fit refuses units=1\d\d"):
            lecun_zoo.tune("toy_tune_fail", data="digits", max_trials=2, epochs=1, directory=str(tmp_path))
    finally:
        lecun_zoo.unregister("toy_tune_fail")


def test_two_searches_without_a_directory_never_share_one():
    a = lecun_zoo.tune("convnet", preset="tiny", max_trials=1, epochs=1)
    b = lecun_zoo.tune("convnet", preset="tiny", max_trials=1, epochs=1)
    assert a.project_dir != b.project_dir


# ----------------------------------------------------------------------- command line
def _cli(capsys, *argv):
    from lecun_zoo.cli import main

    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse
        code = e.code
    return code, capsys.readouterr().err


CLI_CASES = [
    (("train", "convnet", "--epochs", "-1"), ["--epochs", "-1", "expected an int >= 1"]),
    (("train", "convnet", "--epochs", "many"), ["--epochs", "'many'", "expected an int"]),
    (("train", "convnet", "--batch-size", "0"), ["--batch-size", "0", ">= 1"]),
    (("train", "convnet", "--set", "dropout"), ["--set", "'dropout'", "field=value"]),
    (("train", "convnet", "--set", "dropout=NaN"), ["dropout", "nan", "finite"]),
    (("train", "convnet", "--set", "dropuot=0.2"), ["dropuot", "did you mean 'dropout'"]),
    (("train", "convnt"), ["'convnt'", "did you mean 'convnet'"]),
    (("train", "convnet", "--data", "digitz"), ["'digitz'", "did you mean 'digits'"]),
    (("train", "convnet", "--preset", "lenet"), ["'lenet'", "did you mean 'lenet5'"]),
    (("train", "convnet", "--precision", "fp8"), ["precision", "'fp8'"]),
    (("evaluate", "nothing_here.keras", "--data", "digits"), ["nothing_here.keras", "no such model file"]),
    (("tune", "convnet", "--max-trials", "0"), ["--max-trials", "0"]),
    (("tune", "convnet", "--objective", "val_acuracy"), ["'val_acuracy'", "val_accuracy"]),
    (("list", "--capability", "flying"), ["'flying'", "expected one of"]),
    (("info", "nope"), ["'nope'", "known"]),
]


@pytest.mark.parametrize("argv,needles", [pytest.param(a, n, id=" ".join(a)) for a, n in CLI_CASES])
def test_cli_bad_input_exits_2_with_one_clear_line_and_writes_nothing(capsys, tmp_path, monkeypatch, argv, needles):
    monkeypatch.chdir(tmp_path)
    code, err = _cli(capsys, *argv)
    assert code == 2, err
    for needle in needles:
        assert needle in err, (needle, err)
    assert "Traceback" not in err
    assert not os.path.exists(tmp_path / "runs"), "a failed command left files"
