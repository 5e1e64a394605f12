"""Multi-process training: who am I, how many are we, and joining the group.

``strategy="multi_worker"`` trains one model across processes with Keras' own
distribution API on the JAX backend (``keras.distribution.initialize`` +
``DataParallel``): the engine Keras 3 runs on for multi-host GPU and TPU. Keras 3's
``fit`` does not run under TensorFlow's ``MultiWorkerMirroredStrategy``
(keras-team/keras#20585), so on the TensorFlow backend ``multi_worker`` raises an error
that names the JAX path instead of failing deep inside ``fit``.

Where the group comes from, first match wins:

1. ``KERAS_DISTRIBUTION_JOB_ADDRESSES`` / ``KERAS_DISTRIBUTION_NUM_PROCESSES`` /
   ``KERAS_DISTRIBUTION_PROCESS_ID`` (what ``lecun-zoo launch`` sets; Keras reads them);
2. ``MASTER_ADDR`` / ``MASTER_PORT`` / ``WORLD_SIZE`` / ``RANK`` (torchrun-style launchers);
3. a cluster JAX detects by itself (SLURM, Open MPI, Cloud TPU): ``jax.distributed``
   reads its environment.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Optional

from lecun_zoo.errors import RuntimeConfigError

__all__ = ["WorkerGroup", "worker_group", "join", "MultiWorkerError"]

_JOINED: Optional["WorkerGroup"] = None


class MultiWorkerError(RuntimeConfigError):
    """Multi-process training cannot start (backend, environment, or the group)."""


@dataclasses.dataclass(frozen=True)
class WorkerGroup:
    """``coordinator`` (host:port of process 0, or None when JAX finds the cluster),
    ``num_processes``, ``process_id`` and where the values came from."""

    coordinator: Optional[str]
    num_processes: Optional[int]
    process_id: Optional[int]
    source: str

    @property
    def is_chief(self) -> bool:
        return not self.process_id


def _int_env(env: dict, name: str) -> int:
    value = env[name]
    try:
        return int(value)
    except ValueError:
        raise MultiWorkerError(f"environment variable {name}={value!r}: expected an integer") from None


def worker_group(env: Optional[dict] = None) -> WorkerGroup:
    """The group this process belongs to, read from the environment (see module doc)."""
    env = os.environ if env is None else env
    if "KERAS_DISTRIBUTION_NUM_PROCESSES" in env or "KERAS_DISTRIBUTION_JOB_ADDRESSES" in env:
        missing = [k for k in ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "KERAS_DISTRIBUTION_NUM_PROCESSES",
                               "KERAS_DISTRIBUTION_PROCESS_ID") if k not in env]
        if missing:
            raise MultiWorkerError(f"multi_worker: environment sets some KERAS_DISTRIBUTION_* variables "
                                   f"but not {missing}")
        group = WorkerGroup(env["KERAS_DISTRIBUTION_JOB_ADDRESSES"].split(",")[0],
                            _int_env(env, "KERAS_DISTRIBUTION_NUM_PROCESSES"),
                            _int_env(env, "KERAS_DISTRIBUTION_PROCESS_ID"), "KERAS_DISTRIBUTION_*")
    elif "WORLD_SIZE" in env and "RANK" in env and "MASTER_ADDR" in env:
        port = env.get("MASTER_PORT", "29500")
        group = WorkerGroup(f"{env['MASTER_ADDR']}:{port}", _int_env(env, "WORLD_SIZE"),
                            _int_env(env, "RANK"), "MASTER_ADDR/WORLD_SIZE/RANK")
    else:
        return WorkerGroup(None, None, None, "cluster auto-detection by jax.distributed")
    if group.num_processes < 1:
        raise MultiWorkerError(f"multi_worker: num_processes={group.num_processes} ({group.source}); "
                               f"expected >= 1")
    if not 0 <= group.process_id < group.num_processes:
        raise MultiWorkerError(f"multi_worker: process_id={group.process_id} ({group.source}); expected "
                               f"0..{group.num_processes - 1}")
    return group


def join() -> WorkerGroup:
    """Join the multi-process group (once per process; later calls return the same group).

    Call it before any JAX computation. On CPUs the collectives run over gloo.
    """
    global _JOINED
    if _JOINED is not None:
        return _JOINED
    import keras

    backend = keras.backend.backend()
    if backend != "jax":
        raise MultiWorkerError(
            f"strategy='multi_worker' runs on the JAX backend (keras.distribution); KERAS_BACKEND is "
            f"{backend!r}. Keras 3's fit does not work under TensorFlow's MultiWorkerMirroredStrategy "
            f"(keras-team/keras#20585). Set KERAS_BACKEND=jax, or start the workers with "
            f"`lecun-zoo launch --workers N -- train ...`, which does."
        )
    import jax

    group = worker_group()
    try:
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
    except Exception:  # an older or newer JAX without this option: its default is used
        pass
    try:
        keras.distribution.initialize(group.coordinator, group.num_processes, group.process_id)
    except Exception as e:
        raise MultiWorkerError(
            f"multi_worker: could not join the group (coordinator={group.coordinator}, "
            f"num_processes={group.num_processes}, process_id={group.process_id}, from {group.source}): "
            f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        ) from None
    _JOINED = WorkerGroup(group.coordinator, jax.process_count(), jax.process_index(), group.source)
    return _JOINED
