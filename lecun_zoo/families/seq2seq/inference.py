"""Inference outside the training graph: text in, text out.

    from lecun_zoo.families.seq2seq import translate
    translate(model, ["ein hund läuft ."], beam_width=4)        # -> ["a dog runs ."]

The encoder runs once per batch; the decoder then runs one step at a time through the
same layers and the same ``decode`` function as the training graph (``model.py``),
driven by greedy or beam search (``beam_search.py``). Tokenisation and vocabularies come
from the model's config, so a reloaded model decodes exactly the same way.
"""

from __future__ import annotations

import dataclasses
import weakref
from typing import Optional, Sequence

import numpy as np

from lecun_zoo.families.seq2seq.tokens import START_ID, END_ID, Vocabulary, detokenize, pad_batch, tokenize
from lecun_zoo.families.seq2seq.beam_search import Hypothesis, beam_search, greedy_search

__all__ = ["Translation", "encode_sentences", "decode", "translate", "attention_weights", "plot_attention",
           "step_function", "inference_models"]


@dataclasses.dataclass
class Translation:
    """A decoded sentence: ``text``, its ``source_tokens`` / ``target_tokens``, the
    ``score`` (log probability) and ``attention`` ``[len(target_tokens), len(source_tokens)]``
    (weights over the source in reading order; None without attention)."""

    text: str
    source_tokens: list
    target_tokens: list
    score: float
    attention: Optional[np.ndarray] = None


def _vocabs(config) -> tuple[Vocabulary, Vocabulary]:
    return Vocabulary(config.source_vocab), Vocabulary(config.target_vocab)


def encode_sentences(config, sentences: Sequence[str]) -> tuple[np.ndarray, list[list[str]]]:
    """Source ids ``[n, longest]`` and the tokens of each sentence.

    Unknown tokens map to ``<unk>``; an empty sentence, a non-string, or one longer than
    ``max_source_length`` raises ``ValueError`` naming its index.
    """
    if isinstance(sentences, str):
        raise TypeError("translate() sentences got a str; expected a list of sentences (wrap it: [sentence])")
    src_vocab, _ = _vocabs(config)
    tokens = []
    for i, s in enumerate(sentences):
        if not isinstance(s, str):
            raise TypeError(f"translate() sentence {i} got {type(s).__name__}; expected a str")
        toks = tokenize(s, config.source_level, config.lowercase)
        if not toks or not s.strip():
            raise ValueError(f"translate() sentence {i} ({s!r}) is empty; expected at least one token")
        if len(toks) > config.max_source_length:
            raise ValueError(f"translate() sentence {i} has {len(toks)} tokens; expected at most "
                             f"max_source_length={config.max_source_length}")
        tokens.append(toks)
    if not tokens:
        raise ValueError("translate() got no sentences; expected at least one")
    return pad_batch([src_vocab.encode(t) for t in tokens]), tokens


def _to_numpy(nest):
    import keras

    if isinstance(nest, (list, tuple)):
        return [_to_numpy(v) for v in nest]
    return np.asarray(keras.ops.convert_to_numpy(nest))


def _source_order(weights: np.ndarray, source_ids: np.ndarray, reverse: bool) -> np.ndarray:
    """Map attention over (possibly reversed) memory positions back to source positions.

    Args:
        weights: ``[n, ..., S]``; source_ids: ``[n, S]``.
    """
    if not reverse:
        return weights
    out = np.array(weights, copy=True)
    lengths = (source_ids != 0).sum(axis=1)
    for i, n in enumerate(lengths):
        out[i, ..., :n] = weights[i, ..., :n][..., ::-1]
    return out


_INFERENCE_MODELS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def inference_models(model):
    """``(encoder, decoder_step)``: functional models over the trained model's own layers.

    ``encoder``: source ``[n, S]`` -> ``[memory, source_mask, *states]``;
    ``decoder_step``: ``[token [n, 1], memory, source_mask, *states]`` ->
    ``[probabilities [n, 1, vocab], *new states, (attention [n, 1, S])]``. Both run through
    ``predict_on_batch`` (compiled graphs), built once per model.
    """
    import keras

    from lecun_zoo.families.seq2seq.model import decode as decode_graph, encode, layers_of

    if model in _INFERENCE_MODELS:
        return _INFERENCE_MODELS[model]
    c = model.zoo_config
    L = layers_of(model)
    dtype = L["encoder_rnn_0"].compute_dtype
    per_layer = 2 if c.cell == "lstm" else 1
    source = keras.Input((None,), dtype="int32", name="source")
    memory, states, mask = encode(L, c, source, training=False)
    encoder = keras.Model(source, [memory, mask] + [s for layer in states for s in layer], name="seq2seq_encoder")
    token = keras.Input((1,), dtype="int32", name="token")
    memory_in = keras.Input((None, c.units), dtype=dtype, name="memory")
    mask_in = keras.Input((None,), dtype="bool", name="source_mask")
    states_in = [keras.Input((c.units,), dtype=dtype, name=f"state_{i}") for i in range(c.num_layers * per_layer)]
    nested = [states_in[i * per_layer:(i + 1) * per_layer] for i in range(c.num_layers)]
    probs, new_states, weights = decode_graph(L, c, token, nested, memory_in, mask_in, training=False)
    outputs = [probs] + [s for layer in new_states for s in layer] + ([weights] if weights is not None else [])
    step = keras.Model([token, memory_in, mask_in] + states_in, outputs, name="seq2seq_decoder_step")
    _INFERENCE_MODELS[model] = (encoder, step)
    return encoder, step


def step_function(model):
    """``(step, initial_state_fn)`` for :mod:`beam_search`: ``initial_state_fn(source_ids)``
    encodes a batch; ``step(tokens, state)`` runs one decoder step."""
    encoder, step_model = inference_models(model)
    n_states = len(step_model.inputs) - 3

    def initial_state(source_ids):
        out = encoder.predict_on_batch(np.asarray(source_ids, "int32"))
        return {"memory": out[0], "mask": out[1], "states": list(out[2:])}

    def step(tokens, state):
        tok = np.asarray(tokens, "int32")[:, None]  # [n, 1]
        out = step_model.predict_on_batch([tok, state["memory"], state["mask"]] + list(state["states"]))
        p = np.asarray(out[0], "float32")[:, 0, :]  # [n, vocab]: the model's float32 probabilities
        log_probs = np.log(np.maximum(p, 1e-30))  # float32 (half the time of float64); scores add up in float64
        w = np.asarray(out[1 + n_states], "float32")[:, 0, :] if len(out) > 1 + n_states else None  # [n, S]
        return log_probs, {"memory": state["memory"], "mask": state["mask"], "states": list(out[1:1 + n_states])}, w

    return step, initial_state


def decode(model, source_ids: np.ndarray, *, beam_width: int = 1, length_penalty: float = 0.0,
           max_length: Optional[int] = None, batch_size: int = 64) -> list[Hypothesis]:
    """Decode id arrays ``[n, S]``: one :class:`Hypothesis` per row (extra = attention
    ``[steps, S]`` in source order, when the model attends)."""
    c = model.zoo_config
    max_length = c.max_target_length if max_length is None else int(max_length)
    source_ids = np.asarray(source_ids, dtype="int32")
    step, initial_state = step_function(model)
    out: list[Hypothesis] = []
    for lo in range(0, len(source_ids), batch_size):
        chunk = source_ids[lo: lo + batch_size]
        state = initial_state(chunk)
        if beam_width == 1:
            hyps = greedy_search(step, state, len(chunk), max_length, start_id=START_ID, end_id=END_ID)
        else:
            hyps = beam_search(step, state, len(chunk), max_length, beam_width=beam_width,
                               length_penalty=length_penalty, start_id=START_ID, end_id=END_ID)
        for i, h in enumerate(hyps):
            if h.extra is not None:
                h.extra = _source_order(h.extra[None], chunk[i:i + 1], c.reverse_source)[0]
        out.extend(hyps)
    return out


def translate(model, sentences: Sequence[str], beam_width: Optional[int] = None, *,
              length_penalty: Optional[float] = None, max_length: Optional[int] = None,
              batch_size: int = 64, return_details: bool = False):
    """Translate sentences with a trained Seq2Seq model.

    Args:
        model: a Seq2Seq model (e.g. from ``lecun_zoo.load("model.keras")``).
        sentences: a list of strings, tokenised as the model's config says.
        beam_width: 1 = greedy; default: the config's ``beam_width``.
        length_penalty: GNMT alpha for beam search; default: the config's.
        max_length: most target tokens; default ``max_target_length``.
        return_details: return :class:`Translation` objects (tokens, score, attention).

    Returns:
        the translations as strings (or :class:`Translation` objects).
    """
    c = model.zoo_config
    beam_width = c.beam_width if beam_width is None else int(beam_width)
    length_penalty = c.length_penalty if length_penalty is None else float(length_penalty)
    ids, src_tokens = encode_sentences(c, sentences)
    _, tgt_vocab = _vocabs(c)
    hyps = decode(model, ids, beam_width=beam_width, length_penalty=length_penalty, max_length=max_length,
                  batch_size=batch_size)
    results = []
    for toks, h in zip(src_tokens, hyps):
        words = tgt_vocab.decode(h.tokens, strip=True)
        att = None if h.extra is None else h.extra[:, : len(toks)]
        results.append(Translation(detokenize(words, c.target_level), toks, words, h.score, att))
    return results if return_details else [r.text for r in results]


def attention_weights(model, x: dict) -> Optional[np.ndarray]:
    """Teacher-forced attention ``[batch, T, S]`` (source reading order) for inputs
    ``{"source", "target_in"}``; None if the model has no attention."""
    import keras

    from lecun_zoo.families.seq2seq.model import decode as decode_graph, encode, layers_of

    c = model.zoo_config
    if c.attention == "none":
        return None
    L = layers_of(model)
    src = np.asarray(x["source"], "int32")
    memory, states, mask = encode(L, c, keras.ops.convert_to_tensor(src), training=False)
    _, _, w = decode_graph(L, c, keras.ops.convert_to_tensor(np.asarray(x["target_in"], "int32")), states,
                           memory, mask, training=False)
    return _source_order(_to_numpy(w), src, c.reverse_source)


def plot_attention(translation: Translation, path: str, title: str = "") -> str:
    """Heat map of a :class:`Translation`'s attention: source tokens across, target down."""
    from lecun_zoo.plots import heatmap

    if translation.attention is None:
        raise ValueError("plot_attention() translation has no attention weights (model without attention)")
    return heatmap(translation.attention, path, title=title, xlabel="source", ylabel="target",
                   xticklabels=translation.source_tokens, yticklabels=translation.target_tokens)
