"""The NTM controller: the network that reads the input and the previous read
vectors and emits what the heads and the output layer see (Graves et al. 2014, Sec. 3.4).

Either a stack of LSTM cells (the recurrent controller of Collier & Beel and of most
of Graves' experiments) or a stack of dense layers (the feed-forward controller, whose
only memory is the NTM's).
"""

from __future__ import annotations

import keras
from keras import ops

from lecun_zoo.model import serializable


@serializable
class Controller(keras.layers.Layer):
    """A recurrent or feed-forward controller that speaks a cell-like protocol.

    Args:
        kind: ``"lstm"`` (default) or ``"feedforward"``.
        units: units per layer (default 100).
        layers: number of stacked layers (default 1).

    ``call(x, states) -> (h, new_states)`` with ``x [batch, input]``, ``h [batch, units]``
    in float32 and ``states`` a list of ``[batch, units]`` float32 tensors (h and c per
    LSTM layer; none for the feed-forward controller).

    Example:
        >>> c = Controller("lstm", units=4)
        >>> c.state_size
        [4, 4]
    """

    def __init__(self, kind: str = "lstm", units: int = 100, layers: int = 1, **kwargs):
        super().__init__(**kwargs)
        if kind not in ("lstm", "feedforward"):
            raise ValueError(f"Controller kind got {kind!r}; expected 'lstm' or 'feedforward'")
        if int(units) < 1 or int(layers) < 1:
            raise ValueError(f"Controller units={units!r}, layers={layers!r}; expected both >= 1")
        self.kind, self.units, self.num_layers = kind, int(units), int(layers)
        if kind == "lstm":
            self.cells = [keras.layers.LSTMCell(self.units, dtype=self.dtype_policy, name=f"lstm_{i}")
                          for i in range(self.num_layers)]
        else:
            self.cells = [keras.layers.Dense(self.units, activation="relu", dtype=self.dtype_policy, name=f"dense_{i}")
                          for i in range(self.num_layers)]

    @property
    def state_size(self) -> list[int]:
        return [self.units, self.units] * self.num_layers if self.kind == "lstm" else []

    def build(self, input_shape):
        size = input_shape[-1]
        for cell in self.cells:
            cell.build((None, size))
            size = self.units
        self.built = True

    def call(self, x, states):
        new_states = []
        h = x
        for i, cell in enumerate(self.cells):
            if self.kind == "lstm":
                h, (h_i, c_i) = cell(h, [states[2 * i], states[2 * i + 1]])
                new_states += [ops.cast(h_i, "float32"), ops.cast(c_i, "float32")]
            else:
                h = cell(h)
        return ops.cast(h, "float32"), new_states

    def get_config(self):
        return {**super().get_config(), "kind": self.kind, "units": self.units, "layers": self.num_layers}
