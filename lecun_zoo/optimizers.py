"""The one optimizer factory of the families' ``compile`` functions.

Gradient clipping is one config choice: ``clipnorm > 0`` clips the gradients to that L2
norm, and ``clip`` says which norm:

* ``"global"``: the norm of all gradients together, rescaled as one vector (Keras
  ``global_clipnorm``; Pascanu et al. 2013, Zaremba et al. 2014, Graves' NTM); the
  default of ``word_lm`` and ``ntm``.
* ``"per_variable"``: each variable's gradient on its own (Keras ``clipnorm``; the
  MemN2N code, Sutskever et al. 2014); the default of ``memnet`` and ``seq2seq``.
"""

from __future__ import annotations

from typing import Any

OPTIMIZERS = ("adam", "sgd", "rmsprop")
CLIPS = ("global", "per_variable")


def make_optimizer(name: str, learning_rate: float, *, momentum: float = 0.0, clipnorm: float = 0.0,
                   clip: str = "global", **kwargs: Any):
    """``adam``, ``sgd`` or ``rmsprop`` (``momentum`` for the last two), gradients clipped to
    ``clipnorm`` (0: no clipping) by the ``clip`` norm (:data:`CLIPS`); ``kwargs`` go to
    the Keras optimizer."""
    import keras

    if clip not in CLIPS:
        raise ValueError(f"optimizer clip got {clip!r}; expected one of {list(CLIPS)}")
    if clipnorm and clipnorm > 0:
        kwargs["global_clipnorm" if clip == "global" else "clipnorm"] = float(clipnorm)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=momentum, **kwargs)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate, momentum=momentum, **kwargs)
    if name == "adam":
        return keras.optimizers.Adam(learning_rate, **kwargs)
    raise ValueError(f"optimizer got {name!r}; expected one of {list(OPTIMIZERS)}")
