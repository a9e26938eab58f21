"""Classification scores of one set of predictions, single-label or multi-label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nbtrain.choices import TaskKind


@dataclass(frozen=True)
class Scores:
    """Accuracy, macro precision/recall/F1 and per-label scores; the confusion matrix or the
    multi-label extras.

    Macro averages weigh every label the same, so a model that ignores a small label is seen to.
    For single-label data ``confusion`` has true labels as rows and predicted labels as columns.
    For multi-label data ``accuracy`` is the Hamming score (per text, the labels both sets share
    over the labels either has; two empty sets agree fully), as the hosted trainers reported it,
    and ``micro_f1`` (every label decision pooled) and ``subset_accuracy`` (the whole set right)
    are filled in.
    """

    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    per_class: pd.DataFrame
    n: int
    confusion: pd.DataFrame | None = None
    micro_f1: float | None = None
    subset_accuracy: float | None = None

    def headline(self) -> dict[str, float]:
        """The single-number scores, by name."""
        out = {
            "accuracy": self.accuracy,
            "macro_precision": self.macro_precision,
            "macro_recall": self.macro_recall,
            "macro_f1": self.macro_f1,
        }
        if self.micro_f1 is not None and self.subset_accuracy is not None:
            out |= {"micro_f1": self.micro_f1, "subset_accuracy": self.subset_accuracy}
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: headline scores, ``n``, per-label rows and the confusion matrix if any."""
        out: dict[str, Any] = {**self.headline(), "n": self.n, "per_class": self.per_class.to_dict(orient="records")}
        if self.confusion is not None:
            out["confusion"] = {
                "labels": [str(c) for c in self.confusion.columns],
                "matrix": self.confusion.to_numpy().tolist(),
            }
        return out


def score_labels(truth: Sequence[Any], predicted: Sequence[Any], labels: Sequence[str], *, task: TaskKind = "single_label") -> Scores:
    """Score predicted label values (strings, or tuples of strings for multi-label) against the truth."""
    if task == "multi_label":
        return score_label_sets(truth, predicted, labels)
    return score_predictions(truth, predicted, labels)


def score_predictions(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> Scores:
    """Score predicted labels against the true ones, over the given label set.

    >>> s = score_predictions(["a", "b", "b"], ["a", "b", "a"], ["a", "b"])
    >>> round(s.accuracy, 3), round(s.macro_f1, 3)
    (0.667, 0.667)
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    labels = list(labels)
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    return Scores(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_precision=float(np.mean(p)),
        macro_recall=float(np.mean(r)),
        macro_f1=float(np.mean(f)),
        per_class=_per_class(labels, p, r, f, support),
        n=len(y_true),
        confusion=pd.DataFrame(matrix, index=labels, columns=labels),
    )


def score_label_sets(truth: Sequence[Any], predicted: Sequence[Any], labels: Sequence[str]) -> Scores:
    """Multi-label scores over ``labels``: Hamming score, macro and micro F1, subset accuracy.

    >>> s = score_label_sets([("a",), ("a", "b"), ()], [("a",), ("a",), ()], ["a", "b"])
    >>> round(s.accuracy, 3), round(s.subset_accuracy, 3), round(s.macro_f1, 3)
    (0.833, 0.667, 0.5)
    """
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    from nbtrain.task import MULTI_LABEL

    labels = list(labels)
    y = MULTI_LABEL.targets(truth, labels).astype(bool)
    z = MULTI_LABEL.targets(predicted, labels).astype(bool)
    union = (y | z).sum(axis=1)
    hamming = np.where(union == 0, 1.0, (y & z).sum(axis=1) / np.maximum(union, 1))
    p, r, f, support = precision_recall_fscore_support(y, z, zero_division=0)
    return Scores(
        accuracy=float(hamming.mean()) if len(y) else float("nan"),
        macro_precision=float(np.mean(p)),
        macro_recall=float(np.mean(r)),
        macro_f1=float(np.mean(f)),
        per_class=_per_class(labels, p, r, f, support),
        n=len(y),
        micro_f1=float(f1_score(y, z, average="micro", zero_division=0)),
        subset_accuracy=float((y == z).all(axis=1).mean()) if len(y) else float("nan"),
    )


def _per_class(labels: list[str], p: np.ndarray, r: np.ndarray, f: np.ndarray, support: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"label": labels, "precision": p, "recall": r, "f1": f, "support": np.asarray(support).astype(int)})
