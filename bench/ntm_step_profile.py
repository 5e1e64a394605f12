"""Where the NTM's batch-32 copy training step spends its time: ``train_on_batch`` of the
``copy`` preset (XLA) on batches of one length L = 20, 5, 1 padded to 41 steps (the loop runs
2L + 1 of them), and the XLA forward pass alone over 41 steps; medians of 3 interleaved rounds.
A straight line through the three train times splits the step into a cost per time step and a
fixed cost per call.

    TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 python bench/ntm_step_profile.py
"""
import os, time, sys
import numpy as np, keras, tensorflow as tf
from lecun_zoo.families.ntm import FAMILY, tasks
c = FAMILY.make_config("copy")
keras.utils.set_random_seed(0); m = FAMILY.build(c); FAMILY.compile(m, c)
fwd = tf.function(lambda x: m(x, training=False), jit_compile=True)
res = {}
def timeit(name, f, n):
    f(); t = time.perf_counter()
    for _ in range(n): f()
    res.setdefault(name, []).append((time.perf_counter() - t) / n * 1000)
data = {}
for L in (20, 5, 1):
    x, y = tasks.make_batch("copy", 32, L, 0, **FAMILY.data_options(c))
    X = np.zeros((32, 41, 10), "float32"); Y = -np.ones((32, 41, 8), "float32"); X[:, :2*L+1] = x; Y[:, :2*L+1] = y
    data[L] = (X, Y, x)
for r in range(3):
    for L, (X, Y, x) in data.items():
        timeit(f"train L={L} (padded 41, loop {2*L+1})", lambda: m.train_on_batch(X, Y), 10)
    timeit("forward only, 41 steps", lambda: fwd(data[20][0]).numpy(), 10)
for k, v in res.items():
    print(f"{k:36s} {np.median(v):7.1f} ms  {v}")
print("load", os.getloadavg())
