"""Deep autoencoder configuration and presets (no Keras import)."""

from __future__ import annotations

import dataclasses
import math

from lecun_zoo.config import Config, ConfigError, field, spec

HEADS = ("autoencoder", "classifier")
PRETRAINERS = ("rbm", "autoencoder", "denoising", "none")
UNITS = ("bernoulli", "gaussian")


@dataclasses.dataclass(frozen=True)
class AutoencoderConfig(Config):
    """A stack of fully connected logistic layers, pretrained greedily one layer at a
    time (restricted Boltzmann machines or autoencoder layers), then unrolled into a
    deep autoencoder (encoder + mirrored decoder) or topped with a classifier and
    fine-tuned end to end (Hinton & Salakhutdinov 2006)."""

    family = "autoencoder"

    input_shape: tuple[int, ...] = field(default=(28, 28, 1), metadata=spec(range=(1, None), min_len=1, help="shape of one input image; flattened inside the model"))
    layer_sizes: tuple[int, ...] = field(default=(1000, 500, 250, 30), metadata=spec(range=(1, None), min_len=1, help="encoder layer widths, the last is the code"))
    head: str = field(default="autoencoder", metadata=spec(choices=HEADS, help="'autoencoder': reconstruct the input (targets ignored); 'classifier': softmax on the top layer"))
    num_classes: int = field(default=10, metadata=spec(range=(2, None), help="classifier head only"))
    code_activation: str = field(default="linear", metadata=spec(choices=("linear", "sigmoid"), help="top layer units; 'linear' = Gaussian code units in the RBM"))
    visible_units: str = field(default="bernoulli", metadata=spec(choices=UNITS, help="data units: 'bernoulli' for intensities in [0, 1], 'gaussian' for real values"))
    pretrain: str = field(default="rbm", metadata=spec(choices=PRETRAINERS, help="layer learner of the greedy stage; 'none' = random init"))
    pretrain_epochs: int = field(default=50, metadata=spec(range=(0, None), help="epochs per layer of greedy pretraining"))
    cd_steps: int = field(default=1, metadata=spec(range=(1, 100), help="k of CD-k (rbm only)"))
    pretrain_learning_rate: float = field(default=0.1, metadata=spec(range=(0.0, 10.0), help="SGD learning rate of the logistic layers' pretraining"))
    code_learning_rate: float = field(default=0.001, metadata=spec(range=(0.0, 10.0), help="pretraining learning rate of a linear (Gaussian) code layer"))
    pretrain_momentum: float = field(default=0.9, metadata=spec(range=(0.0, 1.0), open_upper=True, help="SGD momentum of pretraining"))
    weight_decay: float = field(default=2e-4, metadata=spec(range=(0.0, 1.0), help="L2 cost on pretraining weights (Hinton's 'weightcost')"))
    init_scale: float = field(default=0.1, metadata=spec(range=(0.0, 10.0), help="std of the pretraining layers' initial weights"))
    corruption: float = field(default=0.0, metadata=spec(range=(0.0, 1.0), open_upper=True, help="fraction of inputs zeroed by a denoising layer learner"))
    head_epochs: int = field(default=0, metadata=spec(range=(0, None), help="classifier head only: epochs of fine-tuning that train "
                                                       "only the softmax layer, the stack held fixed, before the whole network "
                                                       "(Hinton & Salakhutdinov's backpropclassify.m: 5)"))
    dropout: float = field(default=0.0, metadata=spec(range=(0.0, 1.0), open_upper=True, help="classifier head only: "
                           "dropout rate on every hidden layer's output during fine-tuning (Srivastava et al. 2014's "
                           "'DBN + dropout finetuning'); 0 = none, as in Hinton & Salakhutdinov 2006"))
    input_dropout: float = field(default=0.0, metadata=spec(range=(0.0, 1.0), open_upper=True, help="classifier head "
                                 "only: dropout rate on the input pixels during fine-tuning (Srivastava et al.: 0.2)"))
    reconstruction_loss: str = field(default="binary_crossentropy", metadata=spec(choices=("binary_crossentropy", "mse"), help="fine-tuning loss of the autoencoder head"))
    optimizer: str = field(default="adam", metadata=spec(choices=("adam", "sgd", "rmsprop"), help="fine-tuning optimizer"))
    learning_rate: float = field(default=1e-3, metadata=spec(range=(0.0, 10.0), help="fine-tuning learning rate"))
    momentum: float = field(default=0.9, metadata=spec(range=(0.0, 1.0), open_upper=True, help="fine-tuning momentum (sgd only)"))

    @property
    def input_dim(self) -> int:
        return int(math.prod(self.input_shape))

    def validate(self) -> None:
        for name in ("learning_rate", "pretrain_learning_rate", "code_learning_rate"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"autoencoder config field {name!r} got {getattr(self, name)!r}; expected a value > 0")
        if self.pretrain == "denoising" and self.corruption <= 0:
            raise ConfigError(
                f"autoencoder config field 'corruption' got {self.corruption!r} with pretrain='denoising'; "
                f"expected a fraction in (0, 1) of inputs to zero (or pretrain='autoencoder')"
            )
        if self.pretrain != "denoising" and self.corruption > 0:
            raise ConfigError(
                f"autoencoder config field 'corruption' got {self.corruption!r} but pretrain={self.pretrain!r}; "
                f"corruption only applies to pretrain='denoising'"
            )
        if self.pretrain != "none" and self.pretrain_epochs == 0:
            raise ConfigError(
                f"autoencoder config field 'pretrain_epochs' got 0 with pretrain={self.pretrain!r}: the stack would "
                f"be unrolled untrained; expected pretrain_epochs >= 1, or pretrain='none' for a random init"
            )
        if self.head_epochs and self.head != "classifier":
            raise ConfigError(
                f"autoencoder config field 'head_epochs' got {self.head_epochs!r} with head={self.head!r}; it trains "
                f"the classifier's softmax layer alone, so expected 0 or head='classifier'"
            )
        for name in ("dropout", "input_dropout"):
            if getattr(self, name) and self.head != "classifier":
                raise ConfigError(
                    f"autoencoder config field {name!r} got {getattr(self, name)!r} with head={self.head!r}; it "
                    f"regularises the classifier's fine-tuning, so expected 0 or head='classifier'"
                )
        if self.visible_units == "gaussian" and self.head == "autoencoder" and self.reconstruction_loss == "binary_crossentropy":
            raise ConfigError(
                "autoencoder config field 'reconstruction_loss' got 'binary_crossentropy' with visible_units='gaussian': "
                "linear reconstructions are not probabilities; expected reconstruction_loss='mse'"
            )

    def hidden_units(self, layer: int) -> str:
        """Unit type of the hidden side of stack layer ``layer`` (0-based): the code
        layer of a linear code is Gaussian (Hinton & Salakhutdinov 2006), the rest logistic."""
        last = layer == len(self.layer_sizes) - 1
        return "gaussian" if last and self.code_activation == "linear" else "bernoulli"

    def visible_units_of(self, layer: int) -> str:
        return self.visible_units if layer == 0 else "bernoulli"


PRESETS = {
    # Hinton & Salakhutdinov 2006 (Science 313), Fig. 2: the MNIST 784-1000-500-250-30
    # autoencoder; RBMs with CD-1, 50 epochs each (the paper; the released code uses 10),
    # learning rate 0.1 (0.001 for the linear code layer), weight cost 2e-4. Deviation:
    # fine-tuned with Adam on cross-entropy instead of conjugate gradients.
    "hinton2006": dict(
        input_shape=(28, 28, 1), layer_sizes=(1000, 500, 250, 30), head="autoencoder", code_activation="linear",
        pretrain="rbm", pretrain_epochs=50, cd_steps=1, pretrain_learning_rate=0.1, code_learning_rate=0.001,
        reconstruction_loss="binary_crossentropy",
    ),
    # Same paper: the 784-500-500-2000-10 classifier, pretrained then fine-tuned with labels;
    # as its released code (backpropclassify.m), the first 5 fine-tuning epochs train only the
    # softmax layer on the fixed stack. Deviations: Adam instead of conjugate gradients, and
    # dropout 0.2 on the hidden layers while fine-tuning (Srivastava et al. 2014), chosen on a
    # 50k/10k split of the training set: 1.41 % validation error without it, 1.14 % with it.
    "hinton2006_classifier": dict(
        input_shape=(28, 28, 1), layer_sizes=(500, 500, 2000), head="classifier", code_activation="sigmoid",
        pretrain="rbm", pretrain_epochs=50, cd_steps=1, pretrain_learning_rate=0.1, head_epochs=5, dropout=0.2,
    ),
    # A 2-D code (the paper's Fig. 3 analogue, 784-1000-500-250-2), sized for 8x8 digits.
    "code2d": dict(
        input_shape=(8, 8, 1), layer_sizes=(256, 128, 64, 2), head="autoencoder", code_activation="linear",
        pretrain="rbm", pretrain_epochs=20, code_learning_rate=0.01,
    ),
    # Stacked denoising autoencoders (Vincent et al. 2008) on the same layout.
    "denoising": dict(
        input_shape=(28, 28, 1), layer_sizes=(1000, 500, 250, 30), head="autoencoder", code_activation="linear",
        pretrain="denoising", corruption=0.25, pretrain_epochs=10, pretrain_learning_rate=0.1, code_learning_rate=0.01,
    ),
    # Small and deterministic in training (no denoising noise): tests and CI.
    "tiny": dict(
        input_shape=(8, 8, 1), layer_sizes=(16, 4), head="autoencoder", code_activation="linear",
        pretrain="rbm", pretrain_epochs=1, reconstruction_loss="mse",
    ),
}
