"""The end-to-end memory network (MemN2N; Sukhbaatar, Szlam, Weston & Fergus 2015).

    u(1) = B q                                   question embedding  [batch, d]
    m_i = A(k) x_i + T_A(k)(i),  c_i = C(k) x_i + T_C(k)(i)          [batch, M, d]
    p = softmax(u(k)^T m),  o(k) = sum_i p_i c_i                     (a hop)
    u(k+1) = u(k) + o(k)       (adjacent)   or   H u(k) + o(k)   (layer-wise)
    answer = softmax(W u(K+1))                                        [batch, V]

Adjacent tying: ``A(k+1) = C(k)``, ``B = A(1)``, ``W = C(K)^T`` (temporal tables tied the
same way), so K hops hold K + 1 embedding matrices. Layer-wise (RNN-like) tying: one A,
one C for every hop, a separate B, W and the linear map H.
"""

from __future__ import annotations

import keras

from lecun_zoo.families.memnet.config import MemNetConfig
from lecun_zoo.families.memnet.encoding import SentenceEmbedding
from lecun_zoo.families.memnet.hop import MemoryHop
from lecun_zoo.families.memnet.noise import MemorySlots, RandomEmptyMemories, UnknownWordNoise
from lecun_zoo.model import ZooModel, serializable

__all__ = ["MemN2N", "hop_layers"]


@serializable
class MemN2N(ZooModel):
    """An end-to-end memory network over a story and a question.

    Inputs: ``{"story": int [batch, memory_size, sentence_len], "question": int [batch,
    sentence_len]}``, word id 0 padding, story slot 0 the most recent sentence.
    Output: float32 answer probabilities over the vocabulary ``[batch, vocab_size]``.
    Hop ``k``'s attention is the second output of layer ``hop_k`` (see ``answer``).

    Args:
        config: a :class:`MemNetConfig` or a dict of its fields.

    Example:
        >>> model = MemN2N({"hops": 2, "embedding_dim": 8, "memory_size": 6})
        >>> model.output_shape[-1] == len(model.zoo_config.vocab)
        True
    """

    config_cls = MemNetConfig

    @classmethod
    def build_graph(cls, c: MemNetConfig):
        story = keras.Input(shape=(c.memory_size, c.sentence_len), dtype="int32", name="story")  # [batch, M, L]
        question = q_input = keras.Input(shape=(c.sentence_len,), dtype="int32", name="question")  # [batch, L]
        if c.unknown_word_noise > 0:
            story_in, question = UnknownWordNoise(c.unknown_word_noise, name="unknown_words")([story, question])
        else:
            story_in = story
        if c.random_noise > 0:
            memory, mask = RandomEmptyMemories(c.random_noise, name="random_noise")(story_in)
        else:
            memory, mask = MemorySlots(name="memory_slots")(story_in)  # [batch, M, L], [batch, M]
        slots = c.memory_size if c.temporal_encoding else 0

        def embedding(name, temporal=True):
            return SentenceEmbedding(c.vocab_size, c.embedding_dim, memory_size=slots if temporal else 0,
                                     position_encoding=c.sentence_encoding == "pe", init_stddev=c.init_stddev,
                                     pe_padded_length=c.pe_length == "padded", name=name)

        if c.weight_tying == "adjacent":
            tables = [embedding(f"embedding_{k}") for k in range(c.hops + 1)]  # E(k) = C(k) = A(k+1)
            embedded = [t(memory) for t in tables]  # K + 1 x [batch, M, d], each computed once
            inputs_of = lambda k: embedded[k - 1]  # noqa: E731  A(k) = E(k-1)
            outputs_of = lambda k: embedded[k]  # noqa: E731  C(k) = E(k)
            u = tables[0](question)  # B = A(1): [batch, d]
        else:
            a, cc = embedding("embedding_a"), embedding("embedding_c")
            m_all, c_all = a(memory), cc(memory)  # [batch, M, d] each, shared by every hop
            inputs_of, outputs_of = (lambda k: m_all), (lambda k: c_all)
            u = embedding("embedding_b", temporal=False)(question)  # [batch, d]
            h = keras.layers.Dense(c.embedding_dim, use_bias=False, name="h",
                                   kernel_initializer=keras.initializers.RandomNormal(stddev=c.init_stddev))
        for k in range(1, c.hops + 1):
            o, _p = MemoryHop(c.empty_slots, c.attend_slots, name=f"hop_{k}")([u, inputs_of(k), outputs_of(k), mask])  # [batch, d], [batch, M]
            if c.weight_tying == "adjacent":
                u = keras.layers.Add(name=f"u_{k + 1}")([u, o])
            else:
                u = keras.layers.Add(name=f"u_{k + 1}")([h(u), o])
        if c.weight_tying == "adjacent":
            logits = tables[-1](u, reverse=True)  # W = C(K)^T: [batch, V]
        else:
            logits = keras.layers.Dense(c.vocab_size, use_bias=False, name="w",
                                        kernel_initializer=keras.initializers.RandomNormal(stddev=c.init_stddev))(u)
        # float32 probabilities, so the loss is float32 under mixed precision
        answer = keras.layers.Activation("softmax", dtype="float32", name="answer")(logits)
        return {"story": story, "question": q_input}, answer


def hop_layers(model) -> list:
    """The model's :class:`MemoryHop` layers, hop 1 first."""
    hops = [l for l in model.layers if isinstance(l, MemoryHop)]
    return sorted(hops, key=lambda l: int(l.name.rsplit("_", 1)[1]))
