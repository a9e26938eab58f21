"""The multi-label baseline: one logistic regression per label, ``C`` and thresholds by cross-validation.

A careful user reaches for one-vs-rest logistic regression; what they often miss is the decision
threshold. With 28 labels of which a text carries one or two, most labels are rare, a probability
of 0.5 is almost never reached, and a 0.5 cut predicts nothing for them. So the out-of-fold
probabilities (folds stratified over label combinations, iterative stratification) choose one
``C`` for all labels (the macro-F1 with each label's best threshold) and then each label's
threshold; the head is fitted on every row with that ``C``.

Every label's regression is solved at once (:mod:`nbtrain.evaluate.logistic`), and within each
fold the search runs C upwards, starting every label from the last C's solution: on 3,966
GoEmotions rows a search (28 labels, 7 values of C, 5 folds) takes about 10 s on 2 CPU cores,
where 980 separate scikit-learn fits took 67 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nbtrain.choices import ClassWeight, FittedOn
from nbtrain.evaluate.baseline import THRESHOLDS, Baseline
from nbtrain.evaluate.logistic import fit_binary_logistic
from nbtrain.task import MULTI_LABEL


def fit_one_vs_rest(
    x: np.ndarray,
    labels: Sequence[Any],
    *,
    Cs: Sequence[float],
    folds: int,
    seed: int,
    class_weight: ClassWeight,
    fitted_on: FittedOn,
    cv_rows: int | None,
) -> Baseline:
    """See :func:`nbtrain.evaluate.baseline.fit_baseline` with ``task="multi_label"``."""
    names = MULTI_LABEL.names(_series(labels))
    y = MULTI_LABEL.targets(labels, names).astype(np.int8)
    weighing: ClassWeight = "balanced" if class_weight == "balanced" else None
    searched = _cv_rows(y, cv_rows, seed)
    oof = _out_of_fold(x[searched], y[searched], Cs, weighing, folds, seed)
    tuned = {C: best_thresholds(y[searched], proba) for C, proba in oof.items()}
    best_c = max(Cs, key=lambda c: (round(tuned[c][1], 4), -abs(np.log10(c))))
    thresholds, cv_f1 = tuned[best_c]
    weights, bias = fit_all(x, y, best_c, weighing)
    return Baseline(
        fits=len(Cs) * _folds(folds, len(searched)) + 1,
        labels=names,
        weights=weights,
        bias=bias,
        C=float(best_c),
        cv_macro_f1=float(cv_f1),
        class_weight=weighing,
        task="multi_label",
        thresholds=thresholds,
        fitted_on=fitted_on,
    )


def best_thresholds(y: np.ndarray, proba: np.ndarray) -> tuple[np.ndarray, float]:
    """Each label's F1-maximising threshold among :data:`THRESHOLDS`, and the resulting macro-F1.

    >>> y = np.array([[1, 0], [0, 1], [1, 0], [0, 0]])
    >>> p = np.array([[0.3, 0.1], [0.1, 0.9], [0.4, 0.2], [0.05, 0.3]])
    >>> cuts, f1 = best_thresholds(y, p)
    >>> [round(float(c), 2) for c in cuts], round(f1, 3)
    ([0.22, 0.62], 1.0)
    """
    chosen = proba[:, :, None] >= THRESHOLDS[None, None, :]
    truth = y.astype(bool)[:, :, None]
    tp = (chosen & truth).sum(axis=0)
    fp = (chosen & ~truth).sum(axis=0)
    fn = (~chosen & truth).sum(axis=0)
    f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    top = f1.max(axis=1, keepdims=True)
    # Several thresholds often tie on the training folds; the middle of the tied run is the one
    # least likely to sit on the edge of what new texts need.
    best = np.array([np.flatnonzero(row)[len(np.flatnonzero(row)) // 2] for row in f1 >= top - 1e-12])
    return THRESHOLDS[best].astype(np.float32), float(top.mean())


def _out_of_fold(x: np.ndarray, y: np.ndarray, Cs: Sequence[float], weighing: ClassWeight, folds: int, seed: int) -> dict[float, np.ndarray]:
    """Each ``C``'s out-of-fold probabilities; within a fold, C rises and each fit starts from the last."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold

    proba = {C: np.zeros(y.shape, dtype=np.float64) for C in Cs}
    splitter = MultilabelStratifiedKFold(n_splits=_folds(folds, len(y)), shuffle=True, random_state=seed)
    for train, held in splitter.split(x, y):
        start = None
        for C in sorted(Cs):
            weights, bias = start = fit_all(x[train], y[train], C, weighing, start=start)
            proba[C][held] = MULTI_LABEL.probabilities(x[held] @ weights.T + bias)
    return proba


def fit_all(
    x: np.ndarray,
    y: np.ndarray,
    C: float,
    weighing: ClassWeight,
    *,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One binary logistic regression per label, solved together; a label seen always or never gets a constant.

    ``start`` (weights, bias), e.g. a neighbouring ``C``'s solution, starts each label's optimiser
    there, which reaches the same optimum in fewer iterations.
    """
    weights = np.zeros((y.shape[1], x.shape[1]), dtype=np.float32)
    bias = np.zeros(y.shape[1], dtype=np.float32)
    constant = y.min(axis=0) == y.max(axis=0)
    bias[constant] = np.where(y[0, constant] > 0, 10.0, -10.0)
    varied = np.flatnonzero(~constant)
    if len(varied):
        columns = y[:, varied]
        begin = None if start is None else (start[0][varied], start[1][varied])
        weights[varied], bias[varied] = fit_binary_logistic(x, columns, C, sample_weight=_balanced(columns) if weighing == "balanced" else None, start=begin)
    return weights, bias


def _balanced(y: np.ndarray) -> np.ndarray:
    """scikit-learn's ``class_weight="balanced"`` per label: each side of a label weighs half the rows."""
    positives = y.sum(axis=0)
    return np.where(y > 0, len(y) / (2.0 * positives), len(y) / (2.0 * (len(y) - positives)))


def _folds(folds: int, rows: int) -> int:
    return max(2, min(folds, rows))


def _cv_rows(y: np.ndarray, limit: int | None, seed: int) -> np.ndarray:
    """Row positions the search runs on: all, or a label-stratified sample of ``limit``."""
    if limit is None or len(y) <= limit:
        return np.arange(len(y))
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    # test_size given too: iterstrat 0.1.9 with scikit-learn 1.6+ rejects its own default
    splitter = MultilabelStratifiedShuffleSplit(n_splits=1, train_size=limit, test_size=len(y) - limit, random_state=seed)
    chosen, _ = next(splitter.split(np.zeros(len(y)), y))
    return np.sort(chosen)


def _series(labels: Sequence[Any]) -> Any:
    import pandas as pd

    return pd.Series(list(labels), dtype=object)
