"""The conformance kit: the checks every family (built-in or plugin) must pass.

Every check takes a family name and works on the family's ``tiny`` preset with the
family's own ``example_batch``. Use it from pytest::

    from lecun_zoo.testing import applicable_checks, run_check

    @pytest.mark.parametrize("check", applicable_checks())
    def test_my_family(check, tmp_path):
        run_check("my_family", check, tmp_path=tmp_path, pins=PINS)

``pins`` is ``{"params": int, "output": [first values of the flattened output]}``
computed under :func:`deterministic_weights`; a failing pin check prints the values
the model produced, so a new family is pinned by copying them.

The ``mirrored`` check needs two logical CPUs, which must be configured before
TensorFlow starts: call :func:`use_logical_cpus` first thing (e.g. in ``conftest.py``).

Backends: every check runs on TensorFlow and JAX except ``mirrored`` (tf.distribute,
TensorFlow only) and ``data_parallel`` (keras.distribution over two devices, JAX only;
on CPUs set ``XLA_FLAGS=--xla_force_host_platform_device_count=2`` before JAX starts).
:func:`applicable_checks` lists the ones for the current backend; ``run_check`` raises
:class:`NotApplicable` for the others. To run them all in one process and get a table:
``KERAS_BACKEND=jax python -m lecun_zoo.testing --all``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import unittest
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np

__all__ = [
    "CHECKS", "run_check", "run_all", "use_logical_cpus", "deterministic_weights",
    "tiny_model", "example_batch", "ConformanceError", "NotApplicable", "CHECK_BACKENDS",
    "applicable_checks",
]


class ConformanceError(AssertionError):
    """A family failed a conformance check; the message says which and why."""


class NotApplicable(unittest.SkipTest):
    """A check that does not apply on the current Keras backend (e.g. ``mirrored``,
    which needs ``tf.distribute``, under ``KERAS_BACKEND=jax``). Not a pass: pytest
    reports it as a skip with this reason; parametrize over :func:`applicable_checks`
    to leave such checks out."""


#: Checks that only some Keras backends can run; every other check runs on all of them.
CHECK_BACKENDS: dict[str, tuple[str, ...]] = {"mirrored": ("tensorflow",), "data_parallel": ("jax",)}

#: Checks that apply only to families declaring a capability (the capability is the claim checked).
CHECK_CAPABILITIES: dict[str, str] = {
    "mixed_float16": "mixed_precision", "mixed_bfloat16": "mixed_precision",
    "mirrored": "distribution", "data_parallel": "distribution", "search_space": "tuning",
}


def applicable_checks(backend: Optional[str] = None, family: Optional[str] = None) -> tuple[str, ...]:
    """The checks that apply on ``backend`` (default: the current Keras backend) and, when
    ``family`` is given, to that family's declared capabilities."""
    if backend is None:
        import keras

        backend = keras.backend.backend()
    caps = _family(family).capabilities if family is not None else None

    def applies(check: str) -> bool:
        need = CHECK_CAPABILITIES.get(check)
        return backend in CHECK_BACKENDS.get(check, (backend,)) and (caps is None or need is None or need in caps)

    return tuple(c for c in CHECKS if applies(c))


def use_logical_cpus(n: int = 2) -> None:
    """Split the first CPU into ``n`` logical devices (before TensorFlow initialises)."""
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * n)
    except RuntimeError:  # already initialised: keep whatever is there
        pass


def _family(name: str):
    from lecun_zoo.registry import REGISTRY

    return REGISTRY.get(name)


def tiny_model(name: str, compile: bool = True, **overrides: Any):
    import lecun_zoo

    return lecun_zoo.get(name, preset="tiny", compile=compile, **overrides)


def example_batch(name: str, batch_size: int = 8, seed: int = 0):
    fam = _family(name)
    if fam.example_batch is None:
        raise ConformanceError(f"family {name!r} has no example_batch(config, batch_size, seed)")
    return fam.example_batch(fam.make_config("tiny"), batch_size, seed)


def _flat(outputs: Any) -> list[np.ndarray]:
    import keras

    return [np.asarray(keras.ops.convert_to_numpy(o)) for o in keras.tree.flatten(outputs)]


def deterministic_weights(model: Any) -> None:
    """Set every trainable weight to ``0.1 * sin(0.37 * k + i)`` (k: element index,
    i: weight index), so pinned outputs do not depend on any random generator."""
    for i, w in enumerate(model.trainable_weights):
        size = int(np.prod(w.shape))
        values = 0.1 * np.sin(0.37 * np.arange(size) + i)
        w.assign(values.reshape(tuple(w.shape)).astype(w.dtype if isinstance(w.dtype, str) else "float32"))


# ---------------------------------------------------------------------- checks
def check_registry(name: str, **_: Any) -> None:
    import lecun_zoo
    from lecun_zoo.family import Family

    if name not in lecun_zoo.list():
        raise ConformanceError(f"{name!r} is not in lecun_zoo.list()")
    fam = _family(name)
    if not isinstance(fam, Family):
        raise ConformanceError(f"{name!r} resolves to {type(fam).__name__}, not a Family")
    if "tiny" not in fam.presets:
        raise ConformanceError(f"family {name!r} has no 'tiny' preset")
    card = lecun_zoo.info(name)
    for field in ("summary", "paper"):
        if not getattr(card, field):
            raise ConformanceError(f"family {name!r} card has an empty {field!r}")
    for ds in fam.datasets:
        from lecun_zoo import data

        if ds not in data.names():
            raise ConformanceError(f"family {name!r} lists dataset {ds!r}, which lecun_zoo.data does not know")


def check_config_round_trip(name: str, **_: Any) -> None:
    fam = _family(name)
    for preset in fam.presets:
        cfg = fam.make_config(preset)
        again = fam.config_cls.from_json(json.dumps(cfg.to_dict()))
        if again != cfg:
            raise ConformanceError(f"{name} preset {preset!r}: config does not survive JSON: {cfg} != {again}")
    model = tiny_model(name, compile=False)
    conf = model.get_config()
    clone = type(model).from_config(json.loads(json.dumps(conf)))
    if clone.get_config() != conf:
        raise ConformanceError(f"{name}: get_config/from_config do not round-trip")
    if clone.count_params() != model.count_params():
        raise ConformanceError(f"{name}: from_config built {clone.count_params()} params, expected {model.count_params()}")


def check_output_shapes(name: str, **_: Any) -> None:
    model = tiny_model(name, compile=False)
    x, _y = example_batch(name, batch_size=5)
    outs = _flat(model(x, training=False))
    declared = model.output_shape if isinstance(model.output_shape, list) else [model.output_shape]
    import keras

    declared = keras.tree.flatten(model.output_shape) if not isinstance(model.output_shape, tuple) else [model.output_shape]
    if len(outs) != len(declared):
        raise ConformanceError(f"{name}: the model gave {len(outs)} outputs; it declares {len(declared)}")
    for out, shape in zip(outs, declared):
        want = tuple(5 if (i == 0 and d is None) else d for i, d in enumerate(shape))
        got = out.shape
        if len(got) != len(want) or any(w is not None and w != g for w, g in zip(want, got)):
            raise ConformanceError(f"{name}: output shape {got}, expected {want}")
        if not np.all(np.isfinite(out)):
            raise ConformanceError(f"{name}: non-finite outputs on the example batch")


def _fit_one_step(model: Any, x: Any, y: Any) -> float:
    n = len(y) if not isinstance(y, dict) else len(next(iter(y.values())))
    hist = model.fit(x, y, batch_size=n, epochs=1, verbose=0, shuffle=False)
    return float(hist.history["loss"][-1])


def check_fit_step(name: str, **_: Any) -> None:
    model = tiny_model(name)
    x, y = example_batch(name)
    before = [np.array(w.numpy()) for w in model.trainable_weights]
    loss = _fit_one_step(model, x, y)
    if not np.isfinite(loss):
        raise ConformanceError(f"{name}: one fit step gave a non-finite loss {loss}")
    unchanged = [w.path for w, b in zip(model.trainable_weights, before) if np.array_equal(b, w.numpy())]
    if unchanged:
        raise ConformanceError(f"{name}: one fit step left these trainable weights unchanged: {unchanged}")


def check_evaluate(name: str, **_: Any) -> None:
    model = tiny_model(name)
    x, y = example_batch(name)
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    declared = set(_family(name).metrics)
    missing = declared - set(result)
    if missing:
        raise ConformanceError(f"{name}: evaluate returned {sorted(result)}; missing declared metrics {sorted(missing)}")
    bad = {k: v for k, v in result.items() if not np.isfinite(v)}
    if bad:
        raise ConformanceError(f"{name}: evaluate returned non-finite metrics {bad}")


_LOAD_SCRIPT = """
import sys, numpy as np, pickle
{setup}
import lecun_zoo, keras
model = lecun_zoo.load(sys.argv[1])
with open(sys.argv[2], "rb") as f:
    x = pickle.load(f)
outs = [np.asarray(keras.ops.convert_to_numpy(o)) for o in keras.tree.flatten(model(x, training=False))]
np.savez(sys.argv[3], *outs)
"""


def check_save_load(name: str, tmp_path: Optional[str] = None, setup_code: str = "", **_: Any) -> None:
    import pickle
    import tempfile

    from lecun_zoo.saving import save

    tmp = str(tmp_path) if tmp_path is not None else tempfile.mkdtemp()
    model = tiny_model(name)
    x, y = example_batch(name)
    _fit_one_step(model, x, y)  # save a trained model, optimizer state included
    expected = _flat(model(x, training=False))
    path = save(model, os.path.join(tmp, f"{name}.keras"))
    xin, out = os.path.join(tmp, "x.pkl"), os.path.join(tmp, "out.npz")
    with open(xin, "wb") as f:
        pickle.dump(x, f)
    script = _LOAD_SCRIPT.format(setup=textwrap.dedent(setup_code))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, "-c", script, path, xin, out], capture_output=True, text=True, env=env, timeout=300)
    if proc.returncode != 0:
        raise ConformanceError(f"{name}: loading {path} in a fresh process failed:\n{proc.stderr[-3000:]}")
    got = np.load(out)
    got = [got[f"arr_{i}"] for i in range(len(got.files))]
    if len(got) != len(expected):
        raise ConformanceError(f"{name}: the reloaded model gave {len(got)} outputs, the saved one {len(expected)}")
    for e, g in zip(expected, got):
        if e.shape != g.shape or not np.allclose(e, g, rtol=1e-5, atol=1e-6):
            raise ConformanceError(f"{name}: outputs after reload differ (max abs diff {np.max(np.abs(e - g)):.3g})")


def _check_precision(name: str, policy: str) -> None:
    import keras

    from lecun_zoo.runtime import runtime

    with runtime(precision=policy):
        model = tiny_model(name)
    compute = {l.dtype_policy.compute_dtype for l in model._flatten_layers() if hasattr(l, "dtype_policy")}
    want = "float16" if policy == "mixed_float16" else "bfloat16"
    if want not in compute:
        raise ConformanceError(f"{name}: no layer computes in {want} under {policy} (compute dtypes {compute})")
    x, y = example_batch(name)
    for out in keras.tree.flatten(model(x, training=False)):
        if keras.backend.standardize_dtype(out.dtype) != "float32":
            raise ConformanceError(f"{name}: under {policy} an output is {out.dtype}; the loss must see float32")
    loss = _fit_one_step(model, x, y)
    if not np.isfinite(loss):
        raise ConformanceError(f"{name}: fit step under {policy} gave a non-finite loss {loss}")


def check_mixed_float16(name: str, **_: Any) -> None:
    _check_precision(name, "mixed_float16")


def check_mixed_bfloat16(name: str, **_: Any) -> None:
    _check_precision(name, "mixed_bfloat16")


def _same_as_one_device(name: str, strategy: str, devices: list) -> None:
    """Under ``runtime(strategy=..., devices=<2 devices>)`` the tiny model gives the
    one-device evaluate loss, fit-step loss and weights after that step."""
    from lecun_zoo.runtime import runtime

    x, y = example_batch(name)
    single = tiny_model(name)
    weights = single.get_weights()
    with runtime(strategy=strategy, devices=devices) as rt:
        if rt.num_replicas != 2:
            raise ConformanceError(f"{name}: {strategy} runtime has {rt.num_replicas} replicas, expected 2")
        replicated = tiny_model(name)
        replicated.set_weights(weights)
        e2 = replicated.evaluate(x, y, verbose=0, return_dict=True, batch_size=len(y))["loss"]
        l2 = _fit_one_step(replicated, x, y)  # keras.distribution shards batches only inside the block
    e1 = single.evaluate(x, y, verbose=0, return_dict=True, batch_size=len(y))["loss"]
    if not np.isclose(e1, e2, rtol=1e-4, atol=1e-5):
        raise ConformanceError(f"{name}: evaluate loss {e2} on 2 replicas ({strategy}) vs {e1} on one device")
    l1 = _fit_one_step(single, x, y)
    if not np.isclose(l1, l2, rtol=1e-4, atol=1e-5):
        raise ConformanceError(f"{name}: fit-step loss {l2} on 2 replicas ({strategy}) vs {l1} on one device")
    for a, b in zip(single.get_weights(), replicated.get_weights()):
        if not np.allclose(a, b, rtol=1e-3, atol=1e-5):
            raise ConformanceError(f"{name}: weights after one step differ between 2 replicas ({strategy}) "
                                   f"and one device")


def check_mirrored(name: str, **_: Any) -> None:
    """``tf.distribute.MirroredStrategy`` over two logical CPUs matches one device."""
    import tensorflow as tf

    cpus = tf.config.list_logical_devices("CPU")
    if len(cpus) < 2:
        raise ConformanceError(
            f"{name}: the mirrored check needs 2 logical CPUs; call lecun_zoo.testing.use_logical_cpus(2) "
            f"before TensorFlow starts (found {len(cpus)})"
        )
    _same_as_one_device(name, "mirrored", [c.name for c in cpus[:2]])


def check_data_parallel(name: str, **_: Any) -> None:
    """``runtime(strategy="data_parallel")`` (keras.distribution.DataParallel) over two
    devices matches one device."""
    import keras

    devices = keras.distribution.list_devices()
    if len(devices) < 2:
        raise ConformanceError(
            f"{name}: the data_parallel check needs 2 devices; on CPUs start the process with "
            f"XLA_FLAGS=--xla_force_host_platform_device_count=2 (found {len(devices)}: {devices})"
        )
    _same_as_one_device(name, "data_parallel", devices[:2])


def check_search_space(name: str, **_: Any) -> None:
    import keras_tuner

    from lecun_zoo.tuning import FamilyHyperModel

    fam = _family(name)
    if fam.search_space is None:
        raise ConformanceError(f"{name}: declares capability 'tuning' but has no search_space")
    hm = FamilyHyperModel(fam, fam.make_config("tiny"))
    hp = keras_tuner.HyperParameters()
    model = hm.build(hp)
    if not hp.space:
        raise ConformanceError(f"{name}: search_space declared no hyperparameters")
    if model.optimizer is None:
        raise ConformanceError(f"{name}: the tuner's model is not compiled")
    for seed in (1, 2):
        for p in hp.space:
            hp.values[p.name] = p.random_sample(seed)
        m = hm.build(hp)
        x, y = example_batch(name)
        m.evaluate(x, y, verbose=0)
    # one real trial, trained the family's way, must finish with a finite objective
    import tempfile

    ds = _example_pipeline(name)
    tuner = keras_tuner.RandomSearch(hm, objective="loss", max_trials=1, seed=0,
                                     directory=tempfile.mkdtemp(prefix="kit-tune-"), project_name=name)
    tuner.search(ds, epochs=1, verbose=0)
    trials = list(tuner.oracle.trials.values())
    if not trials or trials[0].status != "COMPLETED" or not np.isfinite(trials[0].score):
        why = (trials[0].message or "").strip().splitlines()[-1:] if trials else ["no trial ran"]
        raise ConformanceError(f"{name}: a tuning trial did not finish with a finite loss: {why}")


def _example_pipeline(name: str):
    """The example batch as a one-batch pipeline, made as ``train`` makes one from arrays
    (``tf.data``, or ``ArrayBatches`` where TensorFlow is absent)."""
    from lecun_zoo.data.base import num_examples
    from lecun_zoo.user_data import pipeline

    x, y = example_batch(name)
    return pipeline((x, y), num_examples(y), seed=0, shuffle=False, drop_remainder=False)


def check_staged_fit(name: str, **_: Any) -> None:
    """``Family.train`` (the family's staged ``fit``, or ``model.fit``) runs one epoch on the
    example batch, calls the callbacks it is given and returns a ``History``."""
    import keras

    fam = _family(name)
    config = fam.make_config("tiny")
    model = tiny_model(name)
    seen: list[str] = []

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.append("train_begin")

        def on_epoch_end(self, epoch, logs=None):
            seen.append("epoch_end")

    history = fam.train(model, config, _example_pipeline(name), epochs=1, callbacks=[Record()], verbose=0)
    if not isinstance(history, keras.callbacks.History):
        raise ConformanceError(f"{name}: the family's fit returned {type(history).__name__}, expected a History")
    if "train_begin" not in seen or "epoch_end" not in seen:
        raise ConformanceError(f"{name}: the family's fit did not call the callbacks it was given ({seen})")
    if not history.history or not all(np.isfinite(v[-1]) for v in history.history.values() if v):
        raise ConformanceError(f"{name}: the family's fit returned no finite history: {history.history}")


def check_pinned(name: str, pins: Optional[Mapping[str, Mapping[str, Any]]] = None, **_: Any) -> None:
    model = tiny_model(name, compile=False)
    deterministic_weights(model)
    x, _y = example_batch(name, batch_size=4, seed=0)
    out = np.concatenate([o.ravel() for o in _flat(model(x, training=False))])
    got = {"params": int(model.count_params()), "output": [float(f"{v:.6g}") for v in out[:6]]}
    pin = (pins or {}).get(name)
    if pin is None:
        raise ConformanceError(f"{name}: no pins given; this model gives {got}")
    if pin["params"] != got["params"]:
        raise ConformanceError(f"{name}: {got['params']} parameters, pinned {pin['params']} (values now: {got})")
    if not np.allclose(pin["output"], got["output"], rtol=1e-4, atol=1e-6):
        raise ConformanceError(f"{name}: output {got['output']}, pinned {pin['output']}")


CHECK_FUNCTIONS: dict[str, Callable[..., None]] = {
    "registry": check_registry,
    "config_round_trip": check_config_round_trip,
    "output_shapes": check_output_shapes,
    "fit_step": check_fit_step,
    "evaluate": check_evaluate,
    "save_load": check_save_load,
    "mixed_float16": check_mixed_float16,
    "mixed_bfloat16": check_mixed_bfloat16,
    "mirrored": check_mirrored,
    "data_parallel": check_data_parallel,
    "search_space": check_search_space,
    "staged_fit": check_staged_fit,
    "pinned": check_pinned,
}
CHECKS = tuple(CHECK_FUNCTIONS)


def run_check(name: str, check: str, **kwargs: Any) -> None:
    """Run one check on family ``name``; raises :class:`ConformanceError` on failure."""
    import keras

    if check not in CHECK_FUNCTIONS:
        raise ValueError(f"unknown check {check!r}; expected one of {list(CHECKS)}")
    if check not in applicable_checks():
        raise NotApplicable(
            f"check {check!r} needs the {' or '.join(CHECK_BACKENDS[check])} backend; "
            f"KERAS_BACKEND is {keras.backend.backend()!r}"
        )
    if check not in applicable_checks(family=name):
        raise NotApplicable(f"check {check!r} applies to families with capability {CHECK_CAPABILITIES[check]!r}; "
                            f"{name!r} does not declare it")
    keras.utils.set_random_seed(0)
    CHECK_FUNCTIONS[check](name, **kwargs)


def run_all(name: str, checks: Optional[Sequence[str]] = None, **kwargs: Any) -> dict[str, Optional[str]]:
    """Run ``checks`` (default: every check that applies on the current backend, see
    :func:`applicable_checks`); returns ``{check: None if passed else the error message}``."""
    results = {}
    for check in (applicable_checks(family=name) if checks is None else checks):
        try:
            run_check(name, check, **kwargs)
            results[check] = None
        except Exception as e:  # report every failure, not only the first
            results[check] = f"{type(e).__name__}: {e}"
    return results
