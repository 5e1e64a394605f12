"""The NTM cell: one time step of a neural Turing machine, as a Keras RNN cell.

    controller input = [x_t, r_{t-1}]          -> controller -> h_t
    head parameters  = clip(W_p h_t)           -> keys, strengths, gates, shifts, ...
    read heads       address M_{t-1}, read r_t (Graves et al. 2014, eq. 2)
    write heads      address M_{t-1}, erase then add -> M_t (eqs. 3-4)
    output           = clip(W_o [h_t, r_t])    (logits, one per output bit)

which is Collier & Beel's (2018) ordering. Addressing and memory run in float32 under
every precision policy (only the controller and the two projections follow the policy).
"""

from __future__ import annotations

import keras
from keras import ops

from lecun_zoo.families.ntm import heads as heads_ops
from lecun_zoo.families.ntm.controller import Controller
from lecun_zoo.families.ntm import memory as memory_ops
from lecun_zoo.families.ntm.memory import CONSTANT_INIT
from lecun_zoo.model import serializable

MEMORY_INITS = ("constant", "trained_constant", "learned", "random")
#: how the heads' initial weightings start: softmax of a learned bias drawn small (near
#: uniform; Collier & Beel), or of a learned bias that puts 99 % of each weighting on location 0
WEIGHTING_INITS = ("learned", "first")
#: the logit of location 0 in a "first" initial weighting (softmax: 1 - (N-1)e^-10 / (e^10 + N-1) there)
FIRST_LOGIT = 10.0


def _check_int(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"NTMCell {name} got {value!r}; expected an int >= {low}")
    return value


@serializable
class NTMCell(keras.layers.Layer):
    """A neural Turing machine cell (Graves, Wayne & Danihelka 2014) for ``keras.layers.RNN``.

    Args:
        output_size: output logits per step.
        controller: ``"lstm"`` (default) or ``"feedforward"``.
        controller_units: units per controller layer (default 100).
        controller_layers: controller layers (default 1).
        memory_size: N, memory locations (default 128).
        memory_width: M, width of each location (default 20).
        read_heads: read heads (default 1), >= 1.
        write_heads: write heads (default 1), >= 1.
        shift_range: shifts -R..R (default 1); ``2R + 1 <= memory_size``.
        memory_init: ``"constant"`` (1e-6 everywhere, default), ``"trained_constant"`` (a
            trainable matrix starting at 1e-6 everywhere, used as it is: Collier & Beel's
            constant init, a trainable TF1 variable), ``"learned"`` (a trainable matrix through
            tanh) or ``"random"`` (a fixed draw from N(0, 0.5) through tanh).
        weighting_init: ``"learned"`` (default: the heads' initial weightings are the softmax
            of a learned bias drawn from glorot, near uniform) or ``"first"`` (the same learned
            bias, started at logit 10 on location 0 and 0 elsewhere: every head starts focused
            on location 0).
        gate_bias: the initial bias of every head's interpolation gate before its sigmoid
            (default 0: ``g`` starts at 0.5). Negative values start the heads on location
            addressing (``g = sigmoid(gate_bias)`` of the content weighting, the rest kept from
            the previous weighting and shifted); the gate is trained either way.
        clip_value: head parameters and outputs are clipped to ``[-c, c]`` (default 20; 0: off).
        dtype: precision policy of the controller and projections (default: the global one);
            the cell's own maths (addressing, memory, states) always run in float32.
        emit_trace: also output the read/write weightings, read, erase and add vectors and the
            memory at each step (see :func:`lecun_zoo.families.ntm.trace.memory_trace`).

    States (all float32, ``[batch, size]``): the controller's (h, c per LSTM layer), the
    read vectors ``[batch, R * M]``, the weightings ``[batch, (R + W) * N]`` (read heads
    first) and the memory ``[batch, N * M]``. The read vectors and weightings start from
    learned biases (through tanh and softmax); the controller starts at zero.

    Example:
        >>> cell = NTMCell(output_size=8, memory_size=16, memory_width=4, controller_units=8)
        >>> layer = keras.layers.RNN(cell, return_sequences=True)
        >>> layer(np.zeros((2, 5, 10), "float32")).shape
        (2, 5, 8)
    """

    def __init__(self, output_size: int, controller: str = "lstm", controller_units: int = 100,
                 controller_layers: int = 1, memory_size: int = 128, memory_width: int = 20,
                 read_heads: int = 1, write_heads: int = 1, shift_range: int = 1,
                 memory_init: str = "constant", clip_value: float = 20.0, emit_trace: bool = False,
                 weighting_init: str = "learned", gate_bias: float = 0.0, **kwargs):
        # The cell itself (states, addressing, memory) is always float32: keras.layers.RNN
        # casts the states to the cell's compute dtype. ``dtype`` (default: the global
        # policy, e.g. mixed_bfloat16) applies to the controller and the two projections.
        self.sublayer_policy = keras.dtype_policies.get(kwargs.pop("dtype", None) or keras.config.dtype_policy())
        super().__init__(dtype="float32", **kwargs)
        self.output_dim = _check_int("output_size", output_size, 1)
        self.memory_size = _check_int("memory_size", memory_size, 1)
        self.memory_width = _check_int("memory_width", memory_width, 1)
        self.read_heads = _check_int("read_heads", read_heads, 1)
        self.write_heads = _check_int("write_heads", write_heads, 1)
        self.shift_range = _check_int("shift_range", shift_range, 0)
        if 2 * shift_range + 1 > memory_size:
            raise ValueError(
                f"NTMCell shift_range got {shift_range}: {2 * shift_range + 1} shifts are wider than the memory "
                f"(memory_size={memory_size}); expected 2 * shift_range + 1 <= memory_size"
            )
        if memory_init not in MEMORY_INITS:
            raise ValueError(f"NTMCell memory_init got {memory_init!r}; expected one of {list(MEMORY_INITS)}")
        if clip_value < 0:
            raise ValueError(f"NTMCell clip_value got {clip_value!r}; expected >= 0 (0: no clipping)")
        if weighting_init not in WEIGHTING_INITS:
            raise ValueError(f"NTMCell weighting_init got {weighting_init!r}; expected one of {list(WEIGHTING_INITS)}")
        gate_bias = float(gate_bias)
        if not abs(gate_bias) <= 20.0:  # NaN fails too
            raise ValueError(f"NTMCell gate_bias got {gate_bias!r}; expected a number in [-20, 20]")
        self.gate_bias = gate_bias
        self.memory_init = memory_init
        self.weighting_init = weighting_init
        self.clip_value = float(clip_value)
        self.emit_trace = bool(emit_trace)
        self.controller = Controller(controller, controller_units, controller_layers, dtype=self.sublayer_policy,
                                     name="controller")
        self.head_projection = keras.layers.Dense(
            heads_ops.parameter_size(memory_width, shift_range, read_heads, write_heads),
            dtype=self.sublayer_policy, name="head_parameters",
        )
        self.output_projection = keras.layers.Dense(self.output_dim, dtype=self.sublayer_policy, name="output")

    # ------------------------------------------------------------------ sizes
    @property
    def state_size(self) -> list[int]:
        n, m, r, w = self.memory_size, self.memory_width, self.read_heads, self.write_heads
        return [*self.controller.state_size, r * m, (r + w) * n, n * m]

    @property
    def trace_sizes(self) -> dict[str, int]:
        """Widths of the parts of a traced output, in order."""
        n, m, r, w = self.memory_size, self.memory_width, self.read_heads, self.write_heads
        return {"outputs": self.output_dim, "read_weights": r * n, "write_weights": w * n,
                "reads": r * m, "erases": w * m, "adds": w * m, "memory": n * m}

    @property
    def output_size(self) -> int:
        return sum(self.trace_sizes.values()) if self.emit_trace else self.output_dim

    # ------------------------------------------------------------------ weights
    def build(self, input_shape):
        n, m, r, w = self.memory_size, self.memory_width, self.read_heads, self.write_heads
        units = self.controller.units
        self.controller.build((None, input_shape[-1] + r * m))
        self.head_projection.build((None, units))
        if self.gate_bias:
            gates = heads_ops.gate_columns(m, self.shift_range, r, w)
            bias = ops.zeros((self.head_projection.units,)) + ops.sum(ops.one_hot(gates, self.head_projection.units), axis=0) * self.gate_bias
            self.head_projection.bias.assign(ops.cast(bias, self.head_projection.bias.dtype))
        self.output_projection.build((None, units + r * m))
        # float32 and not autocast: the initial state is part of the float32 addressing.
        self.read_bias = self.add_weight(shape=(r, m), initializer="glorot_uniform", name="read_bias", autocast=False)
        self.weighting_bias = self.add_weight(shape=(r + w, n), initializer=self._weighting_initializer(),
                                              name="weighting_bias", autocast=False)
        if self.memory_init == "learned":
            self.memory_bias = self.add_weight(shape=(n, m), initializer="glorot_uniform", name="memory_bias",
                                               autocast=False)
        elif self.memory_init == "trained_constant":
            self.memory_bias = self.add_weight(shape=(n, m), initializer=keras.initializers.Constant(CONSTANT_INIT),
                                               name="memory_constant", autocast=False)
        elif self.memory_init == "random":
            self.memory_bias = self.add_weight(shape=(n, m), initializer=keras.initializers.RandomNormal(stddev=0.5),
                                               name="memory_random", trainable=False, autocast=False)
        self.built = True

    def _weighting_initializer(self):
        if self.weighting_init == "learned":
            return "glorot_uniform"

        def first(shape, dtype=None):
            return ops.cast(ops.one_hot(ops.zeros(shape[:-1], "int32"), shape[-1]) * FIRST_LOGIT, dtype or "float32")

        return first

    def initial_memory(self):
        """``[N, M]`` float32: the memory every sequence starts from."""
        if self.memory_init == "constant":
            return ops.full((self.memory_size, self.memory_width), CONSTANT_INIT, dtype="float32")
        if self.memory_init == "trained_constant":
            return ops.cast(self.memory_bias, "float32")
        return ops.tanh(ops.cast(self.memory_bias, "float32"))

    def get_initial_state(self, batch_size=None):
        n, m, r, w = self.memory_size, self.memory_width, self.read_heads, self.write_heads
        zeros = lambda size: ops.zeros((batch_size, size), dtype="float32")  # noqa: E731
        controller = [zeros(s) for s in self.controller.state_size]
        reads = ops.reshape(ops.tanh(ops.cast(self.read_bias, "float32")), (1, r * m))  # [R, M] -> [1, R*M]
        weights = ops.softmax(ops.cast(self.weighting_bias, "float32"), axis=-1)  # [R+W, N]
        weights = ops.reshape(weights, (1, (r + w) * n))  # [R+W, N] -> [1, (R+W)*N]
        memory = ops.reshape(self.initial_memory(), (1, n * m))  # [N, M] -> [1, N*M]
        return [*controller, zeros(r * m) + reads, zeros((r + w) * n) + weights, zeros(n * m) + memory]

    # ------------------------------------------------------------------ step
    def call(self, inputs, states, training=None):
        n, m, r, w = self.memory_size, self.memory_width, self.read_heads, self.write_heads
        k = len(self.controller.state_size)
        controller_states = list(states[:k])
        prev_reads, prev_weights, flat_memory = states[k], states[k + 1], states[k + 2]
        memory = ops.reshape(ops.cast(flat_memory, "float32"), (-1, n, m))  # [batch, N*M] -> [batch, N, M]
        prev_weights = ops.reshape(ops.cast(prev_weights, "float32"), (-1, r + w, n))  # -> [batch, R+W, N]

        x = ops.concatenate([ops.cast(inputs, "float32"), ops.cast(prev_reads, "float32")], axis=-1)  # [batch, in + R*M]
        h, controller_states = self.controller(x, controller_states)  # [batch, units]

        params = ops.cast(self.head_projection(h), "float32")  # [batch, parameter_size]
        heads = heads_ops.split_parameters(params, m, self.shift_range, r, w, self.clip_value)
        weights = heads_ops.locate(memory, prev_weights, heads)  # [batch, R+W, N], all heads in one pass
        read_w, write_w = weights[:, :r], weights[:, r:]  # [batch, R, N], [batch, W, N]
        reads = ops.reshape(memory_ops.read(memory, read_w), (-1, r * m))  # [batch, R, M] -> [batch, R*M]
        new_memory = memory_ops.write(memory, write_w, heads["erase"], heads["add"])  # [batch, N, M]

        out = ops.cast(self.output_projection(ops.concatenate([h, reads], axis=-1)), "float32")  # [batch, out]
        if self.clip_value:
            out = ops.clip(out, -self.clip_value, self.clip_value)
        flat_new_memory = ops.reshape(new_memory, (-1, n * m))  # [batch, N, M] -> [batch, N*M]
        flat_weights = ops.reshape(weights, (-1, (r + w) * n))  # [batch, R+W, N] -> [batch, (R+W)*N]
        new_states = [*controller_states, reads, flat_weights, flat_new_memory]
        if self.emit_trace:
            out = ops.concatenate([out, flat_weights, reads, ops.reshape(heads["erase"], (-1, w * m)),
                                   ops.reshape(heads["add"], (-1, w * m)), flat_new_memory], axis=-1)  # [batch, sum(trace_sizes)]
        return out, new_states

    def get_config(self):
        return {
            **super().get_config(),
            "dtype": keras.dtype_policies.serialize(self.sublayer_policy),
            "output_size": self.output_dim,
            "controller": self.controller.kind,
            "controller_units": self.controller.units,
            "controller_layers": self.controller.num_layers,
            "memory_size": self.memory_size,
            "memory_width": self.memory_width,
            "read_heads": self.read_heads,
            "write_heads": self.write_heads,
            "shift_range": self.shift_range,
            "memory_init": self.memory_init,
            "weighting_init": self.weighting_init,
            "gate_bias": self.gate_bias,
            "clip_value": self.clip_value,
            "emit_trace": self.emit_trace,
        }
