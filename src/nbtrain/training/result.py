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

    ``model`` is the one to use. ``selected`` is the best epoch as validation saw it, its head
    fitted on the training rows only: the model ``validation`` scores, and the one to compare on
    the validation rows. They are the same object unless the final head also learnt from the
    validation rows (``TrainConfig.head_rows``); both share one trained encoder.

    ``history`` has one row per validation pass (epoch 0 is before training); ``steps`` one row
    per optimiser step with its loss; ``stopped`` is empty when all epochs ran, else why not.
    """

    model: TrainedModel
    selected: TrainedModel
    history: pd.DataFrame
    steps: pd.DataFrame
    best_epoch: int
    stopped: str
    seconds: float
    baseline: Baseline | None
    validation: Scores
