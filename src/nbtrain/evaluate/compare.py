"""Baseline versus trained on the same held-out rows: scores, separation and the embeddings.

Every number is computed on rows neither model was fitted on (validation, and test when given), so
the comparison is honest; the embeddings are kept because the plots need them and computing them
twice would double the slowest part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nbtrain.embed.separation import Separation, separation_scores
from nbtrain.evaluate.baseline import Baseline
from nbtrain.evaluate.scores import Scores, score_predictions

if TYPE_CHECKING:
    from nbtrain.data.dataset import Dataset
    from nbtrain.embed.encoder import Encoder
    from nbtrain.training.model import TrainedModel


@dataclass(frozen=True)
class SplitComparison:
    """One split, both models. ``rows`` adds each model's prediction and confidence to the split."""

    split: str
    rows: pd.DataFrame
    baseline: Scores
    trained: Scores
    baseline_separation: Separation
    trained_separation: Separation
    baseline_embeddings: np.ndarray
    trained_embeddings: np.ndarray


@dataclass(frozen=True)
class Comparison:
    """Baseline and trained model, side by side, for each held-out split."""

    labels: tuple[str, ...]
    baseline_C: float
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
        out: dict[str, Any] = {"labels": list(self.labels), "baseline_C": self.baseline_C, "splits": {}}
        for name, s in self.splits.items():
            out["splits"][name] = {
                "n": s.baseline.n,
                "baseline": {**s.baseline.to_dict(), **_separation(s.baseline_separation)},
                "trained": {**s.trained.to_dict(), **_separation(s.trained_separation)},
            }
        return out


def compare(
    dataset: Dataset, baseline: Baseline, model: TrainedModel, encoder: Encoder
) -> Comparison:
    """Score both models on the validation split and, when present, the test split."""
    splits = {name: frame for name, frame in dataset.splits().items() if name != "train"}
    results = {}
    for name, frame in splits.items():
        texts, truth = frame["text"].tolist(), frame["label"].tolist()
        base_emb = encoder.encode(texts)
        base_proba = baseline.predict_proba(base_emb)
        trained_emb = model.embed(texts)
        trained_proba = model.predict_proba(texts)
        rows = frame.copy()
        rows["baseline_label"] = [baseline.labels[i] for i in base_proba.argmax(axis=1)]
        rows["baseline_confidence"] = base_proba.max(axis=1)
        rows["trained_label"] = [model.labels[i] for i in trained_proba.argmax(axis=1)]
        rows["trained_confidence"] = trained_proba.max(axis=1)
        results[name] = SplitComparison(
            split=name,
            rows=rows,
            baseline=score_predictions(truth, rows["baseline_label"].tolist(), dataset.labels),
            trained=score_predictions(truth, rows["trained_label"].tolist(), dataset.labels),
            baseline_separation=separation_scores(base_emb, truth),
            trained_separation=separation_scores(trained_emb, truth),
            baseline_embeddings=base_emb,
            trained_embeddings=trained_emb,
        )
    return Comparison(labels=dataset.labels, baseline_C=baseline.C, splits=results)


def _separation(s: Separation) -> dict[str, float]:
    return {"silhouette": s.silhouette, "knn_accuracy": s.knn_accuracy}
