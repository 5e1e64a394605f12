"""Neural Turing machine configuration and presets (no Keras import).

The config holds both the model (controller, memory, heads) and the algorithmic task it
is trained on (task, bit width, length ranges), so a saved model knows which data fit it
and ``data_options`` can generate exactly that data.
"""

from __future__ import annotations

import dataclasses

from lecun_zoo.config import Config, ConfigError, field, spec
from lecun_zoo.optimizers import CLIPS

TASKS = ("copy", "repeat_copy", "associative_recall", "priority_sort")
MEMORY_INITS = ("constant", "trained_constant", "learned", "random")

#: extra input channels next to the data bits: two delimiter / scalar channels.
DELIMITER_CHANNELS = 2


@dataclasses.dataclass(frozen=True)
class NTMConfig(Config):
    """A neural Turing machine (Graves, Wayne & Danihelka 2014) made trainable as in
    Collier & Beel (2018), or an LSTM baseline (``model_type="lstm"``), for one of the
    algorithmic tasks.

    Input: ``[batch, time, bits + 2]`` (data bits and two delimiter channels);
    output: ``[batch, time, output_size]`` float32 logits per bit, where ``output_size``
    is ``bits`` (``bits + 1`` for repeat copy: the end marker).
    """

    family = "ntm"

    # -- the task
    task: str = field(default="copy", metadata=spec(choices=TASKS, help="algorithmic task the input/output layout follows"))
    bits: int = field(default=8, metadata=spec(range=(1, 256), help="bit width of each data vector"))
    min_length: int = field(default=1, metadata=spec(range=(1, None), help="shortest training sequence (items for associative_recall)"))
    max_length: int = field(default=20, metadata=spec(range=(1, None), help="longest training sequence"))
    test_min_length: int = field(default=10, metadata=spec(range=(1, None), help="shortest test sequence (generalisation)"))
    test_max_length: int = field(default=120, metadata=spec(range=(1, None), help="longest test sequence"))
    min_repeats: int = field(default=1, metadata=spec(range=(1, None), help="repeat_copy: fewest repeats"))
    max_repeats: int = field(default=10, metadata=spec(range=(1, None), help="repeat_copy: most repeats (also the normaliser of the repeat channel)"))
    item_length: int = field(default=3, metadata=spec(range=(1, None), help="associative_recall: vectors per item"))
    sort_keep: float = field(default=0.8, metadata=spec(range=(0.0, 1.0), help="priority_sort: fraction of inputs in the sorted output (16 of 20 in the paper)"))
    train_examples: int = field(default=3200, metadata=spec(range=(1, None), help="generated sequences per training epoch"))
    test_examples: int = field(default=320, metadata=spec(range=(1, None), help="generated sequences in validation and test"))
    length_sampling: str = field(default="sequence", metadata=spec(
        choices=("sequence", "batch"), help="training lengths drawn per sequence (a batch runs as long as its longest), "
                                           "or one per batch as pytorch-ntm (a batch runs 2L + 1 copy steps, no padding)"))
    length_block: int = field(default=32, metadata=spec(range=(1, None), help="length_sampling='batch': sequences per "
                                                                               "drawn length; set it to the batch size"))
    # -- the model
    model_type: str = field(default="ntm", metadata=spec(choices=("ntm", "lstm"), help="'lstm' is the baseline: a stack of LSTMs, no memory"))
    controller: str = field(default="lstm", metadata=spec(choices=("lstm", "feedforward"), help="NTM controller kind"))
    controller_units: int = field(default=100, metadata=spec(range=(1, None), help="units per controller (or baseline LSTM) layer"))
    controller_layers: int = field(default=1, metadata=spec(range=(1, 8), help="controller (or baseline LSTM) layers"))
    memory_size: int = field(default=128, metadata=spec(range=(1, None), help="N: memory locations"))
    memory_width: int = field(default=20, metadata=spec(range=(1, None), help="M: width of each location"))
    read_heads: int = field(default=1, metadata=spec(range=(1, 64), help="read heads"))
    write_heads: int = field(default=1, metadata=spec(range=(1, 64), help="write heads"))
    shift_range: int = field(default=1, metadata=spec(range=(0, None), help="shifts -s..s allowed by the convolutional shift; 2s+1 <= memory_size"))
    memory_init: str = field(default="trained_constant", metadata=spec(choices=MEMORY_INITS, help="constant 1e-6 (fixed); trained_constant: starts at 1e-6 and is trained "
                                                                                 "(Collier & Beel's constant init, a TF1 variable); learned "
                                                                                 "(glorot through tanh); or random (fixed)"))
    weighting_init: str = field(default="learned", metadata=spec(choices=("learned", "first"), help="the heads' initial weightings: "
                                                                 "softmax of a small learned bias (near uniform, Collier & Beel) or of "
                                                                 "a learned bias started focused on location 0"))
    gate_bias: float = field(default=0.0, metadata=spec(range=(-20.0, 20.0), help="initial bias of the heads' "
                                                        "interpolation gates before the sigmoid: 0 starts g at 0.5; negative "
                                                        "starts the heads on location addressing (shift the previous weighting)"))
    clip_value: float = field(default=20.0, metadata=spec(range=(0.0, None), help="clip head parameters and outputs to [-c, c] (0: no clipping)"))
    # -- training
    loss_per: str = field(default="sequence", metadata=spec(choices=("sequence", "bit"), help="the loss of a sequence: its scored bits' "
                                                                    "cross-entropy summed (nats per sequence, as Collier & Beel) or averaged "
                                                                    "(nats per bit, which weighs a length-1 sequence's bits 20x a length-20 one's)"))
    optimizer: str = field(default="adam", metadata=spec(choices=("adam", "rmsprop", "sgd")))
    learning_rate: float = field(default=1e-3, metadata=spec(range=(0.0, 10.0)))
    momentum: float = field(default=0.9, metadata=spec(range=(0.0, 1.0), open_upper=True, help="rmsprop / sgd momentum"))
    epsilon: float = field(default=1e-8, metadata=spec(range=(1e-12, 1.0), help="adam / rmsprop epsilon: 1e-8 as "
                                                       "TF1's Adam that Collier & Beel trained with (Keras' default 1e-7 "
                                                       "damps the tiny gradients of the initial weightings)"))
    clipnorm: float = field(default=50.0, metadata=spec(range=(0.0, None), help="gradient norm clip (0: none), by the clip norm"))
    clip: str = field(default="global", metadata=spec(choices=CLIPS, help="the norm clipnorm clips: 'global' (all gradients as one vector) or 'per_variable' (each weight's gradient); global as Collier & Beel"))
    jit_compile: bool = field(default=True, metadata=spec(help="XLA-compile the train step: 2-9x faster NTM steps on CPU "
                                                              "(one compile per sequence length seen); the JAX backend always compiles"))

    def validate(self) -> None:
        if self.learning_rate <= 0:
            raise ConfigError(f"ntm config field 'learning_rate' got {self.learning_rate!r}; expected a value > 0")
        if 2 * self.shift_range + 1 > self.memory_size:
            raise ConfigError(
                f"ntm config field 'shift_range' got {self.shift_range}: shifts -{self.shift_range}..{self.shift_range} "
                f"({2 * self.shift_range + 1} of them) are wider than the memory (memory_size={self.memory_size}); "
                f"expected 2 * shift_range + 1 <= memory_size"
            )
        for lo, hi in (("min_length", "max_length"), ("test_min_length", "test_max_length"), ("min_repeats", "max_repeats")):
            if getattr(self, lo) > getattr(self, hi):
                raise ConfigError(
                    f"ntm config fields {lo!r}={getattr(self, lo)} and {hi!r}={getattr(self, hi)}: expected {lo} <= {hi}"
                )
        if self.task == "associative_recall" and self.min_length < 2:
            raise ConfigError(
                f"ntm config field 'min_length' got {self.min_length} for task 'associative_recall'; expected >= 2 items "
                f"(the query is any item but the last)"
            )

    @property
    def input_size(self) -> int:
        return self.bits + DELIMITER_CHANNELS

    @property
    def output_size(self) -> int:
        return output_size(self.task, self.bits)


def output_size(task: str, bits: int) -> int:
    """Output bits per step: the data bits, plus the end marker for repeat copy."""
    return bits + 1 if task == "repeat_copy" else bits


# Graves et al. 2014, Tables 1-3 (recalled) and Collier & Beel 2018 (their copy setup:
# 128 x 20 memory, LSTM-100 controller, one read and one write head, shift range 1,
# constant memory init, a trained variable starting at 1e-6, Adam 1e-3 (epsilon 1e-8),
# global gradient norm clip 50 on the loss summed per sequence, outputs clipped at 20).
_PAPER = dict(memory_size=128, memory_width=20, controller="lstm", controller_units=100, controller_layers=1,
              read_heads=1, write_heads=1, shift_range=1, memory_init="trained_constant")

# Training lengths: every preset draws one per sequence (length_sampling="sequence"). One length
# per batch as pytorch-ntm (length_sampling="batch") runs 1.9x less work per copy step on lengths
# 1-20, but converged more slowly per step on three seeds (docs/results/ntm.md, "One length per
# batch"), so it stays an option: lecun_zoo.train("ntm", "copy", length_sampling="batch").
# The copy preset starts its heads on location 0 (weighting_init="first") and on location addressing
# (gate_bias=-3: g = 0.05), and keeps the memory's start fixed at 1e-6 (memory_init="constant";
# trained, Adam moves its tiny-gradient entries to about +-0.1 and content addressing then matches
# rows that were never written). With the copy recipe, 10 of 10 seeds converged and 9 of 10 copy
# length 60 (Collier & Beel's setup alone converged on 7 of 10; docs/results/ntm.md, "Copy: where
# the failing runs go wrong, and the preset that fixes most of it").
PRESETS = {
    "copy": dict(_PAPER, task="copy", bits=8, min_length=1, max_length=20, test_min_length=10, test_max_length=120,
                 weighting_init="first", gate_bias=-3.0, memory_init="constant"),
    "repeat_copy": dict(_PAPER, task="repeat_copy", bits=8, min_length=1, max_length=10, min_repeats=1, max_repeats=10,
                        test_min_length=10, test_max_length=20),
    "associative_recall": dict(_PAPER, task="associative_recall", bits=6, item_length=3, min_length=2, max_length=6,
                               test_min_length=6, test_max_length=12),
    # Graves Table 2: LSTM controller 2 x 100, 5 heads (read as 5 read + 5 write); 20 inputs, 16 outputs.
    "priority_sort": dict(_PAPER, task="priority_sort", bits=8, controller_layers=2, read_heads=5, write_heads=5,
                          min_length=20, max_length=20, test_min_length=20, test_max_length=20, sort_keep=0.8),
    # Graves Table 3: the LSTM baseline, 3 layers of 256 units, on the copy task.
    "lstm_baseline": dict(task="copy", bits=8, min_length=1, max_length=20, test_min_length=10, test_max_length=120,
                          model_type="lstm", controller_units=256, controller_layers=3),
    # Small and deterministic in training: tests and CI.
    "tiny": dict(task="copy", bits=4, min_length=1, max_length=3, test_min_length=4, test_max_length=6,
                 memory_size=8, memory_width=6, controller="lstm", controller_units=16, controller_layers=1,
                 read_heads=1, write_heads=1, shift_range=1, memory_init="constant",
                 train_examples=64, test_examples=16, jit_compile=False),
}
