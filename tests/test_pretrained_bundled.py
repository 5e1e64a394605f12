"""The trained weights that ship with lecun_zoo: each loads in a fresh process and gives a
pinned output on a fixed input; they are in a built wheel and load from its install."""

import glob
import json
import os
import shutil
import subprocess
import sys

import pytest

import lecun_zoo
from lecun_zoo.pretrained import entries, where

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# id -> (code that builds the fixed input ``x`` from numpy ``np`` (or the output ``y`` from the
# loaded ``model``), indices into the flattened
# output, their values): recorded from the bundled files on 2026-12-02. Freshly initialised
# weights give other numbers.
PINNED = {
    "convnet/lenet5.mnist": (
        "x = np.zeros((1, 28, 28, 1), 'float32'); x[0, 4:24, 13:16, 0] = 1.0",  # a vertical stroke: a one
        [0, 1, 4, 7], [1.1e-06, 0.9999681, 7.5e-06, 2.22e-05],
    ),
    "convnet/modern.mnist": (
        "x = np.zeros((1, 28, 28, 1), 'float32'); x[0, 4:24, 13:16, 0] = 1.0",
        [1, 4, 7], [0.9999284, 6.87e-05, 2.4e-06],
    ),
    "seq2seq/addition.digits3": (  # greedy decoding of three questions: the sums
        "from lecun_zoo.families.seq2seq import translate; "
        "y = [int(s) for s in translate(model, ['12+34', '999+1', '5+5'], beam_width=1)]",
        [0, 1, 2], [46, 1000, 10],
    ),
    "memnet/babi_joint.babi1k": (  # the family's example batch (seeded), answer distributions
        "import lecun_zoo; x, _ = lecun_zoo.get_family('memnet').example_batch(model.zoo_config, 2, 0)",
        [23, 176 + 129], [0.9998564, 0.0730604],  # seed 10, bundled 2026-12-03
    ),
    "word_lm/small.ptb": (  # next-word probabilities after "the company said it": will, is, has, <eos>
        "v = model.zoo_config.vocab; x = np.array([[v.index(w) for w in 'the company said it'.split()]] * 20, 'int32')",
        [30033, 30013, 30030, 30002], [0.087364, 0.166186, 0.097718, 0.000241],
    ),
    "word_lm/nplm.ptb": (  # the same next-word probabilities from the NPLM's 4-word window
        "v = model.zoo_config.vocab; x = np.array([[v.index(w) for w in 'the company said it'.split()]], 'int32')",
        [33, 13, 30, 2], [0.127732, 0.072378, 0.045999, 0.003692],
    ),
    "autoencoder/hinton2006.mnist": (  # a vertical stroke, reconstructed: on the stroke, beside it, its top, far off
        "x = np.zeros((1, 28, 28, 1), 'float32'); x[0, 4:24, 13:16, 0] = 1.0",
        [406, 402, 154, 580], [0.998386, 2e-06, 0.997657, 2e-06],
    ),
    "autoencoder/hinton2006_classifier.mnist": (  # a vertical stroke with a bar on top: a one, a little seven
        "x = np.zeros((1, 28, 28, 1), 'float32'); x[0, 4:24, 13:16, 0] = 1.0; x[0, 4:7, 8:20, 0] = 1.0",
        [1, 7], [0.9882492, 0.0051590],
    ),
    "ntm/copy.copy": (  # wrong bits per sequence at lengths 5, 20 and 40 (none), then copied bits of an example
        "from lecun_zoo.families.ntm.evaluation import bit_errors_by_length; import lecun_zoo; "
        "x, _ = lecun_zoo.get_family('ntm').example_batch(model.zoo_config, 1, 0); "
        "y = list(bit_errors_by_length(model, [5, 20, 40], batch_size=8).values()) "
        "+ (1 / (1 + np.exp(-model.predict(x, verbose=0)[0, -4:-2, :2].ravel()))).tolist()",
        [0, 1, 2, 3, 4, 5, 6], [0.0, 0.0, 0.0, 1.23e-05, 0.9998428, 7.24e-05, 0.9995475],
    ),
    "autoencoder/code2d.digits": (
        "x = np.linspace(0, 1, 64, dtype='float32').reshape(1, 8, 8, 1)",  # a ramp, reconstructed
        [1, 2, 3, 4, 5], [0.000387, 0.060877, 0.674075, 0.503616, 0.033849],
    ),
}

PROBE = """
import json, sys, numpy as np, lecun_zoo
out = {}
for wid, (code, index) in json.loads(sys.argv[1]).items():
    scope = {"np": np, "model": lecun_zoo.get(wid.split("/")[0], weights=wid)}
    exec(code, scope)  # sets x (fed to predict) or y (the output itself)
    y = scope["y"] if "y" in scope else scope["model"].predict(scope["x"], verbose=0)
    out[wid] = {"values": np.asarray(y).ravel()[index].tolist(), "file": lecun_zoo.__file__}
print(json.dumps(out))
"""


def _probe(python, cwd, env=None, only=None):
    pins = {k: v[:2] for k, v in PINNED.items() if only is None or k in only}
    proc = subprocess.run([python, "-c", PROBE, json.dumps(pins)], cwd=cwd,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _check(found):
    assert found
    for wid, (_code, _index, values) in PINNED.items():
        if wid in found:
            assert found[wid]["values"] == pytest.approx(values, abs=2e-5), wid


def test_every_bundled_entry_is_pinned_and_present():
    bundled = [e.id for e in entries() if e.files]
    assert sorted(bundled) == sorted(PINNED)
    assert all(where(e) == "bundled" for e in entries() if e.files)
    for e in entries():
        if e.files:
            assert os.path.getsize(os.path.join(e.bundled, "model.weights.h5")) < 10_000_000, e.id
    assert set(lecun_zoo.list(pretrained=True)) >= set(PINNED)


def test_bundled_weights_load_in_a_fresh_process(tmp_path):
    _check(_probe(sys.executable, str(tmp_path), env={"LECUN_ZOO_HOME": str(tmp_path / "empty-cache")}))


def test_bundled_weights_are_in_the_wheel(tmp_path):
    src = tmp_path / "src"  # a copy: a build/ folder left in the checkout must not leak stale files in
    shutil.copytree(os.path.join(ROOT, "lecun_zoo"), src / "lecun_zoo",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), src / name)
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                            "--no-index", "-q", "-w", str(wheels)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = glob.glob(str(wheels / "*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=600)
    python = str(venv / "bin" / "python")
    install = subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    # every bundled set is in the wheel; one is loaded from it (the fresh-process test loads all)
    listed = subprocess.run([python, "-c", "import lecun_zoo.pretrained as p; print(sorted(e.id for e in p.entries() "
                             "if p.where(e) == 'bundled'))"], cwd=str(tmp_path), capture_output=True, text=True,
                            timeout=600, env={**os.environ, "LECUN_ZOO_HOME": str(tmp_path / "empty-cache")})
    assert listed.stdout.strip() == str(sorted(PINNED)), listed.stderr[-2000:]
    found = _probe(python, str(tmp_path), env={"LECUN_ZOO_HOME": str(tmp_path / "empty-cache")},
                   only={"convnet/lenet5.mnist"})
    assert all(v["file"].startswith(str(venv)) for v in found.values())  # the wheel's copy, not the checkout
    _check(found)
