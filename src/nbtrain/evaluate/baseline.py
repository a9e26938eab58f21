"""The baseline a careful user builds without training: logistic regression on frozen embeddings.

Its regularisation is chosen by stratified cross-validation on the training split (macro-F1), as a
careful user would: on 1,000 banking77 rows C=1 gives macro-F1 0.75 and C=10 gives 0.86, so an
untuned baseline would make any training look good. The same search decides whether rare labels
are weighed up (``class_weight="balanced"``): macro-F1 counts every label alike, and on 250
tweeteval_offensive rows (a third offensive) weighing them up takes the test macro-F1 from 0.625 to
0.640. Its weights also start the trained model's
classification head, so training begins where the baseline ends.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from nbtrain._math import softmax

DEFAULT_CS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
CLASS_WEIGHTS = (None, "balanced", "auto")
# "auto" weighs labels only when the commonest has this many times the rows of the rarest.
IMBALANCE = 1.5


@dataclass(frozen=True)
class Baseline:
    """A fitted logistic regression over L2-normalised frozen embeddings.

    ``weights`` has one row per label (also for two labels), so ``embeddings @ weights.T + bias``
    are logits whose softmax gives the same probabilities as the fitted classifier. ``C`` and
    ``class_weight`` are the settings the cross-validation chose.
    """

    labels: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    C: float
    cv_macro_f1: float
    class_weight: str | None = None

    def logits(self, embeddings: np.ndarray) -> np.ndarray:
        """Unnormalised scores, one column per label."""
        return embeddings @ self.weights.T + self.bias

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        """Probabilities, one column per label in ``labels`` order."""
        return softmax(self.logits(embeddings))

    def predict(self, embeddings: np.ndarray) -> list[str]:
        """The most probable label of each row."""
        return [self.labels[i] for i in self.logits(embeddings).argmax(axis=1)]


def fit_baseline(
    embeddings: np.ndarray,
    labels: Sequence[str],
    *,
    Cs: Sequence[float] = DEFAULT_CS,
    folds: int = 5,
    seed: int = 0,
    class_weight: str | None = "auto",
) -> Baseline:
    """Fit the baseline, choosing ``C`` from ``Cs`` by stratified k-fold macro-F1.

    ``folds`` shrinks to the size of the smallest class when a class has fewer rows.
    ``class_weight="balanced"`` weighs rows inversely to their label's frequency, ``None`` weighs
    them alike, and ``"auto"`` lets the cross-validation choose between the two with ``C`` when the
    commonest label has at least :data:`IMBALANCE` times the rows of the rarest. Below that the
    balanced weights are close to 1 (sst2's 52:48 gives 0.96 and 1.04) and choosing between two
    nearly equal models is noise: on sst2 the search chose "balanced" on 250 rows and moved the
    trained model's test macro-F1 by up to 0.01 either way between training seeds.
    """
    if class_weight not in CLASS_WEIGHTS:
        raise ValueError(f"class_weight must be one of {CLASS_WEIGHTS}, got {class_weight!r}")
    y = np.asarray(labels)
    names, counts = np.unique(y, return_counts=True)
    k = int(max(2, min(folds, counts.min())))
    weighings = [class_weight]
    if class_weight == "auto":
        weighings = [None, "balanced"] if counts.max() >= IMBALANCE * counts.min() else [None]
    grid: dict[str, list] = {"C": list(Cs), "class_weight": weighings}
    search = GridSearchCV(
        LogisticRegression(max_iter=3000),
        grid,
        scoring="f1_macro",
        cv=StratifiedKFold(n_splits=k, shuffle=True, random_state=seed),
        n_jobs=1,
    )
    with warnings.catch_warnings():
        # Few rows per label are expected here, not a mistake to warn about: folds already shrink
        # to the rarest label, and labels are classes however many there are per row.
        warnings.filterwarnings("ignore", message="The least populated class in y", category=UserWarning)
        warnings.filterwarnings("ignore", message="The number of unique classes is greater than 50%", category=UserWarning)
        search.fit(embeddings, y)
    model = search.best_estimator_
    weights, bias = model.coef_, model.intercept_
    if len(names) == 2:
        # sklearn keeps one row for two classes: p(second) = sigmoid(w.x + b) = softmax([0, w.x + b]).
        weights = np.vstack([np.zeros_like(weights[0]), weights[0]])
        bias = np.array([0.0, bias[0]])
    return Baseline(
        labels=tuple(str(c) for c in model.classes_),
        weights=weights.astype(np.float32),
        bias=bias.astype(np.float32),
        C=float(search.best_params_["C"]),
        cv_macro_f1=float(search.best_score_),
        class_weight=search.best_params_["class_weight"],
    )
