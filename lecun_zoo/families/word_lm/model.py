"""The language model: one shared embedding table, then the NPLM's tanh layer over a
window of previous words (Bengio et al. 2003) or stacked LSTM / Elman layers
(Zaremba et al. 2014; Mikolov et al. 2010), then a softmax over the vocabulary."""

from __future__ import annotations

import keras
import numpy as np

from lecun_zoo.families.word_lm.config import WordLMConfig
from lecun_zoo.families.word_lm.layers import ContextWindow, TiedEmbedding
from lecun_zoo.families.word_lm import metrics as _perplexity  # noqa: F401  (registers the metrics for loading)
from lecun_zoo.model import ZooModel, serializable


def _init(scale: float, default: str = "glorot_uniform"):
    """A fresh initializer: uniform in [-scale, scale] (Zaremba et al.) or Keras' default."""
    return keras.initializers.RandomUniform(-scale, scale) if scale > 0 else default


class ResetStateEachEpoch(keras.callbacks.Callback):
    """Zero a stateful model's recurrent state at the start of every epoch."""

    def on_epoch_begin(self, epoch, logs=None):
        self.model.reset_lm_state()


@serializable
class WordLanguageModel(ZooModel):
    """Predicts every next token of a window: ``tokens [batch, seq_len + context]`` int
    ids -> ``probabilities [batch, seq_len, vocab]`` float32, where output ``j`` is the
    distribution of the token after input ``j + context`` (``context`` = n - 2 for the
    NPLM, 0 for recurrent models).

    Args:
        config: a :class:`WordLMConfig` or a dict of its fields.

    A ``stateful`` model has a fixed batch size (``config.batch_size``); its ``fit``
    and ``evaluate`` read ``tf.data`` inputs in order and feed them in batches of it, zero the state at the start of
    every epoch and of every evaluation, and expect windows in stream order
    (``lecun_zoo.families.word_lm.corpus.lm_windows(..., streams=batch_size)``).

    Example:
        >>> model = WordLanguageModel({"architecture": "nplm", "vocab_size": 10, "order": 3,
        ...                            "embedding_dim": 4, "hidden_units": 8})
        >>> model.output_shape
        (None, None, 10)
    """

    config_cls = WordLMConfig

    @classmethod
    def build_graph(cls, c: WordLMConfig):
        if c.stateful:
            tokens = keras.Input(batch_shape=(c.batch_size, None), dtype="int32", name="tokens")  # [B, time]
        else:
            tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")  # [batch, time]
        init = c.init_scale
        if c.tie_embeddings:
            table = TiedEmbedding(c.vocab_size, c.embedding_dim, _init(init, "uniform"), name="embedding")
        else:
            table = keras.layers.Embedding(c.vocab_size, c.embedding_dim, embeddings_initializer=_init(init, "uniform"),
                                           name="embedding")
        x = table(tokens)  # [batch, time, embedding_dim]
        direct = None
        if c.architecture == "nplm":
            x = ContextWindow(c.order - 1, name="context_window")(x)  # [batch, seq_len, (n-1) * embedding_dim]
            if c.direct_connections:
                direct = keras.layers.Dense(c.vocab_size, use_bias=False, kernel_initializer=_init(init),
                                            name="direct")(x)  # [batch, seq_len, vocab]
            if c.dropout:
                x = keras.layers.Dropout(c.dropout, name="dropout_in")(x)
            x = keras.layers.Dense(c.hidden_units, activation="tanh", kernel_initializer=_init(init),
                                   bias_initializer=_init(init, "zeros"), name="hidden")(x)  # [batch, seq_len, h]
            if c.dropout:
                x = keras.layers.Dropout(c.dropout, name="dropout_hidden")(x)
        else:
            if c.dropout:
                x = keras.layers.Dropout(c.dropout, name="dropout_in")(x)
            for i in range(1, c.num_layers + 1):
                common = dict(units=c.hidden_units, return_sequences=True, stateful=c.stateful,
                              kernel_initializer=_init(init), recurrent_initializer=_init(init, "orthogonal"),
                              bias_initializer=_init(init, "zeros"), name=f"{c.architecture}{i}")
                if c.architecture == "lstm":
                    x = keras.layers.LSTM(unit_forget_bias=init == 0, **common)(x)  # [batch, time, units]
                else:
                    x = keras.layers.SimpleRNN(activation="tanh", **common)(x)  # [batch, time, units]
                if c.dropout:
                    x = keras.layers.Dropout(c.dropout, name=f"dropout{i}")(x)
        if c.tie_embeddings:
            logits = table(x, reverse=True)  # [batch, seq_len, vocab]
        else:
            logits = keras.layers.Dense(c.vocab_size, kernel_initializer=_init(init),
                                        bias_initializer=_init(init, "zeros"), name="logits")(x)
        if direct is not None:
            logits = keras.layers.Add(name="logits_plus_direct")([logits, direct])
        # float32 probabilities, so the loss is float32 under mixed precision
        probabilities = keras.layers.Activation("softmax", dtype="float32", name="probabilities")(logits)
        return tokens, probabilities

    # ----------------------------------------------------------- state handling
    @property
    def embedding_matrix(self):
        """The word vectors ``[vocab, embedding_dim]`` as numpy."""
        layer = self.get_layer("embedding")
        return keras.ops.convert_to_numpy(layer.embeddings)

    def reset_lm_state(self) -> None:
        """Zero the recurrent state of a stateful model (no-op otherwise)."""
        for layer in self.layers:
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_state"):
                layer.reset_state()

    def _stream_arrays(self, data):
        """A ``tf.data`` pipeline (or any iterable of ``(x, y)`` batches) as numpy
        ``(x, y)`` cut to a multiple of the stateful batch size, order kept."""
        batches = data.as_numpy_iterator() if hasattr(data, "as_numpy_iterator") else data
        xs, ys = zip(*[(np.asarray(bx), np.asarray(by)) for bx, by in batches])
        x, y = np.concatenate(xs), np.concatenate(ys)
        n = len(x) // self.zoo_config.batch_size * self.zoo_config.batch_size
        if n == 0:
            raise ValueError(f"a stateful word_lm model needs at least batch_size={self.zoo_config.batch_size} "
                             f"windows; got {len(x)}")
        return x[:n], y[:n]

    def _whole_batches(self, x, y):
        """Numpy inputs cut to a multiple of the stateful batch size."""
        if isinstance(x, np.ndarray):
            n = len(x) // self.zoo_config.batch_size * self.zoo_config.batch_size
            return x[:n], (y[:n] if isinstance(y, np.ndarray) else y)
        return x, y

    def _is_pipeline(self, data) -> bool:
        return data is not None and not isinstance(data, (np.ndarray, tuple, list, dict)) and hasattr(data, "__iter__")

    def fit(self, x=None, y=None, *args, callbacks=None, validation_data=None, **kwargs):
        if self.zoo_config.stateful:
            # windows must stay in stream order, in batches of exactly batch_size
            x, y = self._stream_arrays(x) if self._is_pipeline(x) else self._whole_batches(x, y)
            if self._is_pipeline(validation_data):
                validation_data = self._stream_arrays(validation_data)
            kwargs["batch_size"] = self.zoo_config.batch_size
            kwargs["shuffle"] = False
            callbacks = list(callbacks or []) + [ResetStateEachEpoch()]
        return super().fit(x, y, *args, callbacks=callbacks, validation_data=validation_data, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        if self.zoo_config.stateful:
            self.reset_lm_state()  # every evaluation starts from a zero state
            x, y = self._stream_arrays(x) if self._is_pipeline(x) else self._whole_batches(x, y)
            if x is not None:
                kwargs["batch_size"] = self.zoo_config.batch_size
        return super().evaluate(x, y, *args, **kwargs)
