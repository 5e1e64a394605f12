"""MemN2N maths: position and temporal encoding, masking, noise, hops, tying, answer()."""

import numpy as np
import pytest

import keras

import lecun_zoo

from lecun_zoo.config import ConfigError
from lecun_zoo.families.memnet import FAMILY, answer, encode, plot_attention
from lecun_zoo.families.memnet.encoding import SentenceEmbedding, position_encoding, position_weights
from lecun_zoo.families.memnet.hop import MemoryHop
from lecun_zoo.families.memnet.linear_start import set_softmax
from lecun_zoo.families.memnet.model import hop_layers
from lecun_zoo.families.memnet.noise import RandomEmptyMemories, UnknownWordNoise, slot_mask


def tiny(**overrides):
    keras.utils.set_random_seed(0)
    cfg = FAMILY.make_config("tiny", **overrides)
    return FAMILY.build(cfg), cfg


# ------------------------------------------------------------------ encodings
def test_position_encoding_matrix_hand_checked():
    # l_kj = 1 + 4 (k - (d+1)/2)(j - (J+1)/2) / (d J), J = 3 words, d = 2: rows j = 1..3, columns k = 1..2
    want = np.array([[4 / 3, 2 / 3], [1.0, 1.0], [2 / 3, 4 / 3]], dtype="float32")
    np.testing.assert_allclose(position_encoding(3, 2), want, rtol=1e-6)
    # J = 1: a one-word sentence is its word's embedding, l = 1
    np.testing.assert_allclose(position_encoding(1, 4), [[1.0, 1.0, 1.0, 1.0]], rtol=1e-6)


def test_position_encoding_is_the_released_codes_not_the_half_scale_printed_formula():
    # Regression: the paper's printed l_kj = (1 - j/J) - (k/d)(1 - 2j/J) weighs words ~0.5 on
    # average; next to unscaled temporal vectors a 3-hop model then stayed at chance (49 %
    # test error) on bAbI task 6 and at 22 % on task 15 after 40 epochs. The authors' code
    # (facebook/MemNN MemN2N-babi-matlab/build_model.m) uses the loop below, mean weight 1.
    for num_words, dim in [(1, 20), (3, 2), (5, 20), (6, 20), (11, 50)]:
        want = np.ones((dim, num_words), "float64")
        for i in range(1, dim + 1):
            for j in range(1, num_words + 1):
                want[i - 1, j - 1] = (i - (dim + 1) / 2) * (j - (num_words + 1) / 2)
        want = 1 + 4 * want / dim / num_words
        got = position_encoding(num_words, dim)
        np.testing.assert_allclose(got, want.T, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(got.mean(axis=1), 1.0, rtol=1e-6)  # every word: mean weight 1, like bag of words
        printed = (1 - np.arange(1, num_words + 1)[:, None] / num_words) - (
            np.arange(1, dim + 1)[None, :] / dim) * (1 - 2 * np.arange(1, num_words + 1)[:, None] / num_words)
        if num_words > 1:
            assert got.mean() > 1.5 * printed.mean()  # not the half-scale printed formula


def test_position_weights_use_each_sentences_own_length():
    ids = np.array([[5, 6, 7, 0, 0], [4, 9, 0, 0, 0]], dtype="int32")
    w = keras.ops.convert_to_numpy(position_weights(ids, 2))  # [2, 5, 2]
    np.testing.assert_allclose(w[0, :3], position_encoding(3, 2), rtol=1e-6)
    np.testing.assert_allclose(w[1, :2], position_encoding(2, 2), rtol=1e-6)
    assert np.all(w[0, 3:] == 0) and np.all(w[1, 2:] == 0)  # padding contributes nothing


def test_position_weights_with_the_padded_length_as_in_the_authors_code():
    # facebook/MemNN build_model.m: J is the longest sentence (the padded length), the same
    # for every sentence, so a word's weights depend on its position only. L = 3, d = 2:
    # j = 1 -> (4/3, 2/3), j = 2 -> (1, 1), whatever the sentence's own length.
    ids = np.array([[5, 6, 0], [4, 0, 0]], dtype="int32")
    w = keras.ops.convert_to_numpy(position_weights(ids, 2, padded_length=True))  # [2, 3, 2]
    np.testing.assert_allclose(w[0], [[4 / 3, 2 / 3], [1.0, 1.0], [0.0, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(w[1], [[4 / 3, 2 / 3], [0.0, 0.0], [0.0, 0.0]], rtol=1e-6)
    own = keras.ops.convert_to_numpy(position_weights(ids, 2))  # J = 2 for row 0: j = 1 -> (1.25, 0.75)
    np.testing.assert_allclose(own[0, 0], [1.25, 0.75], rtol=1e-6)
    model, cfg = tiny(pe_length="padded")
    assert all(l.pe_padded_length for l in model.layers if isinstance(l, SentenceEmbedding))


def test_gradient_clip_bounds_the_whole_embedding_matrix_not_each_lookup():
    # The paper (and facebook/MemNN nn/Weight.m) rescales a matrix's gradient to norm 40 when
    # it is larger. One word looked up 3 times, another once, sum of the 2-d outputs (bag of
    # words): dL/dE has rows (3, 3) and (1, 1), norm sqrt(20). With clip 1 and learning rate 1
    # one SGD step moves E by exactly norm 1. A per-lookup clip (rows (1, 1) x 4, norm
    # sqrt(8)) moved it by sqrt(20 / 8) = 1.58 before the fix.
    layer = SentenceEmbedding(4, 2, memory_size=0, position_encoding=False)
    ids = np.array([[2, 2, 2, 3]], dtype="int32")
    layer(ids)
    before = keras.ops.convert_to_numpy(layer.embeddings).copy()
    opt = keras.optimizers.SGD(1.0, clipnorm=1.0)
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.ops.sum(layer(ids))
    grads = tape.gradient(loss, layer.trainable_weights)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grads[0]), [[0, 0], [0, 0], [3, 3], [1, 1]])
    opt.apply_gradients(zip(grads, layer.trainable_weights))
    step = keras.ops.convert_to_numpy(layer.embeddings) - before
    np.testing.assert_allclose(np.linalg.norm(step), 1.0, rtol=1e-5)
    np.testing.assert_allclose(step[2] / step[3], [3.0, 3.0], rtol=1e-5)  # direction kept


def _embedding(pe: bool, memory_size: int = 2):
    layer = SentenceEmbedding(4, 2, memory_size=memory_size, position_encoding=pe)
    layer.build(None)
    layer.embeddings.assign(np.array([[9, 9], [1, 1], [1, 2], [3, 1]], "float32"))  # row 0 (pad) never read
    if memory_size:
        layer.temporal.assign(np.array([[10, 20], [30, 40]], "float32"))
    return layer


def test_sentence_embedding_position_and_temporal_encoding_hand_checked():
    # story of one memory: slot 0 = words [2, 3] (J = 2), slot 1 empty
    story = np.array([[[2, 3, 0], [0, 0, 0]]], "int32")
    # J = 2, d = 2: l_kj = 1 + (k - 1.5)(j - 1.5): l_1 = [1.25, 0.75], l_2 = [0.75, 1.25]; e2 = [1, 2], e3 = [3, 1]
    # m_0 = [1.25, 1.5] + [2.25, 1.25] + T(0) = [3.5, 2.75] + [10, 20]; m_1 = T(1) (nothing but time)
    out = keras.ops.convert_to_numpy(_embedding(True)(story))
    np.testing.assert_allclose(out[0], [[13.5, 22.75], [30.0, 40.0]], rtol=1e-6)
    # bag of words: e2 + e3 = [4, 3]
    out = keras.ops.convert_to_numpy(_embedding(False)(story))
    np.testing.assert_allclose(out[0], [[14.0, 23.0], [30.0, 40.0]], rtol=1e-6)
    # a question (rank 2) gets no temporal vector
    q = keras.ops.convert_to_numpy(_embedding(True)(np.array([[2, 3, 0]], "int32")))
    np.testing.assert_allclose(q, [[3.5, 2.75]], rtol=1e-6)
    # reverse: scores against every word = u E^T
    scores = keras.ops.convert_to_numpy(_embedding(True)(np.array([[1.0, 0.0]], "float32"), reverse=True))
    np.testing.assert_allclose(scores, [[9, 1, 1, 3]])


# ------------------------------------------------------------------ masking, hops
def test_hop_masks_empty_slots_and_linear_start_drops_the_softmax():
    hop = MemoryHop()
    u = np.array([[1.0, 0.0]], "float32")
    m = np.array([[[2.0, 0.0], [0.0, 0.0], [50.0, 0.0]]], "float32")  # slot 2 would win if not masked
    c = np.array([[[1.0, 0.0], [0.0, 1.0], [7.0, 7.0]]], "float32")
    mask = np.array([[1.0, 1.0, 0.0]], "float32")
    o, p = [keras.ops.convert_to_numpy(t) for t in hop([u, m, c, mask])]
    e = np.exp([2.0, 0.0])
    np.testing.assert_allclose(p[0], [e[0] / e.sum(), e[1] / e.sum(), 0.0], rtol=1e-5)
    np.testing.assert_allclose(o[0], p[0, 0] * c[0, 0] + p[0, 1] * c[0, 1], rtol=1e-5)
    hop.softmax_gate.assign(0.0)  # linear start: p = u^T m on the story's slots
    o, p = [keras.ops.convert_to_numpy(t) for t in hop([u, m, c, mask])]
    np.testing.assert_allclose(p[0], [2.0, 0.0, 0.0])
    np.testing.assert_allclose(o[0], [2.0, 0.0])


def test_hop_attending_empty_slots_gives_them_score_zero_and_reads_nothing():
    # the authors' code: an empty slot is the zero vector, inside the softmax with score 0
    hop = MemoryHop("attend")
    u = np.array([[1.0, 0.0]], "float32")
    m = np.array([[[2.0, 0.0], [0.0, 0.0], [50.0, 0.0]]], "float32")  # slot 2 is empty: its 50 must not count
    c = np.array([[[1.0, 0.0], [0.0, 1.0], [7.0, 7.0]]], "float32")
    mask = np.array([[1.0, 1.0, 0.0]], "float32")
    o, p = [keras.ops.convert_to_numpy(t) for t in hop([u, m, c, mask])]
    e = np.exp([2.0, 0.0, 0.0])  # the empty slot's score is 0, not 50
    np.testing.assert_allclose(p[0], e / e.sum(), rtol=1e-5)
    np.testing.assert_allclose(o[0], p[0, 0] * c[0, 0] + p[0, 1] * c[0, 1], rtol=1e-5)  # reads nothing from slot 2
    hop.softmax_gate.assign(0.0)  # linear start: the same as masking
    o, p = [keras.ops.convert_to_numpy(t) for t in hop([u, m, c, mask])]
    np.testing.assert_allclose(p[0], [2.0, 0.0, 0.0])
    np.testing.assert_allclose(o[0], [2.0, 0.0])
    with pytest.raises(ValueError, match="empty_slots got 'zero'"):
        MemoryHop("zero")


def test_attend_slots_limits_which_empty_slots_take_part():
    # 5 slots: sentences in slots 0 and 3; attend_slots=2 lets empty slot 1 in, keeps 2 and 4 out
    hop = MemoryHop("attend", 2)
    u = np.array([[1.0]], "float32")
    m = np.array([[[1.0], [9.0], [9.0], [2.0], [9.0]]], "float32")
    c = np.array([[[1.0], [5.0], [5.0], [10.0], [5.0]]], "float32")
    mask = np.array([[1.0, 0.0, 0.0, 1.0, 0.0]], "float32")
    o, p = [keras.ops.convert_to_numpy(t) for t in hop([u, m, c, mask])]
    e = np.exp([1.0, 0.0, 2.0])  # slot 0, empty slot 1 (score 0), slot 3
    np.testing.assert_allclose(p[0], [e[0], e[1], 0.0, e[2], 0.0] / e.sum(), rtol=1e-5)
    np.testing.assert_allclose(o[0], [(e[0] * 1.0 + e[2] * 10.0) / e.sum()], rtol=1e-5)
    assert MemoryHop.from_config(hop.get_config()).attend_slots == 2
    with pytest.raises(ValueError, match="attend_slots got -1"):
        MemoryHop("attend", -1)


def test_adapt_to_data_sets_attend_slots_from_the_longest_story():
    from types import SimpleNamespace

    info = SimpleNamespace(extra={"vocab": ["<pad>", "<unk>", "a"], "sentence_len": 4, "longest_story": 12})
    assert FAMILY.adapt_to_data(info) == {"attend_slots": 12, "vocab": ("<pad>", "<unk>", "a"), "sentence_len": 4}


def test_more_empty_slots_pull_attention_away_only_when_they_are_attended():
    # a 2-sentence story in a memory of 6 slots
    for empty_slots in ("mask", "attend"):
        model, cfg = tiny(memory_size=6, empty_slots=empty_slots)
        x, _ = FAMILY.example_batch(cfg, 2, seed=1)
        x["story"][:, 2:] = 0
        probe = keras.Model(model.inputs, model.get_layer("hop_1").output[1])
        p = keras.ops.convert_to_numpy(probe(x))  # [2, 6]
        total = p[:, :2].sum(axis=1)
        if empty_slots == "mask":
            np.testing.assert_allclose(total, 1.0, rtol=1e-5)
        else:
            assert np.all(total < 0.9), total  # 4 empty slots with score 0 take part of the mass
            np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert FAMILY.make_config("tiny", empty_slots="attend").empty_slots == "attend"


def test_model_ignores_everything_in_empty_slots():
    model, cfg = tiny()
    x, _ = FAMILY.example_batch(cfg, 3, seed=1)
    x["story"][:, 3:] = 0  # three sentences each; slots 3.. are empty
    before = keras.ops.convert_to_numpy(model(x))
    for layer in model.layers:  # scramble the temporal vectors of the empty slots
        if isinstance(layer, SentenceEmbedding):
            t = layer.temporal.numpy()
            t[3:] = np.random.default_rng(0).normal(0, 5, t[3:].shape)
            layer.temporal.assign(t)
    after = keras.ops.convert_to_numpy(model(x))
    np.testing.assert_allclose(before, after, rtol=1e-5, atol=1e-6)
    assert np.all(keras.ops.convert_to_numpy(slot_mask(x["story"]))[:, 3:] == 0)


def test_hop_by_hop_shapes():
    model, cfg = FAMILY.build(FAMILY.make_config("tiny", hops=3)), FAMILY.make_config("tiny", hops=3)
    x, _ = FAMILY.example_batch(cfg, 4)
    hops = hop_layers(model)
    assert [h.name for h in hops] == ["hop_1", "hop_2", "hop_3"]
    probe = keras.Model(model.input, [h.output[0] for h in hops] + [h.output[1] for h in hops]
                        + [model.get_layer(f"u_{k}").output for k in (2, 3, 4)]
                        + [model.get_layer("embedding_0").output] + [model.output])
    outs = [keras.ops.convert_to_numpy(o) for o in probe(x)]
    d, m, v = cfg.embedding_dim, cfg.memory_size, cfg.vocab_size
    assert [o.shape for o in outs[:3]] == [(4, d)] * 3  # o(k)
    assert [o.shape for o in outs[3:6]] == [(4, m)] * 3  # p(k)
    assert [o.shape for o in outs[6:9]] == [(4, d)] * 3  # u(k+1)
    assert outs[9].shape == (4, m, d)  # embedded memory
    assert outs[10].shape == (4, v)
    for p in outs[3:6]:  # every slot is full in example_batch: each attention sums to 1
        np.testing.assert_allclose(p.sum(-1), 1.0, rtol=1e-5)


def test_weight_tying_parameter_counts_and_tied_answer_matrix():
    model, cfg = tiny(hops=3)
    v, d, m = cfg.vocab_size, cfg.embedding_dim, cfg.memory_size
    assert len(model.trainable_weights) == 2 * (cfg.hops + 1)  # K + 1 word tables + K + 1 temporal tables
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == (cfg.hops + 1) * (v * d + m * d)
    # W = C(K)^T: the answer scores are u E(K)^T
    last = model.get_layer(f"embedding_{cfg.hops}")
    x, _ = FAMILY.example_batch(cfg, 2)
    u = keras.Model(model.input, model.get_layer(f"u_{cfg.hops + 1}").output)(x)
    logits = keras.ops.convert_to_numpy(u) @ last.embeddings.numpy().T
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), keras.ops.softmax(logits).numpy(), rtol=1e-5)
    lw, cfg2 = tiny(hops=3, weight_tying="layerwise")
    names = {w.path.split("/")[0] for w in lw.trainable_weights}
    assert names == {"embedding_a", "embedding_c", "embedding_b", "h", "w"}
    assert lw.count_params() - 3 == 2 * (v * d + m * d) + v * d + d * d + d * v  # 3 softmax gates


def test_random_noise_inserts_empty_memories_in_training_only():
    story = np.zeros((64, 6, 2), "int32")
    for i in range(4):  # four sentences, word i + 2 each, most recent first
        story[:, i, 0] = i + 2
    layer = RandomEmptyMemories(0.3, seed=3)
    same, mask = layer(story, training=False)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(same), story)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(mask), (story[..., 0] > 0).astype("float32"))
    noisy, mask = [keras.ops.convert_to_numpy(t) for t in layer(story, training=True)]
    words = noisy[..., 0]
    moved = 0
    for row, mrow in zip(words, mask):
        real = row[row > 0]
        np.testing.assert_array_equal(real, np.arange(2, 2 + len(real)))  # order kept, oldest dropped first
        moved += int(len(real) < 4 or np.any(row[:4] == 0))
        np.testing.assert_array_equal(mrow, (row > 0).astype("float32"))  # empties are masked out
    assert moved > 10  # noise happened


def test_unknown_word_noise_replaces_one_question_word_everywhere():
    rng = np.random.default_rng(0)
    story = rng.integers(2, 9, size=(200, 3, 4)).astype("int32")
    question = np.tile(np.array([[5, 6, 7, 0]], "int32"), (200, 1))
    layer = UnknownWordNoise(0.5, seed=1)
    s0, q0 = [keras.ops.convert_to_numpy(t) for t in layer([story, question], training=False)]
    np.testing.assert_array_equal(s0, story) and np.testing.assert_array_equal(q0, question)
    s1, q1 = [keras.ops.convert_to_numpy(t) for t in layer([story, question], training=True)]
    changed = 0
    for st, q, st1, q1_ in zip(story, question, s1, q1):
        gone = set(q[q > 0]) - set(q1_[q1_ > 0])
        assert len(gone) <= 1 and q1_[3] == 0  # at most one word type, padding untouched
        if gone:
            w = gone.pop()
            changed += 1
            np.testing.assert_array_equal(st1, np.where(st == w, 1, st))  # same word in the story too
            np.testing.assert_array_equal(q1_, np.where(q == w, 1, q))
        else:
            np.testing.assert_array_equal(st1, st)
    assert 60 < changed < 140  # about half of 200


# ------------------------------------------------------------------ config
def test_config_errors_name_the_field():
    with pytest.raises(ConfigError, match="vocab"):
        FAMILY.make_config("tiny", vocab=("a", "b", "c"))
    with pytest.raises(ConfigError, match="weight_tying"):
        FAMILY.make_config("tiny", weight_tying="diagonal")
    with pytest.raises(ConfigError, match="random_noise"):
        FAMILY.make_config("tiny", random_noise=1.0)
    cfg = FAMILY.make_config("babi_joint")
    assert (cfg.embedding_dim, cfg.hops, cfg.memory_size, cfg.task, cfg.anneal_every) == (50, 3, 50, "all", 15)
    single = FAMILY.make_config("babi_single")
    assert (single.embedding_dim, single.random_noise, single.linear_start, single.max_grad_norm) == (20, 0.1, True, 40.0)
    assert FAMILY.make_config("tiny").random_noise == 0.0 and not FAMILY.make_config("tiny").linear_start


def test_compile_clips_each_gradient_and_sums_the_loss():
    model, cfg = tiny()
    FAMILY.compile(model, FAMILY.make_config("babi_single"))
    assert model.optimizer.clipnorm == 40.0 and model.loss.reduction == "sum"


def test_linear_start_switches_softmax_back_on(tmp_path):
    model, _ = tiny()
    cfg = FAMILY.make_config("tiny", linear_start=True, ls_patience=1, ls_max_epochs=2, ls_learning_rate=0.002)
    FAMILY.compile(model, cfg)
    x, y = FAMILY.example_batch(cfg, 16)
    gates = []

    class Spy(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            gates.append(float(hop_layers(self.model)[0].softmax_gate.numpy()))

    hist = FAMILY.train(model, cfg, __import__("tensorflow").data.Dataset.from_tensor_slices((x, y)).batch(8),
                        epochs=4, callbacks=[Spy()], verbose=0)
    assert hist.linear_start_epochs == 2  # capped at ls_max_epochs
    assert hist.history["linear_start"] == [1.0, 1.0, 0.0, 0.0]
    assert hist.history["learning_rate"][:2] == pytest.approx([0.002, 0.002])
    assert hist.history["learning_rate"][2:] == pytest.approx([0.01, 0.01])
    assert gates[0] == 0.0 and gates[-1] == 1.0  # softmax off, then back on
    assert float(hop_layers(model)[1].softmax_gate.numpy()) == 1.0


def test_fixed_linear_start_then_annealing_counts_from_its_end():
    # The authors' code (train_linear_start.m): 20 epochs without softmax whatever the
    # validation loss does, then the whole annealed schedule from its first epoch.
    model, _ = tiny()
    cfg = FAMILY.make_config("tiny", linear_start=True, ls_epochs=2, ls_patience=1, ls_learning_rate=0.002,
                             anneal_every=2, learning_rate=0.01)
    FAMILY.compile(model, cfg)
    x, y = FAMILY.example_batch(cfg, 16)
    hist = FAMILY.train(model, cfg, __import__("tensorflow").data.Dataset.from_tensor_slices((x, y)).batch(8),
                        epochs=6, verbose=0)
    assert hist.linear_start_epochs == 2
    assert hist.history["linear_start"] == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert hist.history["learning_rate"] == pytest.approx([0.002, 0.002, 0.01, 0.01, 0.005, 0.005])
    assert float(hop_layers(model)[0].softmax_gate.numpy()) == 1.0


# ------------------------------------------------------------------ answer()
def test_answer_keeps_last_sentences_maps_unknown_words_and_plots(tmp_path):
    model, cfg = tiny()  # memory of 10 sentences
    story = ". ".join(f"sam went to the garden" for _ in range(12)) + ". Frodo went to the kitchen."
    res = answer(model, story, "Where is Frodo?")
    assert res.dropped == 3 and len(res.sentences) == 10
    assert res.sentences[-1] == "frodo went to the kitchen"
    assert res.attention.shape == (cfg.hops, 10)
    np.testing.assert_allclose(res.attention.sum(1), 1.0, rtol=1e-4)
    assert res.answer in cfg.vocab and 0.0 <= res.probability <= 1.0
    res = answer(model, "Aragorn went to the kitchen.", "Where is Aragorn?")
    assert res.unknown_words == ["aragorn"]
    x, *_ = encode(cfg, "Aragorn went to the kitchen.", "Where is Aragorn?")
    assert x["story"][0, 0, 0] == 1 and x["question"][0, 2] == 1  # <unk>
    with pytest.raises(ValueError, match="aragorn"):
        answer(model, "Aragorn went to the kitchen.", "Where is Aragorn?", on_unknown="raise")
    with pytest.raises(ValueError, match="sentence_len"):
        answer(model, "Frodo went to the kitchen and then to the garden.", "Where is Frodo?")
    with pytest.raises(ValueError, match="no words"):
        answer(model, "Frodo went to the kitchen.", "?")
    path = plot_attention(res, str(tmp_path / "attention.png"), question="Where is Aragorn?")
    assert (tmp_path / "attention.png").stat().st_size > 1000 and path.endswith(".png")


def test_example_batch_fills_every_slot_and_fits_the_config():
    cfg = FAMILY.make_config("tiny")
    x, y = FAMILY.example_batch(cfg, 5, seed=2)
    assert x["story"].shape == (5, cfg.memory_size, cfg.sentence_len) and x["question"].shape == (5, cfg.sentence_len)
    assert np.all(x["story"][..., 0] > 1) and np.all(x["question"][:, 0] > 1)
    assert y.max() < cfg.vocab_size and y.dtype == np.int32


def test_annealing_after_a_resumed_linear_start_counts_from_its_end():
    """A run resumed after linear start ended (at epoch 30) anneals from epoch 30, as the
    uninterrupted run does (it once restarted the count at 0: 1.5625e-4 instead of 6.25e-4)."""
    from lecun_zoo.families.memnet.linear_start import PaperSchedule

    fam = lecun_zoo.get_family("memnet")
    config = fam.make_config("tiny", linear_start=True, ls_epochs=30, learning_rate=0.01, anneal_every=25,
                             anneal_factor=0.5)
    model = lecun_zoo.get("memnet", preset="tiny")
    import keras

    resumed = PaperSchedule(config, epochs=90, verbose=0)
    past = keras.callbacks.History()  # what a fit resumed at epoch 77 holds: the 76 epochs before
    past.history = {"loss": [1.0 - 0.01 * e for e in range(76)], "val_loss": [1.0 - 0.01 * e for e in range(76)],
                    "linear_start": [1.0] * 30 + [0.0] * 46}
    model.history = past
    resumed.set_model(model)
    resumed.on_train_begin()
    resumed.on_epoch_begin(76)  # epoch 77: two annealing steps after linear start
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01 * 0.5 ** 1)
    assert resumed._lr(76) == pytest.approx(0.01 * 0.5 ** ((76 - 30) // 25)) and resumed.ls_epochs == 30
    plain = PaperSchedule(fam.make_config("tiny", linear_start=False, learning_rate=0.01, anneal_every=25,
                                          anneal_factor=0.5), epochs=90, verbose=0)
    model.history = keras.callbacks.History()
    plain.set_model(model)
    plain.on_train_begin()
    plain.on_epoch_begin(76)
    assert plain._lr(76) == pytest.approx(0.01 * 0.5 ** 3)  # without linear start, from epoch 0
