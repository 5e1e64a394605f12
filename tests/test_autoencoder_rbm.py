"""RBM maths pinned by hand: CD-k updates, free energy, reconstruction, and the layer
learners' Keras training step (lecun_zoo.families.autoencoder.rbm / layer_learners)."""

import itertools
import math

import keras
import numpy as np
import pytest

from lecun_zoo.families.autoencoder.layer_learners import (AutoencoderLearner, RBMLearner, free_energy_gap_loss,
                                                           reconstruction_loss)
from lecun_zoo.families.autoencoder.rbm import RBM


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def make_rbm(w, b=None, c=None, visible="bernoulli", hidden="bernoulli"):
    w = np.asarray(w, "float32")
    rbm = RBM(w.shape[1], visible_units=visible, hidden_units=hidden)
    rbm.build((None, w.shape[0]))
    rbm.kernel.assign(w)
    rbm.hidden_bias.assign(np.zeros(w.shape[1], "float32") if b is None else np.asarray(b, "float32"))
    rbm.visible_bias.assign(np.zeros(w.shape[0], "float32") if c is None else np.asarray(c, "float32"))
    return rbm


def np_cd(w, b, c, v0, noise, hidden="bernoulli", visible="bernoulli"):
    """CD-k written out in NumPy, straight from the formula."""
    act_h = sig if hidden == "bernoulli" else (lambda z: z)
    act_v = sig if visible == "bernoulli" else (lambda z: z)
    ph0 = act_h(v0 @ w + b)
    ph, vk = ph0, v0
    for n in noise:
        h = (n < ph).astype("float64") if hidden == "bernoulli" else ph + n
        vk = act_v(h @ w.T + c)
        ph = act_h(vk @ w + b)
    m = len(v0)
    return (v0.T @ ph0 - vk.T @ ph) / m, (ph0 - ph).mean(0), (v0 - vk).mean(0), vk


def test_cd1_by_hand():
    # W = [[1, -1], [0, 2]], biases 0, v0 = [1, 0], uniform draws u = [0.5, 0.5]:
    # p(h|v0) = sigmoid([1, -1]) = [0.7311, 0.2689] -> h0 = [u < p] = [1, 0]
    # v1 = sigmoid(W h0) = sigmoid([1, 0]) = [0.7311, 0.5]
    # p(h|v1) = sigmoid(v1 W) = sigmoid([0.7311, 0.2689]) = [0.6750, 0.5668]
    # dW = v0^T p(h|v0) - v1^T p(h|v1) = [[0.7311 - 0.7311*0.6750, 0.2689 - 0.7311*0.5668],
    #                                     [0 - 0.5*0.6750,         0 - 0.5*0.5668]]
    rbm = make_rbm([[1.0, -1.0], [0.0, 2.0]])
    out = rbm.contrastive_divergence(np.array([[1.0, 0.0]], "float32"), k=1, noise=[np.full((1, 2), 0.5, "float32")])
    p0 = [1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))]
    v1 = [p0[0], 0.5]
    p1 = [1 / (1 + math.exp(-v1[0])), 1 / (1 + math.exp(-(-v1[0] + 2 * v1[1])))]
    want_w = [[p0[0] - v1[0] * p1[0], p0[1] - v1[0] * p1[1]], [-v1[1] * p1[0], -v1[1] * p1[1]]]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["kernel"]), want_w, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["kernel"]),
                               [[0.2375666, -0.1454467], [-0.3375188, -0.2834165]], atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["hidden_bias"]), [0.0560211, -0.2978916], atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["visible_bias"]), [0.2689414, -0.5], atol=1e-6)


@pytest.mark.parametrize("hidden,visible,k", [("bernoulli", "bernoulli", 1), ("bernoulli", "bernoulli", 3),
                                              ("gaussian", "bernoulli", 1), ("bernoulli", "gaussian", 2)])
def test_cdk_matches_formula_for_seeded_draws(hidden, visible, k):
    rng = np.random.default_rng(3)
    w, b, c = rng.normal(0, 0.5, (5, 3)), rng.normal(0, 0.5, 3), rng.normal(0, 0.5, 5)
    v0 = rng.random((4, 5))
    rbm = make_rbm(w, b, c, visible=visible, hidden=hidden)
    gen = keras.random.SeedGenerator(7)
    noise = [keras.ops.convert_to_numpy(rbm.hidden_noise((4, 3), seed=gen)) for _ in range(k)]
    if hidden == "bernoulli":
        assert all(0 <= n.min() and n.max() < 1 for n in noise)
    out = rbm.contrastive_divergence(v0.astype("float32"), k=k, seed=keras.random.SeedGenerator(7))
    dw, db, dc, vk = np_cd(w, b, c, v0, [n.astype("float64") for n in noise], hidden, visible)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["kernel"]), dw, atol=2e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["hidden_bias"]), db, atol=2e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["visible_bias"]), dc, atol=2e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["reconstruction"]), vk, atol=2e-5)


def test_free_energy_by_hand_and_brute_force():
    w, b, c = [[1.0, -1.0], [0.0, 2.0]], [0.5, -0.5], [0.25, -1.0]
    rbm = make_rbm(w, b, c)
    # v = [1, 1]: x = v W + b = [1.5, 0.5]; F = -v.c - softplus(1.5) - softplus(0.5) = 0.75 - 2.6755
    f = keras.ops.convert_to_numpy(rbm.free_energy(np.array([[1.0, 1.0]], "float32")))
    np.testing.assert_allclose(f, [-1.9254903], atol=1e-6)
    # F(v) = -log sum_h exp(-E(v, h)) over all binary h
    W, B, C = map(np.asarray, (w, b, c))
    vs = np.array(list(itertools.product([0.0, 1.0], repeat=2)) + [[0.3, 0.8]])
    brute = [-np.log(sum(np.exp(v @ C + h @ B + v @ W @ h) for h in map(np.array, itertools.product([0.0, 1.0], repeat=2))))
             for v in vs]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(rbm.free_energy(vs.astype("float32"))), brute, atol=1e-5)


def test_free_energy_gaussian_hidden_integrates_the_energy():
    # One linear (Gaussian) hidden unit: F(v) = -v.c - x^2/2 = -log int exp(-E(v, h)) dh + log sqrt(2 pi)
    w, b, c = [[0.7], [-0.4], [0.2]], [0.3], [0.1, -0.2, 0.5]
    rbm = make_rbm(w, b, c, hidden="gaussian")
    v = np.array([0.9, 0.1, 0.6])
    hs = np.linspace(-20, 20, 200001)
    energy = -(v @ np.asarray(c)) - hs * b[0] - (v @ np.asarray(w))[0] * hs + hs ** 2 / 2
    integral = np.trapezoid(np.exp(-energy), hs) if hasattr(np, "trapezoid") else np.trapz(np.exp(-energy), hs)
    want = -np.log(integral) + 0.5 * np.log(2 * np.pi)
    got = keras.ops.convert_to_numpy(rbm.free_energy(v[None].astype("float32")))[0]
    assert abs(got - want) < 1e-5


def test_free_energy_gaussian_visible():
    w, b, c = [[0.5, -1.0], [0.25, 0.0]], [0.1, 0.2], [1.0, -1.0]
    rbm = make_rbm(w, b, c, visible="gaussian")
    v = np.array([[2.0, 0.0]], "float32")
    x = v[0] @ np.asarray(w) + b  # [1.1, -1.8]
    want = 0.5 * np.sum((v[0] - c) ** 2) - np.sum(np.log1p(np.exp(x)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(rbm.free_energy(v)), [want], atol=1e-6)


def test_reconstruction_on_known_weights():
    rbm = make_rbm([[1.0, -1.0], [0.0, 2.0]], [0.5, -0.5], [0.25, -1.0])
    # v = [1, 1]: p(h|v) = sigmoid([1.5, 0.5]) = [0.8176, 0.6225]
    # E[v|h] = sigmoid([0.8176 - 0.6225 + 0.25, 2 * 0.6225 - 1]) = sigmoid([0.4451, 0.2449])
    got = keras.ops.convert_to_numpy(rbm.reconstruct(np.array([[1.0, 1.0]], "float32")))
    np.testing.assert_allclose(got, [[0.6094772, 0.5609254]], atol=1e-6)
    assert keras.ops.convert_to_numpy(rbm(np.array([[1.0, 1.0]], "float32"))).shape == (1, 2)


def test_rbm_learner_fit_step_is_the_cd_update():
    """One Keras fit step (SGD, no momentum) changes W by lr * (CD-1 update - weight_decay * W),
    with the learner's own seeded draws."""
    rng = np.random.default_rng(0)
    x = rng.random((6, 2, 3, 1)).astype("float32")  # images [6, 2, 3, 1] -> 6 visible units
    rbm = RBM(4, name="r")
    rbm.build((None, 6))
    w0, b0, c0 = (np.array(v.numpy()) for v in (rbm.kernel, rbm.hidden_bias, rbm.visible_bias))
    learner = RBMLearner(rbm, [], input_dim=6, cd_steps=1, weight_decay=0.01, seed=11)
    lr = 0.5
    learner.compile(optimizer=keras.optimizers.SGD(lr, momentum=0.0), loss=free_energy_gap_loss())
    hist = learner.fit(x, np.zeros(6), batch_size=6, epochs=1, shuffle=False, verbose=0)
    assert {"loss", "reconstruction_error"} <= set(hist.history)
    noise = keras.ops.convert_to_numpy(keras.random.uniform((6, 4), seed=keras.random.SeedGenerator(11)))
    dw, db, dc, _ = np_cd(w0.astype("float64"), b0, c0, x.reshape(6, 6).astype("float64"), [noise])
    np.testing.assert_allclose(rbm.kernel.numpy(), w0 + lr * (dw - 0.01 * w0), atol=1e-5)
    np.testing.assert_allclose(rbm.hidden_bias.numpy(), b0 + lr * db, atol=1e-5)
    np.testing.assert_allclose(rbm.visible_bias.numpy(), c0 + lr * dc, atol=1e-5)


def test_rbm_training_lowers_reconstruction_error():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    protos = (rng.random((3, 16)) > 0.5).astype("float32")
    x = protos[rng.integers(0, 3, 300)]
    x = np.where(rng.random(x.shape) < 0.05, 1 - x, x).astype("float32")
    learner = RBMLearner(RBM(8), [], input_dim=16, seed=0)
    learner.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5), loss=free_energy_gap_loss())
    h = learner.fit(x, batch_size=20, epochs=8, verbose=0).history["reconstruction_error"]
    assert h[-1] < 0.5 * h[0]


def test_denoising_learner_corrupts_only_in_training_and_targets_clean_input():
    keras.utils.set_random_seed(0)
    rbm = RBM(3)
    learner = AutoencoderLearner(rbm, [], input_dim=8, corruption=0.5, seed=0)
    learner.compile(optimizer=keras.optimizers.SGD(0.1), loss=reconstruction_loss())
    x = np.random.default_rng(0).random((4, 8)).astype("float32")
    clean = keras.ops.convert_to_numpy(learner(x, training=False))
    np.testing.assert_allclose(clean, keras.ops.convert_to_numpy(rbm.reconstruct(x)), atol=1e-6)
    noisy = keras.ops.convert_to_numpy(learner(x, training=True))
    assert not np.allclose(clean, noisy)
    # the loss compares the (corrupted-input) reconstruction with the clean input
    loss = float(keras.ops.convert_to_numpy(learner.compute_loss(x, None, noisy)))
    want = float(np.mean(-(x * np.log(noisy) + (1 - x) * np.log(1 - noisy))))
    assert abs(loss - want) < 1e-4


def test_rbm_rejects_bad_arguments():
    with pytest.raises(ValueError, match="hidden_units"):
        RBM(3, hidden_units="poisson")
    with pytest.raises(ValueError, match="units"):
        RBM(0)
    rbm = make_rbm([[1.0]])
    with pytest.raises(ValueError, match="noise"):
        rbm.gibbs_chain(np.ones((1, 1), "float32"), k=2, noise=[np.zeros((1, 1), "float32")])
