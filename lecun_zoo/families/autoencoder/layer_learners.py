"""The layer learners of greedy pretraining: one stack layer trained on the codes of the
(frozen) layers below it, with Keras' own ``fit`` (callbacks, progress bars, mixed
precision and distribution come with it).

* :class:`RBMLearner`: contrastive divergence (CD-k). Its loss is the free-energy gap
  ``mean(F(v0)) - mean(F(stop_gradient(vk)))`` (+ weight decay), whose gradient is
  exactly minus the CD-k update of :meth:`RBM.contrastive_divergence`; plain SGD with
  momentum on it is Hinton's update rule.
* :class:`AutoencoderLearner`: a one-hidden-layer autoencoder with tied weights (encoder
  ``W``, decoder ``W^T``, the same parameters as an RBM), plain or denoising (masking
  noise, Vincent et al. 2008), trained by backpropagation on the clean input.

Both take the raw data batches (``(image, label)`` or ``image``); labels are ignored.
"""

from __future__ import annotations

from typing import Sequence

import keras
from keras import ops

from lecun_zoo.families.autoencoder.rbm import RBM


class _PerExampleMean(keras.losses.Loss):
    """Mean over the batch of a per-example value already in ``y_pred``."""

    def call(self, y_true, y_pred):
        return y_pred


class _LayerLearner(keras.Model):
    """Trains ``layer`` on ``x`` mapped through ``lower`` (frozen, mean-field codes)."""

    def __init__(self, layer: RBM, lower: Sequence[RBM], input_dim: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.layer = layer
        self.lower = list(lower)
        for below in self.lower:
            below.trainable = False  # greedy: the layers below are fixed while this one learns
        self.input_dim = int(input_dim)
        self.reconstruction_error = keras.metrics.Mean(name="reconstruction_error")

    def visible(self, x):
        """Data -> the codes this layer models: [batch, *input_shape] -> [batch, n_v]."""
        if isinstance(x, (tuple, list)):
            x = x[0]
        v = ops.reshape(x, (-1, self.input_dim))  # [batch, input_dim]
        for below in self.lower:
            v = below.hidden_mean(v)  # [batch, units of that layer]
        return ops.cast(v, self.layer.compute_dtype)

    def build(self, input_shape) -> None:
        n = self.input_dim
        for below in self.lower:
            if not below.built:
                below.build((None, n))
            n = below.units
        if not self.layer.built:
            self.layer.build((None, n))
        self.built = True

    def _track_reconstruction(self, v0, y_pred) -> None:
        """Update ``reconstruction_error`` from the codes ``v0`` and the reconstruction.
        Called from ``compute_loss``, where the layers' variables are readable on every
        backend (under JAX, ``compute_metrics`` sees only the metrics' own state)."""
        if y_pred is None:
            return
        err = ops.sum(ops.square(ops.cast(v0, "float32") - ops.cast(y_pred, "float32")), axis=-1)  # [batch]
        self.reconstruction_error.update_state(err)


class RBMLearner(_LayerLearner):
    """CD-k training of one RBM of the stack.

    ``fit`` reports ``loss`` (the free-energy gap between data and the chain's
    reconstructions, plus weight decay) and ``reconstruction_error`` (squared error of
    the mean-field reconstruction, summed over units, averaged over examples).

    Args:
        layer: the :class:`RBM` to train.
        lower: the trained RBMs below it (frozen here).
        input_dim: values per data example.
        cd_steps: k.
        weight_decay: L2 cost, gradient ``weight_decay * W`` (Hinton's ``weightcost``).
        seed: seed of the Gibbs sampler's draws.
    """

    def __init__(self, layer: RBM, lower: Sequence[RBM] = (), input_dim: int = 784, cd_steps: int = 1,
                 weight_decay: float = 0.0, seed=None, **kwargs) -> None:
        super().__init__(layer, lower, input_dim, **kwargs)
        self.cd_steps = int(cd_steps)
        self.weight_decay = float(weight_decay)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=False):
        return ops.cast(self.layer.reconstruct(self.visible(x)), "float32")  # [batch, n_v]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        v0 = self.visible(x)  # [batch, n_v]
        self._track_reconstruction(v0, y_pred)
        vk, _ = self.layer.gibbs_chain(v0, self.cd_steps, seed=self.seed_generator)
        vk = ops.stop_gradient(vk)
        gap = ops.cast(self.layer.free_energy(v0) - self.layer.free_energy(vk), "float32")  # [batch]
        if self.weight_decay:
            gap = gap + 0.5 * self.weight_decay * ops.sum(ops.square(ops.cast(self.layer.kernel, "float32")))
        return super().compute_loss(x, gap, gap, sample_weight, training=training)


class AutoencoderLearner(_LayerLearner):
    """One autoencoder layer with tied weights: ``r = act_v(act_h(v~ W + b) W^T + c)``,
    trained to reconstruct the clean ``v`` from ``v~``, ``v`` with a ``corruption``
    fraction of its values zeroed (denoising) or ``v`` itself (plain).

    Loss: binary cross-entropy for Bernoulli visible units, mean squared error for
    Gaussian ones (averaged over units and examples); ``weight_decay`` adds
    ``weight_decay/2 * |W|^2``. Compile it with :func:`reconstruction_loss`.
    """

    def __init__(self, layer: RBM, lower: Sequence[RBM] = (), input_dim: int = 784, corruption: float = 0.0,
                 weight_decay: float = 0.0, seed=None, **kwargs) -> None:
        super().__init__(layer, lower, input_dim, **kwargs)
        self.corruption = float(corruption)
        self.weight_decay = float(weight_decay)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=False):
        v = self.visible(x)  # [batch, n_v]
        if training and self.corruption > 0:
            keep = keras.random.uniform(ops.shape(v), dtype=v.dtype, seed=self.seed_generator) >= self.corruption
            v = v * ops.cast(keep, v.dtype)
        return ops.cast(self.layer.reconstruct(v), "float32")

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        target = ops.cast(self.visible(x), "float32")  # [batch, n_v], the clean input
        self._track_reconstruction(target, y_pred)
        per_example = self.reconstruction_loss(target, ops.cast(y_pred, "float32"))  # [batch]
        if self.weight_decay:
            per_example = per_example + 0.5 * self.weight_decay * ops.sum(
                ops.square(ops.cast(self.layer.kernel, "float32")))
        # through a Loss object, so the batch mean is scaled for distribution like any Keras loss
        return super().compute_loss(x, per_example, per_example, sample_weight, training=training)

    def reconstruction_loss(self, target, reconstruction):
        """Per example: cross-entropy (Bernoulli visible units) or squared error (Gaussian),
        averaged over units: [batch, n_v] x 2 -> [batch]."""
        if self.layer.visible_units == "bernoulli":
            return keras.losses.binary_crossentropy(target, reconstruction)
        return keras.losses.mean_squared_error(target, reconstruction)


def free_energy_gap_loss():
    """The loss to compile an :class:`RBMLearner` with (batch mean of its per-example gap)."""
    return _PerExampleMean(name="free_energy_gap")


def reconstruction_loss():
    """The loss to compile an :class:`AutoencoderLearner` with (batch mean of its per-example loss)."""
    return _PerExampleMean(name="reconstruction_loss")
