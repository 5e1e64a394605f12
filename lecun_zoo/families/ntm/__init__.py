"""Neural Turing machines (Graves, Wayne & Danihelka 2014), made trainable as in Collier &
Beel (2018), with the algorithmic tasks they were made for.

Files: ``controller`` (LSTM / feed-forward), ``addressing`` (content, interpolation,
shift, sharpening), ``heads`` (parameters -> read/write), ``memory`` (read, erase-then-add),
``cell`` (one step, a Keras RNN cell), ``model`` (the sequence model and the LSTM
baseline), ``loss``, ``metrics`` (bit errors), ``hooks`` (compile, data options, the checked
fit), ``tasks`` (the datasets), ``evaluation`` (bit errors by length) and ``trace`` (weightings
and memory over time, heat maps).

``FAMILY`` is the entry-point target. This module imports no Keras.
"""

from lecun_zoo.family import Family
from lecun_zoo.families.ntm.config import PRESETS, NTMConfig
from lecun_zoo.families.ntm.hooks import (
    adapt_to_data, compile_model, data_options, example_batch, fit, search_space,
)

FAMILY = Family(
    name="ntm",
    summary="Neural Turing machine: a controller with an N x M memory, content and location addressing, "
            "on the copy, repeat copy, associative recall and priority sort tasks; plus an LSTM baseline.",
    paper=(
        "Graves, Wayne & Danihelka (2014), Neural Turing Machines, arXiv:1410.5401; Collier & Beel (2018), "
        "Implementing Neural Turing Machines, ICANN 2018, arXiv:1807.08518."
    ),
    config_cls=NTMConfig,
    build="lecun_zoo.families.ntm.model:NTM",
    compile=compile_model,
    presets=PRESETS,
    default_preset="copy",
    capabilities=("mixed_precision", "distribution", "tuning"),
    tags=("memory", "recurrent"),
    datasets=("copy", "repeat_copy", "associative_recall", "priority_sort"),
    default_data="copy",
    sources={"copy": "lecun_zoo.families.ntm.tasks:COPY", "repeat_copy": "lecun_zoo.families.ntm.tasks:REPEAT_COPY",
             "associative_recall": "lecun_zoo.families.ntm.tasks:ASSOCIATIVE_RECALL",
             "priority_sort": "lecun_zoo.families.ntm.tasks:PRIORITY_SORT"},
    data_field="task",  # the task is the dataset: train("ntm", "associative_recall") reads it
    metrics=("loss", "bit_errors"),
    example_batch=example_batch,
    search_space=search_space,
    adapt_to_data=adapt_to_data,
    data_options=data_options,
    fit=fit,
    aliases=("neural_turing_machine",),
    weights="lecun_zoo.families.ntm:weights",
    # the copy task's step budget: 20 epochs x 8,000 generated sequences / batch 32 = 5,000 steps
    # (160,000 sequences), validated each epoch on 320 fresh ones (docs/results/ntm.md, "Ten seeds")
    recipes={"copy": dict(preset="copy", epochs=20, batch_size=32, overrides={"train_examples": 8000})},
)

__all__ = ["FAMILY", "NTMConfig"]
