"""Family code is backend-portable: the conformance kit passes with KERAS_BACKEND=jax.

The JAX runs go through the kit's driver (``python -m lecun_zoo.testing``) in ONE
subprocess each, since importing a backend dominates the cost. The default test runs
the checks that exercise the backend most (a train step and the pinned outputs) on every
family, and the costlier ones on the ConvNet; the ``slow`` test runs the full matrix. Both run
with TensorFlow hidden from imports, so the kit's data goes through ``ArrayBatches``.
"""

import json
import subprocess
import sys
import time

import pytest

import lecun_zoo
from lecun_zoo.testing import CHECKS, NotApplicable, applicable_checks, run_check
from lecun_zoo.testing.__main__ import main as driver_main

from test_conformance import PINS
from test_without_tensorflow import hidden_env

#: on every family: one train step (jit-compiled train function) and the pinned outputs
EVERY_FAMILY = ("registry", "fit_step", "pinned")
#: on SUBSET only in the default run (each costs a compile or a fresh process per family)
SUBSET_CHECKS = ("output_shapes", "evaluate", "save_load", "mixed_float16", "mixed_bfloat16", "data_parallel")
SUBSET = ("convnet",)


#: The checks compile far more than they run: a cheaper CPU compiler cuts the default
#: test's time by 40% (138 s -> 81 s measured) without changing what is checked.
FAST_COMPILE = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def _run_driver(tmp_path, *args, timeout, xla_flags=""):
    pins = tmp_path / "pins.json"
    pins.write_text(json.dumps(PINS))
    out = tmp_path / "results.json"
    env = hidden_env("jax")  # keras + jax only, as on a JAX GPU or TPU machine: TensorFlow hidden
    env["XLA_FLAGS"] = xla_flags  # the driver adds two host devices for data_parallel
    cmd = [sys.executable, "-m", "lecun_zoo.testing", "--all", "--pins", str(pins), "--json", str(out),
           "--tmp", str(tmp_path / "models"), *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    print(f"driver: {time.perf_counter() - t0:.0f}s\n{proc.stdout[-4000:]}")
    assert proc.returncode == 0, f"driver exited {proc.returncode}:\n{proc.stdout[-8000:]}\n{proc.stderr[-3000:]}"
    report = json.loads(out.read_text())
    assert report["backend"] == "jax"
    assert sorted(report["results"]) == lecun_zoo.list()
    return report


def _assert_cells(report, expected):
    """``expected(family, check) -> status``; every cell must have it."""
    wrong = {(f, c): (cell["status"], cell["message"][:300])
             for f, row in report["results"].items() for c, cell in row.items() if cell["status"] != expected(f, c)}
    assert not wrong, wrong


def test_conformance_on_jax(tmp_path):
    checks = (*EVERY_FAMILY, *SUBSET_CHECKS, "mirrored")
    report = _run_driver(tmp_path, "--checks", ",".join(checks),
                         "--subset", f"{','.join(SUBSET_CHECKS)}:{','.join(SUBSET)}", timeout=600,
                         xla_flags=FAST_COMPILE)
    assert report["checks"] == list(checks)

    def expected(family, check):
        if check == "mirrored":
            return "n.a."  # tf.distribute: reported as not applicable, not passed
        if check in SUBSET_CHECKS and family not in SUBSET:
            return "-"
        return "ok"

    _assert_cells(report, expected)


@pytest.mark.slow
def test_full_conformance_on_jax(tmp_path):
    report = _run_driver(tmp_path, timeout=1800)  # XLA's default optimisation, as users run it
    assert report["checks"] == list(CHECKS)
    _assert_cells(report, lambda f, c: "n.a." if c == "mirrored" else "ok")


# ------------------------------------------------- the kit's backend bookkeeping (in-process)
def test_checks_by_backend():
    assert "mirrored" in applicable_checks("tensorflow") and "data_parallel" not in applicable_checks("tensorflow")
    assert "data_parallel" in applicable_checks("jax") and "mirrored" not in applicable_checks("jax")
    assert set(applicable_checks("tensorflow")) | set(applicable_checks("jax")) == set(CHECKS)


def test_check_of_another_backend_is_not_applicable():
    import keras

    other = "data_parallel" if keras.backend.backend() == "tensorflow" else "mirrored"
    with pytest.raises(NotApplicable, match=f"check '{other}' needs the"):
        run_check("convnet", other)


@pytest.mark.parametrize("argv, message", [
    (["--all", "--checks", "fit_stpe"], "unknown families [] / checks ['fit_stpe']"),
    (["convnetz"], "unknown families ['convnetz']"),
    (["--all", "--subset", "save_load"], "--subset got 'save_load'; expected CHECKS:FAMILIES"),
    ([], "name families to check, or pass --all"),
])
def test_driver_rejects_bad_arguments(argv, message, capsys):
    assert driver_main(argv) == 2
    assert message in capsys.readouterr().err
