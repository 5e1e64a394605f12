"""Word-embedding language models: Bengio et al.'s neural probabilistic LM, LSTM and
Elman RNN language models (Zaremba et al. 2014; Mikolov et al. 2010), an interpolated
Kneser-Ney baseline, sampling and word-vector tools.

``FAMILY`` is the entry-point target. This module imports no Keras.
"""

from lecun_zoo.family import Family
from lecun_zoo.families.word_lm.config import PRESETS, WordLMConfig
from lecun_zoo.families.word_lm.hooks import (
    adapt_to_data, compile_model, data_options, example_batch, fit, search_space,
)

FAMILY = Family(
    name="word_lm",
    summary="Word-embedding language models: the neural probabilistic LM (NPLM), LSTM and RNN LMs.",
    paper=(
        "Bengio, Ducharme, Vincent & Jauvin (2003), A neural probabilistic language model, JMLR 3; "
        "Mikolov, Karafiat, Burget, Cernocky & Khudanpur (2010), Recurrent neural network based language model; "
        "Zaremba, Sutskever & Vinyals (2014), Recurrent neural network regularization, arXiv:1409.2329; "
        "LeCun, Bengio & Hinton (2015), Deep learning, Nature 521."
    ),
    config_cls=WordLMConfig,
    build="lecun_zoo.families.word_lm.model:WordLanguageModel",
    compile=compile_model,
    presets=PRESETS,
    default_preset="small",
    capabilities=("mixed_precision", "distribution", "tuning"),
    tags=("generation", "recurrent", "text"),
    datasets=("toy_grammar", "ptb", "text", "tiny_shakespeare", "lm1b"),
    default_data="toy_grammar",
    # Zaremba et al. 2014's small model: 13 epochs, the rate halved every epoch after the 4th
    recipes={"ptb": dict(preset="small", epochs=13)},
    sources={"toy_grammar": "lecun_zoo.families.word_lm.toy_grammar:DATASET",
             "ptb": "lecun_zoo.families.word_lm.corpus:PTB", "text": "lecun_zoo.families.word_lm.corpus:TEXT",
             "tiny_shakespeare": "lecun_zoo.families.word_lm.corpus:TINY_SHAKESPEARE",
             "lm1b": "lecun_zoo.families.word_lm.corpus:LM1B"},
    metrics=("loss", "perplexity", "bits_per_token"),
    example_batch=example_batch,
    search_space=search_space,
    adapt_to_data=adapt_to_data,
    data_options=data_options,
    fit=fit,
    aliases=("language_model", "rnnlm"),
    weights="lecun_zoo.families.word_lm:weights",
)

__all__ = ["FAMILY", "WordLMConfig"]
