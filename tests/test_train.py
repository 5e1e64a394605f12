"""``lecun_zoo.train``, ``lecun_zoo.evaluate`` and the recipe: one training path for the
Python API, the command line and the tuner."""

import dataclasses
import json

import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.cli import main
from lecun_zoo.errors import TuningError
from lecun_zoo.family import Family
from lecun_zoo.recipe import USER_DATA, Recipe
from lecun_zoo.schedules import ScheduleError, multiplier


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


def test_python_call_and_cli_give_the_same_weights_for_the_same_recipe(tmp_path, capsys):
    result = lecun_zoo.train("convnet", "tiny", epochs=2, seed=3, verbose=0)
    assert set(result.metrics) == {"loss", "accuracy"} and result.files == {}
    out = tmp_path / "cli"
    assert main(["train", "convnet", "--preset", "tiny", "--epochs", "2", "--seed", "3", "--out", str(out),
                 "--verbose", "0"]) == 0
    capsys.readouterr()
    cli_model = lecun_zoo.load(str(out / "model.keras"))
    for a, b in zip(_weights(result.model), _weights(cli_model), strict=True):
        np.testing.assert_array_equal(a, b)
    hist = json.loads((out / "history.json").read_text())
    assert Recipe.from_dict(hist["recipe"]) == result.recipe  # history.json holds the recipe
    assert hist["test"]["accuracy"] == pytest.approx(result.metrics["accuracy"], abs=1e-6)


def test_a_recipe_is_a_value_that_runs_again_to_the_same_weights():
    first = lecun_zoo.train("convnet", "tiny", epochs=1, seed=1, verbose=0, dropout=0.1)
    recipe = Recipe.from_dict(json.loads(json.dumps(first.recipe.to_dict())))
    assert recipe == first.recipe and recipe.overrides == {"dropout": 0.1}
    again = recipe.run(verbose=0)
    for a, b in zip(_weights(first.model), _weights(again.model), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"got recipe= and also \['epochs'\]"):
        lecun_zoo.train(recipe=recipe, epochs=3)
    with pytest.raises(ValueError, match=r"Recipe got unknown field 'epoch'"):
        Recipe.from_dict({"family": "convnet", "epoch": 2})


def test_train_on_user_arrays_adapts_the_config_convnet_and_autoencoder():
    (x, y), (xt, yt) = lecun_zoo.data.arrays("digits", ("train", "test"))
    keep, keep_t = y < 4, yt < 4
    res = lecun_zoo.train("convnet", "tiny", data={"train": (x[keep], y[keep]), "test": (xt[keep_t], yt[keep_t])},
                          epochs=3, verbose=0)
    assert res.recipe.data == USER_DATA
    assert res.config.input_shape == (8, 8, 1) and res.config.num_classes == 4  # from the labels
    assert res.model.output_shape == (None, 4) and set(res.metrics) == {"loss", "accuracy"}
    with pytest.raises(ValueError, match="trained on user data; pass data= again"):
        res.recipe.run()
    ae = lecun_zoo.train("autoencoder", "tiny", data=(x, y), epochs=1, verbose=0)
    assert len(ae.history.stages) >= 2  # greedy pretraining stages, then fine-tuning
    assert ae.config.input_shape == (8, 8, 1)


def test_train_on_a_tf_dataset_and_a_pydataset():
    import keras
    import tensorflow as tf

    (x, y) = lecun_zoo.data.arrays("digits", "train")
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    res = lecun_zoo.train("convnet", "tiny", data=ds, epochs=1, verbose=0)
    assert res.config.input_shape == (8, 8, 1)

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return len(x) // 64

        def __getitem__(self, i):
            return x[i * 64:(i + 1) * 64], y[i * 64:(i + 1) * 64]

    res = lecun_zoo.train("convnet", "tiny", data=Batches(), epochs=1, verbose=0)
    assert res.config.input_shape == (8, 8, 1) and np.isfinite(res.history.history["loss"][-1])


def test_fine_tuning_from_trained_weights_with_a_reset_head_and_frozen_layers(capsys):
    base = lecun_zoo.train("convnet", "tiny", epochs=10, verbose=0)
    (x, y), (xt, yt) = lecun_zoo.data.arrays("digits", ("train", "test"))
    five, five_t = y < 5, yt < 5
    tuned = lecun_zoo.train("convnet", "tiny", data={"train": (x[five], y[five]), "test": (xt[five_t], yt[five_t])},
                            epochs=12, init=base.model, freeze=["conv*"], verbose=2)
    text = capsys.readouterr().out
    assert "trained from scratch: logits" in text and "frozen: conv1_1" in text
    assert tuned.config.num_classes == 5 and tuned.model.output_shape == (None, 5)
    for name in ("conv1_1",):  # frozen: still the base model's weights after training
        for a, b in zip(base.model.get_layer(name).get_weights(), tuned.model.get_layer(name).get_weights()):
            np.testing.assert_array_equal(a, b)
    assert tuned.metrics["accuracy"] > 0.45  # 5 classes: chance is 0.2; the features carry over
    with pytest.raises(lecun_zoo.ConfigError, match=r"layer 'logits' has weights of shapes .*reset_head=True"):
        lecun_zoo.train("convnet", "tiny", data=(x[five], y[five]), epochs=1, init=base.model, reset_head=False,
                        verbose=0)
    with pytest.raises(lecun_zoo.ConfigError, match=r"freeze got 'dense9', which names no layer"):
        lecun_zoo.train("convnet", "tiny", epochs=1, init=base.model, freeze=["dense9"], verbose=0)


def test_learning_rate_schedules_work_for_every_family_and_resume():
    assert [multiplier({"kind": "step", "every": 2, "factor": 0.5}, e) for e in range(5)] == [1, 1, .5, .5, .25]
    assert [multiplier({"kind": "exponential", "factor": 0.5, "after": 2}, e) for e in range(4)] == [1, 1, .5, .25]
    pw = {"kind": "piecewise", "boundaries": [1, 3], "factors": [1.0, 0.4, 0.1]}
    assert [multiplier(pw, e) for e in range(5)] == [1.0, 0.4, 0.4, 0.1, 0.1]
    res = lecun_zoo.train("convnet", "tiny", epochs=3, schedule={"kind": "step", "every": 1, "factor": 0.5},
                          verbose=0)
    lr0 = lecun_zoo.get_family("convnet").make_config("tiny").learning_rate
    assert float(res.model.optimizer.learning_rate) == pytest.approx(lr0 * 0.25)
    res = lecun_zoo.train("ntm", "tiny", epochs=1, schedule={"kind": "step", "every": 1, "factor": 0.1}, verbose=0)
    assert np.isfinite(res.history.history["loss"][-1])
    for bad, needle in [("cosine", "'cosine'"), ({"kind": "step", "every": 0, "factor": 0.5}, "'every' got 0"),
                        ({"kind": "step", "every": 1, "factor": float("nan")}, "'factor' got nan"),
                        ({"kind": "piecewise", "boundaries": [3, 1], "factors": [1, 1, 1]}, "increasing"),
                        ({"kind": "step", "every": 1, "factor": 0.5, "gamma": 1}, "unknown field 'gamma'")]:
        with pytest.raises(ScheduleError, match=needle):
            lecun_zoo.train("convnet", "tiny", epochs=1, schedule=bad, verbose=0)


def test_evaluate_reads_data_as_train_does(tmp_path):
    res = lecun_zoo.train("convnet", "tiny", epochs=1, out=str(tmp_path / "run"), verbose=0)
    again = lecun_zoo.evaluate(res.files["model"], "digits")
    assert again["accuracy"] == pytest.approx(res.metrics["accuracy"], abs=1e-6)
    assert lecun_zoo.evaluate(res.model)["loss"] == pytest.approx(res.metrics["loss"], rel=1e-5)  # default data
    with pytest.raises(lecun_zoo.InputDataError, match=r"data 'copy' implies input_shape=\(None, 10\), but the "
                                                       r"model has input_shape=\(8, 8, 1\)"):
        lecun_zoo.evaluate(res.model, "copy")


def test_a_tune_trial_of_a_stateful_word_lm_reads_the_data_train_reads(monkeypatch, tmp_path):
    seen = []

    class Stop(Exception):
        pass

    def spy(self, model, config, train, **kw):
        x, y = next(iter(train))
        seen.append((str(train.element_spec), np.asarray(x), model.zoo_config.stateful))
        raise Stop("spied")

    monkeypatch.setattr(Family, "train", spy)
    with pytest.raises(Stop):
        lecun_zoo.train("word_lm", "small", epochs=1, verbose=0)
    with pytest.raises(TuningError, match="spied"):
        lecun_zoo.tune("word_lm", preset="small", max_trials=1, epochs=1, directory=str(tmp_path))
    (spec_train, x_train, stateful), (spec_trial, x_trial, _) = seen
    assert stateful and spec_train == spec_trial
    np.testing.assert_array_equal(x_train, x_trial)  # the same streams, in the same order


def test_train_arguments_are_checked_before_anything_is_written(tmp_path):
    out = tmp_path / "never"
    for kwargs, needle in [(dict(epochs=0), "epochs got 0"), (dict(batch_size=-2), "batch_size got -2"),
                           (dict(precision="fp8"), "'fp8'"), (dict(seed="x"), "seed got 'x'"),
                           (dict(verbose=5), "verbose got 5"), (dict(dropuot=0.1), "did you mean 'dropout'"),
                           (dict(data="digitz"), "did you mean 'digits'"),
                           (dict(data={"validation": 1}), "expected 'train'")]:
        with pytest.raises((ValueError, KeyError)) as err:
            lecun_zoo.train("convnet", "tiny", out=str(out), **kwargs)
        assert needle in str(err.value), (kwargs, str(err.value))
        assert not out.exists(), kwargs
    with pytest.raises(ValueError, match=r"train\(\) needs a family name"):
        lecun_zoo.train()
    assert dataclasses.replace(Recipe("convnet"), epochs=2).epochs == 2


def test_a_joint_babi_model_evaluated_per_task_uses_its_own_vocabulary(tmp_path):
    """Per-task scores of a joint model, read with the model's vocabulary, weighted by the
    tasks' sizes, give the joint score (each task alone has a different vocabulary)."""
    from tests_support_babi import write_two_tasks

    root = write_two_tasks(tmp_path)
    res = lecun_zoo.train("memnet", "tiny", data="babi", data_dir=str(root), data_options={"task": [1, 19]},
                          epochs=3, verbose=0)
    vocab = res.model.zoo_config.vocab
    joint = lecun_zoo.evaluate(res.model, "babi", data_dir=str(root), data_options={"task": [1, 19]})
    assert joint["accuracy"] == pytest.approx(res.metrics["accuracy"], abs=1e-6)
    sizes = {1: 3, 19: 1}  # test questions per task in the fixture
    per_task = {t: lecun_zoo.evaluate(res.model, "babi", data_dir=str(root), data_options={"task": t})["accuracy"]
                for t in sizes}
    weighted = sum(per_task[t] * n for t, n in sizes.items()) / sum(sizes.values())
    assert weighted == pytest.approx(joint["accuracy"], abs=1e-6)
    task1_alone = lecun_zoo.data.info("babi", data_dir=str(root), task=1).extra["vocab"]
    assert task1_alone != vocab  # what a per-task reader would have built
    with pytest.raises(lecun_zoo.data.DataOptionError, match=r"option 'vocab' \(\d+ words\) lacks \d+ word"):
        lecun_zoo.evaluate(res.model, "babi", data_dir=str(root), data_options={"task": 2})


def test_batch_size_default_data_and_validation_follow_the_config():
    lm = lecun_zoo.train("word_lm", "tiny", epochs=1, verbose=0)
    assert lm.recipe.batch_size == lm.config.batch_size == 8  # the config's own batch size
    lm16 = lecun_zoo.train("word_lm", "tiny", epochs=1, batch_size=16, verbose=0)
    assert lm16.recipe.batch_size == lm16.config.batch_size == 16  # batch_size= sets both
    ntm = lecun_zoo.train("ntm", "tiny", task="repeat_copy", epochs=1, verbose=0)
    assert ntm.recipe.data == ntm.config.task == "repeat_copy"  # the task is the dataset
    whole = lecun_zoo.train("convnet", "tiny", epochs=1, validation=False, verbose=0)
    assert "val_loss" not in whole.history.history and whole.recipe.validation is False
    steps = []

    class Count(__import__("keras").callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append(batch)

    lecun_zoo.train("convnet", "tiny", epochs=1, validation=False, callbacks=[Count()], verbose=0)
    assert len(steps) == -(-1437 // 64)  # every train example, none carved off


def test_the_family_recipe_for_the_dataset_fills_what_is_not_given():
    import lecun_zoo

    own = lecun_zoo.get_family("convnet").recipe_for("digits")
    res = lecun_zoo.train("convnet", epochs=1, verbose=0)  # the README's main job, one epoch
    r = res.recipe
    assert (r.preset, r.validation, r.schedule) == ("digits", False, own["schedule"]) and r.epochs == 1
    assert res.config.filters == (64, 128)
    # naming another preset leaves the family's recipe out; what is given always wins
    r = lecun_zoo.train("convnet", "tiny", epochs=1, verbose=0).recipe
    assert (r.preset, r.validation, r.schedule) == ("tiny", True, "family")
    r = lecun_zoo.train("convnet", "digits", epochs=1, verbose=0, validation=True, schedule="constant").recipe
    assert (r.preset, r.validation, r.schedule) == ("digits", True, "constant")
    with pytest.raises(ValueError, match="recipes\\['digits'\\] got unknown key 'epoch'"):
        import dataclasses

        dataclasses.replace(lecun_zoo.get_family("convnet"), name="x", recipes={"digits": {"epoch": 3}})


def test_a_dataset_may_have_one_recipe_per_preset():
    import dataclasses

    import lecun_zoo

    fam = lecun_zoo.get_family("convnet")
    two = dataclasses.replace(fam, name="x", recipes={"digits": [dict(preset="digits", epochs=7),
                                                                 dict(preset="tiny", epochs=3, validation=False)]})
    assert two.recipe_for("digits") == dict(preset="digits", epochs=7)  # the first is the dataset's default
    assert two.recipe_for("digits", "tiny") == dict(preset="tiny", epochs=3, validation=False)
    assert two.recipe_for("digits", "lenet5") == {} and two.recipe_for("mnist") == {}
    assert fam.recipes["digits"] == [fam.recipe_for("digits")]  # a single dict is stored as a list of one
    with pytest.raises(ValueError, match=r"recipes\['digits'\]\[1\] repeats preset 'digits'"):
        dataclasses.replace(fam, name="x", recipes={"digits": [dict(preset="digits"), dict(preset="digits", epochs=2)]})
    with pytest.raises(ValueError, match=r"recipes\['digits'\]\[1\] preset 'nope' is not one of"):
        dataclasses.replace(fam, name="x", recipes={"digits": [dict(preset="digits"), dict(preset="nope")]})
    with pytest.raises(ValueError, match=r"recipes\['digits'\] got \[\]; expected a dict"):
        dataclasses.replace(fam, name="x", recipes={"digits": []})


def test_train_picks_the_recipe_of_the_named_preset(monkeypatch):
    import dataclasses

    import lecun_zoo
    from lecun_zoo.registry import REGISTRY

    fam = lecun_zoo.get_family("convnet")
    two = dataclasses.replace(fam, recipes={"digits": [fam.recipe_for("digits"),
                                                       dict(preset="tiny", epochs=1, validation=False)]})
    real = REGISTRY.get
    monkeypatch.setattr(REGISTRY, "get", lambda name: two if name == "convnet" else real(name))
    r = lecun_zoo.train("convnet", "tiny", verbose=0).recipe
    assert (r.preset, r.epochs, r.validation) == ("tiny", 1, False)
    # the deep autoencoder's two MNIST recipes (Hinton & Salakhutdinov 2006), shown by info()
    ae = lecun_zoo.get_family("autoencoder")
    assert [rec["preset"] for rec in ae.recipes["mnist"]] == ["hinton2006", "hinton2006_classifier"]
    assert str(lecun_zoo.info("autoencoder")).count("recipe for mnist:") == 2
