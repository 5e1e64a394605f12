"""word_lm learns the toy grammar: perplexity far below the unigram model's, and words
of one category end up nearer each other than words of different categories."""

import numpy as np
import pytest

from lecun_zoo import data
from lecun_zoo.families.word_lm.toy_grammar import CATEGORIES, DATASET
from lecun_zoo.families.word_lm import FAMILY
from lecun_zoo.families.word_lm.embeddings import category_similarity
from lecun_zoo.families.word_lm.kneser_ney import KneserNey

SMALL = dict(vocab_size=30, embedding_dim=16, hidden_units=32, num_layers=1, order=4, seq_len=10,
             optimizer="adam", learning_rate=1e-2, direct_connections=False)
WORD_CATEGORIES = {k: v for k, v in CATEGORIES.items() if k != "determiner"}


def unigram_perplexity() -> float:
    train, test = DATASET.ids("train"), DATASET.ids("test")
    counts = np.bincount(train, minlength=int(train.max()) + 1) + 0.5  # add-1/2 smoothing
    p = counts / counts.sum()
    return float(np.exp(-np.log(p[test]).mean()))


def train_on_toy_grammar(architecture: str, epochs: int):
    import keras

    keras.utils.set_random_seed(0)
    cfg = FAMILY.make_config("tiny", architecture=architecture, **SMALL)
    (train, val, test), info = data.load("toy_grammar", ("train", "validation", "test"), batch_size=32,
                                         with_info=True, **FAMILY.data_options(cfg))
    cfg = FAMILY.make_config("tiny", architecture=architecture, **{**SMALL, **FAMILY.adapt_to_data(info)})
    model = FAMILY.build(cfg)
    FAMILY.compile(model, cfg)
    FAMILY.train(model, cfg, train, validation_data=val, epochs=epochs, verbose=0)
    return model, model.evaluate(test, verbose=0, return_dict=True)


@pytest.mark.parametrize("architecture,epochs", [("nplm", 3), ("lstm", 2)])
def test_neural_lm_beats_unigram_and_groups_word_categories(architecture, epochs):
    model, result = train_on_toy_grammar(architecture, epochs)
    unigram = unigram_perplexity()
    assert unigram > 15  # the grammar's words are spread out
    assert result["perplexity"] < 0.4 * unigram, (result, unigram)
    within, across = category_similarity(model, WORD_CATEGORIES)
    assert within > across + 0.2, (within, across)


def test_kneser_ney_learns_the_toy_grammar():
    train, test = DATASET.ids("train"), DATASET.ids("test")
    lm = KneserNey(order=3, vocab_size=int(train.max()) + 1).fit(train)
    assert lm.perplexity(test) < 0.4 * unigram_perplexity()
