"""The examples run top to bottom (offline variants, few epochs)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(name, *args, cwd):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name), *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_convnet_example_on_offline_digits(tmp_path):
    out = run_example("convnet_mnist.py", "--preset", "tiny", "--epochs", "1", "--out", str(tmp_path), cwd=tmp_path)
    assert "test accuracy" in out
    for f in ("learning_curve.png", "feature_maps.png", "convnet.keras"):
        assert os.path.exists(tmp_path / f), f
