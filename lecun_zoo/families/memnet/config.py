"""End-to-end memory network configuration and presets (no Keras import)."""

from __future__ import annotations

import dataclasses

from lecun_zoo.config import Config, ConfigError, field, spec
from lecun_zoo.optimizers import CLIPS
from lecun_zoo.families.memnet.babi_generated import SENTENCE_LEN, VOCAB


@dataclasses.dataclass(frozen=True)
class MemNetConfig(Config):
    """A MemN2N (Sukhbaatar, Szlam, Weston & Fergus 2015): ``hops`` soft-attention reads
    over a memory of sentence embeddings, then a softmax over the vocabulary.

    The vocabulary lives here, so a saved model decodes and reads stories on its own.
    """

    family = "memnet"

    vocab: tuple[str, ...] = field(default=VOCAB, metadata=spec(min_len=3, help="words by id: 0 '<pad>', 1 '<unk>', then words and answers"))
    memory_size: int = field(default=50, metadata=spec(range=(1, 1000), help="sentences in memory (the story's last ones)"))
    sentence_len: int = field(default=SENTENCE_LEN, metadata=spec(range=(1, 200), help="words per sentence and question (padded)"))
    embedding_dim: int = field(default=20, metadata=spec(range=(1, 4096), help="d"))
    hops: int = field(default=3, metadata=spec(range=(1, 20), help="K memory hops"))
    weight_tying: str = field(default="adjacent", metadata=spec(choices=("adjacent", "layerwise"), help="adjacent: A(k+1)=C(k), B=A(1), W=C(K)^T; layerwise: one A, one C, u(k+1) = H u(k) + o(k)"))
    sentence_encoding: str = field(default="pe", metadata=spec(choices=("pe", "bow"), help="position encoding or bag of words"))
    pe_length: str = field(default="sentence", metadata=spec(choices=("sentence", "padded"), help="J of the position encoding: each sentence's own word count (paper text) or the padded length sentence_len for every sentence and question (authors' code)"))
    empty_slots: str = field(default="mask", metadata=spec(choices=("mask", "attend"), help="memory slots without a sentence: masked out of the attention, or zero vectors that take part in the softmax with score 0 (authors' code)"))
    attend_slots: int = field(default=0, metadata=spec(range=(0, None), help="with empty_slots='attend': only the empty slots among the newest attend_slots take part (0: all memory_size). The authors' memory has min(50, longest story) slots; set from the data (the longest story) by adapt_to_data"))
    temporal_encoding: bool = field(default=True, metadata=spec(help="add T_A(i) / T_C(i) to memory slot i (i sentences ago)"))
    random_noise: float = field(default=0.1, metadata=spec(range=(0.0, 1.0), open_upper=True, help="RN: chance of an empty memory inserted before each slot, in training"))
    unknown_word_noise: float = field(default=0.0, metadata=spec(range=(0.0, 1.0), help="not in the paper: chance per training example that one question word becomes <unk> in question and story, so new names can be asked about"))
    linear_start: bool = field(default=True, metadata=spec(help="LS: train without the hop softmaxes until validation loss stops falling (family fit)"))
    ls_learning_rate: float = field(default=0.005, metadata=spec(range=(0.0, 10.0), help="learning rate during linear start"))
    ls_patience: int = field(default=2, metadata=spec(range=(1, 1000), help="epochs without a better validation loss that end linear start"))
    ls_max_epochs: int = field(default=30, metadata=spec(range=(1, 10000), help="linear start ends after this many epochs at most"))
    ls_epochs: int = field(default=0, metadata=spec(range=(0, 10000), help="linear start runs exactly this many epochs (authors' code: 20); 0: until validation loss stops falling (paper text; ls_patience, ls_max_epochs). Annealing counts epochs from the end of linear start"))
    optimizer: str = field(default="sgd", metadata=spec(choices=("sgd", "adam")))
    learning_rate: float = field(default=0.01, metadata=spec(range=(0.0, 10.0)))
    anneal_every: int = field(default=25, metadata=spec(range=(0, 10000), help="halve the learning rate every N epochs (0: never)"))
    anneal_factor: float = field(default=0.5, metadata=spec(range=(0.0, 1.0)))
    max_grad_norm: float = field(default=40.0, metadata=spec(range=(0.0, None), help="clip the gradients to this L2 norm (0: off), by the clip norm"))
    clip: str = field(default="per_variable", metadata=spec(choices=CLIPS, help="the norm clipnorm clips: 'global' (all gradients as one vector) or 'per_variable' (each weight's gradient); per variable as the authors' MemN2N code"))
    loss_reduction: str = field(default="sum", metadata=spec(choices=("sum", "mean"), help="sum over the batch (paper) or mean"))
    init_stddev: float = field(default=0.1, metadata=spec(range=(0.0, 10.0), help="embeddings ~ N(0, stddev)"))
    task: str | int = field(default="", metadata=spec(help="data option: bAbI task(s) to read: 1, '1,2', 'all'; '' = the dataset's default"))
    babi_size: str = field(default="1k", metadata=spec(choices=("1k", "10k"), help="data option: which bAbI set"))

    def validate(self) -> None:
        if len(self.vocab) < 3 or self.vocab[0] != "<pad>" or self.vocab[1] != "<unk>":
            raise ConfigError(
                f"memnet config field 'vocab' starts with {list(self.vocab[:2])!r}; expected ['<pad>', '<unk>', ...] "
                f"and at least one word"
            )
        if len(set(self.vocab)) != len(self.vocab):
            dup = sorted({w for w in self.vocab if self.vocab.count(w) > 1})
            raise ConfigError(f"memnet config field 'vocab' repeats {dup[:5]!r}; expected unique words")
        for name in ("learning_rate", "ls_learning_rate"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"memnet config field {name!r} got {getattr(self, name)!r}; expected a value > 0")

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)


PRESETS = {
    # Sukhbaatar et al. 2015, Sec. 4.2 / 4.4, one model per task: d = 20, K = 3, adjacent
    # tying, PE, TE, LS, RN (10 % empty memories), memory = last 50 sentences, SGD, batch 32,
    # summed loss, clip 40, N(0, 0.1); the schedule of the authors' code (facebook/MemNN,
    # MemN2N-babi-matlab config_babi.m / train_linear_start.m): 20 epochs of LS at 0.005, then
    # 100 epochs at 0.005 halved every 25 (their config overwrites the 0.01 of the paper's
    # text when LS is on), J of the PE = the padded sentence length, empty memory slots inside
    # the softmax with score 0 ("attend"; on tasks 3, 6, 9, 10, 18 it took the mean test error
    # from 27.8 % to 15.3 %, docs/results/memnet.md) over min(50, longest story) slots
    # (attend_slots, which adapt_to_data sets from the data). Train 120 epochs.
    "babi_single": dict(
        embedding_dim=20, hops=3, memory_size=50, weight_tying="adjacent", sentence_encoding="pe",
        pe_length="padded", empty_slots="attend", temporal_encoding=True, random_noise=0.1, linear_start=True, ls_epochs=20,
        optimizer="sgd", learning_rate=0.005, ls_learning_rate=0.005, anneal_every=25, max_grad_norm=40.0,
        loss_reduction="sum", task="",
    ),
    # Joint training on all 20 tasks with one vocabulary: d = 50; authors' code
    # (config_babi_joint.m): 30 epochs of LS at 0.005, then 60 at 0.005 halved every 15. Train 90.
    "babi_joint": dict(
        embedding_dim=50, hops=3, memory_size=50, weight_tying="adjacent", sentence_encoding="pe",
        pe_length="padded", empty_slots="attend", temporal_encoding=True, random_noise=0.1, linear_start=True, ls_epochs=30,
        optimizer="sgd", learning_rate=0.005, ls_learning_rate=0.005, anneal_every=15, max_grad_norm=40.0,
        loss_reduction="sum", task="all",
    ),
    # Small and deterministic in training (no random noise, no linear start): tests and CI.
    "tiny": dict(
        embedding_dim=8, hops=2, memory_size=10, weight_tying="adjacent", sentence_encoding="pe",
        temporal_encoding=True, random_noise=0.0, linear_start=False, optimizer="adam", learning_rate=0.01,
        anneal_every=0, max_grad_norm=40.0, loss_reduction="mean", task="",
    ),
}
