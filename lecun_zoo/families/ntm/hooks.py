"""The functions ``FAMILY`` names: how an NTM is compiled, fed and trained (no Keras import at
module level)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lecun_zoo.config import ConfigError
from lecun_zoo.families.ntm.config import NTMConfig, output_size
from lecun_zoo.optimizers import make_optimizer


def compile_model(model: Any, config: NTMConfig) -> None:
    from lecun_zoo.families.ntm.loss import MaskedBinaryCrossentropy
    from lecun_zoo.families.ntm.metrics import BitErrors

    # Collier & Beel: Adam 1e-3, global norm clip 50; Graves et al.: RMSProp with momentum 0.9
    opt = make_optimizer(config.optimizer, config.learning_rate, momentum=config.momentum, clipnorm=config.clipnorm,
                         clip=config.clip, **({} if config.optimizer == "sgd" else {"epsilon": config.epsilon}))
    model.compile(optimizer=opt, loss=MaskedBinaryCrossentropy(from_logits=True, per=config.loss_per),
                  metrics=[BitErrors(from_logits=True, name="bit_errors")], jit_compile=use_xla(model, config))


def use_xla(model: Any, config: NTMConfig) -> bool:
    """``config.jit_compile``, except under a strategy with several replicas: XLA then
    fails to reach variables mirrored on other devices (seen with MirroredStrategy over
    two logical CPUs: "Trying to access resource ... located in device CPU:1 from CPU:0").

    On the JAX backend always True: there ``jit_compile=False`` runs the step op by op
    (JAX has no graph mode between eager and XLA), which measured ~9 s per step of the
    ``tiny`` preset against milliseconds compiled."""
    import keras

    if keras.backend.backend() == "jax":
        return True
    strategy = getattr(model, "distribute_strategy", None)
    replicas = getattr(strategy, "num_replicas_in_sync", 1) if strategy is not None else 1
    return bool(config.jit_compile) and replicas == 1


def data_options(config: NTMConfig) -> dict:
    """Options for ``lecun_zoo.data.load`` so the generated task fits the model."""
    return {
        "bits": config.bits, "min_length": config.min_length, "max_length": config.max_length,
        "test_min_length": config.test_min_length, "test_max_length": config.test_max_length,
        "min_repeats": config.min_repeats, "max_repeats": config.max_repeats, "item_length": config.item_length,
        "sort_keep": config.sort_keep, "train_size": config.train_examples, "test_size": config.test_examples,
        "length_sampling": config.length_sampling, "length_block": config.length_block,
    }


def adapt_to_data(info: Any) -> dict:
    """The task and bit width come from the dataset."""
    extra = getattr(info, "extra", None) or {}
    out = {}
    if extra.get("task") is not None:
        out["task"] = extra["task"]
    if extra.get("bits") is not None:
        out["bits"] = int(extra["bits"])
    return out


def example_batch(config: NTMConfig, batch_size: int = 8, seed: int = 0):
    """A batch of the config's task at its training lengths (padded to the longest)."""
    from lecun_zoo.families.ntm import tasks

    o = tasks.options(config.task, **data_options(config))
    rng = np.random.default_rng(seed)
    lengths = rng.integers(config.min_length, config.max_length + 1, batch_size)
    pairs = [tasks.make_example(config.task, rng, int(k), o) for k in lengths]
    return tasks._pad(pairs, max(len(p[0]) for p in pairs))


def check_data_matches(config: NTMConfig, inputs_width: Any, targets_width: Any, where: str = "the data") -> None:
    """Raise a ConfigError naming ``bits``/``task`` when the data do not fit the model."""
    if inputs_width is not None and int(inputs_width) != config.input_size:
        raise ConfigError(
            f"ntm config field 'bits' is {config.bits} (input width {config.input_size}) but {where} has inputs of "
            f"width {int(inputs_width)} (bits={int(inputs_width) - 2}); set bits={int(inputs_width) - 2} or "
            f"generate the task with bits={config.bits}"
        )
    if targets_width is not None and int(targets_width) != config.output_size:
        raise ConfigError(
            f"ntm config field 'task' is {config.task!r} with bits={config.bits} (output width {config.output_size}) "
            f"but {where} has targets of width {int(targets_width)}; copy, associative_recall and priority_sort "
            f"targets have width bits, repeat_copy bits + 1"
        )


def fit(model: Any, config: NTMConfig, train: Any, *, validation_data: Any = None, epochs: int = 1,
        callbacks: Any = None, verbose: Any = 1):
    """``model.fit`` after checking that a ``tf.data`` pipeline's (or ``ArrayBatches``') widths
    fit the config; with ``length_sampling="batch"`` the pipeline is first regrouped into
    batches of one length (:func:`lecun_zoo.families.ntm.tasks.one_length_batches`, or
    ``ArrayBatches.regrouped`` by the same key), whose padding the NTM's loop skips."""
    from lecun_zoo.data.array_batches import ArrayBatches

    if isinstance(train, ArrayBatches):  # the route without TensorFlow: regrouped in NumPy
        check_data_matches(config, train.x.shape[-1], train.y.shape[-1], "the training data")
        if config.length_sampling == "batch":
            from lecun_zoo.families.ntm.tasks import scored_steps

            train = train.regrouped(scored_steps(train.y))
        return model.fit(train, validation_data=validation_data, epochs=epochs, callbacks=callbacks, verbose=verbose)
    spec = getattr(train, "element_spec", None)
    if isinstance(spec, tuple) and len(spec) >= 2:
        check_data_matches(config, spec[0].shape[-1], spec[1].shape[-1], "the training data")
        if config.length_sampling == "batch" and len(spec) == 2:
            from lecun_zoo.families.ntm.tasks import one_length_batches

            train = one_length_batches(train)
            # the regrouped pipeline's length is known only after its first pass: Keras says so once
            import warnings

            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Your input ran out of data")
                return model.fit(train, validation_data=validation_data, epochs=epochs, callbacks=callbacks,
                                 verbose=verbose)
    return model.fit(train, validation_data=validation_data, epochs=epochs, callbacks=callbacks, verbose=verbose)


def search_space(hp: Any, config: NTMConfig) -> dict:
    """Controller size, memory width, learning rate and memory initialisation."""
    return {
        "controller_units": hp.Choice("controller_units", [max(8, config.controller_units // 2), config.controller_units,
                                                           config.controller_units * 2]),
        "memory_width": hp.Choice("memory_width", [max(4, config.memory_width // 2), config.memory_width]),
        "learning_rate": hp.Float("learning_rate", 1e-4, 1e-2, sampling="log"),
        "memory_init": hp.Choice("memory_init", ["constant", "trained_constant", "learned", "random"]),
    }


__all__ = ["compile_model", "data_options", "adapt_to_data", "example_batch", "fit", "search_space",
           "check_data_matches", "output_size"]
