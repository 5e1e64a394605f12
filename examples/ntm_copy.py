"""
Title: A neural Turing machine learns to copy
Description: Train an NTM on the copy task, measure bit errors by sequence length, and
draw its read/write weightings and memory as heat maps.

The neural Turing machine (Graves, Wayne & Danihelka 2014) couples a controller network
to an N x M memory that it reads and writes through differentiable attention ("heads").
On the copy task it sees a sequence of random bit vectors, then a delimiter, and must
reproduce the sequence. Collier & Beel (2018) showed which details make it train
reliably: constant memory initialisation, clipped head parameters and outputs, Adam.

Run:

    python examples/ntm_copy.py --steps 1500 --out runs/ntm_copy_example

All data are generated, so ``--data-dir`` is accepted but unused.
"""

import argparse
import os

import numpy as np

import lecun_zoo
from lecun_zoo.families.ntm import tasks
from lecun_zoo.families.ntm.evaluation import bit_errors_by_length
from lecun_zoo.families.ntm.trace import memory_trace, plot_memory_trace

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", default=None, help="unused: the copy task is generated")
parser.add_argument("--steps", type=int, default=1500)
parser.add_argument("--learning-rate", type=float, default=1e-2)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--out", default="runs/ntm_copy_example")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)

"""
## The model

A small NTM: 4-bit vectors, sequences of 1 to 8, a 32 x 8 memory, an LSTM controller of
64 units, one read and one write head. ``lecun_zoo.get("ntm")`` alone would give the
paper's configuration (128 x 20 memory, LSTM-100, 8 bits, lengths 1-20).
"""

SETTINGS = dict(bits=4, min_length=1, max_length=8, test_min_length=8, test_max_length=16,
                memory_size=32, memory_width=8, controller_units=64, learning_rate=args.learning_rate,
                train_examples=args.steps * args.batch_size)

"""
## The data and training

``lecun_zoo.train`` reads ``lecun_zoo.data.load("copy")``, a ``tf.data`` pipeline of
``(inputs, targets)``: inputs ``[batch, time, bits + 2]`` (two delimiter channels),
targets ``[batch, time, bits]`` with ``-1`` wherever nothing is scored (the input phase).
The family's ``data_options`` makes the generator match the model; one epoch is
``train_examples`` sequences, ``--steps`` batches.

The loss is binary cross-entropy on the scored bits; the metric is the paper's cost,
bit errors per sequence.
"""

result = lecun_zoo.train("ntm", data="copy", epochs=1, batch_size=args.batch_size, verbose=2, **SETTINGS)
model, config = result.model, result.config
model.summary()
print("bit errors per sequence at the end of training:", result.history.history["bit_errors"][-1])
family = lecun_zoo.get_family("ntm")

"""
## Generalisation to longer sequences

Trained on lengths 1-8, tested up to twice that.
"""

model.jit_compile = False  # one graph per length; an XLA compile each is not worth it here
errors = bit_errors_by_length(model, [1, 4, 8, 12, 16], batch_size=32, seed=1)
for length, e in errors.items():
    print(f"length {length:3d}: {e:.2f} wrong bits per sequence (of {length * config.bits})")

"""
## What the heads do

``memory_trace`` reruns the NTM cell with its internals exposed; ``plot_memory_trace``
draws them as heat maps (the analogues of Figs. 6 and 8 of Graves et al.): a copy
network writes the input to consecutive locations, then reads them back in the same
order.
"""

x, y = tasks.make_batch("copy", 1, 8, seed=2, **family.data_options(config))
trace = memory_trace(model, x)
paths = plot_memory_trace(trace, args.out, prefix="ntm_copy")
for name, path in paths.items():
    print(f"{name:14s} -> {path}")
print("write weighting peak location per step:", np.argmax(trace["write_weights"][0, :, 0], axis=-1).tolist())
print("read weighting peak location per step: ", np.argmax(trace["read_weights"][0, :, 0], axis=-1).tolist())
