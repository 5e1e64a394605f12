"""MemN2N learns the generated bAbI-style tasks; answers a Frodo story; trains from the CLI."""

import json

import numpy as np
import pytest

import keras
import tensorflow as tf

import lecun_zoo
from lecun_zoo import data
from lecun_zoo.families.memnet import FAMILY, answer


def train_on(task, n, epochs, **overrides):
    keras.utils.set_random_seed(0)
    cfg = FAMILY.make_config("tiny", **overrides)
    (x, y), (xt, yt) = data.arrays("babi_generated", ("train", "test"), task=task, num_examples=n,
                                   memory_size=cfg.memory_size)
    train = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(n, seed=0).batch(32)
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    FAMILY.train(model, cfg, train, epochs=epochs, verbose=0)
    return model, model.evaluate(xt, yt, verbose=0, return_dict=True)["accuracy"]


def test_single_supporting_fact_near_perfect_and_frodo_story(tmp_path):
    model, acc = train_on(1, 1000, 20)
    assert acc >= 0.95, acc
    story = "Frodo went to the kitchen. Sam moved to the garden. Merry travelled to the office."
    res = answer(model, story, "Where is Frodo?")
    assert res.answer == "kitchen", res
    assert int(np.argmax(res.attention[-1])) == 0 or int(np.argmax(res.attention[0])) == 0  # looked at Frodo
    assert answer(model, story, "Where is Sam?").answer == "garden"
    # the vocabulary travels in the .keras file: the reloaded model answers the same
    path = lecun_zoo.save(model, str(tmp_path / "memnet.keras"))
    again = lecun_zoo.load(path)
    res2 = answer(again, story, "Where is Frodo?")
    assert res2.answer == "kitchen" and np.allclose(res2.attention, res.attention, atol=1e-5)


def test_three_hops_beat_one_hop_on_two_supporting_facts():
    common = dict(embedding_dim=20, linear_start=True, ls_learning_rate=0.01, ls_patience=3)
    _, one = train_on(2, 1000, 20, hops=1, **common)
    _, three = train_on(2, 1000, 20, hops=3, **common)
    assert three >= 0.9 and three > one + 0.25, (one, three)


def test_cli_trains_on_the_default_generated_data(tmp_path, capsys):
    from lecun_zoo.cli import main

    out = tmp_path / "run"
    rc = main(["train", "memnet", "--preset", "tiny", "--epochs", "2", "--batch-size", "32", "--verbose", "0",
               "--out", str(out), "--set", "linear_start=true"])
    assert rc == 0
    hist = json.loads((out / "history.json").read_text())
    assert hist["data"] == "babi_generated" and hist["config"]["vocab"][:2] == ["<pad>", "<unk>"]
    assert "accuracy" in hist["test"] and (out / "model.keras").exists()
    assert hist["history"]["linear_start"] == [1.0, 0.0]  # staged fit ran through the CLI


def test_cli_trains_on_babi_files(tmp_path):
    from lecun_zoo.cli import main

    folder = tmp_path / "babi" / "en"
    folder.mkdir(parents=True)
    lines = []
    rng = np.random.default_rng(0)
    people, places = ["mary", "john"], ["kitchen", "garden", "office"]
    for _ in range(40):
        p, q = rng.choice(people), rng.choice(places)
        lines += [f"1 {p.title()} went to the {q}.", f"2 John moved to the hallway.", f"3 Where is {p.title()}? \t"
                  f"{q if p == 'mary' else 'hallway'}\t1"]
    for split in ("train", "test"):
        (folder / f"qa1_single-supporting-fact_{split}.txt").write_text("\n".join(lines) + "\n")
    out = tmp_path / "run"
    rc = main(["train", "memnet", "--data", "babi", "--data-dir", str(tmp_path / "babi"), "--preset", "tiny",
               "--epochs", "1", "--verbose", "0", "--out", str(out), "--set", "task=1"])
    assert rc == 0
    hist = json.loads((out / "history.json").read_text())
    assert "hallway" in hist["config"]["vocab"] and hist["config"]["sentence_len"] == 5
    model = lecun_zoo.load(str(out / "model.keras"))
    assert {t.name: tuple(t.shape[1:]) for t in model.inputs}["story"] == (10, 5)
    # a malformed file is reported with its name and line
    (folder / "qa1_single-supporting-fact_train.txt").write_text("1 Mary went to the kitchen.\nbroken line\n")
    rc = main(["train", "memnet", "--data", "babi", "--data-dir", str(tmp_path / "babi"), "--preset", "tiny",
               "--epochs", "1", "--verbose", "0", "--out", str(out)])
    assert rc == 2
