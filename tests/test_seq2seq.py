"""Seq2seq family: masking, attention, decoding, tokenisation, translate() and learning."""

import math

import keras
import numpy as np
import pytest

from lecun_zoo.config import ConfigError
from lecun_zoo.families.seq2seq.tokens import UNK_ID, Vocabulary, build_vocabulary, encode_pairs, tokenize
from lecun_zoo.families.seq2seq import FAMILY, translate
from lecun_zoo.families.seq2seq.beam_search import _top, beam_search, greedy_search
from lecun_zoo.families.seq2seq.losses import MaskedAccuracy, MaskedSparseCrossentropy, SequenceAccuracy
from lecun_zoo.families.seq2seq.model import reverse_valid
from lecun_zoo.families.seq2seq.inference import attention_weights, plot_attention, step_function
from lecun_zoo.families.seq2seq.attention import SequenceAttention, masked_softmax

LN2 = math.log(2.0)


def model_of(preset="tiny", **overrides):
    keras.utils.set_random_seed(0)
    cfg = FAMILY.make_config(preset, **overrides)
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    return model


# ----------------------------------------------------------------- masked loss and metrics
def hand_batch():
    """y_true with padding, and probabilities whose target-token probabilities are known:
    sentence 0: 1/2, 1/4, 1/8 (then a pad); sentence 1: 1/2, 1/2 (then two pads).
    Pad positions give the pad id probability 0.001: they would dominate an unmasked loss."""
    y_true = np.array([[4, 5, 3, 0], [6, 3, 0, 0]], "int32")
    target_p = np.array([[0.5, 0.25, 0.125, 0.0], [0.5, 0.5, 0.0, 0.0]])
    V = 7
    y_pred = np.zeros((2, 4, V), "float32")
    for b in range(2):
        for t in range(4):
            label = y_true[b, t]
            p = target_p[b, t] if label != 0 else 0.001
            y_pred[b, t, :] = (1.0 - p) / (V - 1)
            y_pred[b, t, label] = p
    return y_true, y_pred


def test_masked_loss_ignores_padding_exactly():
    y_true, y_pred = hand_batch()
    # sentence means: (ln2 + 2 ln2 + 3 ln2) / 3 = 2 ln2 and ln2 -> their mean 1.5 ln2
    sent = float(MaskedSparseCrossentropy("sentence")(y_true, y_pred))
    assert sent == pytest.approx(1.5 * LN2, rel=1e-5)
    # token mean: (6 ln2 + 2 ln2) / 5 real tokens = 1.6 ln2
    tok = float(MaskedSparseCrossentropy("token")(y_true, y_pred))
    assert tok == pytest.approx(1.6 * LN2, rel=1e-5)
    # the pitfall: averaging over every position (pads included) is far off
    naive = float(keras.losses.SparseCategoricalCrossentropy()(y_true, y_pred))
    assert naive > 2.0 * LN2


def test_masked_loss_survives_json_round_trip():
    loss = MaskedSparseCrossentropy("token")
    again = keras.losses.deserialize(keras.losses.serialize(loss))
    y_true, y_pred = hand_batch()
    assert again.normalization == "token"
    assert float(again(y_true, y_pred)) == pytest.approx(1.6 * LN2, rel=1e-5)


def test_masked_accuracy_counts_real_tokens_across_batches():
    y_true, y_pred = hand_batch()
    acc = MaskedAccuracy()
    acc.update_state(y_true, y_pred)
    # hits: 1/2 and 1/4 beat the others, 1/8 loses to (7/8)/6; both of sentence 1 hit
    assert float(acc.result()) == pytest.approx(4 / 5)
    # a second batch: one real token, right -> 5 of 6 real tokens overall (not the 0.9 of batch means)
    acc.update_state(np.array([[4, 0]]), np.eye(7, dtype="float32")[[4, 0]][None])
    assert float(acc.result()) == pytest.approx(5 / 6)
    seq = SequenceAccuracy()
    seq.update_state(y_true, y_pred)
    assert float(seq.result()) == pytest.approx(0.5)


def test_model_output_carries_no_keras_mask_and_evaluate_ignores_padding():
    model = model_of()
    x, y = FAMILY.example_batch(model.zoo_config, 6, 1)
    out = model(x, training=False)
    assert getattr(out, "_keras_mask", None) is None  # so Keras does not mask a second time
    # loss from evaluate == masked cross-entropy recomputed by hand from the outputs
    p = keras.ops.convert_to_numpy(out)
    nll = -np.log(np.clip(np.take_along_axis(p, y[..., None], -1)[..., 0], 1e-7, 1.0))
    m = (y != 0).astype("float64")
    by_hand = np.mean((nll * m).sum(1) / m.sum(1))
    res = model.evaluate(x, y, verbose=0, return_dict=True, batch_size=6)
    assert res["loss"] == pytest.approx(by_hand, rel=1e-4)
    # extra padding columns on source, target_in and target change nothing
    xp = {"source": np.pad(x["source"], ((0, 0), (0, 3))), "target_in": np.pad(x["target_in"], ((0, 0), (0, 2)))}
    yp = np.pad(y, ((0, 0), (0, 2)))
    res_p = model.evaluate(xp, yp, verbose=0, return_dict=True, batch_size=6)
    assert res_p["loss"] == pytest.approx(res["loss"], rel=1e-5)
    assert res_p["accuracy"] == pytest.approx(res["accuracy"], rel=1e-6)
    outp = keras.ops.convert_to_numpy(model(xp, training=False))
    assert np.allclose(outp[:, : y.shape[1]], p, atol=1e-5)


# ----------------------------------------------------------------------------- attention
def test_masked_softmax_and_attention_weights_sum_to_one_over_real_positions():
    w = keras.ops.convert_to_numpy(masked_softmax(np.array([[1.0, 2.0, 50.0]]), np.array([[True, True, False]])))
    e = np.exp([1.0, 2.0])
    assert np.allclose(w, [[e[0] / e.sum(), e[1] / e.sum(), 0.0]], atol=1e-6)
    rng = np.random.default_rng(0)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    for score in ("additive", "general", "dot"):
        att = SequenceAttention(score, 4)
        ctx, w = att([rng.normal(size=(2, 3, 6)).astype("float32"), rng.normal(size=(2, 5, 6)).astype("float32")],
                     memory_mask=mask)
        w = keras.ops.convert_to_numpy(w)
        assert w.shape == (2, 3, 5) and ctx.shape == (2, 3, 6)
        assert np.allclose(w.sum(-1), 1.0, atol=1e-6)
        assert np.all(w[0, :, 3:] == 0.0)


@pytest.mark.parametrize("overrides", [{}, {"attention": "luong", "reverse_source": True}])
def test_model_attention_sums_to_one_and_ignores_source_padding(overrides):
    model = model_of(**overrides)
    x, _ = FAMILY.example_batch(model.zoo_config, 6, 2)
    w = attention_weights(model, x)  # [batch, T, S]
    lengths = (x["source"] != 0).sum(1)
    for b in range(6):
        assert np.allclose(w[b].sum(-1), 1.0, atol=1e-5)
        assert np.all(w[b, :, lengths[b]:] == 0.0)


def test_reverse_valid_reverses_only_the_real_tokens():
    ids = np.array([[5, 6, 7, 0, 0], [4, 5, 6, 7, 8]], "int32")
    out = keras.ops.convert_to_numpy(reverse_valid(ids, ids != 0))
    assert out.tolist() == [[7, 6, 5, 0, 0], [8, 7, 6, 5, 4]]


# ------------------------------------------------------------------------------ decoding
@pytest.mark.parametrize("overrides", [
    {},
    {"cell": "gru", "attention": "luong", "reverse_source": True, "num_layers": 2},
    {"attention": "none", "reverse_source": True, "num_layers": 2},
])
def test_step_by_step_decoder_equals_the_training_graph(overrides):
    model = model_of(**overrides)
    x, _ = FAMILY.example_batch(model.zoo_config, 5, 3)
    full = keras.ops.convert_to_numpy(model(x, training=False))  # [batch, T, vocab]
    step, initial = step_function(model)
    state = initial(x["source"])
    for t in range(x["target_in"].shape[1]):
        log_p, state, _ = step(x["target_in"][:, t], state)
        real = x["target_in"][:, t] != 0
        assert np.allclose(np.exp(log_p[real]), full[real, t], atol=1e-5)


def markov_step(tokens, state):
    """A hand-built decoder over ids {0 pad, 1 unk, 2 start, 3 end, 4 A, 5 B}:
    start -> A .6 | B .4;  A -> end .4 | A .3 | B .3;  B -> end .9 | A .05 | B .05.
    Greedy takes A then end (p = .24); the best sequence is B end (p = .36)."""
    table = {2: {4: 0.6, 5: 0.4}, 4: {3: 0.4, 4: 0.3, 5: 0.3}, 5: {3: 0.9, 4: 0.05, 5: 0.05}, 3: {3: 1.0}}
    p = np.full((len(tokens), 6), 1e-12)
    for i, tok in enumerate(tokens):
        for j, v in table[int(tok)].items():
            p[i, j] = v
    return np.log(p / p.sum(1, keepdims=True)), state, None


def test_top_k_equals_a_full_stable_sort_with_ties_and_dead_beams():
    rng = np.random.default_rng(0)
    for n, k in [(40, 8), (18328, 8), (5, 8), (300, 3)]:
        scores = np.round(rng.normal(size=(6, n)), 1)  # many ties
        scores[1, n // 4:] = -np.inf  # a row with dead beams (as at the first step)
        scores[2] = 0.0  # every entry tied
        expected = np.argsort(-scores, axis=1, kind="stable")[:, :min(k, n)]
        np.testing.assert_array_equal(_top(scores, k), expected)


def test_beam_search_beats_greedy_on_a_hand_built_decoder():
    state = {"row": np.arange(3)[:, None]}
    greedy = greedy_search(markov_step, state, 3, 10)
    assert [h.tokens for h in greedy] == [[4]] * 3
    assert greedy[0].score == pytest.approx(math.log(0.24), abs=1e-6)
    beam = beam_search(markov_step, state, 3, 10, beam_width=2)
    assert [h.tokens for h in beam] == [[5]] * 3
    assert beam[0].score == pytest.approx(math.log(0.36), abs=1e-6)
    one = beam_search(markov_step, state, 3, 10, beam_width=1)
    assert [h.tokens for h in one] == [[4]] * 3 and one[0].score == pytest.approx(greedy[0].score)
    ranked = beam_search(markov_step, state, 1, 10, beam_width=2, return_all=True)[0]
    assert [h.tokens for h in ranked] == [[5], [4]]


def test_beam_width_one_equals_greedy_on_a_model():
    model = model_of(attention="luong", init_scale=0.5, max_target_length=12)
    x, _ = FAMILY.example_batch(model.zoo_config, 7, 4)
    from lecun_zoo.families.seq2seq.inference import decode

    g = decode(model, x["source"], beam_width=1)
    step, initial = step_function(model)
    b = beam_search(step, initial(x["source"]), 7, 12, beam_width=1)
    assert [h.tokens for h in g] == [h.tokens for h in b]
    assert np.allclose([h.score for h in g], [h.score for h in b], atol=1e-9)
    assert any(h.finished for h in g) or any(len(h.tokens) == 12 for h in g)
    # wider beams never find a worse-scoring sequence than greedy here (alpha = 0)
    b3 = decode(model, x["source"], beam_width=3)
    assert all(h3.score >= h1.score - 1e-9 for h1, h3 in zip(g, b3) if h1.finished)


# ---------------------------------------------------------------- tokenisation, translate()
def test_translate_stays_the_function_after_the_inference_module_loads():
    import lecun_zoo.families.seq2seq as pkg
    import lecun_zoo.families.seq2seq.inference  # noqa: F401

    assert callable(pkg.translate) and pkg.translate.__module__ == "lecun_zoo.families.seq2seq"


def test_tokenize_vocab_and_unknown_tokens():
    assert tokenize("Two dogs, running.") == ["two", "dogs", ",", "running", "."]
    assert tokenize("Ab c", "char", lowercase=False) == ["A", "b", " ", "c"]
    v = build_vocabulary([["b", "a", "b"], ["c", "a", "b"]])
    assert v.tokens == ("b", "a", "c")  # by count, ties alphabetical
    assert v.encode(["a", "zzz"]).tolist() == [5, UNK_ID]
    assert v.decode([5, 4, 3, 6], strip=True) == ["a", "b"]
    x, y = encode_pairs([["a"]], [["b", "c"]], v, v)
    assert x["source"].tolist() == [[5]] and x["target_in"].tolist() == [[2, 4, 6]] and y.tolist() == [[4, 6, 3]]
    with pytest.raises(ValueError, match="reserved"):
        Vocabulary(["<pad>"])


CHARS = dict(source_level="char", target_level="char", lowercase=False)


def test_translate_bad_input_raises_clear_errors():
    model = model_of(**CHARS)
    with pytest.raises(ValueError, match="sentence 1 .* is empty"):
        translate(model, ["abc", "   "])
    with pytest.raises(ValueError, match="sentence 0 has 17 tokens; expected at most max_source_length=16"):
        translate(model, ["a" * 17])
    with pytest.raises(TypeError, match="list of sentences"):
        translate(model, "abc")
    out = translate(model, ["abz", "XYZ"], return_details=True)  # z, X, Y, Z are not in a..j
    assert out[0].source_tokens == ["a", "b", "z"] and isinstance(out[1].text, str)


def test_sutskever_uniform_initialisation():
    model = model_of(init_scale=0.08, attention="luong", num_layers=2)
    for w in model.weights:
        if "attention/" not in w.path:  # the attention score keeps its own initializer
            assert np.abs(keras.ops.convert_to_numpy(w)).max() <= 0.08 + 1e-7, w.path
    assert FAMILY.make_config("sutskever2014").init_scale == 0.08


def test_config_validation_names_the_field():
    with pytest.raises(ConfigError, match="'attention'"):
        FAMILY.make_config("tiny", attention="transformer")
    with pytest.raises(ConfigError, match="source_vocab.*twice"):
        FAMILY.make_config("tiny", source_vocab=("a", "a"))
    with pytest.raises(ConfigError, match="reserved"):
        FAMILY.make_config("tiny", target_vocab=("<end>",))


@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")  # saved before any step
def test_saved_model_reloads_and_decodes_the_same(tmp_path):
    vocab = tuple("abcdefghij")
    model = model_of(cell="gru", attention="luong", reverse_source=True, source_vocab=vocab + ("k",),
                     target_vocab=vocab, init_scale=0.3, **CHARS)
    before = translate(model, ["abc", "kji"], beam_width=2)
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.saving.load_model(path)
    assert again.zoo_config == model.zoo_config
    assert translate(again, ["abc", "kji"], beam_width=2) == before


def test_plot_attention_writes_a_png(tmp_path):
    model = model_of(**CHARS)
    tr = translate(model, ["abcd"], return_details=True, max_length=5)[0]
    assert tr.attention.shape == (len(tr.target_tokens), 4)
    path = plot_attention(tr, str(tmp_path / "att.png"))
    assert open(path, "rb").read(4) == b"\x89PNG"


# ------------------------------------------------------------------------------ learning
def test_attention_model_learns_reversal_with_an_anti_diagonal_map():
    """Generated reversal, 1500 strings of 3-8 symbols, 5 epochs: near-perfect exact match
    and attention on source position L-1-t when emitting target position t."""
    from lecun_zoo import data

    keras.utils.set_random_seed(0)
    opts = dict(train_size=1500, eval_size=100)
    (train,), info = data.load("reversal", ("train",), batch_size=32, with_info=True, **opts)
    cfg = FAMILY.make_config("attention", units=32, embedding_dim=16, attention_units=32, learning_rate=0.01,
                             **FAMILY.adapt_to_data(info))
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    model.fit(train, epochs=5, verbose=0)
    src, tgt = data.get_source("reversal").texts("test", **opts)
    out = translate(model, src, return_details=True)
    exact = np.mean([o.text == t for o, t in zip(out, tgt)])
    assert exact >= 0.95, exact
    hits = total = 0
    for o, s in zip(out, src):
        L = len(s)
        for t in range(min(L, len(o.target_tokens))):
            hits += int(np.argmax(o.attention[t]) == L - 1 - t)
            total += 1
    assert hits / total >= 0.9, hits / total
