"""Bit errors per sequence as a function of sequence length: the generalisation curve of
the NTM paper (train on lengths 1-20, test on longer)."""

from __future__ import annotations

from typing import Any, Iterable, Optional

import numpy as np

from lecun_zoo.families.ntm.hooks import check_data_matches, data_options


def bit_errors_by_length(model: Any, lengths: Iterable[int], *, batch_size: int = 32, seed: int = 0,
                         task: Optional[str] = None, **options: Any) -> dict[int, float]:
    """Mean wrong bits per sequence at each exact ``length``.

    Args:
        model: an ``ntm`` family model (NTM or LSTM baseline).
        lengths: sequence lengths (items for associative recall).
        batch_size: sequences drawn per length.
        seed: seeds the draw (the same sequences for every model).
        task: default: the model config's task.
        **options: task options overriding the config's (``lecun_zoo.families.ntm.tasks``).

    Returns:
        ``{length: mean bit errors per sequence}``.
    """
    from lecun_zoo.families.ntm import tasks
    from lecun_zoo.families.ntm.metrics import bit_errors_per_sequence

    c = model.zoo_config
    task = task or c.task
    opts = {**data_options(c), **options}
    out = {}
    for length in lengths:
        x, y = tasks.make_batch(task, batch_size, int(length), seed, **opts)
        check_data_matches(c, x.shape[-1], y.shape[-1], f"the {task!r} batch")
        pred = np.asarray(model.predict_on_batch(x))  # a compiled loop: much faster than eager
        out[int(length)] = float(np.mean(bit_errors_per_sequence(y, pred)))
    return out
