"""The validation history of a run and the weights of every round that may still be kept.

A thin, stateful holder over the pure rules of :mod:`nbtrain.training.selection`: each validation
round adds its scores and a copy of the trainable weights; rounds that can no longer be chosen are
forgotten at once, so a long run holds two or three copies of the adapters, not one per round.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from nbtrain.training import selection
from nbtrain.training.callbacks import EpochEvent

Weights = Mapping[str, torch.Tensor]


class KeptRounds:
    """Validation events so far, the round to keep, and the weights of the rounds still in play."""

    def __init__(self, window: int, history: tuple[EpochEvent, ...] = (), kept: Mapping[int, Weights] | None = None) -> None:
        self.window = window
        self.history: list[EpochEvent] = list(history)
        self.weights: dict[int, Weights] = dict(kept or {})

    @property
    def kept_epoch(self) -> int:
        """The round training would keep if it ended now."""
        if not self.history:
            return 0
        return selection.best_epoch(self._f1(), self._losses(), self.window)

    def smoothed(self) -> float:
        """The kept round's macro-F1 averaged over its window (what the choice compares)."""
        scores = selection.smoothed_scores(self._f1(), self._losses(), self.window)
        return scores[self.kept_epoch][0]

    def since_kept(self) -> int:
        """Rounds since the kept one (what patience counts)."""
        return self.history[-1].epoch - self.kept_epoch if self.history else 0

    def scored(self, f1: float, loss: float) -> tuple[int, float]:
        """The kept round and its smoothed macro-F1 once a round with these scores is added."""
        f1s, losses = [*self._f1(), f1], [*self._losses(), loss]
        best = selection.best_epoch(f1s, losses, self.window)
        return best, selection.smoothed_scores(f1s, losses, self.window)[best][0]

    def add(self, event: EpochEvent, weights: Weights) -> None:
        """Record a validation round and its weights; forget rounds that can no longer be kept."""
        self.history.append(event)
        self.weights[event.epoch] = weights
        needed = selection.needed_epochs(self._f1(), self._losses(), self.window)
        self.weights = {e: w for e, w in self.weights.items() if e in needed}

    def kept_weights(self) -> Weights:
        """The trainable weights of the kept round."""
        return self.weights[self.kept_epoch]

    def _f1(self) -> list[float]:
        return [e.val_macro_f1 for e in self.history]

    def _losses(self) -> list[float]:
        return [e.val_loss for e in self.history]
