"""``lecun-zoo train word_lm`` through the generic CLI contract: its generated default
corpus with the default (stateful, Zaremba "small") preset, and a PTB-format folder."""

import json
import os

import lecun_zoo
from lecun_zoo.cli import main


def test_cli_trains_default_preset_on_default_corpus_and_the_model_generates(tmp_path):
    from lecun_zoo.families.word_lm.generation import generate

    out = tmp_path / "run"
    assert main(["train", "word_lm", "--epochs", "1", "--out", str(out), "--verbose", "0"]) == 0
    hist = json.loads((out / "history.json").read_text())
    assert hist["data"] == "toy_grammar" and hist["config"]["stateful"] is True
    assert hist["test"]["perplexity"] < 20  # the unigram model of this corpus is about 17.7; uniform 30
    model = lecun_zoo.load(str(out / "model.keras"))
    assert model.zoo_config.vocab[:1] == ("<unk>",) and len(model.zoo_config.vocab) == model.zoo_config.vocab_size
    text = generate(model, "the happy dog", length=6, seed=0)
    assert len(text.replace("\n", " ").split()) >= 1


def test_cli_trains_on_a_ptb_format_folder(tmp_path):
    data = tmp_path / "ptb"
    data.mkdir()
    for split, n in (("train", 40), ("valid", 5), ("test", 5)):
        (data / f"ptb.{split}.txt").write_text(" the cat sat on the mat \n a dog saw the cat \n" * n)
    out = tmp_path / "run"
    assert main(["train", "word_lm", "--data", "ptb", "--data-dir", str(data), "--preset", "tiny_nplm",
                 "--epochs", "1", "--batch-size", "16", "--out", str(out), "--verbose", "0"]) == 0
    hist = json.loads((out / "history.json").read_text())
    assert hist["config"]["vocab"][:2] == ["<unk>", "the"]
    assert os.path.exists(out / "learning_curve.png")
    # a missing folder is a clear error naming the path
    assert main(["train", "word_lm", "--data", "ptb", "--data-dir", str(tmp_path / "nope"), "--epochs", "1",
                 "--out", str(out)]) != 0
