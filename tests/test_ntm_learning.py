"""The NTM learns: a short copy task (lengths 1-5, 4 bits, 16 x 8 memory) reaches a low
bit error within a small fixed budget (640 Adam steps of batch 32, XLA-compiled)."""

import keras
import numpy as np

from lecun_zoo import data
from lecun_zoo.families.ntm import FAMILY


def test_ntm_learns_short_copy_within_a_fixed_budget():
    keras.utils.set_random_seed(0)
    config = FAMILY.make_config(
        "tiny", bits=4, min_length=1, max_length=5, memory_size=16, memory_width=8, controller_units=64,
        learning_rate=1e-2, train_examples=2048, test_examples=320, jit_compile=True,
    )
    opts = FAMILY.data_options(config)
    x, y = data.arrays("copy", "train", seed=0, **opts)
    xv, yv = data.arrays("copy", "validation", seed=0, **opts)
    model = FAMILY.build(config)
    FAMILY.compile(model, config)
    hist = model.fit(x, y, batch_size=32, epochs=10, verbose=0, shuffle=True)
    errors = hist.history["bit_errors"]
    chance = 0.5 * config.bits * 3  # half the bits of a mean-length (3) sequence
    assert errors[0] > 0.5 * chance  # it starts near chance ...
    model.jit_compile = False  # one evaluation: not worth an XLA compile
    held_out = model.evaluate(xv, yv, batch_size=64, verbose=0, return_dict=True)
    assert held_out["bit_errors"] < 1.0, (errors, held_out)  # ... and ends below 1 wrong bit per sequence
    assert np.all(np.isfinite(errors))
