"""Baseline versus trained on the same held-out rows: scores, separation and the embeddings.

Every number is computed on rows neither model was fitted on (validation, and test when given), so
the comparison is honest. On each split the two models compared were fitted on the same rows, and
a :class:`ModelPair` refuses any other pairing: on validation, the baseline and the trained
encoder with a head fitted on the training rows; on test, the final model and a baseline fitted
on the rows its head learnt from (training and, when the head used them, validation rows). The
embeddings are kept because the plots need them and computing them twice would double the
slowest part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nbtrain.choices import ClassWeight, FittedOn
from nbtrain.embed.separation import Separation, separation_scores
from nbtrain.evaluate.baseline import Baseline
from nbtrain.evaluate.scores import Scores

if TYPE_CHECKING:
    from nbtrain.data.dataset import Dataset
    from nbtrain.embed.encoder import Encoder
    from nbtrain.training.model import TrainedModel


@dataclass(frozen=True)
class ModelPair:
    """The baseline and the trained model compared on one split, both fitted on the same rows."""

    baseline: Baseline
    model: TrainedModel

    def __post_init__(self) -> None:
        if self.baseline.fitted_on != self.model.fitted_on:
            raise ValueError(
                f"the baseline was fitted on {self.baseline.fitted_on!r} rows and the model's head on "
                f"{self.model.fitted_on!r} rows: compare models fitted on the same rows"
            )

    @property
    def fitted_on(self) -> FittedOn:
        """The rows both heads learnt."""
        return self.baseline.fitted_on


@dataclass(frozen=True)
class SplitComparison:
    """One split, both models. ``rows`` adds each model's prediction and confidence to the split.

    ``baseline_C`` and ``baseline_class_weight`` are the baseline's cross-validated settings
    (``"balanced"`` when it weighs rare labels up); ``fitted_on`` names the rows
    both models' heads were fitted on (``"train"`` or ``"train+validation"``).
    """

    split: str
    fitted_on: FittedOn
    baseline_C: float
    baseline_class_weight: ClassWeight
    rows: pd.DataFrame
    baseline: Scores
    trained: Scores
    baseline_separation: Separation
    trained_separation: Separation
    baseline_embeddings: np.ndarray
    trained_embeddings: np.ndarray

    def baseline_settings(self) -> str:
        """The baseline's chosen settings in words, e.g. ``"C=10, balanced class weights"``."""
        weights = ", balanced class weights" if self.baseline_class_weight == "balanced" else ""
        return f"C={self.baseline_C:g}{weights}"


@dataclass(frozen=True)
class Comparison:
    """Baseline and trained model, side by side, for each held-out split."""

    labels: tuple[str, ...]
    splits: dict[str, SplitComparison]

    def table(self) -> pd.DataFrame:
        """Long-free summary: one row per split and measure, with baseline, trained and difference."""
        records = []
        for name, s in self.splits.items():
            values = {
                **{k: (v, s.trained.headline()[k]) for k, v in s.baseline.headline().items()},
                "silhouette": (s.baseline_separation.silhouette, s.trained_separation.silhouette),
                "knn_accuracy": (s.baseline_separation.knn_accuracy, s.trained_separation.knn_accuracy),
            }
            for measure, (base, trained) in values.items():
                records.append(
                    {"split": name, "measure": measure, "baseline": base, "trained": trained, "difference": trained - base}
                )
        return pd.DataFrame(records)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: per split, ``baseline`` and ``trained`` scores and separation."""
        out: dict[str, Any] = {"labels": list(self.labels), "splits": {}}
        for name, s in self.splits.items():
            out["splits"][name] = {
                "n": s.baseline.n,
                "fitted_on": s.fitted_on,
                "baseline_C": s.baseline_C,
                "baseline_class_weight": s.baseline_class_weight,
                "baseline": {**s.baseline.to_dict(), **_separation(s.baseline_separation)},
                "trained": {**s.trained.to_dict(), **_separation(s.trained_separation)},
            }
        return out


def compare_models(dataset: Dataset, pairs: Mapping[str, ModelPair], encoder: Encoder) -> Comparison:
    """Score both models of each :class:`ModelPair` on the split it is keyed by.

    >>> compare_models(ds, {"test": ModelPair(baseline, model)}, encoder).table()  # doctest: +SKIP
    """
    frames = dataset.splits()
    task = dataset.task_handler
    results = {}
    for name, pair in pairs.items():
        frame = frames[name]
        texts, truth = frame["text"].tolist(), frame["label"].tolist()
        base_emb = encoder.encode(texts)
        base_proba = pair.baseline.predict_proba(base_emb)
        trained_emb, trained_proba = pair.model.embed_and_predict(texts)
        rows = frame.copy()
        rows["baseline_label"] = pd.Series(task.decide(base_proba, pair.baseline.labels, pair.baseline.thresholds), index=rows.index, dtype=object)
        rows["baseline_confidence"] = task.confidence(base_proba, pair.baseline.thresholds)
        rows["trained_label"] = pd.Series(task.decide(trained_proba, pair.model.labels, pair.model.thresholds), index=rows.index, dtype=object)
        rows["trained_confidence"] = task.confidence(trained_proba, pair.model.thresholds)
        results[name] = SplitComparison(
            split=name,
            fitted_on=pair.fitted_on,
            baseline_C=pair.baseline.C,
            baseline_class_weight=pair.baseline.class_weight,
            rows=rows,
            baseline=task.score(truth, rows["baseline_label"].tolist(), dataset.labels),
            trained=task.score(truth, rows["trained_label"].tolist(), dataset.labels),
            baseline_separation=separation_scores(base_emb, truth),
            trained_separation=separation_scores(trained_emb, truth),
            baseline_embeddings=base_emb,
            trained_embeddings=trained_emb,
        )
    return Comparison(labels=dataset.labels, splits=results)


def _separation(s: Separation) -> dict[str, float]:
    return {"silhouette": s.silhouette, "knn_accuracy": s.knn_accuracy}
