"""Running two frameworks side by side: a driver sends the same work, in turns, to worker
processes (the project's Python with TensorFlow, another Python with torch), each with the same
number of compute threads, so that both run under the same load. Used by
``ntm_vs_pytorch_ntm.py`` and ``word_lm_throughput.py``.

A worker is the bench script itself started with its own worker flags: it reads one JSON
command a line on stdin and answers each with :func:`reply`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def reply(obj) -> None:
    """A worker's answer: one JSON line marked ``@@`` (other output of the worker is ignored)."""
    sys.__stdout__.write("@@" + json.dumps(obj) + "\n")
    sys.__stdout__.flush()


def commands():
    """A worker's commands, one JSON object a line of stdin."""
    for line in sys.stdin:
        line = line.strip()
        if line:
            yield json.loads(line)


class Worker:
    """``python script *args`` as a worker with ``threads`` compute threads (TensorFlow's
    intra-op pool, OpenMP; inter-op 1); its stderr goes to ``$TMPDIR/<log>.log``."""

    def __init__(self, python: str, script: str, args: list, threads: int, log: str):
        env = dict(os.environ, TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS="1",
                   OMP_NUM_THREADS=str(threads), TF_CPP_MIN_LOG_LEVEL="2", PYTHONDONTWRITEBYTECODE="1")
        self.p = subprocess.Popen([python, os.path.abspath(script), *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, env=env, text=True, cwd=os.path.dirname(os.path.abspath(script)),
                                  stderr=open(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"{log}.log"), "w"))
        self.hello = self.read()

    def read(self):
        for line in self.p.stdout:
            if line.startswith("@@"):
                return json.loads(line[2:])
        raise RuntimeError(f"worker {self.p.args} ended (exit {self.p.wait()})")

    def ask(self, **cmd):
        self.p.stdin.write(json.dumps(cmd) + "\n")
        self.p.stdin.flush()
        return self.read()

    def close(self):
        try:
            self.p.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.p.stdin.close()
            self.p.wait(timeout=30)
        except Exception:
            self.p.kill()


def machine() -> str:
    """``lscpu``'s model name, the CPU count and the SIMD flags (BF16 and AMX included)."""
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("Model name")), "?")
    flags = next((l.split(":", 1)[1].split() for l in out.splitlines() if l.startswith("Flags")), [])
    simd = [f for f in flags if f in ("sse4_2", "avx", "avx2", "fma") or f.startswith(("avx512", "amx"))]
    return f"{model}, {os.cpu_count()} CPUs, SIMD flags: {' '.join(simd) or '?'}"


def peak_gflops(threads: int | None = None, flops_per_cycle: int | None = None) -> float:
    """float32 peak of ``threads`` cores (default all): cores x clock x FLOPs per cycle (2 FMA
    pipes x 2 x 16 float32 lanes with AVX-512, x 8 lanes with AVX2 only)."""
    if flops_per_cycle is None:
        flags = open("/proc/cpuinfo").read()
        flops_per_cycle = 64 if " avx512f" in flags else 32
    mhz = [float(l.split(":")[1]) for l in open("/proc/cpuinfo") if l.startswith("cpu MHz")]
    return (threads or os.cpu_count() or 1) * (max(mhz) if mhz else 2000.0) / 1000 * flops_per_cycle
