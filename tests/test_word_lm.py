"""word_lm: the maths and the data path of the language models (hand-checked cases)."""

import math
import os

import numpy as np
import pytest

import lecun_zoo
from lecun_zoo.config import ConfigError
from lecun_zoo.data import DataFormatError, DataNotFoundError
from lecun_zoo.families.word_lm.corpus import (EOS, PTB, TEXT, Vocabulary, build_vocabulary, lm_windows, tokenize,
                                              vocabulary_from)
from lecun_zoo.families.word_lm import FAMILY
from lecun_zoo.families.word_lm.kneser_ney import KneserNey


def _get(preset="tiny", compile=True, **overrides):
    config = FAMILY.make_config(preset, **overrides)
    model = FAMILY.build(config)
    if compile:
        FAMILY.compile(model, config)
    return model


# ---------------------------------------------------------------- vocabulary & windows
def test_tokenize_words_and_chars():
    assert tokenize("a b\n\nc\n") == ["a", "b", EOS, "c", EOS]
    assert tokenize("ab\n", "char") == ["a", "b", "\n"]


def test_vocabulary_order_cutoff_and_round_trip():
    v = build_vocabulary("b a b c b a d".split(), min_count=2)
    assert v.itos == ("<unk>", "b", "a")  # by count, ties alphabetical, <unk> first
    assert v.encode(["a", "zzz", "b"]).tolist() == [2, 0, 1]
    assert v.decode([1, 2, 0]) == ["b", "a", "<unk>"]
    assert build_vocabulary("c b a".split(), max_vocab=3).itos == ("<unk>", "a", "b")
    assert vocabulary_from(v.itos) == v and isinstance(v, Vocabulary)
    with pytest.raises(ValueError, match="<unk>"):
        vocabulary_from(("a", "b"))


def test_lm_windows_targets_follow_inputs():
    ids = np.arange(12)
    x, y = lm_windows(ids, seq_len=3, context=1)
    assert x.tolist()[:2] == [[0, 1, 2, 3], [3, 4, 5, 6]]
    assert y.tolist()[:2] == [[2, 3, 4], [5, 6, 7]]  # target j follows input j + context
    targets = y.ravel().tolist()
    assert targets == sorted(set(targets)) and targets[0] == 2  # each token once


def test_lm_windows_streams_continue_row_by_row():
    ids = np.arange(20)
    x, y = lm_windows(ids, seq_len=3, streams=2)  # rows 0..9 and 10..19
    assert x.tolist() == [[0, 1, 2], [10, 11, 12], [3, 4, 5], [13, 14, 15], [6, 7, 8], [16, 17, 18]]
    assert y.tolist()[1] == [11, 12, 13]


# ---------------------------------------------------------------- perplexity metric
def test_perplexity_of_a_known_distribution_is_exact_over_uneven_batches():
    from lecun_zoo.families.word_lm.metrics import BitsPerToken, Perplexity

    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(5), size=(7, 3)).astype("float32")  # [7, 3, 5]
    y = rng.integers(0, 5, size=(7, 3))
    nll = -np.log(np.take_along_axis(probs, y[..., None], -1)).ravel()
    m, b = Perplexity(), BitsPerToken()
    for sl in (slice(0, 1), slice(1, 5), slice(5, 7)):  # batches of 1, 4, 2 windows
        m.update_state(y[sl], probs[sl])
        b.update_state(y[sl], probs[sl])
    assert float(m.result()) == pytest.approx(math.exp(nll.mean()), rel=1e-5)
    assert float(b.result()) == pytest.approx(nll.mean() / math.log(2), rel=1e-5)
    # a uniform model over V tokens has perplexity V
    u = Perplexity()
    u.update_state(np.zeros((2, 4), "int32"), np.full((2, 4, 8), 1 / 8, "float32"))
    assert float(u.result()) == pytest.approx(8.0, rel=1e-5)



def test_token_nll_reads_the_target_entry_from_probabilities_or_logits():
    from lecun_zoo.families.word_lm.metrics import token_nll

    rng = np.random.default_rng(1)
    logits = rng.normal(size=(4, 6, 9)).astype("float32")
    y = rng.integers(0, 9, size=(4, 6))
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    ref = -np.log(np.take_along_axis(probs, y[..., None], -1))[..., 0]
    np.testing.assert_allclose(np.asarray(token_nll(y, probs)), ref, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(token_nll(y, logits, from_logits=True)), ref, rtol=1e-5)
    # a target of probability 1e-20 costs its 46.05 nats, not Keras' 1e-7 floor (16.1)
    p = np.array([[1e-20, 1 - 1e-20]], "float32")
    assert float(np.asarray(token_nll(np.array([0]), p))[0]) == pytest.approx(46.0517, rel=1e-4)


def test_token_nll_loss_gives_keras_cross_entropy_and_its_gradient_on_the_lm():
    import keras
    import tensorflow as tf

    from lecun_zoo.families.word_lm import FAMILY
    from lecun_zoo.families.word_lm.metrics import TokenNLL

    cfg = FAMILY.make_config("small", vocab_size=300, hidden_units=16, embedding_dim=16, batch_size=4, seq_len=6)
    model = FAMILY.build(cfg)
    x, y = FAMILY.example_batch(cfg, 4, seed=0)

    def loss_and_grads(loss):
        model.reset_lm_state()
        with tf.GradientTape() as tape:
            value = loss(y, model(x, training=True))
        return float(value), [tf.convert_to_tensor(g).numpy() for g in tape.gradient(value, model.trainable_variables)]

    ours, g_ours = loss_and_grads(TokenNLL())
    keras_value, g_keras = loss_and_grads(keras.losses.SparseCategoricalCrossentropy())
    assert ours == pytest.approx(keras_value, rel=1e-6)
    for a, b in zip(g_ours, g_keras):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6 * np.abs(b).max())

# ---------------------------------------------------------------- Kneser-Ney
def test_kneser_ney_matches_hand_computed_probabilities():
    # corpus 0 1 0 2 0 1; bigram counts (0,1)=2 (1,0)=1 (0,2)=1 (2,0)=1
    lm = KneserNey(order=2, vocab_size=3).fit([0, 1, 0, 2, 0, 1])
    # D2 = n1/(n1+2 n2) = 3/5; continuation counts N1+(.w): 0->2, 1->1, 2->1 (total 4), D1 = 2/4
    assert lm.discounts == pytest.approx([0.5, 0.6])
    # P1(1) = (1 - .5)/4 + .5 * 3/4 * 1/3 = 0.25 ; P1(0) = 1.5/4 + .125 = 0.5
    assert lm.prob([], 1) == pytest.approx(0.25)
    assert lm.prob([], 0) == pytest.approx(0.5)
    # P(1|0) = (2 - .6)/3 + .6 * 2/3 * P1(1) = 0.46667 + 0.1
    assert lm.prob([0], 1) == pytest.approx(1.4 / 3 + 0.1)
    # unseen context 2->2: (0 - .6)^+ ; context 2 has c=1, one type: .6 * 1/1 * P1(2) = .15
    assert lm.prob([2], 2) == pytest.approx(0.6 * 0.25)


def test_kneser_ney_fixed_discount_trigram_by_hand():
    # tokens a b c a b d (ids 0 1 2 0 1 3), order 3, D = 0.5 at every order
    lm = KneserNey(order=3, vocab_size=4, discounts=[0.5, 0.5, 0.5]).fit([0, 1, 2, 0, 1, 3])
    # unigram continuation: N1+(.b)=1 (a), N1+(.c)=1 (b), N1+(.a)=1 (c), N1+(.d)=1 (b): total 4, 4 types
    p1_c = (1 - 0.5) / 4 + 0.5 * 4 / 4 / 4  # 0.25
    # bigram level (continuation of bigrams from trigrams): (a b)<-{c, ...}: trigrams abc, bca, cab, abd
    # N1+(. b c)=1, N1+(. c a)=1, N1+(. a b)=1 (from c a b), N1+(. b d)=1; context b: total 2, 2 types
    p2_c_given_b = (1 - 0.5) / 2 + 0.5 * 2 / 2 * p1_c
    # top: c(a b c)=1, c(a b d)=1: context (a b) total 2, 2 types
    p3 = (1 - 0.5) / 2 + 0.5 * 2 / 2 * p2_c_given_b
    assert lm.prob([0, 1], 2) == pytest.approx(p3)


def test_modified_kneser_ney_discounts_by_count_by_hand():
    # same corpus; D(c=1) = .6, D(c>=2) = .9 at the bigram order, .5 for every unigram
    lm = KneserNey(order=2, vocab_size=3, modified=True,
                   discounts=[(0.5, 0.5, 0.5), (0.6, 0.9, 0.9)]).fit([0, 1, 0, 2, 0, 1])
    # context 0: c(0 1) = 2 (D .9), c(0 2) = 1 (D .6): total 3, discounted mass 1.5; P1(1) = .25
    assert lm.prob([0], 1) == pytest.approx((2 - 0.9) / 3 + 1.5 / 3 * 0.25)
    assert lm.prob([0], 2) == pytest.approx((1 - 0.6) / 3 + 1.5 / 3 * 0.25)


@pytest.mark.parametrize("modified", [False, True])
def test_kneser_ney_is_normalised(modified):
    rng = np.random.default_rng(1)
    lm = KneserNey(order=4, vocab_size=6, modified=modified).fit(rng.integers(0, 12, 800) % 6)
    for ctx in ([0, 1, 2], [5, 5, 5], [3], []):
        assert sum(lm.prob(ctx, w) for w in range(6)) == pytest.approx(1.0)


# ---------------------------------------------------------------- config & layers
def test_config_errors_name_the_field():
    with pytest.raises(ConfigError, match="architecture"):
        FAMILY.make_config("tiny", architecture="gru")
    with pytest.raises(ConfigError, match="stateful"):
        FAMILY.make_config("tiny_nplm", stateful=True)
    with pytest.raises(ConfigError, match="vocab_size"):
        FAMILY.make_config("tiny", vocab=("<unk>", "a"), vocab_size=5)
    with pytest.raises(ConfigError, match="tie_embeddings"):
        FAMILY.make_config("tiny", tie_embeddings=True, hidden_units=16)


def test_nplm_is_the_bengio_formula():
    """y = b + W x + U tanh(d + H x) with x the concatenated n-1 word vectors."""
    import keras

    m = _get("tiny_nplm", compile=False)
    c = m.zoo_config
    rng = np.random.default_rng(0)
    for w in m.trainable_weights:
        w.assign(rng.normal(size=w.shape).astype("float32") * 0.3)
    tokens = np.array([[3, 7, 1, 4]], "int32")  # order 3: windows (3,7)->, (7,1)->, (1,4)->
    got = keras.ops.convert_to_numpy(m(tokens))[0]  # [3, vocab]
    C = m.get_layer("embedding").embeddings.numpy()
    H, d = [v.numpy() for v in m.get_layer("hidden").weights]
    U, b = [v.numpy() for v in m.get_layer("logits").weights]
    W = m.get_layer("direct").weights[0].numpy()
    for j in range(3):
        x = np.concatenate([C[tokens[0, j]], C[tokens[0, j + 1]]])
        logits = b + x @ W + np.tanh(d + x @ H) @ U
        want = np.exp(logits - logits.max())
        np.testing.assert_allclose(got[j], want / want.sum(), rtol=1e-4, atol=1e-6)
    assert got.shape == (3, c.vocab_size)


def test_nplm_dropout_on_the_context_and_the_hidden_layer_only_in_training():
    """dropout drops context features and hidden units in training; at inference the NPLM is the
    Bengio formula unchanged (same output as the model without dropout, same weights)."""
    import keras

    plain = _get("tiny_nplm", compile=False, direct_connections=False)
    dropped = _get("tiny_nplm", compile=False, direct_connections=False, dropout=0.5)
    assert {"dropout_in", "dropout_hidden"} <= {layer.name for layer in dropped.layers}
    dropped.set_weights(plain.get_weights())
    tokens = np.array([[3, 7, 1, 4]], "int32")
    want = keras.ops.convert_to_numpy(plain(tokens))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(dropped(tokens, training=False)), want, rtol=1e-6)
    hidden = keras.Model(dropped.inputs, dropped.get_layer("dropout_hidden").output)
    h = keras.ops.convert_to_numpy(hidden(tokens, training=True))  # [1, 3, hidden_units]
    assert 0 < (h == 0).mean() < 1  # some hidden units dropped, not all
    assert not np.allclose(keras.ops.convert_to_numpy(dropped(tokens, training=True)), want)


def test_tied_embeddings_share_one_table():
    m = _get("tiny_rnn", compile=False)
    names = [w.path for w in m.trainable_weights]
    assert sum("embeddings" in n for n in names) == 1 and not any("logits" in n for n in names)


# ---------------------------------------------------------------- data sources
def test_text_folder_and_clear_errors(tmp_path):
    (tmp_path / "train.txt").write_text("a b c\nb c\n")
    (tmp_path / "test.txt").write_text("a zzz\n")
    ids = TEXT.ids("test", str(tmp_path))
    v = TEXT.vocabulary(str(tmp_path))
    assert v.decode(ids) == ["a", "<unk>", "<eos>"]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "train.txt").write_text("\n \n")
    with pytest.raises(DataFormatError, match=r"empty.*train\.txt|train\.txt.*empty"):
        TEXT.ids("train", str(empty))
    with pytest.raises(DataNotFoundError, match="ptb.train.txt"):
        PTB.ids("train", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="data_dir"):
        PTB.ids("train", None)


def test_ptb_format_fixture_through_load(tmp_path):
    from lecun_zoo import data

    for split, text in (("train", " the cat sat \n the dog sat \n"), ("valid", " the cat \n"), ("test", " a dog \n")):
        (tmp_path / f"ptb.{split}.txt").write_text(text * 4)
    cfg = FAMILY.make_config("tiny", seq_len=3)
    (tr, te), info = data.load("ptb", ("train", "test"), batch_size=2, data_dir=str(tmp_path), shuffle=False,
                               with_info=True, **FAMILY.data_options(cfg))
    assert info.extra["vocab"][:4] == ("<unk>", "<eos>", "sat", "the")  # 8 each: ties sorted
    x, y = next(iter(tr))
    assert x.shape == (2, 3) and y.shape == (2, 3)
    assert np.array_equal(x.numpy()[0, 1:], y.numpy()[0, :2])


# ---------------------------------------------------------------- saving, generation, perplexity
def _toy_model(preset="tiny", **kw):
    from lecun_zoo.families.word_lm.toy_grammar import DATASET

    vocab = DATASET.vocabulary()
    return _get(preset, vocab=vocab.itos, vocab_size=len(vocab), **kw)


def test_vocabulary_survives_save_and_load(tmp_path):
    from lecun_zoo.families.word_lm.generation import encode

    m = _toy_model()
    path = lecun_zoo.save(m, str(tmp_path / "lm.keras"))
    again = lecun_zoo.load(path)
    assert again.zoo_config.vocab == m.zoo_config.vocab
    assert encode(again, "the dog xyzzy").tolist() == encode(m, "the dog xyzzy").tolist()
    assert encode(again, "xyzzy").tolist() == [0]  # out of vocabulary -> <unk>


@pytest.mark.parametrize("preset", ["tiny", "tiny_nplm"])
def test_generate_samples_known_tokens_and_maps_oov_to_unk(preset):
    from lecun_zoo.families.word_lm.generation import generate, vocabulary_of

    m = _toy_model(preset)
    ids = generate(m, "the unknownword dog", length=7, temperature=0.8, top_k=5, seed=1, return_ids=True)
    assert len(ids) == 7 and all(0 <= i < m.zoo_config.vocab_size for i in ids)
    text = generate(m, "the", length=5, temperature=0, seed=0)
    assert set(text.split()) <= set(vocabulary_of(m).itos)
    assert generate(m, "the", length=5, temperature=0) == text  # greedy is deterministic


def test_stateful_model_carries_state_and_matches_evaluate():
    from lecun_zoo.families.word_lm.generation import perplexity

    m = _toy_model("tiny", stateful=True, batch_size=2, seq_len=4)
    from lecun_zoo.families.word_lm.toy_grammar import DATASET

    ids = DATASET.ids("test")[:200]
    x, y = lm_windows(ids, 4, 0, streams=2)
    m.reset_lm_state()
    first = m(x[:2]).numpy()
    second_carried = m(x[2:4]).numpy()
    m.reset_lm_state()
    second_fresh = m(x[2:4]).numpy()
    assert not np.allclose(second_carried, second_fresh)  # the state carried over
    m.reset_lm_state()
    assert np.allclose(m(x[:2]).numpy(), first, atol=1e-6)  # reset really zeroes it
    res = m.evaluate(x, y, verbose=0, return_dict=True)
    assert res["perplexity"] == pytest.approx(perplexity(m, ids), rel=1e-4)


def test_embedding_tools_on_hand_made_vectors(tmp_path):
    from lecun_zoo.families.word_lm.embeddings import analogy, category_similarity, nearest, tsne_plot

    tokens = ("<unk>", "king", "queen", "man", "woman", "apple")
    vecs = np.array([[0, 0, 0], [1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1], [-1, -1, -1]], "float32")
    assert nearest(vecs, "king", 1, tokens=tokens)[0][0] in ("queen", "man")
    assert nearest(vecs, "king", 5, tokens=tokens)[-1][0] == "apple"
    assert analogy(vecs, "king", "man", "woman", 1, tokens=tokens)[0][0] == "queen"
    within, across = category_similarity(vecs, {"royal": ["king", "queen"], "fruit": ["apple"]}, tokens=tokens)
    assert within > across
    png = tsne_plot(vecs, list(tokens[1:]), str(tmp_path / "t.png"), tokens=tokens)
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(KeyError, match="zebra"):
        nearest(vecs, "zebra", tokens=tokens)


def test_tiny_shakespeare_reads_input_txt_at_char_level(tmp_path):
    from lecun_zoo.families.word_lm.corpus import TINY_SHAKESPEARE

    text = "First Citizen:\nBefore we proceed any further, hear me speak.\n" * 20
    (tmp_path / "input.txt").write_text(text)
    info = TINY_SHAKESPEARE.info(str(tmp_path))
    assert info.extra["level"] == "char" and "F" in info.extra["vocab"]
    cfg = FAMILY.make_config("tiny", level="char", seq_len=4)  # an explicit level travels in data_options
    x, y = TINY_SHAKESPEARE.arrays("train", str(tmp_path), **FAMILY.data_options(cfg))
    assert x.shape[1] == 4 and np.array_equal(x[0, 1:], y[0, :3])
    words = TINY_SHAKESPEARE.info(str(tmp_path), level="word")
    assert "Citizen:" in words.extra["vocab"]
    parts = [TINY_SHAKESPEARE.split_tokens(s, str(tmp_path), "char") for s in ("train", "validation", "test")]
    assert "".join("".join(p) for p in parts) == text  # 90 / 5 / 5 %, in order
    assert len(parts[2]) == round(len(text) * 0.05)


def test_toy_grammar_and_tfds_sources_offline():
    from lecun_zoo.families.word_lm.corpus import LM1B
    from lecun_zoo.families.word_lm.toy_grammar import CATEGORIES, DATASET

    tokens = DATASET.split_tokens("train", None, "word")
    words = {w for ws in CATEGORIES.values() for w in ws} | {"eats", EOS}
    assert set(tokens) == words
    assert DATASET.split_tokens("test", None, "word") != DATASET.split_tokens("validation", None, "word")
    with pytest.raises(DataNotFoundError, match="lm1b"):
        LM1B.ids("test", str("/nonexistent-tfds-dir"))
