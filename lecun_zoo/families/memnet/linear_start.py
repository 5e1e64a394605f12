"""Staged training of a memory network (Sukhbaatar et al. 2015, Sec. 4.2):

- linear start (LS): train with the softmax of every hop removed (``p = u^T m``) and a
  smaller learning rate until the validation loss stops falling (the paper's text) or for
  a fixed ``ls_epochs`` (the authors' code: 20), then put the softmaxes back and train on;
- learning rate annealing: ``learning_rate * anneal_factor ** (e // anneal_every)``, ``e``
  counting the epochs after linear start (the authors' code runs its full schedule after it).

Both run inside one ``model.fit`` as a callback, so user callbacks and the returned
``History`` see one continuous run.
"""

from __future__ import annotations

from typing import Any, Optional

from lecun_zoo.families.memnet.config import MemNetConfig

__all__ = ["set_softmax", "PaperSchedule", "fit"]


def set_softmax(model: Any, on: bool) -> None:
    """Switch the softmax of every hop on (normal) or off (linear start)."""
    from lecun_zoo.families.memnet.model import hop_layers

    for hop in hop_layers(model):
        hop.softmax_gate.assign(1.0 if on else 0.0)


def _make_callback_class():
    import keras

    class PaperSchedule(keras.callbacks.Callback):
        """Linear start, then the annealed learning rate. ``ls_epochs`` says how many
        epochs ran without softmax (None while linear start is still on).

        Its state is a function of the fit's epoch logs: a resumed fit (whose
        ``model.history`` holds the epochs before the interruption, see
        ``lecun_zoo.checkpointing``) replays them before its first epoch, so it anneals
        from where linear start really ended."""

        def __init__(self, config: MemNetConfig, epochs: int, verbose: Any = 1):
            super().__init__()
            self.config, self.verbose = config, verbose
            self.linear = bool(config.linear_start) and epochs >= 2
            # a fixed number of epochs (the authors' code) or until the validation loss stops
            # falling; either way at least half of the epochs are left for the softmaxes
            self.ls_max = min(config.ls_epochs or config.ls_max_epochs, max(1, epochs // 2))
            self.best, self.bad_epochs, self.ls_epochs = float("inf"), 0, None
            self.monitor = None
            self._caught_up = False

        def _lr(self, epoch: int) -> float:
            """During linear start ``ls_learning_rate``; after it ``learning_rate`` halved
            (``anneal_factor``) every ``anneal_every`` epochs counted from the end of linear
            start, as the authors' code restarts its schedule."""
            c = self.config
            if self.linear:
                return c.ls_learning_rate
            if c.anneal_every:
                return c.learning_rate * c.anneal_factor ** ((epoch - (self.ls_epochs or 0)) // c.anneal_every)
            return c.learning_rate

        def _catch_up(self) -> None:
            """Replay the epochs already in the fit's history (none unless resumed), then put
            the softmaxes where the schedule is."""
            if self._caught_up:
                return
            self._caught_up = True
            past = getattr(getattr(self.model, "history", None), "history", None) or {}
            for epoch in range(len(past.get("linear_start", []))):
                self._observe(epoch, {k: v[epoch] for k, v in past.items() if len(v) > epoch}, quiet=True)
            if not self.linear and self.ls_epochs is None:  # no linear start
                self.ls_epochs = 0
            set_softmax(self.model, not self.linear)

        def _observe(self, epoch: int, logs: dict, quiet: bool = False) -> None:
            """Linear start's decision after ``epoch``: end it (patience or ``ls_max``) or go on."""
            if not self.linear:
                return
            self.monitor = "val_loss" if "val_loss" in logs else "loss"
            value = float(logs.get(self.monitor, float("inf")))
            if value < self.best:
                self.best, self.bad_epochs = value, 0
            else:
                self.bad_epochs += 1
            patience_over = not self.config.ls_epochs and self.bad_epochs >= self.config.ls_patience
            if patience_over or epoch + 1 >= self.ls_max:
                self.linear, self.ls_epochs = False, epoch + 1
                set_softmax(self.model, True)
                if self.verbose and not quiet:
                    print(f"memnet: linear start ends after epoch {epoch + 1} ({self.monitor} {value:.4f}); "
                          f"softmaxes back in")

        def on_train_begin(self, logs=None):
            self._caught_up = False

        def on_epoch_begin(self, epoch, logs=None):
            self._catch_up()
            self.model.optimizer.learning_rate.assign(self._lr(epoch))

        def on_epoch_end(self, epoch, logs=None):
            logs = logs if logs is not None else {}
            logs["learning_rate"] = float(self._lr(epoch))
            logs["linear_start"] = 1.0 if self.linear else 0.0
            self._observe(epoch, logs)

        def on_train_end(self, logs=None):
            self._catch_up()  # a fit restored complete runs no epoch
            set_softmax(self.model, True)  # a trained MemN2N always predicts with its softmaxes

    return PaperSchedule


def PaperSchedule(config: MemNetConfig, epochs: int, verbose: Any = 1):  # noqa: N802 - a class factory
    return _make_callback_class()(config, epochs, verbose)


def fit(model: Any, config: MemNetConfig, train: Any, *, validation_data: Any = None, epochs: int = 1,
        callbacks: Optional[list] = None, verbose: Any = 1):
    """``model.fit`` with linear start (if ``config.linear_start``) and annealing.

    Returns the ``History``; its ``history`` has ``linear_start`` (1 while the softmaxes
    were off) and ``learning_rate`` per epoch, and ``history.linear_start_epochs``."""
    schedule = PaperSchedule(config, epochs, verbose)
    history = model.fit(train, validation_data=validation_data, epochs=epochs,
                        callbacks=list(callbacks or []) + [schedule], verbose=verbose)
    history.linear_start_epochs = schedule.ls_epochs
    return history
