"""Which memory slots hold a sentence, and random noise ("RN", Sukhbaatar et al. 2015,
Sec. 4.4): empty memories inserted into stories during training to regularise the
temporal encoding.

Stories are most-recent-first (slot 0 = the sentence just before the question) with
empty slots padded at the end. An inserted empty memory shifts every older sentence one
slot later, so each sentence is seen with a jittered temporal vector ``T(i)``; the oldest
drops off a full memory. The empty memories themselves hold nothing and are masked out of
the attention like the padding (as the authors' code does: random gaps in the time
indices, "randomtime" 0.1).
"""

from __future__ import annotations

import keras
from keras import ops

from lecun_zoo.model import serializable

__all__ = ["slot_mask", "MemorySlots", "RandomEmptyMemories", "UnknownWordNoise"]


def slot_mask(story):
    """``story`` int ``[batch, M, L]`` -> float32 ``[batch, M]``: 1 where a slot holds words."""
    return ops.cast(ops.any(ops.not_equal(story, 0), axis=-1), "float32")


@serializable
class MemorySlots(keras.layers.Layer):
    """``story [batch, M, L] -> (story, mask [batch, M])``: no noise."""

    def call(self, story):
        return story, slot_mask(story)

    def compute_output_spec(self, story):
        return (keras.KerasTensor(story.shape, dtype=story.dtype),
                keras.KerasTensor(story.shape[:2], dtype="float32"))


@serializable
class RandomEmptyMemories(keras.layers.Layer):
    """In training, an empty memory goes before each slot with probability ``rate``.

    Args:
        rate: chance that an output slot is an inserted empty memory (paper: 0.1).
        seed: seed of the noise.

    Call:
        ``story`` int ``[batch, M, L]`` -> ``(story', mask [batch, M])``; at inference
        ``story`` unchanged and the slots that hold words.
    """

    def __init__(self, rate: float = 0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"RandomEmptyMemories rate got {rate!r}; expected a value in [0, 1)")
        self.rate, self.seed = float(rate), seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, story, training=None):
        mask = slot_mask(story)  # [batch, M]
        if not training or self.rate == 0.0:
            return story, mask
        size = ops.shape(story)[1]
        n_real = ops.sum(mask, axis=1, keepdims=True)  # [batch, 1]
        draw = keras.random.uniform(ops.shape(mask), seed=self.seed_generator)  # [batch, M]
        keep = ops.cast(draw >= self.rate, "float32")  # 1: slot takes the next real sentence
        taken = ops.cumsum(keep, axis=1)  # [batch, M]: real sentences placed up to this slot
        source = ops.cast(taken - 1.0, "int32")  # [batch, M]: which input slot lands here
        gathered = ops.take_along_axis(story, ops.clip(source, 0, size - 1)[:, :, None], axis=1)  # [batch, M, L]
        story_out = gathered * ops.cast(keep, story.dtype)[:, :, None]
        holds = keep * ops.cast(taken <= n_real, "float32")  # [batch, M]: 1 where a real sentence landed
        return story_out, holds

    def compute_output_spec(self, story, training=None):
        return (keras.KerasTensor(story.shape, dtype=story.dtype),
                keras.KerasTensor(story.shape[:2], dtype="float32"))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@serializable
class UnknownWordNoise(keras.layers.Layer):
    """In training, with probability ``rate`` per example, one word of the question
    (picked uniformly) becomes ``<unk>`` (id 1) everywhere in that example, story included.

    Not in the paper: it trains the ``<unk>`` embedding to stand for "a word I have not
    seen, the same one in the question and the story", so a trained model can answer
    about a new name ("Where is Frodo?") when it is the only unknown word.

    Call:
        ``[story int [batch, M, L], question int [batch, L]]`` -> the same, noised in training.
    """

    def __init__(self, rate: float = 0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"UnknownWordNoise rate got {rate!r}; expected a value in [0, 1]")
        self.rate, self.seed = float(rate), seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        story, question = inputs
        if not training or self.rate == 0.0:
            return story, question
        length = ops.shape(question)[-1]
        words = ops.sum(ops.cast(ops.not_equal(question, 0), "float32"), axis=-1)  # [batch]
        draw = keras.random.uniform((ops.shape(question)[0], 2), seed=self.seed_generator)  # [batch, 2]
        pos = ops.clip(ops.cast(ops.floor(draw[:, 0] * words), "int32"), 0, length - 1)  # [batch]
        word = ops.take_along_axis(question, pos[:, None], axis=1)  # [batch, 1]
        hit = ops.logical_and(draw[:, 1:] < self.rate, word > 1)  # [batch, 1]
        unk = ops.ones_like(question)
        question = ops.where(ops.logical_and(ops.equal(question, word), hit), unk, question)
        story = ops.where(ops.logical_and(ops.equal(story, word[:, :, None]), hit[:, :, None]),
                          ops.ones_like(story), story)  # [batch, M, L]
        return story, question

    def compute_output_spec(self, inputs, training=None):
        story, question = inputs
        return (keras.KerasTensor(story.shape, dtype=story.dtype),
                keras.KerasTensor(question.shape, dtype=question.dtype))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
