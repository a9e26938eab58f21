"""Checks that read the baseline embeddings: possible label errors and outliers.

Both take ``embeddings`` aligned with ``rows`` (one L2-normalised vector per row), so the caller
embeds once and the encoder's cache serves every later use. Label errors are found the way
confident learning does it, simplified and without an AGPL dependency: out-of-fold probabilities
of a logistic regression on the embeddings, flagging rows whose own label gets little probability
while another label gets much more.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from nbtrain.data.finding import Finding, Severity, make_finding, plural


def label_error_scores(
    labels: pd.Series, embeddings: np.ndarray, *, folds: int = 5, C: float = 10.0, seed: int = 0
) -> pd.DataFrame | None:
    """Out-of-fold ``given_prob``, ``suggested`` label, ``suggested_prob`` and ``margin`` per row.

    ``None`` when some label has fewer than 2 rows (no stratified folds are possible). ``C=10``
    because normalised sentence embeddings are underfit by the default ``C=1``.
    """
    y = labels.to_numpy()
    smallest = int(labels.value_counts().min())
    n_splits = min(folds, smallest)
    if n_splits < 2 or labels.nunique() < 2:
        return None
    # A loose tolerance and 100 lbfgs steps rank rows as well as full convergence (measured on
    # banking77: same accuracy within 0.5 points) at under half the time of one embedding pass.
    model = LogisticRegression(C=C, max_iter=100, tol=1e-3)
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        proba = cross_val_predict(model, embeddings, y, cv=cv, method="predict_proba")
    classes = np.unique(y)
    given = np.searchsorted(classes, y)
    rows = np.arange(len(y))
    given_prob = proba[rows, given]
    others = proba.copy()
    others[rows, given] = -1.0
    best = others.argmax(axis=1)
    best_prob = others[rows, best]
    return pd.DataFrame(
        {
            "given_prob": given_prob,
            "suggested": classes[best],
            "suggested_prob": best_prob,
            "margin": best_prob - given_prob,
        },
        index=labels.index,
    )


def check_label_errors(
    rows: pd.DataFrame,
    embeddings: np.ndarray,
    *,
    min_margin: float = 0.5,
    folds: int = 5,
    C: float = 10.0,
    seed: int = 0,
) -> Finding:
    """Rows whose given label looks wrong to a classifier that never saw them, most doubtful first.

    A row is listed when another label's out-of-fold probability exceeds its own by ``min_margin``;
    ``score`` is that margin, ``suggested`` the other label. They are candidates to review, not
    verdicts: ambiguous texts are listed too.

    >>> rng = np.random.default_rng(0)
    >>> x = np.vstack([rng.normal(1, .1, (10, 2)), rng.normal(-1, .1, (10, 2))])
    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": range(20), "text": "t",
    ...                      "label": ["a"] * 9 + ["b"] + ["b"] * 10})
    >>> check_label_errors(rows, x).rows["row"].tolist()
    [9]
    """
    scores = label_error_scores(rows["label"].reset_index(drop=True), embeddings, folds=folds, C=C, seed=seed)
    if scores is None:
        return make_finding("label_errors", "ok", "Too few rows per label to cross-validate; not checked.", rows.head(0), "")
    scored = rows.reset_index(drop=True).assign(
        score=scores["margin"].round(3),
        suggested=scores["suggested"],
        given_prob=scores["given_prob"].round(3),
        suggested_prob=scores["suggested_prob"].round(3),
    )
    found = scored[scored["score"] >= min_margin].sort_values("score", ascending=False, kind="stable")
    if found.empty:
        return make_finding("label_errors", "ok", "No row's label is contradicted by the baseline classifier.", found, "")
    share = len(found) / len(rows)
    message = (
        f"{plural(len(found), 'row')} ({share:.1%}) look mislabelled: another label is at least "
        f"{min_margin:.0%} more probable out of fold."
    )
    severity: Severity = "warning" if share > 0.03 else "info"
    advice = "Review the top rows: relabel the ones that are wrong, and keep the ambiguous ones as they are."
    return make_finding("label_errors", severity, message, found, advice)


def check_outliers(
    rows: pd.DataFrame, embeddings: np.ndarray, *, max_z: float = 3.5, min_spread: float = 0.02
) -> Finding:
    """Rows far from every training label, in the embedding space: off-topic, garbled, or new.

    ``similarity`` is the cosine similarity to the nearest training-label centroid; a row is listed
    when it is more than ``max_z`` robust standard deviations (median absolute deviation) below the
    median similarity. The deviation is floored at ``min_spread``: in very tight data a cosine
    difference of a hundredth is noise, not an outlier.
    """
    labels = rows["label"].to_numpy()
    train = (rows["split"] == "train").to_numpy()
    names = np.unique(labels[train])
    centroids = np.vstack([embeddings[train & (labels == name)].mean(axis=0) for name in names])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True).clip(min=1e-12)
    sims = embeddings @ centroids.T
    best = sims.max(axis=1)
    median = float(np.median(best))
    spread = max(1.4826 * float(np.median(np.abs(best - median))), min_spread)
    z = (median - best) / spread
    scored = rows.reset_index(drop=True).assign(
        similarity=best.round(3), nearest_label=names[sims.argmax(axis=1)], score=z.round(2)
    )
    found = scored[scored["score"] > max_z].sort_values("score", ascending=False, kind="stable")
    if found.empty:
        return make_finding("outliers", "ok", "No row is far from every label.", found, "")
    message = f"{plural(len(found), 'row')} lie far from every label (similarity to the nearest label centroid under {median - max_z * spread:.2f})."
    advice = "Look at them: drop off-topic or garbled rows, or add a label if several belong together."
    return make_finding("outliers", "info", message, found, advice)
