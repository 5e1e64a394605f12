"""Trained weights: ids and tags, the weights folder, where files are found (package,
cache, URL, explicit path), checksums, head reset, ``lecun-zoo weights`` / ``reproduce``."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.config import ConfigError
from lecun_zoo.pretrained import WeightsError, save_weights_folder, where
from lecun_zoo.pretrained.bundle import write_entry
from lecun_zoo.pretrained.index import cache_folder, find
from lecun_zoo.registry import REGISTRY

HEADLINE = {"metric": "accuracy", "tolerance": 1.0}  # a 1-epoch tiny model: any accuracy passes


@pytest.fixture(scope="module")
def trained():
    return lecun_zoo.train("convnet", "tiny", epochs=1, verbose=0, seed=0)


@pytest.fixture()
def zoo(tmp_path, monkeypatch, trained):
    """The convnet family pointed at a weights package of our own under ``tmp_path``, and
    an empty cache: ``(package weights folder, the trained result)``."""
    pkg = tmp_path / "site" / "zoo_test_weights"
    (pkg / "weights").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv("LECUN_ZOO_HOME", str(tmp_path / "home"))
    fam = REGISTRY.get("convnet")
    old = fam.weights
    object.__setattr__(fam, "weights", "zoo_test_weights:weights")
    yield pkg / "weights", trained
    object.__setattr__(fam, "weights", old)
    sys.modules.pop("zoo_test_weights", None)


def _make(folder, result, tag):
    save_weights_folder(result, folder, tag=tag, headline=HEADLINE)
    write_entry(str(folder), result.recipe.to_dict(), headline={**HEADLINE, "value": result.metrics["accuracy"]},
                minutes=0.1)


def _digits(n=4):
    x, _ = lecun_zoo.data.arrays("digits", "test")
    return x[:n]


def test_folder_holds_config_weights_card_and_readme(tmp_path, trained):
    folder = save_weights_folder(trained, tmp_path / "w", tag="digits", headline=HEADLINE)
    assert sorted(os.listdir(folder)) == ["README.md", "card.json", "config.json", "model.weights.h5"]
    card = json.loads(open(os.path.join(folder, "card.json")).read())
    assert card["id"] == "convnet/tiny.digits"
    assert card["headline"]["value"] == pytest.approx(trained.metrics["accuracy"])
    assert card["dataset"]["name"] == "digits" and set(card["dataset"]["sha256"]) == {"arrays:train", "arrays:test"}
    assert card["input"]["batch"] == {"shape": [None, 8, 8, 1], "dtype": "float32"}
    assert card["recipe"]["family"] == "convnet" and card["command"] == "lecun-zoo reproduce convnet/tiny.digits"
    assert card["machine"]["cores"] and card["versions"]["keras"] and card["dataset"]["licence"].startswith("CC BY")
    assert "test error" in open(os.path.join(folder, "README.md")).read()
    model = lecun_zoo.get("convnet", weights=folder)
    np.testing.assert_allclose(model.predict(_digits(), verbose=0), trained.model.predict(_digits(), verbose=0),
                               atol=1e-6)


def test_keras_and_weights_h5_paths(tmp_path, trained):
    keras_path = lecun_zoo.save(trained.model, tmp_path / "m.keras")
    h5 = str(tmp_path / "m.weights.h5")
    trained.model.save_weights(h5)
    want = trained.model.predict(_digits(), verbose=0)
    for handle in (keras_path, h5):
        model = lecun_zoo.get("convnet", "tiny", weights=handle)
        np.testing.assert_allclose(model.predict(_digits(), verbose=0), want, atol=1e-6)
    with pytest.raises(WeightsError, match="cannot be loaded into a convnet model"):
        lecun_zoo.get("convnet", "tiny", weights=h5, filters=[5])
    with pytest.raises(WeightsError, match="no such file or folder"):
        lecun_zoo.get("convnet", weights=str(tmp_path / "absent.keras"))


def test_bundled_id_and_tag(zoo, capsys):
    weights, result = zoo
    _make(weights / "tiny.digits", result, "digits")
    assert "convnet/tiny.digits" in lecun_zoo.list(pretrained=True)
    assert lecun_zoo.list("convnet/tiny.*", pretrained=True) == ["convnet/tiny.digits"]
    assert where(find("convnet/tiny.digits")) == "bundled"
    want = result.model.predict(_digits(), verbose=0)
    for kwargs in ({"preset": "tiny", "weights": "digits"}, {"weights": "convnet/tiny.digits"},
                   {"weights": "tiny.digits"}):
        model = lecun_zoo.get("convnet", **kwargs)
        np.testing.assert_allclose(model.predict(_digits(), verbose=0), want, atol=1e-6)
    # a shape-changing override resets the head, with a note; one beyond the head is refused
    five = lecun_zoo.get("convnet", weights="convnet/tiny.digits", num_classes=5)
    assert five.output_shape[-1] == 5 and "head logits reset" in capsys.readouterr().out
    np.testing.assert_allclose(five.get_layer("conv1_1").get_weights()[0],
                               result.model.get_layer("conv1_1").get_weights()[0])
    with pytest.raises(ConfigError, match=r"filters=\[6\] change the shapes of layer\(s\) conv1_1"):
        lecun_zoo.get("convnet", weights="convnet/tiny.digits", filters=[6])
    with pytest.raises(ConfigError, match="preset got 'modern' but weights 'convnet/tiny.digits' are of preset 'tiny'"):
        lecun_zoo.get("convnet", "modern", weights="convnet/tiny.digits")
    with pytest.raises(WeightsError, match="no trained weights tagged 'digts'; did you mean 'digits'"):
        lecun_zoo.get("convnet", "tiny", weights="digts")
    with pytest.raises(WeightsError, match=r"no trained weights 'convnet/tiny.digit'; did you mean 'convnet/tiny.digits'"):
        lecun_zoo.get("convnet", weights="convnet/tiny.digit")
    # train(init=...) takes the same handles
    res = lecun_zoo.train("convnet", "tiny", epochs=1, verbose=0, init="digits", freeze=["conv1"])
    np.testing.assert_allclose(res.model.get_layer("conv1_1").get_weights()[0],
                               result.model.get_layer("conv1_1").get_weights()[0])


def test_cache_then_url_and_checksums(zoo, tmp_path):
    weights, result = zoo
    made = tmp_path / "made" / "tiny.web"
    _make(made, result, "web")
    entry = json.loads((made / "entry.json").read_text())
    (weights / "tiny.web").mkdir()
    server = tmp_path / "server"
    shutil.copytree(made, server)
    entry["url"] = server.as_uri()
    (weights / "tiny.web" / "entry.json").write_text(json.dumps(entry))
    e = find("convnet/tiny.web")
    assert where(e) == "url"
    model = lecun_zoo.get("convnet", weights="convnet/tiny.web")  # downloaded into the cache
    np.testing.assert_allclose(model.predict(_digits(), verbose=0), result.model.predict(_digits(), verbose=0),
                               atol=1e-6)
    assert where(e) == "cache" and os.path.isfile(os.path.join(cache_folder(e.id), "model.weights.h5"))
    # a truncated file in the cache: the error names the path, both hashes and the fix
    h5 = os.path.join(cache_folder(e.id), "model.weights.h5")
    with open(h5, "r+b") as f:
        f.truncate(100)
    with pytest.raises(WeightsError) as err:
        lecun_zoo.get("convnet", weights="convnet/tiny.web")
    msg = str(err.value)
    assert h5 in msg and entry["files"]["model.weights.h5"] in msg and "has SHA-256" in msg and "delete" in msg
    # a folder missing a file
    os.remove(os.path.join(cache_folder(e.id), "config.json"))
    (weights / "tiny.web" / "entry.json").write_text(json.dumps({**entry, "url": None}))
    with pytest.raises(WeightsError, match="not present on this machine; `lecun-zoo reproduce convnet/tiny.web`"):
        lecun_zoo.get("convnet", weights="convnet/tiny.web")
    # a server with other bytes than the registry's: the download is refused
    shutil.rmtree(cache_folder(e.id))
    with open(server / "model.weights.h5", "ab") as f:
        f.write(b"x")
    (weights / "tiny.web" / "entry.json").write_text(json.dumps(entry))
    with pytest.raises(WeightsError, match="downloading .*model.weights.h5 failed"):
        lecun_zoo.get("convnet", weights="convnet/tiny.web")


def test_cli_weights_and_reproduce(zoo, capsys):
    from lecun_zoo.cli import main

    weights, result = zoo
    _make(weights / "tiny.digits", result, "digits")
    (weights / "tiny.later").mkdir()
    write_entry(str(weights / "tiny.later"), {**result.recipe.to_dict(), "epochs": 1},
                headline={"metric": "accuracy", "tolerance": 1.0}, minutes=0.2)

    def cli(*args):
        code = main(list(args))
        return code, capsys.readouterr().out

    code, out = cli("weights", "convnet/*")
    assert code == 0 and "convnet/tiny.digits" in out and "present (bundled)" in out
    assert "convnet/tiny.later" in out and \
        "not present; `lecun-zoo reproduce convnet/tiny.later` makes it (about 0.2 minutes here)" in out
    code, out = cli("weights", "--json", "convnet/tiny.*")
    rows = json.loads(out)
    assert {r["id"]: r["where"] for r in rows} == {"convnet/tiny.digits": "bundled", "convnet/tiny.later": "missing"}
    assert rows[0]["card"]["headline"]["metric"] == "accuracy"
    code, out = cli("reproduce", "convnet/tiny.digits", "--evaluate-only")
    assert code == 0 and "PASS: accuracy" in out and f"{result.metrics['accuracy']:.4f}" in out
    code, out = cli("reproduce", "convnet/tiny.later", "--verbose", "0")
    assert code == 0 and "accuracy" in out and cache_folder("convnet/tiny.later") in out
    assert where(find("convnet/tiny.later")) == "cache"
    assert lecun_zoo.get("convnet", weights="convnet/tiny.later").output_shape[-1] == 10
    # a card whose value a fresh measurement misses fails the verdict (exit status 1)
    card = json.loads((weights / "tiny.digits" / "card.json").read_text())
    assert card["headline"]["tolerance"] == 1.0
    strict = {**json.loads((weights / "tiny.digits" / "entry.json").read_text())}
    strict["headline"] = {**strict["headline"], "value": 1.5, "tolerance": 0.0}
    (weights / "tiny.strict").mkdir()
    for name in ("config.json", "model.weights.h5", "card.json", "README.md"):
        shutil.copy(weights / "tiny.digits" / name, weights / "tiny.strict" / name)
    c = json.loads((weights / "tiny.strict" / "card.json").read_text())
    c["headline"] = {**c["headline"], "value": 1.5, "tolerance": 0.0}
    (weights / "tiny.strict" / "card.json").write_text(json.dumps(c))
    strict["files"] = {}
    (weights / "tiny.strict" / "entry.json").write_text(json.dumps(strict))
    shutil.copytree(weights / "tiny.strict", cache_folder("convnet/tiny.strict"))
    code, out = cli("reproduce", "convnet/tiny.strict", "--evaluate-only")
    assert code == 1 and "FAIL: accuracy" in out and "expected >= 1.5000" in out


def test_a_malformed_entry_affects_only_itself(zoo):
    weights, result = zoo
    _make(weights / "tiny.digits", result, "digits")
    (weights / "tiny.broken").mkdir()
    (weights / "tiny.broken" / "entry.json").write_text("{not json")
    (weights / "nopreset.x").mkdir()
    (weights / "nopreset.x" / "entry.json").write_text(json.dumps({"recipe": {}}))
    with pytest.warns(UserWarning, match="tiny.broken"):
        ids = lecun_zoo.list(pretrained=True)
    assert "convnet/tiny.digits" in ids and "convnet/tiny.broken" not in ids
    assert lecun_zoo.get("convnet", weights="convnet/tiny.digits").output_shape[-1] == 10
    with pytest.raises(WeightsError, match=r"tiny.broken.*cannot be read"):
        lecun_zoo.get("convnet", weights="convnet/tiny.broken")
    with pytest.raises(WeightsError, match=r"preset 'nopreset' is not one of"):
        lecun_zoo.get("convnet", weights="convnet/nopreset.x")


def test_float16_storage_rounds_measures_again_and_loads_as_float32(tmp_path):
    import h5py

    from lecun_zoo.pretrained.bundle import bundle_run
    from lecun_zoo.pretrained.storage import store_as

    run = tmp_path / "run"
    result = lecun_zoo.train("convnet", "tiny", epochs=1, verbose=0, seed=0, out=str(run))
    dest = tmp_path / "tiny.half"
    card = bundle_run(str(run), str(dest), tag="half", headline=HEADLINE, storage="float16")
    with h5py.File(dest / "model.weights.h5") as f:
        kinds: set = set()
        f.visititems(lambda n, o: kinds.add(str(o.dtype)) if isinstance(o, h5py.Dataset) else None)
    assert "float16" in kinds and "float32" not in kinds
    result.model.save_weights(str(tmp_path / "f32.weights.h5"))
    assert os.path.getsize(dest / "model.weights.h5") < 0.8 * os.path.getsize(tmp_path / "f32.weights.h5")
    assert card["storage"].startswith("float16") and "float32 weights of the run scored" in card["notes"]
    model = lecun_zoo.get("convnet", weights=str(dest))
    for got, w in zip(model.weights, result.model.weights):
        assert str(got.dtype) == "float32"
        np.testing.assert_array_equal(got.numpy(), w.numpy().astype("float16").astype("float32"))
    x, y = lecun_zoo.data.arrays("digits", "test")
    accuracy = float(np.mean(np.argmax(model.predict(x, verbose=0), -1) == y))
    assert card["headline"]["value"] == pytest.approx(accuracy, abs=1e-6)  # measured on the rounded weights
    with pytest.raises(ValueError, match="weights storage got 'int8'; expected one of"):
        store_as(str(dest / "model.weights.h5"), "int8")
