"""Multi-process training (strategy="multi_worker", JAX backend) and `lecun-zoo launch`."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from lecun_zoo import launch as launch_mod
from lecun_zoo.distributed import MultiWorkerError, worker_group
from lecun_zoo.launch import launch, worker_command, worker_env
from lecun_zoo.runtime import RuntimeConfigError, runtime


def test_worker_command_adds_multi_worker_and_refuses_other_strategies():
    cmd = worker_command(["--", "train", "convnet", "--epochs", "1"])
    assert cmd[:3] == [sys.executable, "-m", "lecun_zoo.cli"]
    assert cmd[3:] == ["train", "convnet", "--epochs", "1", "--strategy", "multi_worker"]
    with pytest.raises(ValueError, match=r"--strategy 'mirrored'; launched workers train with"):
        worker_command(["train", "convnet", "--strategy", "mirrored"])
    with pytest.raises(ValueError, match=r"only 'train' runs on several workers"):
        worker_command(["evaluate", "m.keras"])
    with pytest.raises(ValueError, match=r"no command after '--'"):
        worker_command(["--"])


def test_worker_env_and_group_from_environment():
    env = worker_env(1, 3, "127.0.0.1:1234", "jax", base={})
    assert env["KERAS_DISTRIBUTION_PROCESS_ID"] == "1" and env["KERAS_BACKEND"] == "jax"
    g = worker_group(env)
    assert (g.coordinator, g.num_processes, g.process_id, g.is_chief) == ("127.0.0.1:1234", 3, 1, False)
    g = worker_group({"MASTER_ADDR": "10.0.0.1", "MASTER_PORT": "99", "WORLD_SIZE": "2", "RANK": "0"})
    assert (g.coordinator, g.num_processes, g.is_chief) == ("10.0.0.1:99", 2, True)
    with pytest.raises(MultiWorkerError, match=r"process_id=5 .*expected 0..1"):
        worker_group({"KERAS_DISTRIBUTION_JOB_ADDRESSES": "h:1", "KERAS_DISTRIBUTION_NUM_PROCESSES": "2",
                      "KERAS_DISTRIBUTION_PROCESS_ID": "5"})
    with pytest.raises(MultiWorkerError, match=r"KERAS_DISTRIBUTION_NUM_PROCESSES='two': expected an integer"):
        worker_group({"KERAS_DISTRIBUTION_JOB_ADDRESSES": "h:1", "KERAS_DISTRIBUTION_NUM_PROCESSES": "two",
                      "KERAS_DISTRIBUTION_PROCESS_ID": "0"})


def test_multi_worker_on_tensorflow_names_the_jax_path():
    with pytest.raises(RuntimeConfigError, match=r"runs on the JAX backend.*KERAS_BACKEND=jax.*lecun-zoo launch"):
        with runtime(strategy="multi_worker"):
            pass
    with pytest.raises(RuntimeConfigError, match=r"'data_parallel' is keras.distribution.*use strategy='mirrored'"):
        with runtime(strategy="data_parallel"):
            pass


def test_launcher_stops_every_worker_when_one_dies(monkeypatch, capsys):
    # worker 1 fails at once; worker 0 would run for a minute if nobody stopped it
    script = ("import os, sys, time; r = int(os.environ['KERAS_DISTRIBUTION_PROCESS_ID']); "
              "print('up', r, flush=True); sys.exit(3) if r == 1 else time.sleep(60)")
    monkeypatch.setattr(launch_mod, "worker_command", lambda args: [sys.executable, "-c", script])
    t0 = time.time()
    code = launch(["train", "x"], workers=2, grace=5)
    assert code == 3
    assert time.time() - t0 < 30
    out = capsys.readouterr().out
    assert "[worker 1] up 1" in out and "[worker 0] up 0" in out
    assert "worker 1 exited with 3; stopping the others" in out


def _cli(args, **env):
    e = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "JAX_PLATFORMS": "cpu", **env}
    return subprocess.run([sys.executable, "-m", "lecun_zoo.cli", *args], env=e, capture_output=True,
                          text=True, timeout=400)


def _weights(path):

    from lecun_zoo.saving import load

    return [np.asarray(w) for w in load(path).get_weights()]


@pytest.mark.slow  # three processes importing JAX and Keras: `python3 -m pytest -m slow tests/test_multi_worker.py`
def test_two_workers_on_loopback_match_one_process(tmp_path):
    train = ["train", "convnet", "--preset", "tiny", "--epochs", "1", "--batch-size", "64", "--seed", "0",
             "--verbose", "0"]
    two = _cli(["launch", "--workers", "2", "--", *train, "--out", str(tmp_path / "two")],
               LECUN_ZOO_KEEP_WORKER_DIRS="1")
    assert two.returncode == 0, two.stdout[-3000:] + two.stderr[-3000:]
    assert "[worker 1]" in two.stdout and "process 1 of 2" in two.stdout
    one = _cli(["launch", "--workers", "1", "--", *train, "--out", str(tmp_path / "one")])
    assert one.returncode == 0, one.stdout[-3000:] + one.stderr[-3000:]

    chief, worker, single = (str(tmp_path / p) for p in ("two/model.keras", "two/.worker-1/model.keras",
                                                          "one/model.keras"))
    # only the chief's files stay in the output folder (the worker's copy is kept for this test)
    assert sorted(os.listdir(tmp_path / "two"))[:1] == [".worker-1"]
    w_chief, w_worker, w_single = (_weights(p) for p in (chief, worker, single))
    for a, b in zip(w_chief, w_worker):
        np.testing.assert_array_equal(a, b)  # both workers end with identical weights
    for a, b in zip(w_chief, w_single):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)  # same global batch, one process
    loss = [json.load(open(tmp_path / p / "history.json"))["history"]["loss"][-1] for p in ("two", "one")]
    assert loss[0] == pytest.approx(loss[1], rel=1e-4)
