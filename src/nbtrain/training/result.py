"""What a training run returns, and the typed summary a saved model carries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from nbtrain.choices import FittedOn

if TYPE_CHECKING:
    from nbtrain.evaluate.baseline import Baseline
    from nbtrain.evaluate.scores import Scores
    from nbtrain.training.model import TrainedModel


@dataclass(frozen=True)
class TrainingSummary:
    """How a model was trained, in numbers: saved with it (``nbtrain.json``) and printed by the CLI.

    ``validation_accuracy`` and ``validation_macro_f1`` score the head fitted on training rows
    only, on every validation row, whatever rows the model's own head learnt (``fitted_on``).
    """

    kept_epoch: int
    stopped: str
    train_seconds: float
    steps: int
    epochs_seen: float
    validation_accuracy: float
    validation_macro_f1: float
    validation_rows: int
    fitted_on: FittedOn
    device: str
    processes: int
    mixed_precision: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingSummary:
        """Rebuild from :meth:`to_dict`, ignoring keys this version does not know."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class TrainResult:
    """The trained model (kept round restored) and how the run went.

    ``model`` is the one to use; its head learnt the rows ``model.fitted_on`` names. The
    validation scores (``validation``) describe the same encoder with a head fitted on the
    training rows only: :meth:`model_fitted_on` gives either. ``history`` has one row per
    validation round (round 0 is before training), ``steps`` one row per optimiser step with its
    loss; ``stopped`` is empty when the plan ran to its end, else why not. ``notes`` are the lines
    training told the user (its plan, a resumption).
    """

    model: TrainedModel
    models: dict[FittedOn, TrainedModel]
    history: pd.DataFrame
    steps: pd.DataFrame
    kept_epoch: int
    stopped: str
    seconds: float
    baseline: Baseline | None
    validation: Scores
    notes: tuple[str, ...] = field(default=())

    def model_fitted_on(self, rows: FittedOn) -> TrainedModel:
        """The trained encoder with the head fitted on ``rows`` (``"train"`` or the final model's)."""
        if rows not in self.models:
            raise KeyError(f"no head was fitted on {rows!r} rows; there are {', '.join(self.models)}")
        return self.models[rows]

    @property
    def summary(self) -> TrainingSummary:
        """The final model's :class:`TrainingSummary`."""
        assert self.model.summary is not None
        return self.model.summary
