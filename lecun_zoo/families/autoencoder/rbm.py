"""Restricted Boltzmann machines: units, free energy, Gibbs sampling, contrastive divergence.

An RBM with visible units ``v`` [batch, n_v], hidden units ``h`` [batch, n_h], weights
``W`` [n_v, n_h], hidden biases ``b`` [n_h] and visible biases ``c`` [n_v] has the energy

    E(v, h) = V(v) - h.b - v W h + H(h),

with ``V(v) = -v.c`` for Bernoulli (logistic) visible units or ``|v - c|^2 / 2`` for
Gaussian units of unit variance, and ``H(h) = 0`` for Bernoulli hidden units or
``|h|^2 / 2`` for Gaussian (linear) hidden units. Summing or integrating ``h`` out gives
the free energy, with ``x = v W + b`` the hidden units' total input:

    F(v) = V(v) - sum_j softplus(x_j)      (Bernoulli hidden)
    F(v) = V(v) - sum_j x_j^2 / 2          (Gaussian hidden; constant (n_h/2) log 2 pi dropped)

CD-k (Hinton 2002) starts a Gibbs chain at the data ``v0``, samples ``h0`` from
``p(h | v0)`` and alternates k times; as in Hinton & Salakhutdinov's code the visible
states of the chain are their means (probabilities), the hidden states are sampled, and
the statistics use hidden probabilities. The update is

    dW = <v0 p(h|v0)^T> - <vk p(h|vk)^T>,  db = <p(h|v0) - p(h|vk)>,  dc = <v0 - vk>,

averaged over the batch. It is exactly minus the gradient of
``mean(F(v0)) - mean(F(stop_gradient(vk)))``, which is how :mod:`layer_learners` trains
an RBM with Keras' own ``fit``.
"""

from __future__ import annotations

from typing import Optional, Sequence

import keras
from keras import ops

from lecun_zoo.model import serializable

UNIT_TYPES = ("bernoulli", "gaussian")


@serializable
class RBM(keras.layers.Layer):
    """One restricted Boltzmann machine; calling it gives the hidden means ``p(h | v)``.

    Args:
        units: number of hidden units.
        visible_units: ``"bernoulli"`` (logistic, values in [0, 1]) or ``"gaussian"``
            (linear, unit variance).
        hidden_units: ``"bernoulli"`` or ``"gaussian"`` (the linear code units of
            Hinton & Salakhutdinov 2006).
        init_scale: standard deviation of the initial weights (biases start at 0).

    Example:
        >>> rbm = RBM(3)
        >>> rbm(np.zeros((2, 5), "float32")).shape
        (2, 3)
    """

    def __init__(self, units: int, visible_units: str = "bernoulli", hidden_units: str = "bernoulli",
                 init_scale: float = 0.1, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"RBM units got {units!r}; expected an int >= 1")
        for name, value in (("visible_units", visible_units), ("hidden_units", hidden_units)):
            if value not in UNIT_TYPES:
                raise ValueError(f"RBM {name} got {value!r}; expected one of {list(UNIT_TYPES)}")
        self.units = units
        self.visible_units = visible_units
        self.hidden_units = hidden_units
        self.init_scale = float(init_scale)
        #: epochs this layer was trained for (set by greedy pretraining)
        self.trained_epochs = 0

    def build(self, input_shape) -> None:
        n_v = int(input_shape[-1])
        self.kernel = self.add_weight(
            shape=(n_v, self.units), name="kernel",
            initializer=keras.initializers.RandomNormal(stddev=self.init_scale),
        )
        self.hidden_bias = self.add_weight(shape=(self.units,), name="hidden_bias", initializer="zeros")
        self.visible_bias = self.add_weight(shape=(n_v,), name="visible_bias", initializer="zeros")

    # ----------------------------------------------------------------- helpers
    def _w(self, var):
        return ops.cast(var, self.compute_dtype)

    def _v(self, x):
        return ops.cast(x, self.compute_dtype)

    # ------------------------------------------------------------- conditionals
    def hidden_input(self, v):
        """``x = v W + b``: [batch, n_v] -> [batch, n_h]."""
        return ops.matmul(self._v(v), self._w(self.kernel)) + self._w(self.hidden_bias)

    def hidden_mean(self, v):
        """``E[h | v]``: sigmoid(x) for Bernoulli units, x for Gaussian ones."""
        x = self.hidden_input(v)
        return ops.sigmoid(x) if self.hidden_units == "bernoulli" else x

    def visible_mean(self, h):
        """``E[v | h]``: [batch, n_h] -> [batch, n_v]."""
        x = ops.matmul(self._v(h), ops.transpose(self._w(self.kernel))) + self._w(self.visible_bias)
        return ops.sigmoid(x) if self.visible_units == "bernoulli" else x

    def hidden_noise(self, shape, seed=None):
        """The random draws that sampling hidden states consumes: uniform [0, 1) for
        Bernoulli units, standard normal for Gaussian ones."""
        if self.hidden_units == "bernoulli":
            return keras.random.uniform(shape, dtype=self.compute_dtype, seed=seed)
        return keras.random.normal(shape, dtype=self.compute_dtype, seed=seed)

    def sample_hidden(self, mean, noise):
        """Hidden states from their means and given noise: ``1[u < p]`` or ``mean + n``."""
        noise = self._v(noise)
        if self.hidden_units == "bernoulli":
            return ops.cast(ops.less(noise, mean), mean.dtype)
        return mean + noise

    def reconstruct(self, v):
        """Mean-field reconstruction ``E[v | E[h | v]]`` (no sampling)."""
        return self.visible_mean(self.hidden_mean(v))

    # ------------------------------------------------------------------ energy
    def free_energy(self, v):
        """``F(v)`` per example: [batch, n_v] -> [batch] (see the module docstring)."""
        v = self._v(v)
        c = self._w(self.visible_bias)
        if self.visible_units == "bernoulli":
            vis = -ops.sum(v * c, axis=-1)
        else:
            vis = 0.5 * ops.sum(ops.square(v - c), axis=-1)
        x = self.hidden_input(v)
        if self.hidden_units == "bernoulli":
            hid = ops.sum(ops.softplus(x), axis=-1)
        else:
            hid = 0.5 * ops.sum(ops.square(x), axis=-1)
        return vis - hid

    # ------------------------------------------------------------ Gibbs / CD-k
    def gibbs_chain(self, v0, k: int = 1, *, seed=None, noise: Optional[Sequence] = None):
        """Run CD-k's chain from ``v0``; returns ``(vk, p(h | vk))``.

        Args:
            v0: data [batch, n_v].
            k: Gibbs steps (>= 1).
            seed: a ``keras.random.SeedGenerator`` (or int) for the hidden draws.
            noise: optionally the k hidden draws themselves (each [batch, n_h], as
                :meth:`hidden_noise` makes them), for exact reproduction in tests.
        """
        if k < 1:
            raise ValueError(f"gibbs_chain k got {k!r}; expected >= 1")
        if noise is not None and len(noise) != k:
            raise ValueError(f"gibbs_chain got {len(noise)} noise arrays for k={k}; expected {k}")
        v0 = self._v(v0)
        ph = self.hidden_mean(v0)  # [batch, n_h]
        vk = v0
        for step in range(k):
            n = noise[step] if noise is not None else self.hidden_noise(ops.shape(ph), seed=seed)
            h = self.sample_hidden(ph, n)
            vk = self.visible_mean(h)  # probabilities, not samples, as in Hinton's code
            ph = self.hidden_mean(vk)
        return vk, ph

    def contrastive_divergence(self, v0, k: int = 1, *, seed=None, noise: Optional[Sequence] = None) -> dict:
        """The CD-k update (before learning rate, momentum and weight decay).

        Returns ``{"kernel": dW [n_v, n_h], "hidden_bias": db [n_h],
        "visible_bias": dc [n_v], "reconstruction": vk [batch, n_v]}``.
        """
        v0 = self._v(v0)
        n = ops.cast(ops.shape(v0)[0], v0.dtype)
        ph0 = self.hidden_mean(v0)
        vk, phk = self.gibbs_chain(v0, k, seed=seed, noise=noise)
        d_kernel = (ops.matmul(ops.transpose(v0), ph0) - ops.matmul(ops.transpose(vk), phk)) / n
        return {
            "kernel": d_kernel,
            "hidden_bias": ops.mean(ph0 - phk, axis=0),
            "visible_bias": ops.mean(v0 - vk, axis=0),
            "reconstruction": vk,
        }

    def call(self, v):
        return self.hidden_mean(v)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(units=self.units, visible_units=self.visible_units, hidden_units=self.hidden_units,
                      init_scale=self.init_scale)
        return config
