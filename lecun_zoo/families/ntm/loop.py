"""The NTM's time loop: a ``keras.layers.RNN`` that can stop before the padding.

A batch of the algorithmic tasks is padded at the end to the longest possible length of
its split (41 steps for copy lengths 1-20), so that XLA compiles the train step once. When
every sequence of a batch has the same length L (``length_sampling="batch"``), only the
first ``2L + 1`` steps are scored. :class:`NTMRNN` then runs only those steps: its
``tf.while_loop`` stops at ``active_steps`` (a scalar tensor set by ``NTM.train_step`` /
``test_step`` from the targets, see :func:`scored_extent`) while every tensor keeps its
padded, static shape; the outputs of the steps not run are zero logits, which the loss
and the bit-error metric never score. The RNN is causal, so the loss and its gradients
are exactly those of the full loop.

Only the TensorFlow backend stops early; without ``active_steps`` (prediction, other
backends, masks) the layer is ``keras.layers.RNN``.
"""

from __future__ import annotations

import keras

from lecun_zoo.model import serializable


def scored_extent(y_true):
    """Time steps up to and including the last one with a scored target in the batch
    (targets ``>= 0``; see ``lecun_zoo.families.ntm.tasks``): ``y [batch, time, out]`` ->
    int32 scalar; at least 1."""
    import tensorflow as tf

    y = tf.convert_to_tensor(y_true)
    scored = tf.reduce_any(y >= 0, axis=[0, 2])  # [time]
    steps = tf.shape(scored)[0]
    last = steps - tf.argmax(tf.cast(tf.reverse(scored, [0]), tf.int32), output_type=tf.int32)  # [] (steps if none)
    return tf.where(tf.reduce_any(scored), last, steps)


@serializable
class NTMRNN(keras.layers.RNN):
    """``keras.layers.RNN`` (``return_sequences=True``) whose loop can stop at
    ``active_steps`` (module docstring). Saved and loaded like the RNN it extends."""

    active_steps = None  # a scalar int tensor while a train/test step is traced

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if (self.active_steps is None or mask is not None or self.go_backwards or self.unroll
                or not self.return_sequences or keras.backend.backend() != "tensorflow"):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        import tensorflow as tf

        cell_kwargs = {"training": training} if self.cell._call_has_training_arg else {}
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        inputs = tf.transpose(sequences, [1, 0, 2])  # [batch, time, in] -> [time, batch, in]
        steps = tf.shape(inputs)[0]
        active = tf.minimum(tf.cast(self.active_steps, tf.int32), steps)
        input_ta = tf.TensorArray(inputs.dtype, size=steps, element_shape=inputs.shape[1:]).unstack(inputs)
        out0, _ = self.cell(inputs[0], states, **cell_kwargs)  # traced for the output's shape and dtype only
        output_ta = tf.TensorArray(out0.dtype, size=steps, element_shape=out0.shape)

        def body(t, out_ta, *st):
            out, new = self.cell(input_ta.read(t), list(st), **cell_kwargs)
            new = new if isinstance(new, (list, tuple)) else [new]
            return (t + 1, out_ta.write(t, out), *new)

        # The cell's weights are read once, here, and the loop captures the values: a variable
        # read inside the body is a new tensor every step, which the gradient would keep in a
        # stack of one copy of every weight per step.
        values = [(v, tf.convert_to_tensor(v.value)) for v in self.cell.variables]
        with keras.StatelessScope(state_mapping=values):
            result = tf.while_loop(lambda t, *_: t < active, body, (tf.constant(0, tf.int32), output_ta, *states),
                                   maximum_iterations=steps, parallel_iterations=32, swap_memory=True)
        # the steps not run stay zero: TensorArray.stack() fills unwritten elements with zeros
        outputs = tf.transpose(result[1].stack(), [1, 0, 2])  # [time, batch, out] -> [batch, time, out]
        new_states = list(result[2:])
        last = tf.gather(outputs, tf.maximum(active - 1, 0), axis=1)  # [batch, out]
        return last, outputs, new_states
