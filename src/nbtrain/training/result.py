"""What a training run returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from nbtrain.evaluate.baseline import Baseline
    from nbtrain.evaluate.scores import Scores
    from nbtrain.training.model import TrainedModel


@dataclass(frozen=True)
class TrainResult:
    """The trained model (best epoch restored) and how the run went.

    ``history`` has one row per validation pass (epoch 0 is before training); ``steps`` one row
    per optimiser step with its loss; ``stopped`` is empty when all epochs ran, else why not.
    ``validation`` scores the final model (after the head refit, when configured).
    """

    model: TrainedModel
    history: pd.DataFrame
    steps: pd.DataFrame
    best_epoch: int
    stopped: str
    seconds: float
    baseline: Baseline | None
    validation: Scores
