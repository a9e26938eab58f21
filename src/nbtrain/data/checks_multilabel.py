"""Checks that only label sets need: how many labels a row has, how labels spread over the splits,
which labels go together, and which rows' sets a classifier disputes.

Each takes plain row frames whose ``label`` is a sorted tuple of label names, possibly empty (the
text is "none of the labels"). The checks shared with single-label data (size, balance, duplicates,
outliers...) count labels through the task instead and live with the others.

>>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3, 4], "text": ["x", "y", "z"],
...                      "label": [("a", "b"), ("a",), ()]})
>>> check_label_cardinality(rows).rows["row"].tolist()
[4]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from nbtrain.data.checks_model import fit_note, out_of_fold
from nbtrain.data.finding import Finding, Severity, make_finding, plural
from nbtrain.task import LABEL_JOIN, MULTI_LABEL

_HELD_OUT = ("validation", "test")
# A row's file and line name it; its split may have changed since (the validation split is drawn
# after rare labels are removed).
_KEYS = ["source", "row"]


def set_aside_occurrences(set_aside_labels: pd.DataFrame, rows: pd.DataFrame, dropped: pd.DataFrame) -> pd.DataFrame:
    """Each label removed from a row at load (``Dataset.set_aside_labels``) with the row's text.

    The rare- and unknown-label checks read this for label sets: the row stayed (or, left with no
    label, was set aside), only the one label went.
    """
    texts = pd.concat([rows[[*_KEYS, "text"]], dropped[[*_KEYS, "text"]]]).drop_duplicates(_KEYS)
    gone = set_aside_labels.merge(texts, on=_KEYS, how="left")
    return gone.assign(text=gone["text"].fillna(""))[["split", "source", "row", "text", "label", "reason"]]


def label_matrix(labels: pd.Series) -> tuple[tuple[str, ...], np.ndarray]:
    """The label names and a rows × names 0/1 matrix of who carries what."""
    names = MULTI_LABEL.names(labels)
    return names, MULTI_LABEL.targets(list(labels), names).astype(bool)


def cooccurrence(labels: pd.Series) -> pd.DataFrame:
    """Rows carrying both labels, for every pair of names (the diagonal is each label's count):
    ``label_a``, ``label_b``, ``rows``. One matrix product, linear in the rows."""
    names, y = label_matrix(labels)
    counts = y.T.astype(np.float32) @ y.astype(np.float32)
    a, b = np.meshgrid(np.arange(len(names)), np.arange(len(names)), indexing="ij")
    picked = np.asarray(names, dtype=object)
    return pd.DataFrame({"label_a": picked[a.ravel()], "label_b": picked[b.ravel()], "rows": counts.ravel().astype(int)})


def check_label_cardinality(rows: pd.DataFrame) -> Finding:
    """How many labels rows carry, and which carry none: an empty set tells the model that none of
    the labels applies, a lesson it learns as readily as any other.

    Lists the rows with no label (``n_labels`` 0); the message gives the whole distribution.
    """
    n_labels = rows["label"].map(len)
    spread = n_labels.value_counts().sort_index()
    shown = ", ".join(f"{k} label{'s' * (k != 1)}: {n:,} ({n / len(rows):.0%})" for k, n in spread.items())
    empty = rows[n_labels == 0].assign(n_labels=0)
    head = f"Labels per row: {shown}; {n_labels.mean():.2f} on average."
    if empty.empty:
        return make_finding("label_cardinality", "ok", f"{head} Every row has at least one label.", empty, "")
    share = len(empty) / len(rows)
    message = (
        f"{head} {plural(len(empty), 'row')} ({share:.0%}) have no label: they mean \"none of the "
        "labels applies\" and teach the model to predict no label for such texts."
    )
    advice = (
        "Check that the empty rows really are none of the labels and not rows nobody labelled yet; "
        "label or drop the ones that were missed."
    )
    severity: Severity = "warning" if share > 0.5 else "info"
    return make_finding("label_cardinality", severity, message, empty, advice)


def check_label_frequency(rows: pd.DataFrame, *, max_ratio: float = 2.0, min_expected: float = 5.0) -> Finding:
    """Each label's share of the rows in each split: a label missing from validation is never
    scored nor given a tuned threshold, and one whose share shifts makes scores compare unlike data.

    A label *shifts* when its share in validation or test is under ``1 / max_ratio`` or over
    ``max_ratio`` times its training share, and at least ``min_expected`` rows were expected there.
    Lists the validation and test rows carrying a label shifted in their split, naming it in
    ``shifted``.
    """
    names = MULTI_LABEL.explode(rows["label"])
    table = pd.crosstab(names.to_numpy(), rows.loc[names.index, "split"].to_numpy())
    share = table / rows["split"].value_counts()
    train = share["train"] if "train" in share else pd.Series(0.0, index=share.index)
    absent: list[str] = []
    shifted: dict[str, dict[str, str]] = {}
    for split in (s for s in _HELD_OUT if s in share):
        size = int((rows["split"] == split).sum())
        absent += [f"{label!r} ({split})" for label in share.index[share[split] == 0]]
        ratio = share[split] / train.where(train > 0)
        moved = (train * size >= min_expected) & ((ratio < 1 / max_ratio) | (ratio > max_ratio)) & (share[split] > 0)
        shifted[split] = {label: f"{label!r} (train {train[label]:.1%}, {split} {share[split][label]:.1%})" for label in share.index[moved]}
    held = rows[rows["split"].isin(list(shifted))]
    flagged = pd.Series(
        [LABEL_JOIN.join(x for x in labels if x in shifted[split]) for split, labels in zip(held["split"], held["label"], strict=True)],
        index=held.index, dtype=object,
    )  # fmt: skip
    listed = held[flagged != ""].assign(shifted=flagged[flagged != ""])
    described = [text for by_label in shifted.values() for text in by_label.values()]
    if not absent and not described:
        return make_finding("label_frequency", "ok", "Every label occurs in every split, in similar shares.", listed, "")
    parts = []
    if absent:
        parts.append(f"{plural(len(absent), 'label')} never occur in a held-out split: {_cap(', '.join(absent))}")
    if described:
        parts.append(
            f"{plural(len(described), 'label')} with a share under 1/{max_ratio:g} or over {max_ratio:g}× "
            f"their training share: {_cap(', '.join(described))}"
        )
    message = "; ".join(parts) + f". Listed: the {plural(len(listed), 'held-out row')} carrying a shifted label."
    advice = (
        "Give every label some validation rows (a label never validated gets no tuned threshold and no "
        "score), and check that a shifted test split is meant to differ from training."
    )
    severity: Severity = "warning" if any("(validation)" in a for a in absent) else "info"
    return make_finding("label_frequency", severity, message, listed, advice)


def check_label_pairs(
    rows: pd.DataFrame, *, min_conditional: float = 0.95, min_support: int = 10, min_expected: float = 10.0
) -> Finding:
    """Labels that (almost) always come together, and common labels that never do.

    ``a → b`` is reported when at least ``min_support`` rows carry ``a`` and a share
    ``min_conditional`` of them carry ``b`` too: ``b`` may be implied by ``a`` (a hierarchy) or be
    the same label twice. Two labels are *exclusive* when no row carries both although
    ``min_expected`` rows would if they were independent. Lists the exceptions to each ``a → b``,
    the rows with ``a`` but not ``b`` (maybe missing ``b``), with the ``pair``.
    """
    names, y = label_matrix(rows["label"])
    together = y.T.astype(np.float32) @ y.astype(np.float32)
    count = np.diag(together)
    with np.errstate(divide="ignore", invalid="ignore"):
        given = together / count[:, None]
    implies = (count[:, None] >= min_support) & (given >= min_conditional) & ~np.eye(len(names), dtype=bool)
    expected = np.outer(count, count) / max(len(rows), 1)
    exclusive = np.triu((together == 0) & (expected >= min_expected), k=1)
    rules = [(names[a], names[b], float(given[a, b]), int(count[a])) for a, b in zip(*np.nonzero(implies), strict=True)]
    apart = [(names[a], names[b], float(expected[a, b])) for a, b in zip(*np.nonzero(exclusive), strict=True)]
    broken = np.full(len(rows), "", dtype=object)
    for a, b in zip(*np.nonzero(implies), strict=True):
        miss = y[:, a] & ~y[:, b]
        broken[miss] = broken[miss] + f"{LABEL_JOIN}{names[a]} → {names[b]}"
    hit = broken != ""
    listed = rows[hit].assign(pair=[text.removeprefix(LABEL_JOIN) for text in broken[hit]])
    if not rules and not apart:
        return make_finding("label_pairs", "ok", "No two labels always come together, and no two common labels exclude each other.", listed, "")
    parts = []
    if rules:
        shown = ", ".join(f"{a!r} → {b!r} ({p:.0%} of {n:,})" for a, b, p, n in sorted(rules, key=lambda r: -r[2]))
        parts.append(f"{plural(len(rules), 'label pair')} where the first almost always comes with the second: {_cap(shown)}")
    if apart:
        shown = ", ".join(f"{a!r} and {b!r} ({e:.0f} expected)" for a, b, e in sorted(apart, key=lambda r: -r[2]))
        parts.append(f"{plural(len(apart), 'pair')} of common labels never on one row: {_cap(shown)}")
    broke = f"the {plural(len(listed), 'row')} with the first label of a pair but not the second" if len(listed) else "no row breaks a pair"
    message = "; ".join(parts) + f". Listed: {broke}."
    advice = (
        "Two labels that always come together may be one label, or one may imply the other: then the "
        "listed rows may lack it. Labels that never meet may be answers to one question, which is fine "
        "when that is the design."
    )
    return make_finding("label_pairs", "info", message, listed, advice)


def check_label_set_errors(
    rows: pd.DataFrame,
    embeddings: np.ndarray,
    *,
    min_margin: float = 0.5,
    folds: int = 5,
    C: float = 10.0,
    seed: int = 0,
    max_fit_rows: int | None = None,
    min_auc: float = 0.9,
) -> Finding:
    """Label sets a classifier that never saw the row disputes: a label it carries that looks
    improbable, or a label it lacks that looks very probable, most doubtful first.

    One logistic regression per label (one-vs-rest), out of fold (see
    :func:`~nbtrain.data.checks_model.out_of_fold`; folds stratified by each row's rarest label).
    A label is disputed when the probability of its other state exceeds that of its given state by
    ``min_margin`` and, for a carried label, its probability is also below the label's typical one
    (the mean over the rows carrying it, as confident learning's per-class threshold): a rare label
    gets low probabilities everywhere, which alone proves nothing. Only labels the classifiers tell
    apart are judged (out-of-fold ROC AUC of ``min_auc`` or more, and ``folds`` positives): with
    28 labels a row has 28 chances to look odd, and a weak classifier's doubt is noise (on 3,000
    goemotions rows, judging every label flagged half the rows; these rules, 8%).
    ``score`` is the row's largest disputed margin, ``extra`` and ``missing`` the disputed labels,
    ``suggested`` the set with them flipped.
    """
    rows = rows.reset_index(drop=True)
    names, y = label_matrix(rows["label"])
    if len(rows) < 2 * folds or not names:
        return make_finding("label_errors", "ok", "Too few rows to cross-validate; not checked.", rows.head(0), "")
    proba, judged = out_of_fold_label_probabilities(y, embeddings, folds=folds, C=C, seed=seed, max_fit_rows=max_fit_rows)
    competent = judged & np.array([_auc(y[:, j], proba[:, j]) >= min_auc for j in range(len(names))], dtype=bool)
    typical = (proba * y).sum(axis=0) / np.maximum(y.sum(axis=0), 1)
    margin = np.where(y, 1 - 2 * proba, 2 * proba - 1)
    disputed = (margin >= min_margin) & competent & (~y | (proba < typical))
    picked = np.asarray(names, dtype=object)
    flagged = np.flatnonzero(disputed.any(axis=1))
    found = rows.iloc[flagged].assign(
        score=np.where(disputed, margin, -1.0)[flagged].max(axis=1).round(3),
        extra=[LABEL_JOIN.join(picked[disputed[i] & y[i]]) for i in flagged],
        missing=[LABEL_JOIN.join(picked[disputed[i] & ~y[i]]) for i in flagged],
        suggested=pd.Series([tuple(picked[y[i] ^ disputed[i]]) for i in flagged], index=rows.index[flagged], dtype=object),
    )
    found = found.sort_values("score", ascending=False, kind="stable")
    note = fit_note(len(rows), max_fit_rows, folds)
    scope = (
        f" Judged on the {plural(int(competent.sum()), 'label')} of {len(names)} the classifiers tell apart "
        f"(out-of-fold ROC AUC ≥ {min_auc:g}): {_cap(', '.join(picked[competent]), 160) or 'none'}."
    )
    if found.empty:
        return make_finding("label_errors", "ok", f"No row's label set is disputed by the per-label classifiers{note}.{scope}", found, "")
    share = len(found) / len(rows)
    message = (
        f"{plural(len(found), 'row')} ({share:.1%}) may have a wrong label set: a label carried or "
        f"missing is at least {min_margin:.0%} more probable the other way out of fold{note}.{scope}"
    )
    advice = "Review the top rows: add the missing labels or remove the extra ones where they are wrong; keep the ambiguous ones."
    severity: Severity = "warning" if share > 0.03 else "info"
    return make_finding("label_errors", severity, message, found, advice)


def out_of_fold_label_probabilities(
    y: np.ndarray, embeddings: np.ndarray, *, folds: int = 5, C: float = 10.0, seed: int = 0, max_fit_rows: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's out-of-fold probability of every label, and which labels were judged.

    ``y`` is the 0/1 label matrix. One logistic regression per label, all of a fold's solved
    together (:func:`~nbtrain.evaluate.logistic.fit_binary_logistic`), folds stratified by each
    row's rarest label and bounded by ``max_fit_rows`` (:func:`~nbtrain.data.checks_model.out_of_fold`).
    A label is judged when at least ``folds`` rows carry it and ``folds`` lack it; the others, and
    a label one fold's rows all carry or all lack, keep each row's given state as its probability:
    nothing to dispute.
    """
    from scipy.special import expit

    from nbtrain.evaluate.logistic import fit_binary_logistic

    y = y.astype(bool)
    proba = y.astype(float)
    carried = y.sum(axis=0)
    judged = (carried >= folds) & (len(y) - carried >= folds)
    for fit, scored in out_of_fold(_strata(y, folds), folds=folds, seed=seed, max_fit_rows=max_fit_rows):
        target = y[fit]
        columns = np.flatnonzero(judged & target.any(axis=0) & ~target.all(axis=0))
        if len(columns):
            # A loose tolerance ranks rows as well as full convergence, as for single labels.
            weights, bias = fit_binary_logistic(embeddings[fit], target[:, columns], C, tol=1e-3, max_iter=100)
            proba[np.ix_(scored, columns)] = expit(embeddings[scored] @ weights.T + bias)
    return proba, judged


def _auc(given: np.ndarray, proba: np.ndarray) -> float:
    """Out-of-fold ROC AUC of one label (0 when one class is missing: nothing to tell apart)."""
    return float(roc_auc_score(given, proba)) if 0 < given.sum() < len(given) else 0.0


def _strata(y: np.ndarray, folds: int) -> np.ndarray:
    """Each row's rarest label (-1 for none, or when fewer than ``folds`` rows share it), so
    stratified folds and samples keep a share of every rare label."""
    counts = y.sum(axis=0).astype(float)
    rarest = np.where(y, counts, np.inf).argmin(axis=1)
    rarest[~y.any(axis=1)] = -1
    sizes = pd.Series(rarest).map(pd.Series(rarest).value_counts()).to_numpy()
    rarest[sizes < folds] = -1
    if (rarest == -1).sum() < folds:
        rarest[rarest == -1] = pd.Series(rarest[rarest != -1]).mode().iloc[0]
    return rarest


def _cap(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
