"""The NPLM and tied-embedding RNN tiny presets pass the conformance kit too (the
``tiny`` LSTM preset runs in tests/test_conformance.py). Each variant is registered as
a family whose ``tiny`` preset is the variant.

By default the reload is checked in process, and ``save_load`` (a fresh process) and
``mirrored`` run for the variants in the slow test at the end, one subprocess per variant:
a second MirroredStrategy in one process clashes on TensorFlow collective instance keys
("Shape mismatch in the collective instance 100"; see the word_lm report)."""

import dataclasses

import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.families.word_lm import FAMILY
from lecun_zoo.testing import run_check

VARIANTS = {
    "word_lm_nplm": "tiny_nplm",
    "word_lm_rnn": "tiny_rnn",
}
PINS = {
    "word_lm_nplm": {"params": 492, "output": [0.0476242, 0.0469594, 0.0467543, 0.0470307, 0.0477591, 0.0488587]},
    "word_lm_rnn": {"params": 316, "output": [0.0520032, 0.055539, 0.053425, 0.0541123, 0.0522389, 0.0503479]},
}
CHECKS = ("registry", "config_round_trip", "output_shapes", "fit_step", "evaluate", "mixed_float16",
          "mixed_bfloat16", "search_space", "pinned")


@pytest.fixture(scope="module", autouse=True)
def variants():
    for name, preset in VARIANTS.items():
        fam = dataclasses.replace(FAMILY, name=name, aliases=(), presets={**FAMILY.presets, "tiny": FAMILY.presets[preset]})
        lecun_zoo.register(fam, override=True)
    yield
    for name in VARIANTS:
        lecun_zoo.unregister(name)


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_conformance(name, check, tmp_path):
    run_check(name, check, tmp_path=tmp_path, pins=PINS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_save_load_in_process(name, tmp_path):
    from lecun_zoo.testing.conformance import example_batch, tiny_model

    model = tiny_model(name)
    x, y = example_batch(name)
    model.fit(x, y, epochs=1, verbose=0)
    path = lecun_zoo.save(model, str(tmp_path / "m.keras"))
    again = lecun_zoo.load(path)
    np.testing.assert_allclose(again(x).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)


_SUBPROCESS = """
import dataclasses, sys
from lecun_zoo.testing import use_logical_cpus
use_logical_cpus(2)
import lecun_zoo
from lecun_zoo.families.word_lm import FAMILY
from lecun_zoo.testing import run_check
name, preset, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
lecun_zoo.register(dataclasses.replace(FAMILY, name=name, aliases=(),
                                       presets={**FAMILY.presets, "tiny": FAMILY.presets[preset]}))
for check in ("save_load", "mirrored"):
    run_check(name, check, tmp_path=tmp)
print("ok")
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_save_load_fresh_process_and_mirrored(name, tmp_path):
    """One process per variant: a second MirroredStrategy in a process clashes (see above)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, "-c", _SUBPROCESS, name, VARIANTS[name], str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr[-3000:]
