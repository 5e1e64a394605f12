"""The autoencoder family: greedy layer-wise pretraining, unrolling, staged fit, heads,
codes and plots, bad input, tuner, CLI, and learning on digits against PCA."""

import json
import os

import keras
import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.config import ConfigError
from lecun_zoo.data import arrays
from lecun_zoo.families.autoencoder import (FAMILY, encode, plot_codes, plot_reconstructions, pretrain, reconstruct,
                                            unroll)
from lecun_zoo.families.autoencoder.model import decoder_name, encoder_name
from lecun_zoo.families.autoencoder.rbm import RBM


@pytest.fixture(scope="module")
def digits():
    return arrays("digits", ("train", "test"))


def small_data(n=64, shape=(8, 8, 1), seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, *shape)).astype("float32"), rng.integers(0, 10, n).astype("int32")


class StageRecorder(keras.callbacks.Callback):
    """Copies every stack layer's weights at the start and end of each pretraining stage."""

    def __init__(self):
        super().__init__()
        self.records = []

    def _snap(self):
        return [[np.array(v.numpy()) for v in l.weights] for l in self.model.lower + [self.model.layer]]

    def on_train_begin(self, logs=None):
        self.begin = self._snap()
        self.trainable = [v.path for v in self.model.trainable_weights]

    def on_train_end(self, logs=None):
        self.records.append({"begin": self.begin, "end": self._snap(), "trainable": self.trainable,
                             "layer": self.model.layer.name})


@pytest.mark.parametrize("learner", ["rbm", "denoising"])  # plain layers: see the two-replica test
def test_greedy_pretraining_trains_one_layer_at_a_time(learner):
    keras.utils.set_random_seed(0)
    x, y = small_data()
    extra = {"corruption": 0.2} if learner == "denoising" else {}
    cfg = FAMILY.make_config("tiny", layer_sizes=(12, 8, 3), pretrain=learner, pretrain_epochs=1, **extra)
    rec = StageRecorder()
    stack = pretrain(cfg, (x, y), callbacks=[rec], verbose=0, batch_size=16)
    assert [l.units for l in stack] == [12, 8, 3]
    assert [s["name"] for s in stack.stages] == [f"pretrain_layer{i}_{learner}" for i in (1, 2, 3)]
    assert len(rec.records) == 3
    for i, r in enumerate(rec.records):
        # only the layer being trained has trainable weights in its stage
        assert r["trainable"] and all(f"stack_{i + 1}/" in p for p in r["trainable"]), r["trainable"]
        for j in range(i):  # layers below: frozen, bit for bit
            for a, b in zip(r["begin"][j], r["end"][j]):
                np.testing.assert_array_equal(a, b)
        assert not np.allclose(r["begin"][i][0], r["end"][i][0])  # the layer being trained moved
    assert all(l.trained_epochs == 1 for l in stack)
    # the top layer of a linear code is Gaussian, the rest logistic
    assert [l.hidden_units for l in stack] == ["bernoulli", "bernoulli", "gaussian"]


def test_unrolled_autoencoder_starts_from_pretrained_weights():
    keras.utils.set_random_seed(0)
    x, y = small_data()
    cfg = FAMILY.make_config("tiny", layer_sizes=(12, 3), pretrain_epochs=1)
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    stack = pretrain(cfg, (x, y), verbose=0, batch_size=16)
    unroll(model, stack)
    for i, layer in enumerate(stack, start=1):
        w, b = model.get_layer(encoder_name(i)).get_weights()
        np.testing.assert_array_equal(w, layer.kernel.numpy())
        np.testing.assert_array_equal(b, layer.hidden_bias.numpy())
        wd, bd = model.get_layer(decoder_name(i)).get_weights()
        np.testing.assert_array_equal(wd, layer.kernel.numpy().T)  # tied initial weights
        np.testing.assert_array_equal(bd, layer.visible_bias.numpy())
    # the unrolled network computes the stack's mean-field pass: codes, then reconstructions
    flat = x.reshape(len(x), -1)
    h = stack[1].hidden_mean(stack[0].hidden_mean(flat))
    np.testing.assert_allclose(encode(model, x), keras.ops.convert_to_numpy(h), atol=1e-5)
    r = stack[0].visible_mean(stack[1].visible_mean(h))
    np.testing.assert_allclose(reconstruct(model, x).reshape(len(x), -1), keras.ops.convert_to_numpy(r), atol=1e-5)


def test_a_saved_stack_unrolls_like_the_stack_and_fit_takes_it_instead_of_pretraining():
    keras.utils.set_random_seed(0)
    x, y = small_data()
    cfg = FAMILY.make_config("tiny", layer_sizes=(12, 3), pretrain_epochs=1)
    stack = pretrain(cfg, (x, y), verbose=0, batch_size=16)
    saved = [{k: np.array(v) for k, v in layer.items()} for layer in stack.weights()]  # as np.savez keeps it
    a, b = FAMILY.build(cfg), FAMILY.build(cfg)
    unroll(a, stack)
    unroll(b, saved)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    FAMILY.compile(b, cfg)
    hist = FAMILY.fit(b, cfg, (x, y), epochs=1, verbose=0, batch_size=16, stack=saved)
    assert [s["name"] for s in hist.stages] == ["finetune"]  # no pretraining stage ran
    with pytest.raises(ConfigError, match=r"'layer_sizes' is \(12, 3\) but the pretrained stack has layers of \(12,\)"):
        unroll(FAMILY.build(cfg), saved[:1])


def test_classifier_dropout_regularises_fine_tuning_only():
    cfg = FAMILY.make_config("tiny", head="classifier", dropout=0.5, input_dropout=0.2)
    model = FAMILY.build(cfg)
    assert [l.name for l in model.layers if isinstance(l, keras.layers.Dropout)] == [
        "input_dropout", "dropout_1", "dropout_2"]
    x = small_data()[0]
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))  # off at inference
    plain = FAMILY.build(FAMILY.make_config("tiny", head="classifier"))
    plain.set_weights(model.get_weights())  # dropout has no weights: the same checkpoint fits both
    np.testing.assert_allclose(plain.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert not np.allclose(model(x, training=True), model(x, training=True))  # on while training
    with pytest.raises(ConfigError, match="'dropout' got 0.5 with head='autoencoder'"):
        FAMILY.make_config("tiny", dropout=0.5)
    with pytest.raises(ConfigError, match="'input_dropout'"):
        FAMILY.make_config("tiny", head="classifier", input_dropout=1.0)


def test_family_fit_stages_history_and_callbacks():
    keras.utils.set_random_seed(0)
    x, y = small_data()

    class Count(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    fine, pre = Count(), Count()
    cfg = FAMILY.make_config("tiny", pretrain_epochs=2)
    model = lecun_zoo.get("autoencoder", preset="tiny", pretrain_epochs=2)
    hist = FAMILY.fit(model, cfg, (x, y), validation_data=(x[:16], y[:16]), epochs=2, callbacks=[fine],
                      pretrain_callbacks=[pre], verbose=0, batch_size=16)
    assert isinstance(hist, keras.callbacks.History)
    assert fine.epochs == 2 and pre.epochs == 2 * 2
    assert [s["name"] for s in hist.stages] == ["pretrain_layer1_rbm", "pretrain_layer2_rbm", "finetune"]
    assert len(hist.history["loss"]) == 2 and "val_squared_error" in hist.history
    assert len(hist.stages[0]["history"]["reconstruction_error"]) == 2
    assert "val_reconstruction_error" in hist.stages[1]["history"]
    json.dumps(hist.stages)  # stage histories are plain data
    # a second fit continues fine-tuning without pretraining again
    w = model.get_layer(encoder_name(1)).get_weights()[0].copy()
    again = FAMILY.fit(model, cfg, (x, y), epochs=1, verbose=0, batch_size=16)
    assert [s["name"] for s in again.stages] == ["finetune"]
    assert not np.array_equal(w, model.get_layer(encoder_name(1)).get_weights()[0])


def test_fit_on_tf_data_pipeline_with_labels(capsys):
    """The CLI's path: a batched (image, label) tf.data pipeline from lecun_zoo.data.load."""
    keras.utils.set_random_seed(0)
    train, info = lecun_zoo.data.load("digits", split="train", batch_size=128, with_info=True)
    cfg = FAMILY.make_config("tiny", **FAMILY.adapt_to_data(info))
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    hist = FAMILY.train(model, cfg, train.take(3), epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "pretraining layer 1/2" in out and "pretraining layer 2/2" in out and "fine-tuning" in out
    assert np.isfinite(hist.history["squared_error"][0])


def test_classifier_head_pretrained_and_fine_tuned(digits):
    keras.utils.set_random_seed(0)
    (xtr, ytr), (xte, yte) = digits
    cfg = FAMILY.make_config("tiny", head="classifier", layer_sizes=(48, 32), code_activation="sigmoid",
                             pretrain_epochs=3, learning_rate=3e-3)
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    assert model.output_shape == (None, 10)
    hist = FAMILY.fit(model, cfg, (xtr, ytr), epochs=6, verbose=0, batch_size=32)
    assert [s["name"] for s in hist.stages][-1] == "finetune"
    acc = model.evaluate(xte, yte, verbose=0, return_dict=True)["accuracy"]
    assert acc > 0.85, acc


def test_classifier_head_epochs_train_the_softmax_layer_alone_first():
    """Hinton & Salakhutdinov's backpropclassify.m: the first epochs update only the top layer."""
    keras.utils.set_random_seed(1)
    x, y = small_data()

    class Snap(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.begin = [np.array(v.numpy()) for v in self.model.weights]
            self.trainable = sorted(v.path for v in self.model.trainable_weights)

        def on_train_end(self, logs=None):
            self.end = [np.array(v.numpy()) for v in self.model.weights]

    cfg = FAMILY.make_config("tiny", head="classifier", code_activation="sigmoid", pretrain_epochs=1, head_epochs=2)
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    snaps = [Snap(), Snap(), Snap()]  # 2 pretraining stages, then the head stage

    class Each(keras.callbacks.Callback):  # hands each stage its own recorder
        def on_train_begin(self, logs=None):
            self.rec = snaps.pop(0)
            self.rec.set_model(self.model)
            self.rec.on_train_begin()
            done.append(self.rec)

        def on_train_end(self, logs=None):
            self.rec.on_train_end()

    done = []
    hist = FAMILY.fit(model, cfg, (x, y), epochs=1, pretrain_callbacks=[Each()], verbose=0, batch_size=16)
    assert [s["name"] for s in hist.stages] == ["pretrain_layer1_rbm", "pretrain_layer2_rbm", "head", "finetune"]
    assert len(hist.stages[2]["history"]["loss"]) == 2
    head = done[2]
    assert head.trainable == sorted(v.path for v in model.get_layer("logits").weights)
    changed = [v.path for v, a, b in zip(model.weights, head.begin, head.end) if not np.array_equal(a, b)]
    assert changed and all(p.startswith("logits/") for p in changed)
    assert len(model.trainable_weights) == len(model.weights)  # every layer trains in fine-tuning
    with pytest.raises(ConfigError, match="head_epochs.*head='autoencoder'"):
        FAMILY.make_config("tiny", head_epochs=3)


def test_bad_input_raises_naming_the_setting():
    x, y = small_data(shape=(28, 28, 1))
    cfg = FAMILY.make_config("tiny")  # input_shape (8, 8, 1)
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    with pytest.raises(ConfigError, match="input_shape.*\\(8, 8, 1\\).*\\(28, 28, 1\\)"):
        FAMILY.fit(model, cfg, (x, y), epochs=1, verbose=0)
    with pytest.raises(ConfigError, match="visible_units"):
        FAMILY.fit(model, cfg, (small_data()[0] * 255, y), epochs=1, verbose=0)
    # a classifier head on an untrained stack
    clf_cfg = FAMILY.make_config("tiny", head="classifier")
    clf = FAMILY.build(clf_cfg)
    fresh = [RBM(16), RBM(4)]
    fresh[0].build((None, 64))
    fresh[1].build((None, 16))
    with pytest.raises(ConfigError, match="head='classifier' on an untrained stack.*layer\\(s\\) \\[1, 2\\]"):
        unroll(clf, fresh)
    wrong = [RBM(16), RBM(5)]
    with pytest.raises(ConfigError, match="layer_sizes"):
        unroll(clf, wrong)
    with pytest.raises(ConfigError, match="pretrain_epochs"):
        FAMILY.make_config("tiny", head="classifier", pretrain_epochs=0)
    with pytest.raises(ConfigError, match="corruption"):
        FAMILY.make_config("tiny", pretrain="denoising")
    with pytest.raises(ConfigError, match="corruption"):
        FAMILY.make_config("tiny", corruption=0.3)
    with pytest.raises(ConfigError, match="reconstruction_loss"):
        FAMILY.make_config("tiny", visible_units="gaussian", reconstruction_loss="binary_crossentropy")
    with pytest.raises(ConfigError, match="layer_sizes"):
        FAMILY.make_config("tiny", layer_sizes=(16, 0))
    with pytest.raises(ConfigError, match="pretrain"):
        FAMILY.make_config("tiny", pretrain="boltzmann")


def test_autoencoder_head_ignores_labels():
    x, y = small_data(16)
    model = lecun_zoo.get("autoencoder", preset="tiny")
    a = model.evaluate(x, y, verbose=0, return_dict=True)
    b = model.evaluate(x, x, verbose=0, return_dict=True)
    c = model.evaluate(x, verbose=0, return_dict=True)
    r = model.predict(x, verbose=0)
    want = float(np.mean(np.sum((r - x) ** 2, axis=(1, 2, 3))))
    for res in (a, b, c):
        assert abs(res["squared_error"] - want) < 1e-3 * want
        assert abs(res["loss"] - float(np.mean((r - x) ** 2))) < 1e-5


def test_pretraining_under_mixed_precision():
    keras.utils.set_random_seed(0)
    x, y = small_data()
    with lecun_zoo.runtime(precision="mixed_bfloat16"):
        model = lecun_zoo.get("autoencoder", preset="tiny")
    cfg = model.zoo_config
    hist = FAMILY.fit(model, cfg, (x, y), epochs=1, verbose=0, batch_size=16)
    for stage in hist.stages:
        for values in stage["history"].values():
            assert np.all(np.isfinite(values))
    assert model.get_layer(encoder_name(1)).compute_dtype == "bfloat16"


def test_tuner_searches_layer_sizes_epochs_and_cd_steps(tmp_path):
    import keras_tuner

    from lecun_zoo.tuning import FamilyHyperModel

    class StagedHyperModel(FamilyHyperModel):  # route trials through the family's staged fit
        def fit(self, hp, model, *args, **kwargs):
            return self.family.train(model, self.config_for(hp), *args, **kwargs)

    keras.utils.set_random_seed(0)
    x, y = small_data(48)
    base = FAMILY.make_config("tiny", pretrain_epochs=1)
    tuner = keras_tuner.RandomSearch(StagedHyperModel(FAMILY, base), objective="val_loss", max_trials=1,
                                     directory=str(tmp_path), project_name="ae", seed=0)
    tuner.search((x, y), validation_data=(x[:16], y[:16]), epochs=1, verbose=0)
    names = {p.name for p in tuner.oracle.hyperparameters.space}
    assert {"width_scale", "pretrain_epochs", "cd_steps"} <= names
    best = tuner.hypermodel.config_for(tuner.get_best_hyperparameters(1)[0])
    assert best.layer_sizes[-1] == 4 and best.cd_steps in (1, 3, 10)  # the code size is not searched


def test_encode_and_plots(tmp_path, digits):
    (xtr, ytr), _ = digits
    model = lecun_zoo.get("autoencoder", preset="tiny")
    codes = encode(model, xtr[:50])
    assert codes.shape == (50, 4) and codes.dtype == np.float32
    p1 = plot_codes(codes, ytr[:50], str(tmp_path / "codes.png"))
    p2 = plot_reconstructions(xtr[:8], reconstruct(model, xtr[:8]), str(tmp_path / "recon.png"), n=8)
    assert os.path.getsize(p1) > 1000 and os.path.getsize(p2) > 1000
    with pytest.raises(ValueError, match="input_shape"):
        encode(model, np.zeros((2, 28, 28, 1), "float32"))


def test_presets_are_the_papers():
    c = FAMILY.make_config("hinton2006")
    assert (c.input_dim,) + c.layer_sizes == (784, 1000, 500, 250, 30) and c.code_activation == "linear"
    c = FAMILY.make_config("hinton2006_classifier")
    assert (c.input_dim,) + c.layer_sizes + (c.num_classes,) == (784, 500, 500, 2000, 10) and c.head == "classifier"
    assert c.head_epochs == 5  # backpropclassify.m: the top layer alone for the first 5 epochs
    assert c.dropout == 0.2 and c.input_dropout == 0.0  # chosen on a validation split (docs/results/autoencoder.md)
    model = FAMILY.build(FAMILY.make_config("hinton2006"))
    # 784-1000-500-250-30 encoder + mirrored decoder
    enc = 784 * 1000 + 1000 + 1000 * 500 + 500 + 500 * 250 + 250 + 250 * 30 + 30
    dec = 30 * 250 + 250 + 250 * 500 + 500 + 500 * 1000 + 1000 + 1000 * 784 + 784
    assert model.count_params() == enc + dec
    tiny = FAMILY.make_config("tiny")
    assert tiny.pretrain != "denoising" and tiny.corruption == 0.0


def test_pretrained_deep_autoencoder_beats_pca_on_digits(digits):
    """Learning check: 64-64-32-2 pretrained with RBMs then fine-tuned reconstructs held-out
    digits better than PCA with the same 2-D code (squared error per image)."""
    from sklearn.decomposition import PCA

    keras.utils.set_random_seed(0)
    (xtr, ytr), (xte, _) = digits
    cfg = FAMILY.make_config("tiny", layer_sizes=(64, 32, 2), pretrain_epochs=10, code_learning_rate=0.01,
                             reconstruction_loss="binary_crossentropy", learning_rate=3e-3)
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    FAMILY.fit(model, cfg, (xtr, ytr), epochs=30, verbose=0, batch_size=32)
    ae = float(np.mean(np.sum((reconstruct(model, xte) - xte) ** 2, axis=(1, 2, 3))))
    pca = PCA(2).fit(xtr.reshape(len(xtr), -1))
    flat = xte.reshape(len(xte), -1)
    pca_err = float(np.mean(np.sum((pca.inverse_transform(pca.transform(flat)) - flat) ** 2, axis=1)))
    assert ae < 0.85 * pca_err, (ae, pca_err)  # measured: 2.52 vs 3.40


def test_cli_trains_autoencoder_on_digits(tmp_path, capsys):
    from lecun_zoo.cli import main

    if "autoencoder" not in lecun_zoo.list():
        pytest.fail("the autoencoder entry point is not installed (pip install -e .)")
    rc = main(["train", "autoencoder", "--preset", "tiny", "--epochs", "1", "--out", str(tmp_path), "--verbose", "0"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "test squared_error" in out
    saved = json.loads((tmp_path / "history.json").read_text())
    assert saved["config"]["input_shape"] == [8, 8, 1] and saved["data"] == "digits"
    assert lecun_zoo.load(str(tmp_path / "model.keras")).zoo_config.head == "autoencoder"


def test_tiny_classifier_head_passes_the_kit_checks(tmp_path):
    """The conformance kit runs on `tiny`; the classifier head gets the same core checks here."""
    from lecun_zoo.testing import deterministic_weights

    keras.utils.set_random_seed(0)
    x, y = FAMILY.example_batch(FAMILY.make_config("tiny"), 8, 0)
    model = lecun_zoo.get("autoencoder", preset="tiny", head="classifier")
    before = [np.array(w.numpy()) for w in model.trainable_weights]
    loss = model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False).history["loss"][0]
    assert np.isfinite(loss)
    assert all(not np.array_equal(b, w.numpy()) for b, w in zip(before, model.trainable_weights))
    path = lecun_zoo.save(model, str(tmp_path / "clf.keras"))
    again = lecun_zoo.load(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    with lecun_zoo.runtime(precision="mixed_float16"):
        mixed = lecun_zoo.get("autoencoder", preset="tiny", head="classifier")
    assert keras.backend.standardize_dtype(mixed(x).dtype) == "float32"
    assert np.isfinite(mixed.fit(x, y, batch_size=8, epochs=1, verbose=0).history["loss"][0])
    deterministic_weights(model)
    assert model.count_params() == 64 * 16 + 16 + 16 * 4 + 4 + 4 * 10 + 10
    np.testing.assert_allclose(model.predict(x[:4], verbose=0).sum(axis=1), 1.0, atol=1e-5)


def test_pretraining_on_two_replicas_matches_one_device():
    """Deterministic layer learners (plain autoencoder layers) give the same stack under
    MirroredStrategy on two logical CPUs as on one device (weight decay included)."""
    import tensorflow as tf

    cpus = [c.name for c in tf.config.list_logical_devices("CPU")[:2]]
    assert len(cpus) == 2, "conftest.py should split the CPU in two"
    x, _ = small_data()
    cfg = FAMILY.make_config("tiny", pretrain="autoencoder", pretrain_epochs=2, weight_decay=0.01)
    stacks = []
    for strategy in ("default", "mirrored"):
        keras.utils.set_random_seed(0)
        with lecun_zoo.runtime(strategy=strategy, devices=cpus if strategy == "mirrored" else None):
            model = FAMILY.build(cfg)
        keras.utils.set_random_seed(1)
        stacks.append(pretrain(cfg, (x, x), verbose=0, batch_size=16, model=model).weights())
    for one, two in zip(*stacks):
        for key in one:
            np.testing.assert_allclose(one[key], two[key], atol=1e-6)
