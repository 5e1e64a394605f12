"""Precision policies and distribution strategies: the one place that sets them.

    with lecun_zoo.runtime(precision="mixed_bfloat16", strategy="mirrored") as rt:
        model = lecun_zoo.get("convnet")     # variables mirrored, compute in bfloat16
    model.fit(train)                          # trains under what it was built with
    print(rt.describe())                      # what was picked and why

Models built and compiled inside the block keep their dtype policy and strategy, so
``fit`` may be called inside or after it. Under ``mixed_float16`` Keras wraps the
optimizer in a ``LossScaleOptimizer`` at compile time. Family models emit float32
outputs, so losses are computed in float32 under every policy.
"""

from __future__ import annotations

import contextlib
import dataclasses
import numbers
import os
from typing import Any, Optional, Union

from lecun_zoo.errors import RuntimeConfigError

__all__ = ["runtime", "Runtime", "RuntimeConfigError", "PRECISIONS", "STRATEGIES", "cpu_has_bf16"]

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16", "auto")
STRATEGIES = ("default", "mirrored", "tpu", "auto", "data_parallel", "multi_worker")


def cpu_has_bf16() -> bool:
    """True when the CPU advertises AVX-512 BF16 or AMX-BF16 (Linux /proc/cpuinfo)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool({"avx512_bf16", "amx_bf16"} & flags)
    except OSError:
        pass
    return False


def _gpus() -> list[Any]:
    import tensorflow as tf

    return tf.config.list_physical_devices("GPU")


def _accelerator_capabilities() -> tuple[str, list[Optional[tuple[int, int]]]]:
    """``("gpu", [compute capability of each GPU])``, ``("tpu", [...])`` or ``("cpu", [])``,
    asked of the active backend (TensorFlow's or JAX's device list)."""
    import keras

    if keras.backend.backend() == "jax":
        import jax

        devices = jax.devices()
        kind = devices[0].platform if devices else "cpu"
        if kind == "gpu":
            caps = []
            for d in devices:
                try:
                    caps.append(tuple(int(v) for v in str(d.compute_capability).split(".")[:2]))
                except Exception:
                    caps.append(None)
            return "gpu", caps
        return kind, []
    if keras.backend.backend() == "tensorflow":
        gpus = _gpus()
        if gpus:
            return "gpu", [_gpu_capability(g) for g in gpus]
    return "cpu", []


def _gpu_capability(gpu: Any) -> Optional[tuple[int, int]]:
    import tensorflow as tf

    try:
        return tuple(tf.config.experimental.get_device_details(gpu).get("compute_capability"))
    except Exception:
        return None


def _find_tpu() -> Any:
    """A connected TPUClusterResolver, or raise RuntimeConfigError saying why not."""
    import tensorflow as tf

    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return resolver
    except Exception as e:  # ValueError "Please provide a TPU Name", NotFoundError, ...
        raise RuntimeConfigError(
            f"strategy='tpu' but no TPU was found on this machine "
            f"(TPUClusterResolver said: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
            f"use strategy='auto' to fall back to the devices present"
        ) from None


@dataclasses.dataclass
class Runtime:
    """What a ``runtime(...)`` block picked: ``precision``, ``strategy`` (a
    ``tf.distribute.Strategy``), ``strategy_name``, ``seed``, and ``reasons``."""

    precision: str
    strategy_name: str
    strategy: Any
    seed: Optional[int]
    reasons: list[str]

    process_id: int = 0
    num_processes: int = 1

    @property
    def num_replicas(self) -> int:
        if hasattr(self.strategy, "num_replicas_in_sync"):  # tf.distribute
            return int(self.strategy.num_replicas_in_sync)
        mesh = getattr(self.strategy, "device_mesh", None)  # keras.distribution
        return int(mesh.devices.size) if mesh is not None else 1

    @property
    def is_chief(self) -> bool:
        """Process 0 of a multi-process run (always True in one process): the one that
        writes models and logs."""
        return self.process_id == 0

    def describe(self) -> str:
        procs = f", process {self.process_id} of {self.num_processes}" if self.num_processes > 1 else ""
        return (
            f"precision={self.precision}, strategy={self.strategy_name} "
            f"({self.num_replicas} replica(s){procs}); " + "; ".join(self.reasons)
        )


def _pick_precision(precision: str, strategy_name: str, reasons: list[str]) -> str:
    if precision not in PRECISIONS:
        raise RuntimeConfigError(
            f"runtime precision got {precision!r}; expected one of {list(PRECISIONS)}"
        )
    if precision != "auto":
        reasons.append(f"precision {precision} as asked")
        return precision
    if strategy_name == "tpu":
        reasons.append("precision auto -> mixed_bfloat16: TPUs compute in bfloat16")
        return "mixed_bfloat16"
    kind, caps = _accelerator_capabilities()
    if kind == "tpu":
        reasons.append("precision auto -> mixed_bfloat16: TPUs compute in bfloat16")
        return "mixed_bfloat16"
    if kind == "gpu":
        if all(c is not None and c >= (7, 0) for c in caps):
            reasons.append(f"precision auto -> mixed_float16: GPUs with compute capability {caps}")
            return "mixed_float16"
        reasons.append(f"precision auto -> float32: GPU compute capability {caps} < 7.0")
        return "float32"
    if cpu_has_bf16():
        reasons.append("precision auto -> mixed_bfloat16: CPU has AVX-512 BF16/AMX")
        return "mixed_bfloat16"
    reasons.append("precision auto -> float32: no bf16/fp16 hardware found")
    return "float32"


def _make_strategy(strategy: Any, devices: Optional[list[str]], reasons: list[str]) -> tuple[str, Any]:
    import keras

    if not isinstance(strategy, str):  # a ready tf.distribute.Strategy
        reasons.append(f"strategy {type(strategy).__name__} as given")
        return type(strategy).__name__, strategy
    if strategy not in STRATEGIES:
        raise RuntimeConfigError(
            f"runtime strategy got {strategy!r}; expected one of {list(STRATEGIES)}"
        )
    backend = keras.backend.backend()
    if strategy == "multi_worker":
        from lecun_zoo.distributed import join

        group = join()  # raises, naming the JAX path, on other backends
        reasons.append(f"strategy multi_worker: process {group.process_id} of {group.num_processes} "
                       f"(group from {group.source}), data parallel over every process's devices")
        return "multi_worker", _data_parallel(None)
    if backend != "tensorflow":
        if strategy in ("mirrored", "tpu"):
            raise RuntimeConfigError(
                f"strategy {strategy!r} needs the TensorFlow backend (tf.distribute); KERAS_BACKEND is "
                f"{backend!r}; on {backend!r} use strategy='data_parallel' (keras.distribution)"
            )
        if strategy == "data_parallel":
            dist = _data_parallel(devices)
            reasons.append(f"strategy data_parallel over {dist.device_mesh.devices.size} device(s) "
                           f"(keras.distribution.DataParallel)")
            return "data_parallel", dist
        if strategy == "auto" and backend == "jax":
            import jax

            if len(jax.devices()) > 1:
                dist = _data_parallel(None)
                reasons.append(f"strategy auto -> data_parallel over {len(jax.devices())} "
                               f"{jax.devices()[0].platform} devices")
                return "data_parallel", dist
        reasons.append(f"strategy default on the {backend} backend")
        return "default", None
    if strategy == "data_parallel":
        raise RuntimeConfigError(
            "strategy 'data_parallel' is keras.distribution, which needs KERAS_BACKEND=jax; on the "
            "TensorFlow backend use strategy='mirrored' (tf.distribute.MirroredStrategy)"
        )
    import tensorflow as tf

    if strategy == "auto":
        try:
            resolver = _find_tpu()
            reasons.append("strategy auto -> tpu: a TPU was found")
            return "tpu", tf.distribute.TPUStrategy(resolver)
        except RuntimeConfigError:
            pass
        gpus = _gpus()
        if len(gpus) > 1:
            reasons.append(f"strategy auto -> mirrored over {len(gpus)} GPUs")
            return "mirrored", tf.distribute.MirroredStrategy()
        reasons.append(f"strategy auto -> default: {len(gpus)} GPU(s), no TPU")
        return "default", tf.distribute.get_strategy()
    if strategy == "tpu":
        resolver = _find_tpu()
        reasons.append("strategy tpu")
        return "tpu", tf.distribute.TPUStrategy(resolver)
    if strategy == "mirrored":
        _check_devices(devices, [d.name for d in tf.config.list_logical_devices()])
        reasons.append(f"strategy mirrored over {devices or 'all visible devices'}")
        on_cpus = (all("cpu" in d.lower() for d in devices) if devices else not _gpus())
        # CPU replicas reduce through one device: TF's collective all-reduce on CPUs
        # fails when a second MirroredStrategy in the same process reduces other shapes
        # ("Shape mismatch in the collective instance"). GPUs keep TF's default (NCCL).
        ops = tf.distribute.ReductionToOneDevice() if on_cpus else None
        return "mirrored", tf.distribute.MirroredStrategy(devices=devices, cross_device_ops=ops)
    reasons.append("strategy default")
    return "default", tf.distribute.get_strategy()


def _device_key(name: str) -> tuple[str, int]:
    """``("GPU", 7)`` from ``/gpu:7``, ``GPU:7``, ``/job:localhost/replica:0/task:0/device:GPU:7``."""
    parts = str(name).strip().rstrip("/").split(":")
    if len(parts) < 2 or not parts[-1].isdigit():
        raise RuntimeConfigError(f"runtime devices got {name!r}; expected a device name like '/cpu:0' or '/gpu:1'")
    return parts[-2].split("/")[-1].upper(), int(parts[-1])


def _check_devices(devices: Optional[list[str]], present: list[str]) -> None:
    """Refuse device names this process does not have (a strategy would otherwise run on
    whatever is there)."""
    if devices is None:
        return
    if isinstance(devices, str) or not devices:
        raise RuntimeConfigError(f"runtime devices got {devices!r}; expected a non-empty list of device names")
    have = {_device_key(d) for d in present}
    for d in devices:
        if _device_key(d) not in have:
            raise RuntimeConfigError(
                f"runtime devices got {d!r}, which this machine does not have (devices: {', '.join(present)})"
            )


def _data_parallel(devices: Optional[list[str]]) -> Any:
    """``keras.distribution.DataParallel`` over ``devices`` (default: every device of
    every process)."""
    import keras

    if devices:
        _check_devices(devices, keras.distribution.list_devices())
        return keras.distribution.DataParallel(devices=list(devices))
    return keras.distribution.DataParallel(devices=keras.distribution.list_devices())


@contextlib.contextmanager
def runtime(
    precision: str = "float32",
    strategy: Union[str, Any] = "default",
    *,
    seed: Optional[int] = None,
    devices: Optional[list[str]] = None,
):
    """Run a block under a dtype policy and a distribution strategy.

    Args:
        precision: ``"float32"``, ``"mixed_float16"`` (automatic loss scaling),
            ``"mixed_bfloat16"`` or ``"auto"`` (by device; see ``Runtime.reasons``).
        strategy: ``"default"``, ``"mirrored"``, ``"tpu"``, ``"auto"`` (TPU if a resolver
            finds one, mirrored over several GPUs, else default), ``"data_parallel"``
            (``keras.distribution.DataParallel`` over this process's devices; JAX backend),
            ``"multi_worker"`` (data parallel across processes, JAX backend; see
            :mod:`lecun_zoo.distributed` and ``lecun-zoo launch``), or a
            ``tf.distribute.Strategy``. On the JAX backend keep ``fit`` inside the block:
            ``keras.distribution`` shards each batch only while it is active.
        seed: seeds Python, NumPy and the backend (``keras.utils.set_random_seed``).
        devices: device names for ``"mirrored"`` (e.g. ``["/cpu:0", "/cpu:1"]``) or
            ``"data_parallel"`` (e.g. ``["cpu:0", "cpu:1"]``).

    Yields:
        a :class:`Runtime` describing what was picked.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise RuntimeConfigError(f"runtime seed got {seed!r} ({type(seed).__name__}); expected an int >= 0 or None")
    import keras

    reasons: list[str] = []
    strategy_name, strat = _make_strategy(strategy, devices, reasons)
    chosen = _pick_precision(precision, strategy_name, reasons)
    previous = keras.mixed_precision.global_policy()
    if seed is not None:
        keras.utils.set_random_seed(int(seed))
    keras.mixed_precision.set_global_policy(chosen)
    rt = Runtime(chosen, strategy_name, strat, seed, reasons)
    if strategy_name == "multi_worker":
        from lecun_zoo.distributed import join

        group = join()
        rt.process_id, rt.num_processes = group.process_id, group.num_processes
    try:
        if strat is not None:
            with strat.scope():
                yield rt
        else:
            yield rt
    finally:
        keras.mixed_precision.set_global_policy(previous)
