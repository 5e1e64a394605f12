import json
import os

import pytest

from lecun_zoo.cli import main


def test_list_and_info(capsys):
    assert main(["list"]) == 0
    assert "convnet" in capsys.readouterr().out.split()
    assert main(["list", "conv*", "--capability", "vision"]) == 0
    assert capsys.readouterr().out.split() == ["convnet"]
    assert main(["info", "convnet"]) == 0
    assert "presets:" in capsys.readouterr().out
    assert main(["info", "convnet", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "convnet"


def test_plugins_report(capsys):
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "convnet" in out and "loaded" in out and "built-in" in out


def test_unknown_family_and_bad_override_exit_2_with_a_message(capsys):
    assert main(["info", "convent"]) == 2
    assert "did you mean 'convnet'" in capsys.readouterr().err
    assert main(["train", "convnet", "--set", "dropout=2"]) == 2
    assert "field 'dropout' got 2.0" in capsys.readouterr().err


def test_train_then_evaluate(tmp_path, capsys):
    out = str(tmp_path / "run")
    assert main(["train", "convnet", "--preset", "tiny", "--epochs", "2", "--out", out, "--verbose", "0"]) == 0
    text = capsys.readouterr().out
    assert "test accuracy:" in text and "model saved to" in text
    for name in ("model.keras", "history.json", "learning_curve.png", "log.csv"):
        assert os.path.exists(os.path.join(out, name)), name
    hist = json.load(open(os.path.join(out, "history.json")))
    assert len(hist["history"]["loss"]) == 2 and hist["config"]["input_shape"] == [8, 8, 1]
    assert main(["evaluate", os.path.join(out, "model.keras"), "--data", "digits"]) == 0
    text = capsys.readouterr().out
    acc = float(text.split("test accuracy:")[1].split()[0])
    assert acc == pytest.approx(hist["test"]["accuracy"], abs=1e-4)


def test_tune_command(tmp_path, capsys):
    assert main(["tune", "convnet", "--preset", "tiny", "--max-trials", "1", "--epochs", "1",
                 "--out", str(tmp_path), "--verbose", "0"]) == 0
    assert "best hyperparameters" in capsys.readouterr().out


def test_translate_command_with_a_trained_seq2seq(tmp_path, capsys):
    out = str(tmp_path / "s2s")
    assert main(["train", "seq2seq", "--preset", "tiny", "--epochs", "1", "--out", out, "--verbose", "0"]) == 0
    capsys.readouterr()
    model = os.path.join(out, "model.keras")
    assert main(["translate", model, "abc", "hgf", "--beam-width", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2  # one translation per sentence (an untrained model may emit anything)
    conv = str(tmp_path / "conv")
    assert main(["train", "convnet", "--preset", "tiny", "--epochs", "1", "--out", conv, "--verbose", "0"]) == 0
    capsys.readouterr()
    assert main(["translate", os.path.join(conv, "model.keras"), "abc"]) == 2
    assert "translate needs a seq2seq model" in capsys.readouterr().err


def test_train_with_a_schedule_and_without_validation_records_both_in_the_recipe(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "convnet", "--preset", "tiny", "--epochs", "2", "--out", str(out), "--verbose", "0",
                 "--schedule", '{"kind": "step", "every": 1, "factor": 0.5}', "--no-validation"]) == 0
    hist = json.load(open(out / "history.json"))
    assert hist["recipe"]["schedule"] == {"kind": "step", "every": 1, "factor": 0.5}
    assert hist["recipe"]["validation"] is False and "val_loss" not in hist["history"]
    capsys.readouterr()
    assert main(["train", "convnet", "--preset", "tiny", "--schedule", "cosine", "--out", str(tmp_path / "x")]) == 2
    assert "schedule got 'cosine'" in capsys.readouterr().err
