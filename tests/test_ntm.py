"""NTM family: the addressing maths on hand-checked cases, memory writes, the cell in
keras.layers.RNN (masking, sequences longer than memory), bad input, the trace and
plots, the metric and the loss. The conformance kit runs in tests/test_conformance.py."""

import math

import keras
import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.config import ConfigError
from lecun_zoo.families.ntm import FAMILY, addressing, heads, memory
from lecun_zoo.families.ntm.cell import NTMCell
from lecun_zoo.families.ntm.hooks import compile_model, example_batch

build = FAMILY.build  # the NTM class, imported lazily


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _f(a):
    return np.asarray(a, "float32")


# --------------------------------------------------------------------- addressing
def test_cosine_similarity_hand_values():
    mem = _f([[[1, 0], [0, 1], [1, 1], [0, 0]]])
    key = _f([[1, 0]])
    got = _np(addressing.cosine_similarity(mem, key))[0]
    np.testing.assert_allclose(got, [1.0, 0.0, 1 / math.sqrt(2), 0.0], atol=1e-6)


def test_content_addressing_with_large_beta_picks_the_matching_row():
    rng = np.random.default_rng(0)
    mem = _f(rng.normal(size=(1, 6, 5)))
    key = mem[:, 3] * 0.5  # same direction as row 3, other length: cosine ignores length
    w = _np(addressing.content_weights(mem, key, _f([[100.0]])))[0]
    assert w.argmax() == 3 and w[3] > 0.999
    np.testing.assert_allclose(w.sum(), 1.0, atol=1e-6)
    # beta = 0: uniform, whatever the key
    w0 = _np(addressing.content_weights(mem, key, _f([[0.0]])))[0]
    np.testing.assert_allclose(w0, np.full(6, 1 / 6), atol=1e-6)


def test_content_addressing_is_the_softmax_of_beta_times_cosine():
    mem = _f([[[1, 0], [0, 1], [1, 1]]])
    w = _np(addressing.content_weights(mem, _f([[1, 0]]), _f([[2.0]])))[0]
    logits = 2.0 * np.array([1.0, 0.0, 1 / math.sqrt(2)])
    np.testing.assert_allclose(w, np.exp(logits) / np.exp(logits).sum(), atol=1e-6)


def test_interpolation_gate():
    wc, wp = _f([[1, 0, 0]]), _f([[0, 0, 1]])
    np.testing.assert_allclose(_np(addressing.interpolate(wc, wp, _f([[1.0]]))), wc)
    np.testing.assert_allclose(_np(addressing.interpolate(wc, wp, _f([[0.0]]))), wp)
    np.testing.assert_allclose(_np(addressing.interpolate(wc, wp, _f([[0.25]]))), [[0.25, 0, 0.75]])


@pytest.mark.parametrize("shift_by,expected", [(+1, 3), (-1, 1), (0, 2)])
def test_shift_moves_a_one_hot_weighting(shift_by, expected):
    w = _f([[0, 0, 1, 0, 0]])
    s = np.zeros((1, 3), "float32")
    s[0, shift_by + 1] = 1.0  # column j = shift by j - 1
    got = _np(addressing.shift(w, s))[0]
    np.testing.assert_allclose(got, np.eye(5)[expected], atol=1e-7)


def test_shift_wraps_around_the_memory():
    s_plus, s_minus = _f([[0, 0, 1]]), _f([[1, 0, 0]])
    np.testing.assert_allclose(_np(addressing.shift(_f([[0, 0, 0, 1]]), s_plus))[0], [1, 0, 0, 0])
    np.testing.assert_allclose(_np(addressing.shift(_f([[1, 0, 0, 0]]), s_minus))[0], [0, 0, 0, 1])


def test_shift_blurs_with_a_split_distribution_and_supports_wider_ranges():
    got = _np(addressing.shift(_f([[0, 0, 1, 0, 0]]), _f([[0.5, 0.0, 0.5]])))[0]
    np.testing.assert_allclose(got, [0, 0.5, 0, 0.5, 0], atol=1e-7)
    s = np.zeros((1, 5), "float32")
    s[0, 4] = 1.0  # shift range 2: column 4 is a shift by +2
    np.testing.assert_allclose(_np(addressing.shift(_f([[1, 0, 0, 0, 0, 0]]), s))[0], [0, 0, 1, 0, 0, 0])


def test_shift_wider_than_memory_raises():
    with pytest.raises(ValueError, match="shift range 2.*5 distinct shifts.*only 3"):
        addressing.shift(_f([[1, 0, 0]]), _f([[0, 0, 1, 0, 0]]))


def test_sharpening():
    w = _f([[0.1, 0.6, 0.3]])
    np.testing.assert_allclose(_np(addressing.sharpen(w, _f([[1.0]]))), w, atol=1e-6)
    np.testing.assert_allclose(_np(addressing.sharpen(w, _f([[2.0]])))[0], np.array([0.01, 0.36, 0.09]) / 0.46, atol=1e-6)
    np.testing.assert_allclose(_np(addressing.sharpen(w, _f([[60.0]])))[0], [0, 1, 0], atol=1e-6)


def test_sharpening_has_finite_gradients_at_zero_weights():
    import tensorflow as tf

    w = tf.constant([[0.0, 1.0, 0.0]])
    gamma = tf.Variable([[3.0]])
    with tf.GradientTape() as tape:
        out = addressing.sharpen(w, gamma)
        loss = tf.reduce_sum(out * tf.constant([[1.0, 2.0, 3.0]]))
    assert np.all(np.isfinite(tape.gradient(loss, gamma).numpy()))


def test_full_addressing_pipeline_content_then_shift():
    # content picks row 1, the gate takes it, the shift moves it to row 2, sharpening keeps it
    mem = _f([[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]])
    w = _np(addressing.address(mem, _f([[0.25] * 4]), _f([[0, 1, 0]]), _f([[200.0]]), _f([[1.0]]),
                               _f([[0, 0, 1]]), _f([[5.0]])))[0]
    np.testing.assert_allclose(w, [0, 0, 1, 0], atol=1e-4)


# --------------------------------------------------------------------- memory
def test_read_is_the_weighted_sum_of_rows():
    mem = _f([[[1, 2], [3, 4], [5, 6]]])
    np.testing.assert_allclose(_np(memory.read(mem, _f([[0, 1, 0]]))), [[3, 4]])
    np.testing.assert_allclose(_np(memory.read(mem, _f([[0.5, 0, 0.5]]))), [[3, 4]])


def test_erase_then_add_gives_the_exact_memory():
    mem = _f([[[1, 2], [3, 4], [5, 6]]])
    out = _np(memory.write(mem, [_f([[0, 1, 0]])], [_f([[1, 0]])], [_f([[7, 8]])]))[0]
    np.testing.assert_allclose(out, [[1, 2], [7, 12], [5, 6]])  # row 1: [3*(1-1)+7, 4*(1-0)+8]
    out = _np(memory.write(mem, [_f([[0.5, 0.5, 0]])], [_f([[1, 1]])], [_f([[0, 0]])]))[0]
    np.testing.assert_allclose(out, [[0.5, 1], [1.5, 2], [5, 6]])


def test_two_write_heads_erase_first_then_add():
    mem = _f([[[2, 2], [2, 2]]])
    w1, w2 = _f([[1, 0]]), _f([[1, 0]])
    e1, e2 = _f([[0.5, 0]]), _f([[0.5, 0]])
    a1, a2 = _f([[1, 0]]), _f([[0, 3]])
    out = _np(memory.write(mem, [w1, w2], [e1, e2], [a1, a2]))[0]
    # row 0: 2 * (1 - .5) * (1 - .5) + 1 = 1.5 and 2 + 3 = 5; row 1 untouched
    np.testing.assert_allclose(out, [[1.5, 5], [2, 2]])
    swapped = _np(memory.write(mem, [w2, w1], [e2, e1], [a2, a1]))[0]
    np.testing.assert_allclose(swapped, out)


@pytest.mark.parametrize("heads", [1, 2, 3])
def test_write_gradient_matches_automatic_differentiation(heads):
    # memory.write's gradient is written out (it recomputes the erase product); check it
    # against TensorFlow's automatic differentiation of eqs. 3-4, in float64
    import tensorflow as tf

    rng = np.random.default_rng(heads)
    mem = tf.constant(rng.normal(size=(2, 5, 3)))
    w = tf.constant(rng.dirichlet(np.ones(5), (2, heads)))
    e, a = tf.constant(rng.uniform(size=(2, heads, 3))), tf.constant(rng.normal(size=(2, heads, 3)))
    upstream = tf.constant(rng.normal(size=(2, 5, 3)))

    def by_hand(mem, w, e, a):
        for h in range(heads):
            mem = mem * (1 - w[:, h, :, None] * e[:, h, None, :])
        for h in range(heads):
            mem = mem + w[:, h, :, None] * a[:, h, None, :]
        return mem

    with tf.GradientTape(persistent=True) as tape:
        tape.watch([mem, w, e, a])
        ours = tf.reduce_sum(memory.write(mem, w, e, a) * upstream)
        reference = tf.reduce_sum(by_hand(mem, w, e, a) * upstream)
    np.testing.assert_allclose(ours.numpy(), reference.numpy(), rtol=1e-12)
    for got, want in zip(tape.gradient(ours, [mem, w, e, a]), tape.gradient(reference, [mem, w, e, a])):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------- heads
def test_head_parameter_layout_and_activations():
    assert heads.parameter_size(20, 1, 1, 1) == (20 + 3 + 3) + (20 + 3 + 3 + 40)
    h = heads.split_parameters(np.zeros((2, heads.parameter_size(4, 1, 2, 1)), "float32"), 4, 1, 2, 1)
    assert _np(h["key"]).shape == (2, 3, 4)  # 2 read heads then 1 write head
    assert _np(h["erase"]).shape == _np(h["add"]).shape == (2, 1, 4)
    np.testing.assert_allclose(_np(h["beta"]), np.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(_np(h["g"]), 0.5)
    np.testing.assert_allclose(_np(h["s"]), np.full((2, 3, 3), 1 / 3), rtol=1e-6)
    np.testing.assert_allclose(_np(h["gamma"]), 1 + np.log(2.0), rtol=1e-6)
    np.testing.assert_allclose(_np(h["erase"]), 0.5)
    np.testing.assert_allclose(_np(h["add"]), 0.0)
    # each head reads its own columns: read head 0, read head 1, write head 0 (+ its erase, add)
    layout = np.arange(heads.parameter_size(4, 1, 2, 1), dtype="float32")[None] / 100.0
    h = heads.split_parameters(layout, 4, 1, 2, 1)
    np.testing.assert_allclose(_np(h["key"])[0, :, 0], np.tanh([0.0, 0.10, 0.20]), rtol=1e-6)
    np.testing.assert_allclose(_np(h["erase"])[0, 0], 1 / (1 + np.exp(-np.arange(30, 34) / 100.0)), rtol=1e-6)
    np.testing.assert_allclose(_np(h["add"])[0, 0], np.tanh(np.arange(34, 38) / 100.0), rtol=1e-6)
    # clipping: a huge raw beta is clipped before the softplus
    big = np.full((1, heads.parameter_size(4, 1, 1, 1)), 1e4, "float32")
    r = heads.split_parameters(big, 4, 1, 1, 1, clip_value=20.0)
    np.testing.assert_allclose(_np(r["beta"]), np.log1p(np.exp(20.0)), rtol=1e-5)


def test_all_heads_at_once_match_one_head_at_a_time():
    rng = np.random.default_rng(3)
    mem = _f(rng.normal(size=(2, 6, 4)))
    per_head = [dict(key=_f(rng.normal(size=(2, 4))), beta=_f(rng.uniform(0, 5, (2, 1))), g=_f(rng.uniform(size=(2, 1))),
                     s=_f(rng.dirichlet(np.ones(3), 2)), gamma=_f(rng.uniform(1, 3, (2, 1))),
                     w=_f(rng.dirichlet(np.ones(6), 2))) for _ in range(3)]
    alone = [_np(addressing.address(mem, p["w"], p["key"], p["beta"], p["g"], p["s"], p["gamma"])) for p in per_head]
    stacked = {k: np.stack([_np(p[k]) for p in per_head], axis=1) for k in per_head[0]}
    together = _np(addressing.address(mem, *(stacked[k] for k in ("w", "key", "beta", "g", "s", "gamma"))))
    np.testing.assert_allclose(together, np.stack(alone, axis=1), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(_np(memory.read(mem, together)),
                               np.stack([_np(memory.read(mem, a)) for a in alone], axis=1), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------- cell and model
def _tiny(**kw):
    return FAMILY.make_config("tiny", **kw)


def test_cell_runs_inside_keras_rnn_with_masking():
    keras.utils.set_random_seed(1)
    cell = NTMCell(output_size=3, memory_size=6, memory_width=4, controller_units=8)
    layer = keras.layers.RNN(cell, return_sequences=True)
    x = np.random.default_rng(0).random((2, 7, 5)).astype("float32")
    full = _np(layer(x[:, :4]))
    mask = np.array([[True] * 4 + [False] * 3] * 2)
    masked = _np(layer(x, mask=mask))
    np.testing.assert_allclose(masked[:, :4], full, rtol=1e-5, atol=1e-6)
    assert cell.state_size == [8, 8, 4, 2 * 6, 6 * 4]


def test_feedforward_controller_and_many_heads():
    keras.utils.set_random_seed(2)
    m = build(_tiny(controller="feedforward", controller_layers=2, read_heads=2, write_heads=3))
    x, _ = example_batch(m.zoo_config, 3)
    assert _np(m(x)).shape == (3, x.shape[1], 4)


@pytest.mark.parametrize("init", ["constant", "trained_constant", "learned", "random"])
def test_memory_initialisations(init):
    keras.utils.set_random_seed(3)
    m = build(_tiny(memory_init=init))
    mem0 = _np(m.cell.initial_memory())
    if init == "constant":
        np.testing.assert_allclose(mem0, 1e-6)
        assert not any("memory" in w.path for w in m.weights)
    elif init == "trained_constant":  # Collier & Beel's: 1e-6 everywhere, then trained like any weight
        np.testing.assert_allclose(mem0, 1e-6)
        assert "memory_constant" in {w.path.split("/")[-1] for w in m.trainable_weights}
    else:
        assert mem0.std() > 0.01 and np.all(np.abs(mem0) < 1)
        trainable = {w.path.split("/")[-1] for w in m.trainable_weights}
        assert ("memory_bias" in trainable) == (init == "learned")
    names = {w.path.split("/")[-1] for w in m.trainable_weights}
    assert {"read_bias", "weighting_bias"} <= names  # reads and weightings start from learned biases


def test_sequences_longer_than_the_memory_run_and_addressing_wraps():
    from lecun_zoo.families.ntm.trace import memory_trace

    keras.utils.set_random_seed(4)
    m = build(_tiny())  # memory_size 8
    x, _ = example_batch(m.zoo_config.replace(min_length=20, max_length=20), 1)  # 41 steps, 5x the memory
    tr = memory_trace(m, x)
    assert tr["outputs"].shape == (1, 41, 4) and np.all(np.isfinite(tr["outputs"]))
    np.testing.assert_allclose(tr["write_weights"].sum(-1), 1.0, atol=1e-4)
    np.testing.assert_allclose(tr["read_weights"].sum(-1), 1.0, atol=1e-4)
    # the trace's outputs are the model's outputs
    np.testing.assert_allclose(tr["outputs"], _np(m(x)), rtol=1e-4, atol=1e-5)


def test_trace_memory_follows_the_write_rule_and_plots(tmp_path):
    from lecun_zoo.families.ntm.trace import memory_trace, plot_memory_trace

    keras.utils.set_random_seed(5)
    m = build(_tiny())
    x, _ = example_batch(m.zoo_config, 1)
    tr = memory_trace(m, x)
    # every step's memory is erase-then-add applied to the previous one, with the traced
    # write weighting, erase and add vectors (Graves et al. eqs. 3-4)
    mem, w, e, a = tr["memory"][0], tr["write_weights"][0, :, 0], tr["erases"][0, :, 0], tr["adds"][0, :, 0]
    for t in range(1, x.shape[1]):
        expected = mem[t - 1] * (1 - np.outer(w[t], e[t])) + np.outer(w[t], a[t])
        np.testing.assert_allclose(mem[t], expected, rtol=1e-4, atol=1e-5)
    # and every read vector is the read weighting applied to the memory before the write
    np.testing.assert_allclose(tr["reads"][0, 1:, 0], np.einsum("tn,tnm->tm", tr["read_weights"][0, 1:, 0], mem[:-1]),
                               rtol=1e-4, atol=1e-5)
    paths = plot_memory_trace(tr, str(tmp_path / "figs"))
    assert set(paths) == {"inputs", "outputs", "adds", "reads", "write_weights", "read_weights", "memory"}
    for p in paths.values():
        with open(p, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_lstm_baseline_preset():
    keras.utils.set_random_seed(6)
    c = FAMILY.make_config("lstm_baseline", controller_units=8, controller_layers=2, bits=4)
    m = build(c)
    compile_model(m, c)
    x, y = example_batch(c, 4)
    assert _np(m(x)).shape == y.shape
    with pytest.raises(ValueError, match="no NTM cell"):
        m.cell


def test_default_model_is_the_compiled_copy_ntm():
    m = lecun_zoo.get("ntm")
    assert m.zoo_config.task == "copy" and m.zoo_config.memory_size == 128 and m.zoo_config.memory_width == 20
    assert m.zoo_config.controller_units == 100 and m.optimizer is not None
    assert m.input_shape == (None, None, 10) and m.output_shape == (None, None, 8)
    # 128x20 memory, LSTM-100, one read and one write head: pinned parameter count
    assert m.count_params() == PAPER_COPY_PARAMS
    assert lecun_zoo.get("ntm", memory_init="trained_constant").count_params() == PAPER_COPY_PARAMS + 128 * 20


#: controller LSTM (10 + 20 inputs -> 100): 4*100*(30+100+1) = 52,400; head parameters
#: 100 -> 92: 9,292; output [100 + 20] -> 8: 968; read bias 20 and weighting bias 2*128. The
#: copy preset's initial memory is the fixed constant (no weights); Collier & Beel's trained one
#: (memory_init="trained_constant") adds 128*20.
PAPER_COPY_PARAMS = 52_400 + 9_292 + 968 + 20 + 256


# --------------------------------------------------------------------- bad input
def test_shift_range_wider_than_memory_raises():
    with pytest.raises(ConfigError, match="shift_range.*memory_size=4"):
        FAMILY.make_config("tiny", memory_size=4, shift_range=2)
    with pytest.raises(ValueError, match="shift_range got 3.*memory_size=5"):
        NTMCell(output_size=2, memory_size=5, shift_range=3)


@pytest.mark.parametrize("field", ["read_heads", "write_heads"])
def test_zero_heads_raise(field):
    with pytest.raises(ConfigError, match=f"'{field}' got 0"):
        FAMILY.make_config("tiny", **{field: 0})
    with pytest.raises(ValueError, match=f"{field} got 0"):
        NTMCell(output_size=2, **{field: 0})


def test_bit_width_mismatch_raises_naming_bits():
    import tensorflow as tf

    m = build(_tiny())  # bits 4
    compile_model(m, m.zoo_config)
    x, y = example_batch(_tiny(bits=6), 2)
    with pytest.raises(ValueError, match="bits=4.*bits=6"):
        m(x)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(2)
    with pytest.raises(ConfigError, match="'bits' is 4.*bits=6"):
        FAMILY.train(m, m.zoo_config, ds, epochs=1, verbose=0)
    x4, _ = example_batch(_tiny(), 2)
    _, y_rc = example_batch(_tiny(task="repeat_copy"), 2)
    ds = tf.data.Dataset.from_tensor_slices((x4[:, :1], y_rc[:, :1])).batch(2)
    with pytest.raises(ConfigError, match="'task' is 'copy'"):
        FAMILY.train(m, m.zoo_config, ds, epochs=1, verbose=0)


def test_config_errors_name_the_field():
    with pytest.raises(ConfigError, match="'task' got 'sort'"):
        FAMILY.make_config("tiny", task="sort")
    with pytest.raises(ConfigError, match="min_length.*max_length"):
        FAMILY.make_config("tiny", min_length=5, max_length=2)
    with pytest.raises(ConfigError, match="memory_init"):
        FAMILY.make_config("tiny", memory_init="zeros")


# --------------------------------------------------------------------- metric and loss
def test_bit_errors_metric_and_numpy_agree_on_a_hand_case():
    from lecun_zoo.families.ntm.metrics import BitErrors, bit_errors_per_sequence

    y = _f([[[1, 0], [-1, -1], [0, 1]], [[1, 1], [1, 1], [-1, -1]]])
    logits = _f([[[2, 3], [5, 5], [-1, -1]], [[1, 1], [-4, 2], [9, 9]]])
    # seq 0: (1,0) vs (1,1): 1 wrong; ignored step; (0,1) vs (0,0): 1 wrong -> 2
    # seq 1: (1,1) ok; (1,1) vs (0,1): 1 wrong; ignored -> 1
    np.testing.assert_allclose(bit_errors_per_sequence(y, logits), [2, 1])
    m = BitErrors()
    m.update_state(y, logits)
    assert float(m.result()) == pytest.approx(1.5)
    m.update_state(y[:1], logits[:1])
    assert float(m.result()) == pytest.approx(5 / 3)  # per sequence over all batches seen
    m.reset_state()
    m.update_state(y, logits, sample_weight=_f([1, 0]))
    assert float(m.result()) == pytest.approx(2.0)


def test_masked_loss_counts_only_scored_bits():
    from lecun_zoo.families.ntm.loss import MaskedBinaryCrossentropy

    y = _f([[[1, -1], [0, -1]], [[-1, -1], [1, 1]]])
    logits = _f([[[0, 50], [0, -50]], [[7, 7], [0, 0]]])
    # every scored logit is 0: ln 2 per bit, whatever the unscored positions hold
    assert float(MaskedBinaryCrossentropy(per="bit")(y, logits)) == pytest.approx(math.log(2), rel=1e-5)
    assert float(MaskedBinaryCrossentropy()(y, logits)) == pytest.approx(2 * math.log(2), rel=1e-5)
    # 1 and 4 scored bits: per sequence the mean of 1 and 4 nats-of-ln2; per bit ln 2 each
    y = _f([[[1, -1], [-1, -1]], [[0, 1], [1, 1]]])
    logits = np.zeros_like(y)
    assert float(MaskedBinaryCrossentropy()(y, logits)) == pytest.approx(2.5 * math.log(2), rel=1e-5)
    assert float(MaskedBinaryCrossentropy(per="bit")(y, logits)) == pytest.approx(math.log(2), rel=1e-5)
    with pytest.raises(ValueError, match="per got 'token'"):
        MaskedBinaryCrossentropy(per="token")


def test_xla_is_on_by_default_and_off_under_several_replicas():
    import tensorflow as tf

    from lecun_zoo.runtime import runtime

    c = _tiny(jit_compile=True)
    m = build(c)
    compile_model(m, c)
    assert m.jit_compile is True
    assert FAMILY.make_config("copy").jit_compile and not FAMILY.make_config("tiny").jit_compile
    cpus = tf.config.list_logical_devices("CPU")
    assert len(cpus) >= 2  # tests/conftest.py splits the CPU in two
    with runtime(strategy="mirrored", devices=[d.name for d in cpus[:2]]):
        mirrored = build(c)
        compile_model(mirrored, c)
    assert mirrored.jit_compile is False  # XLA cannot reach variables mirrored on the other device


def test_the_loop_stops_after_the_last_scored_step():
    """A batch of one copy length L padded to T steps: the NTM runs 2L + 1 steps (the logits of
    the steps after it are exactly zero, which no step run would give), and its training loss
    is exactly that of the unpadded batch."""
    from lecun_zoo.families.ntm import tasks

    config = FAMILY.make_config("tiny")
    keras.utils.set_random_seed(0)
    model = FAMILY.build(config)
    FAMILY.compile(model, config)
    x, y = tasks.make_batch("copy", 4, 2, seed=0, **FAMILY.data_options(config))  # L = 2: 5 steps
    assert x.shape[1] == 5
    xp = np.zeros((4, 7, x.shape[2]), "float32")
    yp = np.full((4, 7, y.shape[2]), -1.0, "float32")
    xp[:, :5], yp[:, :5] = x, y
    layer = model.get_layer("ntm")
    layer.active_steps = int(tasks.scored_steps(yp).max())
    try:
        out = np.asarray(model(xp))
    finally:
        layer.active_steps = None
    full = np.asarray(model(xp))  # without active_steps: every step
    np.testing.assert_allclose(out[:, :5], full[:, :5], atol=1e-6)
    assert np.all(out[:, 5:] == 0) and np.all(full[:, 5:] != 0)
    unpadded = model.test_on_batch(x, y, return_dict=True)
    padded = model.train_on_batch(xp, yp, return_dict=True)  # the loss before its update
    assert padded["loss"] == pytest.approx(unpadded["loss"], rel=1e-6)
    assert padded["bit_errors"] == unpadded["bit_errors"]


def test_initial_weightings_learned_or_focused_on_the_first_location():
    keras.utils.set_random_seed(4)
    n = 8  # the tiny preset's memory_size
    near_uniform = _np(build(_tiny()).cell.get_initial_state(1)[-2]).reshape(2, n)
    assert near_uniform.max() < 2.5 / n  # softmax of a small glorot draw
    first = _np(build(_tiny(weighting_init="first")).cell.get_initial_state(1)[-2]).reshape(2, n)
    np.testing.assert_allclose(first[:, 0], math.exp(10) / (math.exp(10) + n - 1), rtol=1e-6)
    with pytest.raises(ConfigError, match="weighting_init"):
        FAMILY.make_config("tiny", weighting_init="last")


def test_gate_bias_starts_every_heads_interpolation_gate_there_and_survives_saving(tmp_path):
    keras.utils.set_random_seed(4)
    c = _tiny(gate_bias=-3.0, read_heads=2)
    model = build(c)
    bias = _np(model.cell.head_projection.bias)[None]  # the parameters a zero controller output emits
    p = heads.split_parameters(bias, c.memory_width, c.shift_range, c.read_heads, c.write_heads, c.clip_value)
    np.testing.assert_allclose(_np(p["g"]).ravel(), [1 / (1 + math.exp(3.0))] * 3, rtol=1e-6)  # 2 read + 1 write head
    np.testing.assert_allclose(_np(p["key"]), 0.0)  # nothing else moved: tanh(0)
    np.testing.assert_allclose(_np(p["beta"]), math.log(2.0), rtol=1e-6)  # softplus(0)
    assert np.count_nonzero(_np(model.cell.head_projection.bias)) == 3
    path = str(tmp_path / "gate.keras")
    model.save(path)
    again = lecun_zoo.load(path)
    assert again.cell.gate_bias == -3.0
    np.testing.assert_array_equal(_np(again.cell.head_projection.bias), _np(model.cell.head_projection.bias))
    for bad in (float("nan"), -21.0):
        with pytest.raises(ConfigError, match="gate_bias"):
            FAMILY.make_config("tiny", gate_bias=bad)
    with pytest.raises(ValueError, match="gate_bias"):
        NTMCell(output_size=3, gate_bias=float("inf"))


def test_the_optimizer_gets_the_configured_epsilon():
    c = _tiny()
    m = build(c)
    compile_model(m, c)
    assert float(m.optimizer.epsilon) == pytest.approx(1e-8)  # TF1 Adam's, not Keras' 1e-7
    with pytest.raises(ConfigError, match="epsilon"):
        FAMILY.make_config("tiny", epsilon=0.0)
