"""The ConvNet family itself: LeNet-5's shape, augmentation, feature maps, learning."""

import keras
import numpy as np
import pytest

import lecun_zoo
from lecun_zoo import data
from lecun_zoo.families.convnet.feature_maps import feature_maps, plot_feature_maps


def test_lenet5_layout_and_parameter_count():
    model = lecun_zoo.get("convnet", preset="lenet5", compile=False)
    shapes = {l.name: l.output.shape for l in model.layers}
    assert shapes["input_padding"][1:] == (32, 32, 1)  # 28x28 padded to LeNet's 32x32
    assert shapes["conv1_1"][1:] == (28, 28, 6)  # C1
    assert shapes["pool1"][1:] == (14, 14, 6)  # S2
    assert shapes["conv2_1"][1:] == (10, 10, 16)  # C3
    assert shapes["pool2"][1:] == (5, 5, 16)  # S4
    assert shapes["dense1"][1:] == (120,)  # C5 (a 5x5 conv on a 5x5 map)
    assert shapes["dense2"][1:] == (84,)  # F6
    # C1 156 + C3 2416 (full connection table) + C5 48120 + F6 10164 + output 850
    assert model.count_params() == 156 + 2416 + 48120 + 10164 + 850


def test_modern_preset_fits_8x8_and_32x32x3_inputs():
    for shape in ((8, 8, 1), (32, 32, 3)):
        model = lecun_zoo.get("convnet", input_shape=shape, num_classes=7, compile=False)
        assert model.output_shape == (None, 7)


def test_augmentation_is_active_only_in_training():
    model = lecun_zoo.get("convnet", preset="tiny", augment=True, shift=0.25, rotation=0.1, compile=False)
    x = np.random.default_rng(0).random((4, 8, 8, 1), dtype=np.float32)
    a, b = model(x, training=False), model(x, training=False)
    np.testing.assert_array_equal(a, b)
    c = model(x, training=True)
    assert not np.allclose(a, c)


def test_augmented_model_trains_under_bfloat16_and_reloads(tmp_path):
    with lecun_zoo.runtime(precision="mixed_bfloat16"):
        model = lecun_zoo.get("convnet", preset="tiny", augment=True, dropout=0.2)
    x = np.random.default_rng(0).random((16, 8, 8, 1), dtype=np.float32)
    y = np.arange(16) % 10
    assert np.isfinite(model.fit(x, y, epochs=1, verbose=0).history["loss"][0])
    path = lecun_zoo.save(model, str(tmp_path / "aug.keras"))
    again = lecun_zoo.load(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-2, atol=1e-3)


def test_feature_maps_follow_the_stages_and_plot(tmp_path):
    model = lecun_zoo.get("convnet", preset="lenet5", compile=False)
    image = np.zeros((28, 28, 1), "float32")
    image[10:18, 12:16] = 1.0
    maps = feature_maps(model, image)
    assert list(maps) == ["conv1_1", "pool1", "conv2_1", "pool2"]
    assert maps["conv1_1"].shape == (28, 28, 6) and maps["pool2"].shape == (5, 5, 16)
    png = plot_feature_maps(maps, str(tmp_path / "maps.png"), image=image)
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"image has shape \(8, 8, 1\); the model expects \(28, 28, 1\)"):
        feature_maps(model, np.zeros((8, 8, 1)))


def test_batch_norm_stage_is_conv_bn_activation():
    model = lecun_zoo.get("convnet", preset="tiny", batch_norm=True, compile=False)
    kinds = [type(l).__name__ for l in model.layers][:5]
    assert kinds == ["InputLayer", "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D"]
    assert not model.get_layer("conv1_1").use_bias


def test_learns_digits():
    keras.utils.set_random_seed(0)
    train, test = data.load("digits", batch_size=32)
    model = lecun_zoo.get("convnet", input_shape=(8, 8, 1), augment=False, dropout=0.25)
    model.fit(train, epochs=8, verbose=0)
    acc = model.evaluate(test, verbose=0, return_dict=True)["accuracy"]
    assert acc > 0.93, acc
