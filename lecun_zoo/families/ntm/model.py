"""The NTM model (and its LSTM baseline): ``[batch, time, bits + 2]`` sequences in,
``[batch, time, output_size]`` float32 logits out, one per output bit and step."""

from __future__ import annotations

import keras

from lecun_zoo.families.ntm.cell import NTMCell
from lecun_zoo.families.ntm.config import NTMConfig
from lecun_zoo.families.ntm.loop import NTMRNN, scored_extent
from lecun_zoo.families.ntm.loss import MaskedBinaryCrossentropy  # noqa: F401  (registers it for .keras loading)
from lecun_zoo.families.ntm.metrics import BitErrors  # noqa: F401  (registers it for .keras loading)
from lecun_zoo.model import ZooModel, serializable


def make_cell(c: NTMConfig, emit_trace: bool = False) -> NTMCell:
    """The NTM cell a config describes."""
    return NTMCell(
        output_size=c.output_size, controller=c.controller, controller_units=c.controller_units,
        controller_layers=c.controller_layers, memory_size=c.memory_size, memory_width=c.memory_width,
        read_heads=c.read_heads, write_heads=c.write_heads, shift_range=c.shift_range,
        memory_init=c.memory_init, weighting_init=c.weighting_init, gate_bias=c.gate_bias,
        clip_value=c.clip_value, emit_trace=emit_trace, name="ntm_cell",
    )


@serializable
class NTM(ZooModel):
    """A neural Turing machine (Graves, Wayne & Danihelka 2014; Collier & Beel 2018) over
    a whole sequence, or the LSTM baseline when ``model_type="lstm"``.

    Args:
        config: an :class:`NTMConfig` or a dict of its fields.

    Example:
        >>> model = NTM({"bits": 4, "memory_size": 8, "memory_width": 6, "controller_units": 16})
        >>> model.output_shape
        (None, None, 4)
    """

    config_cls = NTMConfig

    @classmethod
    def default_name(cls, config: NTMConfig) -> str:
        return "ntm" if config.model_type == "ntm" else "lstm_baseline"

    @classmethod
    def build_graph(cls, c: NTMConfig):
        inputs = keras.Input(shape=(None, c.input_size), name="sequence")  # [batch, time, bits + 2]
        if c.model_type == "ntm":
            # float32 RNN: memory and addressing stay float32; the controller inside follows the policy
            x = NTMRNN(make_cell(c), return_sequences=True, dtype="float32", name="ntm")(inputs)  # [batch, time, out]
        else:
            x = inputs
            for i in range(c.controller_layers):
                x = keras.layers.LSTM(c.controller_units, return_sequences=True, name=f"lstm_{i}")(x)
            x = keras.layers.Dense(c.output_size, name="output")(x)  # [batch, time, out]
        # float32 logits, so the loss is float32 under mixed precision
        outputs = keras.layers.Activation("linear", dtype="float32", name="logits")(x)
        return inputs, outputs

    def __call__(self, inputs, *args, **kwargs):
        width = getattr(inputs, "shape", (None,))[-1] if hasattr(inputs, "shape") else None
        c = getattr(self, "zoo_config", None)
        if c is not None and width is not None and int(width) != c.input_size:
            raise ValueError(
                f"ntm model has bits={c.bits} (input width bits + 2 = {c.input_size}) but got inputs of width "
                f"{int(width)}, i.e. data with bits={int(width) - 2}; build the model with bits={int(width) - 2} "
                f"or generate the task with bits={c.bits}"
            )
        return super().__call__(inputs, *args, **kwargs)

    # ---------------------------------------------------------- no work on padding
    def _stop_early(self, args, step):
        """Run ``step(*args)`` with the NTM's loop stopping after the batch's last scored
        step (:mod:`lecun_zoo.families.ntm.loop`): exact, and 2L + 1 instead of all padded
        steps when the batch has one length L. Models saved before it (plain RNN layer) and
        other backends (whose steps take ``(state, data)``) run every step."""
        layer = self.get_layer("ntm") if self.zoo_config.model_type == "ntm" else None
        if not isinstance(layer, NTMRNN) or keras.backend.backend() != "tensorflow" or len(args) != 1:
            return step(*args)
        _, y, _ = keras.utils.unpack_x_y_sample_weight(args[0])
        if y is None:
            return step(*args)
        layer.active_steps = scored_extent(y)
        try:
            return step(*args)
        finally:
            layer.active_steps = None

    def train_step(self, *args):
        return self._stop_early(args, super().train_step)

    def test_step(self, *args):
        return self._stop_early(args, super().test_step)

    @property
    def cell(self) -> NTMCell:
        """The NTM cell (raises for the LSTM baseline)."""
        if self.zoo_config.model_type != "ntm":
            raise ValueError("this ntm model has model_type='lstm' (the baseline): it has no NTM cell or memory")
        return self.get_layer("ntm").cell
