import sys
import keras
import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.runtime import RuntimeConfigError, runtime


def test_unknown_precision_and_strategy_are_named():
    with pytest.raises(RuntimeConfigError, match=r"precision got 'float8'; expected one of"):
        with runtime(precision="float8"):
            pass
    with pytest.raises(RuntimeConfigError, match=r"strategy got 'mirored'; expected one of"):
        with runtime(strategy="mirored"):
            pass


def test_tpu_without_a_tpu_is_a_clear_error(monkeypatch):
    import tensorflow as tf

    def no_tpu(*args, **kwargs):  # what the resolver says on a machine without one
        raise ValueError("Please provide a TPU Name to connect to.")

    monkeypatch.setattr(tf.distribute.cluster_resolver, "TPUClusterResolver", no_tpu)
    with pytest.raises(RuntimeConfigError, match=r"strategy='tpu' but no TPU was found .*Please provide a TPU Name"):
        with runtime(strategy="tpu"):
            pass


def _expected_auto():
    """What ``auto`` must pick on this machine, from the devices TensorFlow sees."""
    import tensorflow as tf

    from lecun_zoo.runtime import _accelerator_capabilities, cpu_has_bf16

    tpus, gpus = tf.config.list_logical_devices("TPU"), tf.config.list_physical_devices("GPU")
    strategy = "tpu" if tpus else "mirrored" if len(gpus) > 1 else "default"
    kind, caps = _accelerator_capabilities()
    if tpus:
        precision = "mixed_bfloat16"
    elif kind == "gpu":
        precision = "mixed_float16" if all(c is not None and c >= (7, 0) for c in caps) else "float32"
    else:
        precision = "mixed_bfloat16" if cpu_has_bf16() else "float32"
    return precision, strategy


def test_auto_explains_its_choice_and_policy_is_restored():
    before = keras.mixed_precision.global_policy().name
    precision, strategy = _expected_auto()
    with runtime(precision="auto", strategy="auto") as rt:
        assert (rt.precision, rt.strategy_name) == (precision, strategy), rt.reasons
        assert keras.mixed_precision.global_policy().name == rt.precision
        assert any("precision auto ->" in r for r in rt.reasons)
        assert any("strategy auto ->" in r for r in rt.reasons)
    assert keras.mixed_precision.global_policy().name == before


def test_mixed_float16_compiles_with_loss_scaling_and_float32_outputs():
    with runtime(precision="mixed_float16"):
        model = lecun_zoo.get("convnet", preset="tiny")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert model.get_layer("conv1_1").compute_dtype == "float16"
    assert model.get_layer("conv1_1").kernel.dtype == "float32"  # float32 master weights
    out = model(np.zeros((2, 8, 8, 1), "float32"))
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


def test_seed_makes_runs_repeatable():
    def run():
        with runtime(seed=123):
            model = lecun_zoo.get("convnet", preset="tiny")
        x = np.random.default_rng(0).random((16, 8, 8, 1), dtype=np.float32)
        y = np.arange(16) % 10
        return model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False).history["loss"]

    assert run() == run()


def test_mirrored_over_two_logical_cpus_reports_two_replicas():
    with runtime(strategy="mirrored", devices=["/cpu:0", "/cpu:1"]) as rt:
        model = lecun_zoo.get("convnet", preset="tiny")
    assert rt.num_replicas == 2
    assert "2 replica" in rt.describe()
    x = np.zeros((4, 8, 8, 1), "float32")
    assert model.predict(x, verbose=0).shape == (4, 10)


def test_lecun_zoo_runtime_stays_the_function_after_the_module_is_imported():
    import importlib

    importlib.import_module("lecun_zoo.runtime")
    assert callable(lecun_zoo.runtime) and lecun_zoo.runtime.__name__ == "runtime"


@pytest.mark.parametrize("kind, caps, cpu_bf16, expected", [
    ("gpu", [(8, 0), (8, 0)], False, "mixed_float16"),
    ("gpu", [(7, 0)], True, "mixed_float16"),
    ("gpu", [(6, 1)], True, "float32"),
    ("gpu", [None], False, "float32"),  # capability unknown: stay safe
    ("tpu", [], False, "mixed_bfloat16"),
    ("cpu", [], True, "mixed_bfloat16"),
    ("cpu", [], False, "float32"),
])
def test_auto_precision_by_device(monkeypatch, kind, caps, cpu_bf16, expected):
    rt_mod = sys.modules["lecun_zoo.runtime"]  # lecun_zoo.runtime the attribute is the function

    monkeypatch.setattr(rt_mod, "_accelerator_capabilities", lambda: (kind, caps))
    monkeypatch.setattr(rt_mod, "cpu_has_bf16", lambda: cpu_bf16)
    reasons = []
    assert rt_mod._pick_precision("auto", "default", reasons) == expected
    assert reasons and reasons[-1].startswith(f"precision auto -> {expected}")
