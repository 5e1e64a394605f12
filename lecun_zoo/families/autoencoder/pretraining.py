"""Greedy layer-wise pretraining (Hinton, Osindero & Teh 2006; Bengio et al. 2007) and the
family's staged ``fit``: train layer 1 on the data, layer 2 on layer 1's codes, ...; then
unroll the stack into the deep autoencoder (decoder = the transposed encoder weights) or
the classifier's encoder, and fine-tune the whole network with backpropagation.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, Optional, Sequence

import numpy as np

from lecun_zoo.config import ConfigError
from lecun_zoo.families.autoencoder.config import AutoencoderConfig

__all__ = ["pretrain", "unroll", "fit", "PretrainedStack", "check_data"]


class PretrainedStack(list):
    """The trained layers (``RBM`` objects), bottom first, with ``stages``: one dict per
    stage (``name``, ``layer``, ``learner``, ``units``, ``epochs``, ``history``)."""

    def __init__(self, layers=(), stages=()):
        super().__init__(layers)
        self.stages = list(stages)

    def weights(self) -> list[dict]:
        """``[{"kernel", "hidden_bias", "visible_bias"}]`` as numpy, bottom first."""
        return [{"kernel": np.array(l.kernel.numpy()), "hidden_bias": np.array(l.hidden_bias.numpy()),
                 "visible_bias": np.array(l.visible_bias.numpy())} for l in self]


# --------------------------------------------------------------------- data
def _first_inputs(train: Any):
    """Shape (without batch) and one batch of inputs from a dataset, array or tuple."""
    if isinstance(train, np.ndarray):
        return train.shape[1:], train[:256]
    if isinstance(train, (tuple, list)) and train and isinstance(train[0], np.ndarray):
        return train[0].shape[1:], train[0][:256]
    spec = getattr(train, "element_spec", None)
    if spec is not None:
        x_spec = spec[0] if isinstance(spec, (tuple, list)) else spec
        batch = next(iter(train))
        x = batch[0] if isinstance(batch, (tuple, list)) else batch
        return tuple(x_spec.shape[1:]), np.asarray(x)
    try:  # a keras PyDataset or a generator of batches
        batch = train[0] if hasattr(train, "__getitem__") else next(iter(train))
        x = batch[0] if isinstance(batch, (tuple, list)) else batch
        x = np.asarray(x)
        return x.shape[1:], x
    except Exception:
        return None, None


def check_data(config: AutoencoderConfig, train: Any) -> None:
    """Raise ``ConfigError`` naming the setting when the data does not fit the config:
    input size vs ``input_shape`` (the visible layer of ``layer_sizes[0]``), and values
    outside [0, 1] for ``visible_units='bernoulli'``."""
    shape, x = _first_inputs(train)
    if shape is None:
        return
    shape = tuple(int(d) if d is not None else -1 for d in shape)
    size = math.prod(shape) if all(d > 0 for d in shape) else None
    if size is not None and size != config.input_dim:
        raise ConfigError(
            f"autoencoder config field 'input_shape' is {config.input_shape} ({config.input_dim} visible units under "
            f"layer_sizes[0]={config.layer_sizes[0]}) but the data has examples of shape {shape} ({size} values); "
            f"set input_shape={shape} (lecun-zoo train does this from the dataset via adapt_to_data)"
        )
    if x is not None and x.size and config.visible_units == "bernoulli":
        lo, hi = float(np.min(x)), float(np.max(x))
        if lo < -1e-6 or hi > 1 + 1e-6:
            raise ConfigError(
                f"autoencoder config field 'visible_units' is 'bernoulli' (values are probabilities in [0, 1]) but "
                f"the data has values in [{lo:.3g}, {hi:.3g}]; rescale the data to [0, 1] or set "
                f"visible_units='gaussian' (with reconstruction_loss='mse')"
            )


def _fit_args(data: Any, batch_size: Optional[int]) -> tuple[tuple, dict]:
    if isinstance(data, (tuple, list)) and data and isinstance(data[0], np.ndarray):
        return tuple(data), {"batch_size": batch_size or 100}
    if isinstance(data, np.ndarray):
        return (data,), {"batch_size": batch_size or 100}
    from lecun_zoo.input_checks import is_zoo_pipeline

    # lecun_zoo's pipelines are shuffled per (seed, epoch): Keras must not reorder their batches
    return (data,), ({"shuffle": False} if is_zoo_pipeline(data) else {})


def _strategy_scope(model: Any):
    strategy = getattr(model, "distribute_strategy", None) if model is not None else None
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


# --------------------------------------------------------------- pretraining
def pretrain(config: AutoencoderConfig, train: Any, *, validation_data: Any = None, callbacks: Any = None,
             verbose: Any = 1, dtype: Any = None, batch_size: Optional[int] = None, seed: Optional[int] = None,
             model: Any = None) -> PretrainedStack:
    """Greedy layer-wise pretraining of ``config.layer_sizes`` on ``train``.

    Layer i is trained (``config.pretrain_epochs`` epochs, with ``config.pretrain``: CD-k
    RBMs, autoencoder or denoising-autoencoder layers) on the mean-field codes of layers
    1..i-1, which stay frozen. Each stage is one Keras ``fit`` with its own progress bar,
    ``callbacks`` and history.

    Args:
        train: a ``tf.data`` dataset of ``(image, label)`` or ``image`` batches, an array
            of images, or a tuple ``(images, labels)``.
        dtype: dtype policy of the learners (default: the global policy).
        model: the model the stack will initialise; its distribution strategy is used.

    Returns:
        a :class:`PretrainedStack` of trained :class:`RBM` layers.
    """
    import keras

    from lecun_zoo.families.autoencoder.layer_learners import (
        AutoencoderLearner, RBMLearner, free_energy_gap_loss, reconstruction_loss)
    from lecun_zoo.families.autoencoder.rbm import RBM

    if config.pretrain == "none":
        raise ConfigError("autoencoder config field 'pretrain' is 'none'; there is nothing to pretrain "
                          "(expected 'rbm', 'autoencoder' or 'denoising')")
    check_data(config, train)
    args, kwargs = _fit_args(train, batch_size)
    stack = PretrainedStack()
    n_layers = len(config.layer_sizes)
    widths = (config.input_dim,) + tuple(config.layer_sizes)
    for i, units in enumerate(config.layer_sizes):
        hidden = config.hidden_units(i)
        visible = config.visible_units_of(i)
        lr = config.code_learning_rate if hidden == "gaussian" else config.pretrain_learning_rate
        layer_seed = None if seed is None else seed + 1000 * i
        with _strategy_scope(model):
            layer = RBM(units, visible_units=visible, hidden_units=hidden, init_scale=config.init_scale,
                        dtype=dtype, name=f"stack_{i + 1}")
            if config.pretrain == "rbm":
                learner = RBMLearner(layer, list(stack), config.input_dim, cd_steps=config.cd_steps,
                                     weight_decay=config.weight_decay, seed=layer_seed, dtype=dtype,
                                     name=f"pretrain_layer{i + 1}")
                loss = free_energy_gap_loss()
                kind = f"RBM {visible}-{hidden}, CD-{config.cd_steps}"
            else:
                learner = AutoencoderLearner(layer, list(stack), config.input_dim,
                                             corruption=config.corruption if config.pretrain == "denoising" else 0.0,
                                             weight_decay=config.weight_decay, seed=layer_seed, dtype=dtype,
                                             name=f"pretrain_layer{i + 1}")
                loss = reconstruction_loss()
                kind = ("denoising autoencoder, corruption %g" % config.corruption
                        if config.pretrain == "denoising" else "autoencoder")
            learner.build((None, *config.input_shape))
            learner.compile(optimizer=keras.optimizers.SGD(lr, momentum=config.pretrain_momentum), loss=loss)
        name = f"pretrain_layer{i + 1}_{config.pretrain}"
        if verbose:
            print(f"[autoencoder] stage {i + 1}/{n_layers + 1}: pretraining layer {i + 1}/{n_layers} "
                  f"({widths[i]} -> {units}, {kind}, lr {lr:g}) for {config.pretrain_epochs} epoch(s); "
                  + (f"layers 1..{i} frozen" if i else "trained on the data"), flush=True)
        hist = learner.fit(*args, epochs=config.pretrain_epochs, validation_data=validation_data,
                           callbacks=callbacks, verbose=verbose, **kwargs)
        layer.trained_epochs += config.pretrain_epochs
        layer.trainable = True
        stack.append(layer)
        stack.stages.append({"name": name, "layer": i + 1, "learner": config.pretrain, "units": [widths[i], units],
                             "epochs": config.pretrain_epochs, "history": dict(hist.history)})
    for layer in stack:
        layer.trainable = True
    return stack


def unroll(model: Any, stack: Sequence[Any]) -> None:
    """Initialise ``model`` from a pretrained stack: ``encoder_i`` gets ``(W_i, b_i)``
    and, for the autoencoder head, ``decoder_i`` gets ``(W_i^T, c_i)`` (tied initial
    weights, untied afterwards). The classifier's softmax layer keeps its random init.

    ``stack`` is what :func:`pretrain` returns, or its ``weights()`` (a list of
    ``{"kernel", "hidden_bias", "visible_bias"}`` arrays, bottom first: a stack saved and
    loaded again). Raises ``ConfigError`` naming the setting when the stack does not match
    ``layer_sizes``/``input_shape`` or has untrained layers.
    """
    from lecun_zoo.families.autoencoder.model import decoder_name, encoder_name

    c = model.zoo_config
    layers = bool(stack) and not isinstance(stack[0], dict)  # RBM objects, not saved arrays
    sizes = tuple(int(l.units) if layers else int(np.shape(l["kernel"])[1]) for l in stack)
    if sizes != tuple(c.layer_sizes):
        raise ConfigError(
            f"autoencoder config field 'layer_sizes' is {tuple(c.layer_sizes)} but the pretrained stack has layers "
            f"of {sizes} units; pretrain with the model's config"
        )
    if layers:
        untrained = [i + 1 for i, l in enumerate(stack)
                     if not getattr(l, "built", False) or getattr(l, "trained_epochs", 0) < 1]
        if untrained:
            raise ConfigError(
                f"autoencoder: cannot put the head={c.head!r} on an untrained stack: layer(s) {untrained} of "
                f"layer_sizes={tuple(c.layer_sizes)} were never pretrained; run pretrain() (pretrain_epochs >= 1) "
                f"first, or set pretrain='none' to fine-tune from a random init"
            )
        stack = PretrainedStack(stack).weights()
    n_in = int(np.shape(stack[0]["kernel"])[0])
    if n_in != c.input_dim:
        raise ConfigError(
            f"autoencoder config field 'input_shape' is {c.input_shape} ({c.input_dim} values) but the pretrained "
            f"stack's first layer has {n_in} visible units"
        )
    for i, layer in enumerate(stack, start=1):
        w = np.asarray(layer["kernel"])
        model.get_layer(encoder_name(i)).set_weights([w, np.asarray(layer["hidden_bias"])])
        if c.head == "autoencoder":
            model.get_layer(decoder_name(i)).set_weights([w.T.copy(), np.asarray(layer["visible_bias"])])


# --------------------------------------------------------------- staged fit
def _train_head(model: Any, config: AutoencoderConfig, args: tuple, kwargs: dict, *, validation_data: Any,
                verbose: Any, callbacks: list) -> dict:
    """The classifier's softmax layer alone for ``config.head_epochs`` epochs, the stack
    held fixed (then the model is compiled again with every layer trainable)."""
    from lecun_zoo.families.autoencoder.hooks import compile_model

    stack = [layer for layer in model.layers if layer.name != "logits" and layer.weights]
    for layer in stack:
        layer.trainable = False
    compile_model(model, config)
    if verbose:
        print(f"[autoencoder] stage: training the softmax layer alone for {config.head_epochs} epoch(s), "
              f"the {len(stack)} layers below held fixed", flush=True)
    try:
        hist = model.fit(*args, validation_data=validation_data, epochs=config.head_epochs, callbacks=callbacks,
                         verbose=verbose, **kwargs)
    finally:
        for layer in stack:
            layer.trainable = True
        compile_model(model, config)
    model._zoo_head_trained = True
    return {"name": "head", "layer": None, "learner": "backprop (softmax layer only)", "units": None,
            "epochs": config.head_epochs, "history": dict(hist.history)}


def fit(model: Any, config: AutoencoderConfig, train: Any, *, validation_data: Any = None, epochs: int = 1,
        callbacks: Any = None, verbose: Any = 1, pretrain_callbacks: Any = None, batch_size: Optional[int] = None,
        seed: Optional[int] = None, stack: Optional[Sequence[Any]] = None):
    """The family's staged training: greedy pretraining, unrolling, fine-tuning.

    Pretraining runs once per model (``config.pretrain_epochs`` epochs per layer; skipped
    when ``config.pretrain == "none"`` or the model was already pretrained, so calling
    ``fit`` again continues fine-tuning). A classifier with ``config.head_epochs`` then
    trains its softmax layer alone for those epochs (once per model, pretrained or not, so
    that a run without pretraining has the same budget). ``epochs`` and ``callbacks`` are the
    fine-tuning stage's; ``pretrain_callbacks`` go to every pretraining stage, and so do the
    ``callbacks`` that belong to every fit of a run (``every_fit = True``: checkpoints, data
    order, NaN guard; see ``lecun_zoo.checkpointing``). ``stack`` (a stack pretrained
    before, as :func:`unroll` takes it) is unrolled in place of pretraining.

    Returns:
        the fine-tuning stage's ``keras.callbacks.History``, with ``history.stages``:
        every stage's ``{"name", "layer", "learner", "units", "epochs", "history"}``,
        pretraining stages first, then ``"head"`` (with ``head_epochs``), ``"finetune"`` last.
    """
    from lecun_zoo.checkpointing import every_fit

    stages: list[dict] = []
    stage_callbacks = list(pretrain_callbacks or []) + every_fit(callbacks)  # pretraining and head stages
    if stack is not None:
        check_data(config, train)
        unroll(model, stack)
        model._zoo_pretrained = True
    elif config.pretrain != "none" and not getattr(model, "_zoo_pretrained", False):
        stack = pretrain(config, train, validation_data=validation_data, callbacks=stage_callbacks, verbose=verbose,
                         dtype=model.dtype_policy.name, batch_size=batch_size, seed=seed, model=model)
        unroll(model, stack)
        model._zoo_pretrained = True
        stages.extend(stack.stages)
    else:
        check_data(config, train)  # pretrain() checks it otherwise
        if verbose and config.pretrain != "none":
            print("[autoencoder] model already pretrained; fine-tuning only", flush=True)
    args, kwargs = _fit_args(train, batch_size)
    if config.head_epochs and not getattr(model, "_zoo_head_trained", False):
        stages.append(_train_head(model, config, args, kwargs, validation_data=validation_data, verbose=verbose,
                                  callbacks=stage_callbacks))
    if verbose:
        print(f"[autoencoder] stage {len(stages) + 1}/{len(stages) + 1}: fine-tuning the "
              f"{'unrolled deep autoencoder' if config.head == 'autoencoder' else 'classifier'} end to end "
              f"for {epochs} epoch(s)", flush=True)
    history = model.fit(*args, validation_data=validation_data, epochs=epochs, callbacks=callbacks,
                        verbose=verbose, **kwargs)
    stages.append({"name": "finetune", "layer": None, "learner": "backprop", "units": None, "epochs": epochs,
                   "history": dict(history.history)})
    history.stages = stages
    return history
