"""The baseline a careful user builds without training: logistic regression on frozen embeddings.

Its regularisation is chosen by stratified cross-validation on the training split (macro-F1), as a
careful user would: on 1,000 banking77 rows C=1 gives macro-F1 0.75 and C=10 gives 0.86, so an
untuned baseline would make any training look good. The same search decides whether rare labels
are weighed up (``class_weight="balanced"``): macro-F1 counts every label alike, and on 250
tweeteval_offensive rows (a third offensive) weighing them up takes the test macro-F1 from 0.625 to
0.640. Multi-label data gets one logistic regression per label (one-vs-rest) with one ``C`` chosen
the same way and a decision threshold per label chosen on the out-of-fold probabilities, because
0.5 is the wrong cut for a label that one text in a hundred carries.

The same fit, on the trained embeddings, is the trained model's final head, and the baseline's
weights start the trained head, so training begins where the baseline ends.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from nbtrain.choices import ClassWeight, FittedOn, TaskKind, check_choice
from nbtrain.task import task_of

DEFAULT_CS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
# "auto" weighs labels only when the commonest has this many times the rows of the rarest.
IMBALANCE = 1.5
# Above this many rows, C (and the weighing, and multi-label thresholds) are chosen on a seeded,
# stratified sample of this size, then the head is fitted on every row: the search costs
# folds × settings fits, and on 80,000 rows it would take longer than training.
CV_ROWS = 10_000
THRESHOLDS = np.round(np.arange(0.02, 0.99, 0.02), 2)


@dataclass(frozen=True)
class Baseline:
    """A fitted logistic-regression head over L2-normalised embeddings.

    ``weights`` has one row per label (also for two labels), so ``embeddings @ weights.T + bias``
    are logits whose softmax (single-label) or sigmoid (multi-label) gives the fitted classifier's
    probabilities. ``C``, ``class_weight`` and, for multi-label data, the per-label
    ``thresholds`` are what the cross-validation chose; ``fitted_on`` names the rows it learnt;
    ``fits`` counts the regressions the search and the final fit ran and ``seconds`` their time,
    from which a time budget reckons what the trained model's own heads will take.
    """

    labels: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    C: float
    cv_macro_f1: float
    class_weight: ClassWeight = None
    task: TaskKind = "single_label"
    thresholds: np.ndarray | None = None
    fitted_on: FittedOn = "train"
    fits: int = 0
    seconds: float = 0.0

    def logits(self, embeddings: np.ndarray) -> np.ndarray:
        """Unnormalised scores, one column per label."""
        return embeddings @ self.weights.T + self.bias

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        """Probabilities, one column per label in ``labels`` order."""
        return task_of(self.task).probabilities(self.logits(embeddings))

    def predict(self, embeddings: np.ndarray) -> list[Any]:
        """The predicted label of each row (a tuple of labels for multi-label data)."""
        return task_of(self.task).decide(self.predict_proba(embeddings), self.labels, self.thresholds)

    def settings(self) -> str:
        """The chosen settings in words, e.g. ``"C=10, balanced class weights"``."""
        weights = ", balanced class weights" if self.class_weight == "balanced" else ""
        cuts = ", a threshold per label" if self.thresholds is not None else ""
        return f"C={self.C:g}{weights}{cuts}"


def fit_baseline(
    embeddings: np.ndarray,
    labels: Sequence[Any],
    *,
    Cs: Sequence[float] = DEFAULT_CS,
    folds: int = 5,
    seed: int = 0,
    class_weight: ClassWeight = "auto",
    task: TaskKind = "single_label",
    fitted_on: FittedOn = "train",
    cv_rows: int | None = CV_ROWS,
) -> Baseline:
    """Fit the head, choosing ``C`` from ``Cs`` by stratified k-fold macro-F1.

    ``folds`` shrinks to the size of the smallest class when a class has fewer rows.
    ``class_weight="balanced"`` weighs rows inversely to their label's frequency, ``None`` weighs
    them alike, and ``"auto"`` lets the cross-validation choose between the two with ``C`` when the
    commonest label has at least :data:`IMBALANCE` times the rows of the rarest (single-label
    data; multi-label heads weigh alike under ``"auto"``, their thresholds do that job). Below that
    the balanced weights are close to 1 (sst2's 52:48 gives 0.96 and 1.04) and choosing between
    two nearly equal models is noise: on sst2 the search chose "balanced" on 250 rows and moved
    the trained model's test macro-F1 by up to 0.01 either way between training seeds.

    ``labels`` are strings (single-label) or tuples of strings (``task="multi_label"``).
    """
    check_choice("class_weight", class_weight, ClassWeight)
    check_choice("task", task, TaskKind)
    started = time.perf_counter()
    x = np.asarray(embeddings)
    if task == "multi_label":
        from nbtrain.evaluate.multilabel_baseline import fit_one_vs_rest

        fitted = fit_one_vs_rest(x, labels, Cs=Cs, folds=folds, seed=seed, class_weight=class_weight, fitted_on=fitted_on, cv_rows=cv_rows)
    else:
        fitted = _fit_softmax(x, np.asarray([str(v) for v in labels]), Cs, folds, seed, class_weight, fitted_on, cv_rows)
    return replace(fitted, seconds=time.perf_counter() - started)


def _fit_softmax(
    x: np.ndarray,
    y: np.ndarray,
    Cs: Sequence[float],
    folds: int,
    seed: int,
    class_weight: ClassWeight,
    fitted_on: FittedOn,
    cv_rows: int | None,
) -> Baseline:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    names, counts = np.unique(y, return_counts=True)
    weighings: list[str | None] = [class_weight]
    if class_weight == "auto":
        weighings = [None, "balanced"] if counts.max() >= IMBALANCE * counts.min() else [None]
    searched_x, searched_y = cv_sample(x, y, cv_rows, seed)
    k = int(max(2, min(folds, np.unique(searched_y, return_counts=True)[1].min())))
    search = GridSearchCV(
        LogisticRegression(max_iter=3000),
        {"C": list(Cs), "class_weight": weighings},
        scoring="f1_macro",
        cv=StratifiedKFold(n_splits=k, shuffle=True, random_state=seed),
        n_jobs=1,
        refit=len(searched_y) == len(y),
    )
    with warnings.catch_warnings():
        # Few rows per label are expected here, not a mistake to warn about: folds already shrink
        # to the rarest label, and labels are classes however many there are per row.
        warnings.filterwarnings("ignore", message="The least populated class in y", category=UserWarning)
        warnings.filterwarnings("ignore", message="The number of unique classes is greater than 50%", category=UserWarning)
        search.fit(searched_x, searched_y)
        best = search.best_params_
        model = search.best_estimator_ if search.refit else LogisticRegression(max_iter=3000, **best).fit(x, y)
    weights, bias = model.coef_, model.intercept_
    if len(names) == 2:
        # sklearn keeps one row for two classes: p(second) = sigmoid(w.x + b) = softmax([0, w.x + b]).
        weights = np.vstack([np.zeros_like(weights[0]), weights[0]])
        bias = np.array([0.0, bias[0]])
    return Baseline(
        fits=len(Cs) * len(weighings) * k + 1,
        labels=tuple(str(c) for c in model.classes_),
        weights=weights.astype(np.float32),
        bias=bias.astype(np.float32),
        C=float(best["C"]),
        cv_macro_f1=float(search.best_score_),
        class_weight=best["class_weight"],
        fitted_on=fitted_on,
    )


def cv_sample(x: np.ndarray, y: np.ndarray, limit: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``limit`` rows, stratified by ``y`` (every label keeps at least two rows if it has them)."""
    if limit is None or len(y) <= limit:
        return x, y
    rng = np.random.default_rng(seed)
    keep: list[int] = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        count = min(len(rows), max(2, round(len(rows) * limit / len(y))))
        keep.extend(rng.choice(rows, size=count, replace=False).tolist())
    chosen = np.sort(np.asarray(keep))
    return x[chosen], y[chosen]
