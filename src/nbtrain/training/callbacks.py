"""Training events and the callback interface the widgets and users implement.

The trainer calls ``on_step`` after every optimiser step, ``on_epoch`` after each validation
round, ``on_note`` with a line worth telling the user (the plan, a resumption), and ``on_end``
once. Callbacks only observe; stopping goes through :class:`StopSignal`, which anything (a
button, a time limit, a callback) may set from any thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbtrain.training.result import TrainResult


@dataclass(frozen=True)
class StepEvent:
    """One optimiser step: its loss, the seconds since ``train`` was called, and the pace.

    ``examples_per_second`` and ``eta`` (seconds left) count only the training steps, not the
    baseline and the first validation before them.
    """

    step: int
    total_steps: int
    epoch: int
    total_epochs: int
    loss: float
    elapsed: float
    examples_per_second: float
    eta: float


@dataclass(frozen=True)
class EpochEvent:
    """The validation scores after one round (round 0 is the starting point, before training).

    A round is one epoch, unless epochs are long or a budget is set (see
    :mod:`nbtrain.training.plan`); ``epochs_seen`` says how far training is. ``kept_epoch`` is
    the round training would keep if it ended now, chosen by ``smoothed_macro_f1``: its
    macro-F1 averaged with its neighbours' (``TrainConfig.selection_window``).
    """

    epoch: int
    step: int
    train_loss: float
    val_loss: float
    val_accuracy: float
    val_macro_f1: float
    kept_epoch: int
    elapsed: float
    epochs_seen: float = 0.0
    smoothed_macro_f1: float = float("nan")


class Callback:
    """Override what you need; every method does nothing by default.

    >>> class Printer(Callback):
    ...     def on_epoch(self, event: EpochEvent) -> None:
    ...         print(event.epoch, round(event.val_macro_f1, 2))
    """

    def on_step(self, event: StepEvent) -> None:
        """After each optimiser step."""

    def on_epoch(self, event: EpochEvent) -> None:
        """After each validation pass."""

    def on_note(self, text: str) -> None:
        """A line worth telling the user: the plan before training, a resumption."""

    def on_end(self, result: TrainResult) -> None:
        """Once, after the best weights are restored."""


class StopSignal:
    """A thread-safe flag: set it and training stops after the current step, keeping the best model."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self.reason = ""

    def set(self, reason: str = "stopped by the user") -> None:
        """Ask the trainer to stop; the first reason given is the one kept."""
        with self._lock:
            if not self._event.is_set():
                self.reason = reason
                self._event.set()

    def is_set(self) -> bool:
        """Whether a stop was asked for."""
        return self._event.is_set()
