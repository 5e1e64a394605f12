"""Word-embedding language model configuration and presets (no Keras import)."""

from __future__ import annotations

import dataclasses

from lecun_zoo.config import Config, ConfigError, field, spec
from lecun_zoo.optimizers import CLIPS

ARCHITECTURES = ("nplm", "lstm", "rnn")


@dataclasses.dataclass(frozen=True)
class WordLMConfig(Config):
    """A language model over a vocabulary of words (or characters): every token is looked
    up in one shared embedding table, then

    * ``nplm`` (Bengio et al. 2003): the embeddings of the ``order - 1`` previous tokens
      are concatenated, go through a tanh hidden layer, and a softmax over the
      vocabulary; optional direct connections from the embeddings to the output;
    * ``lstm`` (Zaremba et al. 2014) / ``rnn`` (Elman, Mikolov et al. 2010): stacked
      recurrent layers with dropout on the non-recurrent connections; ``stateful``
      carries the state across batches (truncated BPTT over ``seq_len`` steps; needs a
      fixed ``batch_size``).

    The vocabulary is part of the config, so a saved model tokenises the same way
    after reloading.
    """

    family = "word_lm"

    architecture: str = field(default="lstm", metadata=spec(choices=ARCHITECTURES, help="nplm, lstm or rnn"))
    vocab_size: int = field(default=10000, metadata=spec(range=(2, None), help="output classes; len(vocab) when vocab is set"))
    vocab: tuple[str, ...] = field(default=(), metadata=spec(help="tokens by id ('<unk>' first); filled from the data"))
    level: str = field(default="auto", metadata=spec(choices=("auto", "word", "char"), help="tokens: words or characters ('auto': the dataset's own)"))
    embedding_dim: int = field(default=200, metadata=spec(range=(1, None), help="word feature vector size (Bengio's m)"))
    hidden_units: int = field(default=200, metadata=spec(range=(1, None), help="NPLM tanh units (h) or recurrent units per layer"))
    num_layers: int = field(default=2, metadata=spec(range=(1, 8), help="recurrent layers (lstm, rnn)"))
    order: int = field(default=5, metadata=spec(range=(2, 20), help="NPLM n: predict from the n-1 previous tokens"))
    direct_connections: bool = field(default=False, metadata=spec(help="NPLM: embeddings also feed the output directly"))
    tie_embeddings: bool = field(default=False, metadata=spec(help="output softmax weights = input embedding table"))
    dropout: float = field(default=0.0, metadata=spec(range=(0.0, 1.0), open_upper=True, help="dropout on non-recurrent connections"))
    init_scale: float = field(default=0.0, metadata=spec(range=(0.0, 1.0), help="uniform init in [-s, s] for every weight; 0: Keras defaults"))
    seq_len: int = field(default=20, metadata=spec(range=(1, None), help="targets per window: BPTT steps (lstm, rnn)"))
    batch_size: int = field(default=20, metadata=spec(range=(1, None), help="windows per batch (the state batch when stateful)"))
    stateful: bool = field(default=False, metadata=spec(help="lstm/rnn: carry the state across batches (truncated BPTT)"))
    optimizer: str = field(default="sgd", metadata=spec(choices=("sgd", "adam")))
    learning_rate: float = field(default=1.0, metadata=spec(range=(0.0, 100.0)))
    clipnorm: float = field(default=5.0, metadata=spec(range=(0.0, None), help="clip the gradient norm (0: no clipping), by the clip norm"))
    clip: str = field(default="global", metadata=spec(choices=CLIPS, help="the norm clipnorm clips: 'global' (all gradients as one vector) or 'per_variable' (each weight's gradient); global as Zaremba et al."))
    lr_decay: float = field(default=1.0, metadata=spec(range=(0.0, 1.0), help="learning rate multiplier per epoch after decay_after"))
    decay_after: int = field(default=4, metadata=spec(range=(0, None), help="epochs at the initial learning rate"))
    min_count: int = field(default=1, metadata=spec(range=(1, None), help="vocabulary: keep tokens seen this often"))
    max_vocab: int = field(default=0, metadata=spec(range=(0, None), help="vocabulary: at most this many tokens (0: no limit)"))

    def validate(self) -> None:
        if self.learning_rate <= 0:
            raise ConfigError(f"word_lm config field 'learning_rate' got {self.learning_rate!r}; expected a value > 0")
        if self.vocab:
            if self.vocab[0] != "<unk>":
                raise ConfigError(f"word_lm config field 'vocab' starts with {self.vocab[0]!r}; expected '<unk>' first")
            if len(set(self.vocab)) != len(self.vocab):
                raise ConfigError("word_lm config field 'vocab' has repeated tokens; expected unique tokens")
            if self.vocab_size != len(self.vocab):
                raise ConfigError(f"word_lm config field 'vocab_size' got {self.vocab_size}; expected len(vocab) = "
                                  f"{len(self.vocab)} (set both, or only vocab through adapt_to_data)")
        if self.stateful and self.architecture == "nplm":
            raise ConfigError("word_lm config field 'stateful' got True with architecture='nplm'; expected False "
                              "(only lstm and rnn carry a state)")
        if self.tie_embeddings and self.hidden_units != self.embedding_dim:
            raise ConfigError(f"word_lm config field 'tie_embeddings' needs hidden_units == embedding_dim; got "
                              f"hidden_units={self.hidden_units}, embedding_dim={self.embedding_dim}")

    @property
    def context(self) -> int:
        """Extra leading input tokens a window needs: n-2 for the NPLM (its first target
        already sees n-1 tokens), 0 for recurrent models."""
        return self.order - 2 if self.architecture == "nplm" else 0

    @property
    def resolved_level(self) -> str:
        return "word" if self.level == "auto" else self.level


PRESETS = {
    # Zaremba, Sutskever & Vinyals 2014, "small": 2 x 200 LSTM, no dropout, 20 BPTT steps,
    # batch 20, uniform init 0.1, SGD lr 1 halved every epoch after 4, clip 5 (13 epochs).
    # Their loss is summed over the 20 steps and averaged over the batch; ours is the mean
    # over steps too, so lr 1 and clip 5 on the sum are lr 20 and clip 5/20 on the mean
    # (plain SGD: the same updates).
    "small": dict(
        architecture="lstm", embedding_dim=200, hidden_units=200, num_layers=2, dropout=0.0, init_scale=0.1,
        seq_len=20, batch_size=20, stateful=True, optimizer="sgd", learning_rate=20.0, clipnorm=0.25,
        lr_decay=0.5, decay_after=4,
    ),
    # Zaremba et al. 2014, "medium": 2 x 650 LSTM, dropout 0.5, 35 steps, init 0.05,
    # lr 1 multiplied by 0.8 every epoch after 6 (39 epochs); lr 35 and clip 5/35 on our mean loss.
    "medium": dict(
        architecture="lstm", embedding_dim=650, hidden_units=650, num_layers=2, dropout=0.5, init_scale=0.05,
        seq_len=35, batch_size=20, stateful=True, optimizer="sgd", learning_rate=35.0, clipnorm=5.0 / 35,
        lr_decay=0.8, decay_after=6,
    ),
    # Bengio, Ducharme, Vincent & Jauvin 2003: n = 5 (4 words of context), m = 30 features,
    # h = 100 tanh units, direct connections (the Brown-corpus MLPs of Table 1, recalled).
    # Adam instead of the paper's plain SGD with decreasing rate.
    "nplm": dict(
        architecture="nplm", order=5, embedding_dim=30, hidden_units=100, direct_connections=True,
        dropout=0.0, seq_len=20, batch_size=32, optimizer="adam", learning_rate=1e-3, clipnorm=5.0,
    ),
    # Elman RNN LM in the spirit of Mikolov et al. 2010/2011: one tanh layer of 200 units.
    "rnn": dict(
        architecture="rnn", embedding_dim=200, hidden_units=200, num_layers=1, dropout=0.0, init_scale=0.1,
        seq_len=20, batch_size=20, stateful=True, optimizer="sgd", learning_rate=20.0, clipnorm=0.25,
        lr_decay=0.5, decay_after=4,
    ),
    # Small and deterministic in training (no dropout, not stateful): tests and CI.
    "tiny": dict(
        architecture="lstm", vocab_size=20, embedding_dim=8, hidden_units=8, num_layers=1, dropout=0.0,
        init_scale=0.0, seq_len=5, batch_size=8, stateful=False, optimizer="adam", learning_rate=1e-2,
        clipnorm=5.0,
    ),
    "tiny_nplm": dict(
        architecture="nplm", vocab_size=20, order=3, embedding_dim=4, hidden_units=8, direct_connections=True,
        dropout=0.0, seq_len=5, batch_size=8, optimizer="adam", learning_rate=1e-2, clipnorm=5.0,
    ),
    "tiny_rnn": dict(
        architecture="rnn", vocab_size=20, embedding_dim=8, hidden_units=8, num_layers=1, tie_embeddings=True,
        dropout=0.0, seq_len=5, batch_size=8, stateful=False, optimizer="adam", learning_rate=1e-2, clipnorm=5.0,
    ),
}
