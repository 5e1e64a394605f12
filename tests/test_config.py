import json

import pytest

import lecun_zoo
from lecun_zoo.config import ConfigError
from lecun_zoo.families.convnet.config import PRESETS, ConvNetConfig


def test_unknown_key_names_it_and_suggests():
    with pytest.raises(ConfigError, match=r"no field 'dropuot'.*did you mean 'dropout'"):
        ConvNetConfig.from_dict({"dropuot": 0.2})


def test_wrong_type_names_field_value_and_type():
    with pytest.raises(ConfigError, match=r"field 'kernel_size' got 'three' \(str\); expected an int"):
        ConvNetConfig(kernel_size="three")


def test_out_of_range_names_allowed_interval():
    with pytest.raises(ConfigError, match=r"field 'dropout' got 1.5; expected a value in \[0.0, 1.0\)"):
        ConvNetConfig(dropout=1.5)


def test_choices_suggest_close_match():
    with pytest.raises(ConfigError, match=r"field 'pooling' got 'mx'; expected one of \['max', 'avg', 'none'\]"):
        ConvNetConfig(pooling="mx")


def test_tuple_items_are_checked():
    with pytest.raises(ConfigError, match=r"field 'filters'\[1\] got 'a'"):
        ConvNetConfig(filters=(8, "a"))
    with pytest.raises(ConfigError, match=r"field 'filters' got \(\); expected at least 1"):
        ConvNetConfig(filters=())


def test_bool_is_not_an_int():
    with pytest.raises(ConfigError, match="expected an int"):
        ConvNetConfig(num_classes=True)


def test_json_round_trip_of_every_preset():
    for name, values in PRESETS.items():
        cfg = ConvNetConfig.from_dict(values)
        assert ConvNetConfig.from_json(json.dumps(cfg.to_dict())) == cfg


def test_cross_field_validation_names_the_stage():
    with pytest.raises(ConfigError, match=r"too small for stage 2"):
        lecun_zoo.get("convnet", preset="lenet5", input_shape=(8, 8, 1), input_padding=0)


def test_get_applies_overrides_and_unknown_preset_fails():
    model = lecun_zoo.get("convnet", preset="lenet5", dropout=0.3, compile=False)
    assert model.zoo_config.dropout == 0.3
    assert model.zoo_config.filters == (6, 16)
    assert getattr(model, "optimizer", None) is None
    with pytest.raises(ConfigError, match=r"no preset 'lenet'; did you mean 'lenet5'"):
        lecun_zoo.get("convnet", preset="lenet")


def test_describe_lists_defaults_and_allowed_values():
    rows = {r["name"]: r for r in ConvNetConfig.describe()}
    assert rows["dropout"]["default"] == 0.5
    assert rows["dropout"]["allowed"] == "[0.0, 1.0)"
    assert rows["pooling"]["allowed"] == "one of 'max', 'avg', 'none'"
