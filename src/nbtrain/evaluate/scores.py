"""Classification scores of one set of predictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support


@dataclass(frozen=True)
class Scores:
    """Accuracy, macro precision/recall/F1, per-class scores and the confusion matrix.

    Macro averages weigh every label the same, so a model that ignores a small class is seen to.
    ``confusion`` has true labels as rows and predicted labels as columns.
    """

    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    per_class: pd.DataFrame
    confusion: pd.DataFrame
    n: int

    def headline(self) -> dict[str, float]:
        """The four single-number scores, by name."""
        return {
            "accuracy": self.accuracy,
            "macro_precision": self.macro_precision,
            "macro_recall": self.macro_recall,
            "macro_f1": self.macro_f1,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: headline scores, ``n``, per-class rows and the confusion matrix."""
        return {
            **self.headline(),
            "n": self.n,
            "per_class": self.per_class.to_dict(orient="records"),
            "confusion": {
                "labels": [str(c) for c in self.confusion.columns],
                "matrix": self.confusion.to_numpy().tolist(),
            },
        }


def score_predictions(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> Scores:
    """Score predicted labels against the true ones, over the given label set.

    >>> s = score_predictions(["a", "b", "b"], ["a", "b", "a"], ["a", "b"])
    >>> round(s.accuracy, 3), round(s.macro_f1, 3)
    (0.667, 0.667)
    """
    labels = list(labels)
    p, r, f, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_class = pd.DataFrame(
        {"label": labels, "precision": p, "recall": r, "f1": f, "support": support.astype(int)}
    )
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    return Scores(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_precision=float(np.mean(p)),
        macro_recall=float(np.mean(r)),
        macro_f1=float(np.mean(f)),
        per_class=per_class,
        confusion=pd.DataFrame(matrix, index=labels, columns=labels),
        n=len(y_true),
    )
