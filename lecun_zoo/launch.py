"""``lecun-zoo launch --workers N -- train ...``: N training processes on one host.

Each worker is ``python -m lecun_zoo.cli <command...> --strategy multi_worker`` with
the environment ``keras.distribution.initialize`` reads (coordinator on 127.0.0.1 at a
free port, the number of processes, this process's id) and ``KERAS_BACKEND=jax`` unless
``--backend`` says otherwise. Their output is streamed with a ``[worker i]`` prefix. If a
worker exits with an error, the others are stopped. The launcher returns the chief's
(worker 0's) exit status, or the failed worker's when the chief had to be stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Optional, Sequence

__all__ = ["launch", "free_port", "worker_env", "worker_command"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def worker_env(rank: int, workers: int, coordinator: str, backend: str,
               base: Optional[dict] = None) -> dict:
    """The environment of worker ``rank``: the ``KERAS_DISTRIBUTION_*`` group variables
    and the Keras backend."""
    env = dict(os.environ if base is None else base)
    env.update({
        "KERAS_BACKEND": backend,
        "KERAS_DISTRIBUTION_JOB_ADDRESSES": coordinator,
        "KERAS_DISTRIBUTION_NUM_PROCESSES": str(workers),
        "KERAS_DISTRIBUTION_PROCESS_ID": str(rank),
        "PYTHONUNBUFFERED": "1",
    })
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def worker_command(args: Sequence[str]) -> list[str]:
    """``python -m lecun_zoo.cli ARGS`` with ``--strategy multi_worker`` added to a
    ``train`` command that sets no strategy; any other strategy is an error."""
    args = list(args)
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        raise ValueError("lecun-zoo launch: no command after '--'; expected e.g. "
                         "`lecun-zoo launch --workers 2 -- train convnet`")
    if args[0] != "train":
        raise ValueError(f"lecun-zoo launch: command {args[0]!r}; only 'train' runs on several workers")
    for i, a in enumerate(args):
        value = None
        if a == "--strategy" and i + 1 < len(args):
            value = args[i + 1]
        elif a.startswith("--strategy="):
            value = a.split("=", 1)[1]
        if value is not None and value != "multi_worker":
            raise ValueError(f"lecun-zoo launch: --strategy {value!r}; launched workers train with "
                             f"--strategy multi_worker (leave --strategy out)")
    if not any(a == "--strategy" or a.startswith("--strategy=") for a in args):
        args += ["--strategy", "multi_worker"]
    return [sys.executable, "-m", "lecun_zoo.cli", *args]


def _pump(stream, prefix: str, out) -> None:
    for line in iter(stream.readline, ""):
        out.write(prefix + line)
        out.flush()
    stream.close()


def _stop(procs: list[subprocess.Popen], grace: float) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.time() + grace
    for p in procs:
        try:
            p.wait(timeout=max(0.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def launch(args: Sequence[str], workers: int = 2, *, backend: str = "jax", host: str = "127.0.0.1",
           port: Optional[int] = None, grace: float = 10.0, out=None) -> int:
    """Run ``lecun-zoo ARGS`` in ``workers`` processes on this host; return the exit code.

    Args:
        args: the lecun-zoo command for each worker, e.g. ``["train", "convnet", "--epochs", "2"]``.
        workers: number of processes (>= 1).
        backend: ``KERAS_BACKEND`` of the workers (multi_worker needs ``"jax"``).
        host, port: the coordinator's address (default: 127.0.0.1 and a free port).
        grace: seconds a worker gets to stop after SIGTERM before SIGKILL.
        out: where the prefixed logs go (default ``sys.stdout``).
    """
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"lecun-zoo launch: --workers {workers!r}; expected an integer >= 1")
    cmd = worker_command(args)
    out = sys.stdout if out is None else out
    coordinator = f"{host}:{port or free_port(host)}"
    procs: list[subprocess.Popen] = []
    pumps: list[threading.Thread] = []
    out.write(f"lecun-zoo launch: {workers} worker(s), coordinator {coordinator}, KERAS_BACKEND={backend}\n")

    def _terminated(signum, frame):  # SIGTERM to the launcher stops the workers too
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminated) if threading.current_thread() is threading.main_thread() else None
    try:
        for rank in range(workers):
            p = subprocess.Popen(cmd, env=worker_env(rank, workers, coordinator, backend),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
            procs.append(p)
            t = threading.Thread(target=_pump, args=(p.stdout, f"[worker {rank}] ", out), daemon=True)
            t.start()
            pumps.append(t)
        failed: Optional[tuple[int, int]] = None
        while True:
            codes = [p.poll() for p in procs]
            bad = [(r, c) for r, c in enumerate(codes) if c not in (None, 0)]
            if bad:
                failed = bad[0]
                out.write(f"lecun-zoo launch: worker {failed[0]} exited with {failed[1]}; stopping the others\n")
                _stop(procs, grace)
                break
            if all(c is not None for c in codes):
                break
            time.sleep(0.2)
    except KeyboardInterrupt:
        _stop(procs, grace)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    for t in pumps:
        t.join(timeout=5)
    chief = procs[0].returncode
    if failed is not None and failed[0] != 0:
        return failed[1] if failed[1] > 0 else 1  # the chief was stopped because another worker died
    return chief if chief >= 0 else 128 - chief  # killed by a signal: shell convention
