"""A generated toy language for language-model tests: a small probabilistic grammar
whose words fall into known categories (animals and people, foods, adjectives,
transitive verbs, intransitive verbs), so a model's word vectors can be checked
against the categories. Offline and seeded.

    S  -> NP_a V_t NP_a | NP_a "eats" NP_f | NP_a V_i
    NP -> Det [Adj] Noun          (each sentence ends with <eos>)
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from lecun_zoo.data.base import int_option
from lecun_zoo.families.word_lm.corpus import EOS, LanguageModelSource

__all__ = ["CATEGORIES", "sentences", "ToyGrammar", "DATASET"]

CATEGORIES = {
    "determiner": ("the", "a"),
    "adjective": ("big", "small", "old", "young", "happy"),
    "animate": ("cat", "dog", "man", "woman", "boy", "girl"),
    "food": ("bread", "apple", "cake", "soup"),
    "transitive": ("sees", "chases", "likes"),
    "intransitive": ("sleeps", "runs", "walks"),
}
SIZES = {"train": 3000, "validation": 300, "test": 300}


def _np(rng: np.random.Generator, nouns: tuple) -> list[str]:
    words = [str(rng.choice(CATEGORIES["determiner"]))]
    if rng.random() < 0.5:
        words.append(str(rng.choice(CATEGORIES["adjective"])))
    words.append(str(rng.choice(nouns)))
    return words


def sentences(n: int, seed: int = 0) -> list[list[str]]:
    """``n`` sentences of the grammar (lists of words, without ``<eos>``)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        kind = rng.random()
        s = _np(rng, CATEGORIES["animate"])
        if kind < 0.45:
            s += [str(rng.choice(CATEGORIES["transitive"]))] + _np(rng, CATEGORIES["animate"])
        elif kind < 0.75:
            s += ["eats"] + _np(rng, CATEGORIES["food"])
        else:
            s += [str(rng.choice(CATEGORIES["intransitive"]))]
        out.append(s)
    return out


class ToyGrammar(LanguageModelSource):
    """Generated sentences of the toy grammar: 3,000 train, 300 validation and 300 test
    sentences by default (option ``sentences`` scales all three), word level."""

    name = "toy_grammar"
    summary = "generated sentences of a toy grammar with word categories (offline), word level"
    default_level = "word"
    options = LanguageModelSource.options + ("sentences",)

    def split_tokens(self, split: str, data_dir: Optional[str], level: str, **options: Any):
        scale = int_option(self.name, "sentences", options.get("sentences", SIZES["train"]), 1) / SIZES["train"]
        n = max(1, int(SIZES[split] * scale))
        seed = int(options.get("seed", 0)) * 3 + ("train", "validation", "test").index(split)
        text = "\n".join(" ".join(s) for s in sentences(n, seed))
        if level == "char":
            return list(text + "\n")
        tokens: list[str] = []
        for s in sentences(n, seed):
            tokens.extend(s)
            tokens.append(EOS)
        return tokens


DATASET = ToyGrammar()
