"""The RNN encoder-decoder (Sutskever, Vinyals & Le 2014; Cho et al. 2014), with optional
attention over the encoder states (Bahdanau et al. 2015; Luong et al. 2015).

Training graph (teacher forcing)::

    source [batch, S] --embed--> RNN x num_layers --> memory [batch, S, units], final states
    target_in [batch, T] --embed--> RNN x num_layers (initial states = encoder final states)
        --> h [batch, T, units] (--attention over memory--> tanh(W_c [context; h]))
        --> Dense(target vocab) --> softmax (float32) [batch, T, target vocab]

Masks (``ids != 0``) are computed once and passed explicitly to every layer that needs
them, so no mask is lost at a multi-input layer; the output carries no Keras mask (the
masked loss in ``losses.py`` does the masking, exactly once). ``encode`` and ``decode``
below are the same functions in the training graph and in step-by-step inference
(``inference.py``), so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Optional

import keras
from keras import ops

from lecun_zoo.families.seq2seq import losses  # noqa: F401  (registers the loss and metrics)
from lecun_zoo.families.seq2seq.config import Seq2SeqConfig
from lecun_zoo.families.seq2seq.attention import SequenceAttention
from lecun_zoo.model import ZooModel, serializable

__all__ = ["Seq2Seq", "FloatSoftmax", "reverse_valid", "make_layers", "layers_of", "encode", "decode"]


@serializable
class FloatSoftmax(keras.layers.Layer):
    """Softmax over the last axis in float32, dropping any Keras mask (the loss masks)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["dtype"] = "float32"
        super().__init__(**kwargs)

    def call(self, logits):
        return ops.softmax(ops.cast(logits, "float32"), axis=-1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return input_shape


def reverse_valid(ids, mask):
    """Reverse each row's non-padded prefix, keeping the padding at the end.

    Args:
        ids: ``[batch, S]``; mask: bool ``[batch, S]`` (right-padded rows).
    """
    pos = ops.cumsum(ops.ones_like(ids, dtype="int32"), axis=1) - 1  # [batch, S]: 0, 1, 2, ...
    lengths = ops.sum(ops.cast(mask, "int32"), axis=1, keepdims=True)  # [batch, 1]
    index = ops.where(pos < lengths, lengths - 1 - pos, pos)  # [batch, S]
    return ops.take_along_axis(ids, index, axis=1)


def make_layers(c: Seq2SeqConfig) -> dict[str, keras.layers.Layer]:
    """Every layer of the model, by name (the names ``layers_of`` finds them by)."""
    def uni():  # a fresh initializer per weight (Sutskever et al.: U(-0.08, 0.08))
        return keras.initializers.RandomUniform(-c.init_scale, c.init_scale)

    rnn_cls = keras.layers.LSTM if c.cell == "lstm" else keras.layers.GRU
    L: dict[str, keras.layers.Layer] = {}
    emb_kw = {"embeddings_initializer": uni()} if c.init_scale > 0 else {}
    L["source_embedding"] = keras.layers.Embedding(c.source_vocab_size, c.embedding_dim, name="source_embedding", **emb_kw)
    L["target_embedding"] = keras.layers.Embedding(c.target_vocab_size, c.embedding_dim, name="target_embedding", **emb_kw)
    for side in ("encoder", "decoder"):
        for i in range(c.num_layers):
            kw = dict(kernel_initializer=uni(), recurrent_initializer=uni(), bias_initializer=uni()) if c.init_scale > 0 else {}
            if c.init_scale > 0 and c.cell == "lstm":
                kw["unit_forget_bias"] = False  # all weights uniform, as in the paper (no +1 forget bias)
            L[f"{side}_rnn_{i}"] = rnn_cls(c.units, return_sequences=True, return_state=True, name=f"{side}_{c.cell}_{i}", **kw)
            L[f"{side}_dropout_{i}"] = keras.layers.Dropout(c.dropout, name=f"{side}_dropout_{i}")
    if c.attention != "none":
        score = "additive" if c.attention == "bahdanau" else "general"
        L["attention"] = SequenceAttention(score, c.attention_units, name="attention")
        L["attention_combine"] = keras.layers.Dense(c.units, activation="tanh", use_bias=False, name="attention_combine",
                                                    **({"kernel_initializer": uni()} if c.init_scale > 0 else {}))
    L["output_dropout"] = keras.layers.Dropout(c.dropout, name="output_dropout")
    L["output_projection"] = keras.layers.Dense(
        c.target_vocab_size, name="output_projection",
        **({"kernel_initializer": uni(), "bias_initializer": uni()} if c.init_scale > 0 else {}))
    L["probabilities"] = FloatSoftmax(name="probabilities")
    return L


def layers_of(model: keras.Model) -> dict[str, keras.layers.Layer]:
    """The layers of a built Seq2Seq, keyed as in ``make_layers``."""
    c = model.zoo_config
    names = {"source_embedding": "source_embedding", "target_embedding": "target_embedding",
             "output_dropout": "output_dropout", "output_projection": "output_projection",
             "probabilities": "probabilities"}
    for side in ("encoder", "decoder"):
        for i in range(c.num_layers):
            names[f"{side}_rnn_{i}"] = f"{side}_{c.cell}_{i}"
            names[f"{side}_dropout_{i}"] = f"{side}_dropout_{i}"
    if c.attention != "none":
        names["attention"] = "attention"
        names["attention_combine"] = "attention_combine"
    return {k: model.get_layer(v) for k, v in names.items()}


def encode(L: dict, c: Seq2SeqConfig, source, training: Optional[bool] = None):
    """Read the source.

    Args:
        source: int ``[batch, S]``, 0 = padding (right-padded).

    Returns:
        ``(memory [batch, S, units], states, source_mask bool [batch, S])``; ``states`` is one
        list per layer (``[h, c]`` for LSTM, ``[h]`` for GRU). With ``reverse_source`` the
        memory is in reversed order (position j holds source token L-1-j).
    """
    mask = ops.not_equal(source, 0)  # [batch, S]
    if c.reverse_source:
        source = reverse_valid(source, mask)
    x = L["source_embedding"](source)  # [batch, S, embedding_dim]
    states = []
    for i in range(c.num_layers):
        x = L[f"encoder_dropout_{i}"](x, training=training)
        out = L[f"encoder_rnn_{i}"](x, mask=mask, training=training)
        x = out[0]  # [batch, S, units]
        states.append(list(out[1:]))
    return x, states, mask


def decode(L: dict, c: Seq2SeqConfig, target_in, states, memory, source_mask, training: Optional[bool] = None):
    """Run the decoder over ``target_in`` from ``states``.

    Args:
        target_in: int ``[batch, T]`` (``<start> y1 y2 ...``), 0 = padding.
        states: per-layer initial states (from ``encode`` or a previous call).
        memory: ``[batch, S, units]``; source_mask: bool ``[batch, S]``.

    Returns:
        ``(probabilities float32 [batch, T, vocab], new states, attention weights
        float32 [batch, T, S] or None)``.
    """
    tmask = ops.not_equal(target_in, 0)  # [batch, T]
    y = L["target_embedding"](target_in)  # [batch, T, embedding_dim]
    new_states = []
    for i in range(c.num_layers):
        y = L[f"decoder_dropout_{i}"](y, training=training)
        out = L[f"decoder_rnn_{i}"](y, initial_state=states[i], mask=tmask, training=training)
        y = out[0]  # [batch, T, units]
        new_states.append(list(out[1:]))
    weights = None
    if c.attention != "none":
        context, weights = L["attention"]([y, memory], memory_mask=source_mask)  # [batch, T, units], [batch, T, S]
        y = L["attention_combine"](ops.concatenate([context, y], axis=-1))  # [batch, T, units]
    y = L["output_dropout"](y, training=training)
    probs = L["probabilities"](L["output_projection"](y))  # [batch, T, vocab] float32
    return probs, new_states, weights


@serializable
class Seq2Seq(ZooModel):
    """An encoder-decoder over token ids, trained with teacher forcing.

    Args:
        config: a :class:`Seq2SeqConfig` or a dict of its fields.

    Inputs ``{"source": int [batch, S], "target_in": int [batch, T]}`` (0 = padding);
    output: next-token probabilities ``[batch, T, target vocab]`` (float32).
    Decode with ``lecun_zoo.families.seq2seq.translate(model, sentences)``.

    Example:
        >>> model = Seq2Seq({"units": 8, "embedding_dim": 4})
        >>> model.output_shape
        (None, None, 14)
    """

    config_cls = Seq2SeqConfig

    @classmethod
    def build_graph(cls, c: Seq2SeqConfig):
        source = keras.Input(shape=(None,), dtype="int32", name="source")  # [batch, S]
        target_in = keras.Input(shape=(None,), dtype="int32", name="target_in")  # [batch, T]
        L = make_layers(c)
        memory, states, source_mask = encode(L, c, source)
        probs, _, _ = decode(L, c, target_in, states, memory, source_mask)
        return {"source": source, "target_in": target_in}, probs
