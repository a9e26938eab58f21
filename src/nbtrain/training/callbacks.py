"""Training events and the callback interface the widgets and users implement.

The trainer calls ``on_step`` after every optimiser step, ``on_epoch`` after each validation, and
``on_end`` once. Callbacks only observe; stopping goes through :class:`StopSignal`, which anything
(a button, a time limit, a callback) may set from any thread.
"""

from __future__ import annotations

import sys
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
    """The validation scores after one epoch (epoch 0 is the starting point, before training)."""

    epoch: int
    step: int
    train_loss: float
    val_loss: float
    val_accuracy: float
    val_macro_f1: float
    kept_epoch: int  # the epoch training would keep if it ended now (this one or an earlier one)
    elapsed: float


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

    def on_end(self, result: TrainResult) -> None:
        """Once, after the best weights are restored."""


class StopSignal:
    """A thread-safe flag: set it and training stops after the current step, keeping the best model."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def set(self, reason: str = "stopped by the user") -> None:
        """Ask the trainer to stop."""
        self.reason = reason
        self._event.set()

    def is_set(self) -> bool:
        """Whether a stop was asked for."""
        return self._event.is_set()


class PrintProgress(Callback):
    """A terminal progress line per step and a line per epoch (what the command line uses)."""

    def __init__(self, every: int = 10) -> None:
        self.every = every

    def on_step(self, event: StepEvent) -> None:
        if event.step % self.every == 0 or event.step == event.total_steps:
            print(
                f"\r  step {event.step}/{event.total_steps}  loss {event.loss:.4f}  "
                f"{event.examples_per_second:.0f} ex/s  eta {event.eta:.0f}s",
                end="",
                file=sys.stderr,
                flush=True,
            )

    def on_epoch(self, event: EpochEvent) -> None:
        mark = " *best" if event.kept_epoch == event.epoch else f"  (keeping epoch {event.kept_epoch})"
        print(
            f"\r  epoch {event.epoch}: val macro-F1 {event.val_macro_f1:.4f}  "
            f"accuracy {event.val_accuracy:.4f}  loss {event.val_loss:.4f}{mark}" + " " * 20,
            file=sys.stderr,
            flush=True,
        )
