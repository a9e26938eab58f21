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
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from nbtrain.data.finding import Finding, Severity, make_finding, plural
from nbtrain.task import SINGLE_LABEL, Task


def out_of_fold(
    strata: np.ndarray, *, folds: int = 5, seed: int = 0, max_fit_rows: int | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(fit, scored)`` row positions per fold: every row is scored by exactly one classifier that
    never saw it, and each classifier is fitted on at most about ``max_fit_rows`` rows.

    Folds are stratified on ``strata`` (a label, or for label sets the row's rarest label); when
    the other folds hold more than ``max_fit_rows`` rows, the fit rows are a seeded sample with
    the same share of every stratum (at least one row each, so a stratum may add one row over
    the bound). So the cost is at most ``folds`` fits of ``max_fit_rows`` rows, however large the
    file: on 85,000 rows, five fits of 10,000 instead of five of 68,000.
    """
    n_splits = min(folds, int(pd.Series(strata).value_counts().min()))
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    rng = np.random.default_rng(seed)
    out = []
    for fit, scored in cv.split(np.zeros(len(strata)), strata):
        if max_fit_rows is not None and len(fit) > max_fit_rows:
            fit = _stratified_sample(fit, strata[fit], max_fit_rows / len(fit), rng)
        out.append((fit, scored))
    return out


def fit_note(n_rows: int, max_fit_rows: int | None, folds: int) -> str:
    """How the out-of-fold scores were bounded, for a finding's message ("" when not at all)."""
    if max_fit_rows is None or n_rows * (folds - 1) / folds <= max_fit_rows:
        return ""
    return (
        f" (each of the {folds} fold classifiers fitted on a seeded stratified sample of about "
        f"{max_fit_rows:,} rows; all {n_rows:,} rows scored out of fold)"
    )


def label_error_scores(
    labels: pd.Series,
    embeddings: np.ndarray,
    *,
    folds: int = 5,
    C: float = 10.0,
    seed: int = 0,
    max_fit_rows: int | None = None,
) -> pd.DataFrame | None:
    """Out-of-fold ``given_prob``, ``suggested`` label, ``suggested_prob`` and ``margin`` per row.

    ``None`` when some label has fewer than 2 rows (no stratified folds are possible). ``C=10``
    because normalised sentence embeddings are underfit by the default ``C=1``.
    ``max_fit_rows`` bounds the rows each fold's classifier is fitted on (see :func:`out_of_fold`).
    """
    found = out_of_fold_probabilities(labels, embeddings, folds=folds, C=C, seed=seed, max_fit_rows=max_fit_rows)
    if found is None:
        return None
    classes, proba = found
    y = labels.to_numpy().astype(str)
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


def out_of_fold_probabilities(
    labels: pd.Series, embeddings: np.ndarray, *, folds: int = 5, C: float = 10.0, seed: int = 0, max_fit_rows: int | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """The sorted label names and each row's out-of-fold probabilities for them, or ``None`` when
    some label has fewer than 2 rows (no stratified folds are possible)."""
    y = labels.to_numpy().astype(str)
    if min(folds, int(labels.value_counts().min())) < 2 or labels.nunique() < 2:
        return None
    classes = np.unique(y)
    proba = np.zeros((len(y), len(classes)))
    for fit, scored in out_of_fold(y, folds=folds, seed=seed, max_fit_rows=max_fit_rows):
        model = fit_classifier(embeddings[fit], y[fit], C)
        proba[np.ix_(scored, np.searchsorted(classes, model.classes_))] = model.predict_proba(embeddings[scored])
    return classes, proba


def fit_classifier(x: np.ndarray, y: np.ndarray, C: float) -> LogisticRegression:
    """The baseline classifier of the label-error checks, fitted (multinomial, or one label's 0/1)."""
    # A loose tolerance and 100 lbfgs steps rank rows as well as full convergence (measured on
    # banking77: same accuracy within 0.5 points) at under half the time of one embedding pass.
    model = LogisticRegression(C=C, max_iter=100, tol=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(x, y)


def _stratified_sample(positions: np.ndarray, strata: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """The same ``share`` of each stratum's positions (at least one), drawn with ``rng``."""
    order = rng.permutation(len(positions))
    shuffled = pd.Series(strata[order])
    rank = shuffled.groupby(shuffled).cumcount().to_numpy()
    quota = shuffled.map((shuffled.value_counts() * share).astype(int).clip(lower=1)).to_numpy()
    return np.sort(positions[order[rank < quota]])


def most_doubtful_first(scored: pd.DataFrame) -> pd.DataFrame:
    """Rows by the out-of-fold probability of their given label, lowest first (ties: the larger
    margin first).

    The probability of the given label ranks flipped labels better than the margin over the best
    other label wherever there are more than two labels (banking77, 10 % of 1,000 labels flipped:
    90 of the 100 lowest are flipped, against 75 of the 100 largest margins); with two labels the
    two orders are the same (docs/benchmarks.md).
    """
    return scored.sort_values(["given_prob", "score"], ascending=[True, False], kind="stable")


def check_label_errors(
    rows: pd.DataFrame,
    embeddings: np.ndarray,
    *,
    min_margin: float = 0.5,
    folds: int = 5,
    C: float = 10.0,
    seed: int = 0,
    max_fit_rows: int | None = None,
) -> Finding:
    """Rows whose given label looks wrong to a classifier that never saw them, most doubtful first.

    A row is listed when another label's out-of-fold probability exceeds its own by ``min_margin``;
    ``score`` is that margin, ``suggested`` the other label; the least probable given labels come
    first (:func:`most_doubtful_first`). They are candidates to review, not
    verdicts: ambiguous texts are listed too. ``max_fit_rows`` bounds the cost on large files
    (see :func:`out_of_fold`); the message says when it applied.

    >>> rng = np.random.default_rng(0)
    >>> x = np.vstack([rng.normal(1, .1, (10, 2)), rng.normal(-1, .1, (10, 2))])
    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": range(20), "text": "t",
    ...                      "label": ["a"] * 9 + ["b"] + ["b"] * 10})
    >>> check_label_errors(rows, x).rows["row"].tolist()
    [9]
    """
    scores = label_error_scores(rows["label"].reset_index(drop=True), embeddings, folds=folds, C=C, seed=seed, max_fit_rows=max_fit_rows)
    if scores is None:
        return make_finding("label_errors", "ok", "Too few rows per label to cross-validate; not checked.", rows.head(0), "")
    scored = rows.reset_index(drop=True).assign(
        score=scores["margin"].round(3),
        suggested=scores["suggested"],
        given_prob=scores["given_prob"].round(3),
        suggested_prob=scores["suggested_prob"].round(3),
    )
    found = most_doubtful_first(scored[scored["score"] >= min_margin])
    note = fit_note(len(rows), max_fit_rows, folds)
    if found.empty:
        return make_finding("label_errors", "ok", f"No row's label is contradicted by the baseline classifier{note}.", found, "")
    share = len(found) / len(rows)
    message = (
        f"{plural(len(found), 'row')} ({share:.1%}) look mislabelled: another label is at least "
        f"{min_margin:.0%} more probable out of fold{note}."
    )
    severity: Severity = "warning" if share > 0.03 else "info"
    advice = "Review the top rows: relabel the ones that are wrong, and keep the ambiguous ones as they are."
    return make_finding("label_errors", severity, message, found, advice)


def check_outliers(
    rows: pd.DataFrame,
    embeddings: np.ndarray,
    *,
    max_z: float = 3.5,
    min_spread: float = 0.02,
    task: Task = SINGLE_LABEL,
) -> Finding:
    """Rows far from every training label, in the embedding space: off-topic, garbled, or new.

    ``similarity`` is the cosine similarity to the nearest training-label centroid; a row is listed
    when it is more than ``max_z`` robust standard deviations (median absolute deviation) below the
    median similarity. The deviation is floored at ``min_spread``: in very tight data a cosine
    difference of a hundredth is noise, not an outlier. A multi-label row counts towards the
    centroid of each of its labels. Linear in the rows: every row against every centroid.
    """
    rows = rows.reset_index(drop=True)
    names, centroids = label_centroids(rows, embeddings, task)
    sims = embeddings @ centroids.T
    best = sims.max(axis=1)
    median = float(np.median(best))
    spread = max(1.4826 * float(np.median(np.abs(best - median))), min_spread)
    z = (median - best) / spread
    scored = rows.assign(similarity=best.round(3), nearest_label=names[sims.argmax(axis=1)], score=z.round(2))
    found = scored[scored["score"] > max_z].sort_values("score", ascending=False, kind="stable")
    scope = f"{plural(len(rows), 'row')} against {plural(len(names), 'label centroid')}"
    if found.empty:
        return make_finding("outliers", "ok", f"No row is far from every label ({scope}).", found, "")
    message = (
        f"{plural(len(found), 'row')} lie far from every label (similarity to the nearest label "
        f"centroid under {median - max_z * spread:.2f}; {scope})."
    )
    advice = "Look at them: drop off-topic or garbled rows, or add a label if several belong together."
    return make_finding("outliers", "info", message, found, advice)


def label_centroids(rows: pd.DataFrame, embeddings: np.ndarray, task: Task = SINGLE_LABEL) -> tuple[np.ndarray, np.ndarray]:
    """The training labels' names and unit-length mean embeddings (rows of ``rows``'s positions).

    One sparse product, so 85,000 rows and hundreds of labels cost a fraction of a second.
    """
    names = task.explode(rows.loc[(rows["split"] == "train").to_numpy(), "label"])
    labels = np.unique(names.to_numpy())
    which = sparse.csr_matrix(
        (np.ones(len(names), dtype=np.float32), (np.searchsorted(labels, names.to_numpy()), rows.index.get_indexer(names.index))),
        shape=(len(labels), len(rows)),
    )
    centroids = np.asarray(which @ embeddings, dtype=np.float64)
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True).clip(min=1e-12)
    return labels, centroids.astype(np.float32)
