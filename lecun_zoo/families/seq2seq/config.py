"""Seq2seq configuration and presets (no Keras import).

The vocabularies live in the config (``source_vocab`` / ``target_vocab``: the ordinary
tokens; ids 0-3 are ``<pad> <unk> <start> <end>``), with the tokenisation that made them,
so a saved model reloads and decodes the same way.
"""

from __future__ import annotations

import dataclasses
import string

from lecun_zoo.config import Config, ConfigError, field, spec
from lecun_zoo.optimizers import CLIPS

CELLS = ("lstm", "gru")
ATTENTIONS = ("none", "bahdanau", "luong")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
LOSS_NORMALIZATIONS = ("sentence", "token")

#: the vocabulary of the generated ``reversal`` task (the family's default data)
REVERSAL_SYMBOLS = tuple(string.ascii_lowercase[:10])


@dataclasses.dataclass(frozen=True)
class Seq2SeqConfig(Config):
    """An RNN encoder-decoder (Sutskever et al. 2014; Cho et al. 2014), optionally with
    attention over the encoder states (Bahdanau et al. 2015; Luong et al. 2015)."""

    family = "seq2seq"

    source_vocab: tuple[str, ...] = field(default=REVERSAL_SYMBOLS, metadata=spec(min_len=1, help="source tokens (ids 4...); ids 0-3 are <pad> <unk> <start> <end>"))
    target_vocab: tuple[str, ...] = field(default=REVERSAL_SYMBOLS, metadata=spec(min_len=1, help="target tokens (ids 4...)"))
    source_level: str = field(default="word", metadata=spec(choices=("word", "char"), help="source tokenisation (generated tasks set 'char')"))
    target_level: str = field(default="word", metadata=spec(choices=("word", "char"), help="target tokenisation"))
    lowercase: bool = field(default=True, metadata=spec(help="lower-case text before tokenising"))
    min_count: int = field(default=1, metadata=spec(range=(1, None), help="words seen fewer times in the training text become <unk>"))
    max_source_vocab: int = field(default=0, metadata=spec(range=(0, None), help="most source ids, reserved ones included (0: no limit)"))
    max_target_vocab: int = field(default=0, metadata=spec(range=(0, None), help="most target ids, reserved ones included (0: no limit)"))
    max_source_length: int = field(default=64, metadata=spec(range=(1, 10000), help="longest source (tokens) accepted"))
    max_target_length: int = field(default=64, metadata=spec(range=(1, 10000), help="longest target (tokens) generated/accepted"))
    cell: str = field(default="lstm", metadata=spec(choices=CELLS, help="recurrent unit"))
    num_layers: int = field(default=1, metadata=spec(range=(1, 8), help="stacked RNN layers in the encoder and in the decoder"))
    units: int = field(default=128, metadata=spec(range=(1, None), help="RNN units (encoder = decoder)"))
    embedding_dim: int = field(default=64, metadata=spec(range=(1, None), help="token embedding size (both sides)"))
    dropout: float = field(default=0.0, metadata=spec(range=(0.0, 1.0), open_upper=True, help="dropout on embeddings and between RNN layers"))
    reverse_source: bool = field(default=False, metadata=spec(help="read the source backwards (Sutskever et al. 2014)"))
    attention: str = field(default="none", metadata=spec(choices=ATTENTIONS, help="bahdanau: additive score; luong: multiplicative ('general') score"))
    attention_units: int = field(default=128, metadata=spec(range=(1, None), help="hidden size of the additive score"))
    init_scale: float = field(default=0.0, metadata=spec(range=(0.0, 10.0), help="if > 0, embedding, RNN and output weights ~ U(-s, s) (Sutskever: 0.08); 0 keeps Keras' initializers"))
    loss_normalization: str = field(default="sentence", metadata=spec(choices=LOSS_NORMALIZATIONS, help="sentence: each sentence's mean token loss, averaged over sentences (exact under data parallelism); token: mean over the batch's non-pad tokens"))
    optimizer: str = field(default="adam", metadata=spec(choices=OPTIMIZERS))
    learning_rate: float = field(default=1e-3, metadata=spec(range=(0.0, 100.0)))
    clipnorm: float = field(default=0.0, metadata=spec(range=(0.0, None), help="clip the gradient norm (0: off), by the clip norm"))
    clip: str = field(default="per_variable", metadata=spec(choices=CLIPS, help="the norm clipnorm clips: 'global' (all gradients as one vector) or 'per_variable' (each weight's gradient); per variable as the Keras clipnorm this family always used"))
    beam_width: int = field(default=1, metadata=spec(range=(1, 1000), help="default beam width of translate() (1: greedy)"))
    length_penalty: float = field(default=0.0, metadata=spec(range=(0.0, 10.0), help="GNMT length penalty alpha for beam search"))

    def validate(self) -> None:
        for name in ("max_source_vocab", "max_target_vocab"):
            v = getattr(self, name)
            if 0 < v < 5:
                raise ConfigError(f"seq2seq config field {name!r} got {v}; expected 0 (no limit) or >= 5 "
                                  f"(4 reserved ids + at least one token)")
        if self.learning_rate <= 0:
            raise ConfigError(f"seq2seq config field 'learning_rate' got {self.learning_rate!r}; expected a value > 0")
        for name in ("source_vocab", "target_vocab"):
            vocab = getattr(self, name)
            seen = set()
            for i, tok in enumerate(vocab):
                if tok in ("<pad>", "<unk>", "<start>", "<end>") or tok == "":
                    raise ConfigError(f"seq2seq config field {name!r}[{i}] got {tok!r}; expected an ordinary "
                                      f"non-empty token (reserved tokens are added automatically)")
                if tok in seen:
                    raise ConfigError(f"seq2seq config field {name!r}[{i}] got {tok!r} twice; expected unique tokens")
                seen.add(tok)

    @property
    def source_vocab_size(self) -> int:
        return len(self.source_vocab) + 4

    @property
    def target_vocab_size(self) -> int:
        return len(self.target_vocab) + 4


PRESETS = {
    # Sutskever, Vinyals & Le 2014: 4 layers of 1000 LSTM cells, 1000-d embeddings, reversed
    # source, uniform(-0.08, 0.08) init, plain SGD at 0.7, gradient norm clipped at 5.
    # (The paper halves the rate after 5 epochs and uses 160k/80k vocabularies; ours come from the data.)
    "sutskever2014": dict(
        cell="lstm", num_layers=4, units=1000, embedding_dim=1000, reverse_source=True, attention="none",
        dropout=0.0, init_scale=0.08, optimizer="sgd", learning_rate=0.7, clipnorm=5.0,
        max_source_length=100, max_target_length=100,
    ),
    # Bahdanau, Cho & Bengio 2015 sizes (GRU-style gated units of 1000, 620-d embeddings, additive
    # attention). Deviations: unidirectional encoder, attention read after the decoder RNN (Luong
    # placement), Adam instead of Adadelta.
    "bahdanau2015": dict(
        cell="gru", num_layers=1, units=1000, embedding_dim=620, attention="bahdanau", attention_units=1000,
        dropout=0.0, optimizer="adam", learning_rate=1e-3, clipnorm=1.0, max_source_length=100, max_target_length=100,
    ),
    # The attention configuration that fits a CPU: one LSTM layer of 256 with additive attention.
    "attention": dict(
        cell="lstm", num_layers=1, units=256, embedding_dim=128, attention="bahdanau", attention_units=128,
        dropout=0.0, optimizer="adam", learning_rate=2e-3, clipnorm=1.0,
    ),
    # The plain encoder-decoder at CPU size (the Multi30k benchmark's no-attention model).
    "small": dict(
        cell="lstm", num_layers=2, units=256, embedding_dim=128, attention="none", reverse_source=True,
        dropout=0.2, optimizer="adam", learning_rate=2e-3, clipnorm=1.0,
    ),
    # keras-io's addition_rnn task (data "addition", Family.recipes): one LSTM of 128, 32-d
    # embeddings, reversed question, no attention; 99.7 % exact match on 3-digit sums.
    "addition": dict(
        cell="lstm", num_layers=1, units=128, embedding_dim=32, attention="none", attention_units=128,
        reverse_source=True, dropout=0.0, optimizer="adam", learning_rate=3e-3, clipnorm=1.0, max_target_length=5,
    ),
    # Tests and CI: small and deterministic in training (no dropout), attention on.
    "tiny": dict(
        cell="lstm", num_layers=1, units=8, embedding_dim=8, attention="bahdanau", attention_units=8,
        dropout=0.0, max_source_length=16, max_target_length=16, optimizer="adam", learning_rate=1e-2,
    ),
}
