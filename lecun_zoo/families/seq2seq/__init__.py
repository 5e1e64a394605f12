"""Seq2seq: RNN encoder-decoders (Sutskever, Vinyals & Le 2014; Cho et al. 2014) with
optional attention (Bahdanau et al. 2015; Luong et al. 2015), greedy and beam-search
decoding, and corpus BLEU (``lecun_zoo.families.seq2seq.bleu``).

``FAMILY`` is the entry-point target. This module imports no Keras; ``translate`` imports
it on first call.
"""

from lecun_zoo.family import Family
from lecun_zoo.families.seq2seq.config import PRESETS, Seq2SeqConfig
from lecun_zoo.families.seq2seq.hooks import adapt_to_data, compile_model, data_options, example_batch, search_space


def translate(model, sentences, beam_width=None, **kwargs):
    """Translate a list of sentences with a trained Seq2Seq model (see ``inference.translate``)."""
    from lecun_zoo.families.seq2seq.inference import translate as _translate

    return _translate(model, sentences, beam_width=beam_width, **kwargs)


FAMILY = Family(
    name="seq2seq",
    summary="LSTM/GRU encoder-decoders with optional Bahdanau/Luong attention, greedy and beam-search decoding.",
    paper=(
        "Sutskever, Vinyals & Le (2014), Sequence to sequence learning with neural networks, NIPS; "
        "Cho et al. (2014), EMNLP; Bahdanau, Cho & Bengio (2015), ICLR; Luong, Pham & Manning (2015), EMNLP."
    ),
    config_cls=Seq2SeqConfig,
    build="lecun_zoo.families.seq2seq.model:Seq2Seq",
    compile=compile_model,
    presets=PRESETS,
    default_preset="attention",
    capabilities=("mixed_precision", "distribution", "tuning"),
    tags=("attention", "generation", "recurrent", "text"),
    datasets=("reversal", "addition", "multi30k", "tatoeba", "ted_hrlr"),
    default_data="reversal",
    sources={"reversal": "lecun_zoo.families.seq2seq.tasks:REVERSAL",
             "addition": "lecun_zoo.families.seq2seq.tasks:ADDITION",
             "multi30k": "lecun_zoo.families.seq2seq.parallel_text:MULTI30K",
             "tatoeba": "lecun_zoo.families.seq2seq.parallel_text:TATOEBA",
             "ted_hrlr": "lecun_zoo.families.seq2seq.parallel_text:TED_HRLR"},
    metrics=("loss", "accuracy", "sequence_accuracy"),
    example_batch=example_batch,
    search_space=search_space,
    adapt_to_data=adapt_to_data,
    data_options=data_options,
    aliases=("encoder_decoder", "nmt"),
    weights="lecun_zoo.families.seq2seq:weights",
    # keras-io addition_rnn's budget (50,000 questions, 30 epochs, batch 128), the rate cut
    # to 0.3x after 18 epochs and 0.1x after 24 (99.9 % exact match; 98.3 % without the cut)
    recipes={"addition": dict(preset="addition", epochs=30, batch_size=128,
                              schedule={"kind": "piecewise", "boundaries": [18, 24], "factors": [1, 0.3, 0.1]},
                              data_options={"train_size": 50000, "eval_size": 2000, "digits": 3})},
)

__all__ = ["FAMILY", "Seq2SeqConfig", "translate"]
