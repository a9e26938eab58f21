"""Single-label and multi-label classification as one concept: how labels are counted, encoded,
turned into probabilities, decided, scored and shown.

Every layer asks the dataset's task instead of branching on the kind of data: the loaders store a
row's label as a string (single-label) or as a sorted tuple of strings, possibly empty
(multi-label); the trainer asks the task for targets and the loss, the heads for probabilities
and decisions, the comparison for scores. Heavy libraries load only inside the methods that need
them, so the data layer can use a task without importing scikit-learn or torch.

>>> SINGLE_LABEL.decide(np.array([[0.2, 0.8]]), ("a", "b"))
['b']
>>> MULTI_LABEL.decide(np.array([[0.7, 0.2, 0.6]]), ("a", "b", "c"), np.array([0.5, 0.5, 0.5]))
[('a', 'c')]
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from nbtrain._math import sigmoid, softmax
from nbtrain.choices import TaskKind

if TYPE_CHECKING:
    from nbtrain.evaluate.baseline import Baseline
    from nbtrain.evaluate.scores import Scores

NO_LABEL = "(no label)"
"""How a multi-label row with an empty label set is shown."""
LABEL_JOIN = "; "


class Task(ABC):
    """What differs between single-label and multi-label data, behind one interface."""

    kind: ClassVar[TaskKind]
    #: The single-number score validation and cross-validation maximise.
    primary: ClassVar[str] = "macro_f1"

    @abstractmethod
    def explode(self, labels: pd.Series) -> pd.Series:
        """One entry per (row, label) pair, indexed like ``labels``; rows without labels vanish."""

    def names(self, labels: pd.Series) -> tuple[str, ...]:
        """The label names that occur, sorted."""
        return tuple(sorted(self.explode(labels).unique()))

    def counts(self, labels: pd.Series) -> pd.Series:
        """Rows per label name, largest first."""
        return self.explode(labels).value_counts()

    @abstractmethod
    def format(self, value: object) -> str:
        """A label value as a person reads it."""

    @abstractmethod
    def rename(self, value: object, spelling: Callable[[str], str]) -> Any:
        """A label value with each of its labels respelt by ``spelling`` (a set stays a sorted set)."""

    @abstractmethod
    def targets(self, labels: Sequence[Any], names: Sequence[str]) -> np.ndarray:
        """Training targets: label indices (single-label) or a 0/1 matrix (multi-label)."""

    @abstractmethod
    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        """Probabilities from a linear head's logits: softmax or one sigmoid per label."""

    @abstractmethod
    def decide(self, proba: np.ndarray, names: Sequence[str], thresholds: np.ndarray | None = None) -> list[Any]:
        """The predicted label values, shaped like the dataset's own."""

    @abstractmethod
    def confidence(self, proba: np.ndarray, thresholds: np.ndarray | None = None) -> np.ndarray:
        """One number per row saying how sure the decision is (0 to 1)."""

    def fit_head(self, embeddings: np.ndarray, labels: Sequence[Any], **options: Any) -> Baseline:
        """The tuned logistic-regression head (see :func:`nbtrain.evaluate.baseline.fit_baseline`)."""
        from nbtrain.evaluate.baseline import fit_baseline

        return fit_baseline(embeddings, labels, task=self.kind, **options)

    def score(self, truth: Sequence[Any], predicted: Sequence[Any], names: Sequence[str]) -> Scores:
        """The scores of predicted label values against the true ones."""
        from nbtrain.evaluate.scores import score_labels

        return score_labels(truth, predicted, names, task=self.kind)


class SingleLabel(Task):
    """One label per text, the softmax over all labels."""

    kind: ClassVar[TaskKind] = "single_label"

    def explode(self, labels: pd.Series) -> pd.Series:
        return labels.astype(str)

    def format(self, value: object) -> str:
        return str(value)

    def rename(self, value: object, spelling: Callable[[str], str]) -> Any:
        return spelling(str(value))

    def targets(self, labels: Sequence[Any], names: Sequence[str]) -> np.ndarray:
        index = {name: i for i, name in enumerate(names)}
        return np.array([index[str(x)] for x in labels], dtype=np.int64)

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        return softmax(logits)

    def decide(self, proba: np.ndarray, names: Sequence[str], thresholds: np.ndarray | None = None) -> list[Any]:
        return [names[i] for i in proba.argmax(axis=1)] if len(proba) else []

    def confidence(self, proba: np.ndarray, thresholds: np.ndarray | None = None) -> np.ndarray:
        return proba.max(axis=1) if len(proba) else np.zeros(0)


class MultiLabel(Task):
    """A set of labels per text (possibly none): one sigmoid per label, a threshold per label."""

    kind: ClassVar[TaskKind] = "multi_label"

    def explode(self, labels: pd.Series) -> pd.Series:
        exploded = labels.map(tuple).explode().dropna()
        return exploded.astype(str)

    def format(self, value: object) -> str:
        values = tuple(value) if isinstance(value, Iterable) and not isinstance(value, str) else (value,)
        return LABEL_JOIN.join(str(v) for v in values) if values else NO_LABEL

    def rename(self, value: object, spelling: Callable[[str], str]) -> Any:
        values = tuple(value) if isinstance(value, Iterable) and not isinstance(value, str) else (value,)
        return tuple(sorted({spelling(str(v)) for v in values}))

    def targets(self, labels: Sequence[Any], names: Sequence[str]) -> np.ndarray:
        index = {name: i for i, name in enumerate(names)}
        out = np.zeros((len(labels), len(names)), dtype=np.float32)
        for row, values in enumerate(labels):
            for value in values:
                if value in index:
                    out[row, index[value]] = 1.0
        return out

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        return sigmoid(logits)

    def decide(self, proba: np.ndarray, names: Sequence[str], thresholds: np.ndarray | None = None) -> list[Any]:
        cut = np.full(proba.shape[1], 0.5) if thresholds is None else np.asarray(thresholds)
        chosen = proba >= cut
        return [tuple(names[int(j)] for j in np.flatnonzero(row)) for row in chosen]

    def confidence(self, proba: np.ndarray, thresholds: np.ndarray | None = None) -> np.ndarray:
        """How far, on average over the labels, each probability is on its side of the threshold.

        1 when every label is certain (0 or 1), 0 when every probability sits on its threshold.
        """
        if not len(proba):
            return np.zeros(0)
        cut = np.full(proba.shape[1], 0.5) if thresholds is None else np.asarray(thresholds)
        span = np.where(proba >= cut, 1 - cut, cut).clip(min=1e-9)
        return np.asarray(np.mean(np.abs(proba - cut) / span, axis=1))


SINGLE_LABEL = SingleLabel()
MULTI_LABEL = MultiLabel()
TASKS: dict[TaskKind, Task] = {"single_label": SINGLE_LABEL, "multi_label": MULTI_LABEL}


def label_text(value: object) -> str:
    """Any label value as a person reads it: a string as it is, a label set as ``"a; b"``."""
    return MULTI_LABEL.format(value) if isinstance(value, tuple) else str(value)


def task_of(kind: TaskKind) -> Task:
    """The task object of a kind name (what datasets, heads and models record)."""
    if kind not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}; got {kind!r}")
    return TASKS[kind]
