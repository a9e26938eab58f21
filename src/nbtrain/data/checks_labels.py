"""Checks on how many examples there are and how they are labelled.

Each takes plain row frames (see :mod:`nbtrain.data.finding`): ``rows`` are the rows of the user's
training file, ``dropped`` is ``Dataset.dropped``. Rows the loader already set aside are reported
from ``dropped`` so the user learns they are gone and why.

Size, balance and label variants count label names through the dataset's ``task``
(:class:`~nbtrain.task.Task`): a multi-label row counts once for each of its labels, so a label's
count is its positives, and a row is listed when one of its labels is the problem.
"""

from __future__ import annotations

import pandas as pd

from nbtrain.data.dataset import RARE_REASON_PREFIXES, REASON_NO_LABEL, REASON_UNKNOWN_LABEL
from nbtrain.data.finding import SET_ASIDE, Finding, Severity, make_finding, plural
from nbtrain.data.normalise import canonical_labels, label_key
from nbtrain.task import SINGLE_LABEL, Task


def check_size(
    rows: pd.DataFrame,
    *,
    error_below: int = 250,
    warning_below: int = 500,
    min_per_label: int = 20,
    task: Task = SINGLE_LABEL,
) -> Finding:
    """Too few examples overall, or for some labels, is the most common cause of a weak model.

    Lists every row when the whole set is too small, else the rows of labels under
    ``min_per_label``; ``label_count`` is the count of the row's rarest label (0 for a row with
    no label).

    >>> rows = pd.DataFrame({"split": "train", "source": "f.csv", "row": range(2, 12),
    ...                      "text": [f"t{i}" for i in range(10)], "label": ["a", "b"] * 5})
    >>> check_size(rows).severity
    'error'
    """
    n = len(rows)
    counts = task.counts(rows["label"])
    small = counts[counts < min_per_label]
    listed = rows.assign(label_count=_rarest(rows, counts, task))
    advice = (
        f"Aim for {warning_below:,}+ examples in all and {min_per_label}+ per label; "
        "label more examples of the smallest labels first."
    )
    if n < warning_below:
        severity: Severity = "error" if n < error_below else "warning"
        message = (
            f"Only {plural(n, 'training example')}{_parts(rows)} (under {error_below if n < error_below else warning_below:,}); "
            "expect unstable, low scores."
        )
        return make_finding("size", severity, message, listed, advice)
    if len(small):
        names = ", ".join(f"{label!r} ({c})" for label, c in small.sort_values().items())
        message = (
            f"{plural(len(small), 'label')} {'has' if len(small) == 1 else 'have'} fewer than "
            f"{min_per_label} examples: {_cap(names)}."
        )
        return make_finding("size", "warning", message, listed[_carries(rows, small.index, task)], advice)
    message = f"{plural(n, 'training example')}{_parts(rows)}, at least {counts.min()} per label."
    return make_finding("size", "ok", message, listed.head(0), advice)


def _parts(rows: pd.DataFrame) -> str:
    """`` in the training file (264 train + 66 validation)`` when validation was split off it,
    so the number matches the one the dataset's summary gives per split."""
    if "split" not in rows or rows["split"].nunique() < 2:
        return ""
    counts = rows["split"].value_counts(sort=False)
    return " in the training file (" + " + ".join(f"{n:,} {split}" for split, n in counts.items()) + ")"


def check_class_balance(
    rows: pd.DataFrame, *, info_ratio: float = 1.5, warning_ratio: float = 3.0, task: Task = SINGLE_LABEL
) -> Finding:
    """A model trained on skewed labels learns to favour the big ones; name the starved ones.

    The ratio is largest label count / smallest (positives per label for label sets). A label is
    *starved* when it has fewer than ``largest / warning_ratio`` examples; the rows carrying one
    are listed with ``label_count``, the count of the row's rarest label.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": range(8), "text": list("abcdefgh"),
    ...                      "label": ["x"] * 7 + ["y"]})
    >>> check_class_balance(rows).message.split(":")[0]
    'Largest label has 7.0× the examples of the smallest (7 vs 1)'
    """
    counts = task.counts(rows["label"])
    largest, smallest = int(counts.max()), int(counts.min())
    ratio = largest / smallest
    starved = counts[counts < largest / warning_ratio]
    head = f"Largest label has {ratio:.1f}× the examples of the smallest ({largest} vs {smallest})"
    severity: Severity = "warning" if ratio >= warning_ratio else "info" if ratio >= info_ratio else "ok"
    listed = rows.assign(label_count=_rarest(rows, counts, task))[_carries(rows, starved.index, task)]
    if len(starved):
        names = ", ".join(f"{label!r} ({c})" for label, c in starved.sort_values().items())
        message = f"{head}: {plural(len(starved), 'starved label')}: {_cap(names)}."
    else:
        message = f"{head}."
    advice = (
        "Add examples to the starved labels, or judge the model by macro-F1 rather than accuracy; "
        "the trainer's class weights only partly make up for missing data."
    )
    return make_finding("class_balance", severity, message, listed, advice)


def check_rare_labels(dropped: pd.DataFrame, train_labels: pd.Series | None = None, *, task: Task = SINGLE_LABEL) -> Finding:
    """Labels with too few unique examples were removed at load; say which, so none is missed.

    With ``train_labels`` (label names), ``suggested`` names a kept label of the same key:
    ``Delivery`` with one row was not a label of its own but a misspelt ``delivery``, and merging
    brings it back. For label sets ``dropped`` holds one entry per label removed from a row (see
    :func:`~nbtrain.data.checks_multilabel.set_aside_occurrences`), ``label`` being that label.
    """
    gone = _with_suggestion(dropped[dropped["reason"].str.startswith(RARE_REASON_PREFIXES)], train_labels)
    if gone.empty:
        return make_finding("rare_labels", "ok", "No label was removed for having too few examples.", gone, "")
    counts = gone["label"].value_counts()
    names = ", ".join(f"{label!r} ({c})" for label, c in counts.items())
    message = (
        f"{plural(len(counts), 'label')} set aside at load ({plural(len(gone), 'row')}): {_cap(names)}; "
        f"{gone['reason'].iloc[0]}."
    )
    advice = "Add at least 5 distinct examples to each, merge them into a related label, or accept that the model will never predict them."
    fix = _merge_fix(gone, task)
    return make_finding("rare_labels", "warning", message, gone, advice, fix)


def check_label_variants(rows: pd.DataFrame, *, task: Task = SINGLE_LABEL) -> Finding:
    """``Positive`` and ``positive ``, or ``1`` and ``1.0``, become two labels unless merged.

    Lists the rows whose label shares its key (:func:`label_key`) with another label and is not
    the most frequent spelling, with the ``group`` key and the ``suggested`` label (or label set). Only single labels have the merge fix; label sets are relabelled by hand.

    >>> rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3, 4],
    ...                      "text": ["a", "b", "c"], "label": ["pos", "pos", "Pos "]})
    >>> check_label_variants(rows).rows[["row", "suggested"]].values.tolist()
    [[4, 'pos']]
    """
    names = task.explode(rows["label"])
    canonical = canonical_labels(names)
    keys = pd.Series({label: label_key(label) for label in canonical}, dtype=object)
    spellings = keys.groupby(keys).size()
    clashing = keys[keys.map(spellings) > 1]
    if clashing.empty:
        return make_finding("label_variants", "ok", "No labels differ only by case, spacing or number format.", rows.head(0), "")
    hit = names[names.isin(clashing.index)]
    groups = hit.map(clashing).groupby(level=0).agg(lambda g: "; ".join(sorted(set(g))))
    listed = rows.loc[groups.index.unique()]
    listed = listed.assign(group=groups, suggested=listed["label"].map(lambda value: _respelled(value, canonical)))
    # The rows already spelled the suggested way need nothing: list the ones a merge would change.
    listed = listed[listed["label"].map(str) != listed["suggested"].map(str)]
    variants = "; ".join(
        " = ".join(repr(x) for x in sorted(labels.index)) for _, labels in clashing.groupby(clashing)
    )
    message = f"{plural(clashing.nunique(), 'label')} spelled more than one way ({plural(len(listed), 'row')} to respell): {_cap(variants)}."
    advice = "Merge each group into one spelling (the most frequent is suggested)."
    in_data = "status" not in listed or listed["status"].ne(SET_ASIDE).any()
    severity: Severity = "error" if in_data else "warning"
    return make_finding("label_variants", severity, message, listed.sort_index(), advice, fix=_merge_fix(listed, task))


def check_unknown_labels(dropped: pd.DataFrame, train_labels: pd.Series, *, task: Task = SINGLE_LABEL) -> Finding:
    """Validation or test rows with a label never trained on were set aside at load (for label
    sets: the label was removed from the row, see :func:`check_rare_labels`).

    ``suggested`` names a training label with the same key when the difference is only spelling.
    """
    gone = _with_suggestion(dropped[dropped["reason"] == REASON_UNKNOWN_LABEL], train_labels)
    if gone.empty:
        return make_finding("unknown_labels", "ok", "Every validation and test label occurs in training.", gone, "")
    counts = gone["label"].value_counts()
    names = ", ".join(f"{label!r} ({c})" for label, c in counts.items())
    message = f"{plural(len(gone), 'validation/test row')} set aside at load, label not in training: {_cap(names)}."
    advice = "Fix the spelling to match a training label (see 'suggested'), or add training examples for the new label."
    fix = _merge_fix(gone, task)
    return make_finding("unknown_labels", "warning", message, gone, advice, fix)


def check_missing_labels(dropped: pd.DataFrame) -> Finding:
    """Rows with a text but no label were set aside at load; they may be worth labelling."""
    gone = dropped[dropped["reason"] == REASON_NO_LABEL]
    if gone.empty:
        return make_finding("missing_labels", "ok", "Every row has a label.", gone, "")
    message = f"{plural(len(gone), 'row')} without a label set aside at load."
    return make_finding("missing_labels", "info", message, gone, "Label them and load again; unlabelled rows are not used.")


def _merge_fix(listed: pd.DataFrame, task: Task) -> str | None:
    """``merge_label_variants`` when it applies: a spelling to merge into, and single labels
    (the fix renames label strings; a label set is relabelled with ``dataset.relabel``)."""
    return "merge_label_variants" if task is SINGLE_LABEL and listed["suggested"].ne("").any() else None


def _rarest(rows: pd.DataFrame, counts: pd.Series, task: Task) -> pd.Series:
    """The count of each row's rarest label; 0 for a row without labels."""
    per_label = task.explode(rows["label"]).map(counts)
    return per_label.groupby(level=0).min().reindex(rows.index, fill_value=0).astype(int)


def _carries(rows: pd.DataFrame, labels: pd.Index, task: Task) -> pd.Series:
    """Which rows carry one of ``labels``."""
    names = task.explode(rows["label"])
    return pd.Series(rows.index.isin(names.index[names.isin(labels)]), index=rows.index)


def _respelled(value: object, canonical: dict[str, str]) -> object:
    """A label, or each label of a set, in its preferred spelling."""
    if isinstance(value, tuple):
        return tuple(sorted({canonical.get(str(x), str(x)) for x in value}))
    return canonical.get(str(value), value)


def _with_suggestion(gone: pd.DataFrame, train_labels: pd.Series | None) -> pd.DataFrame:
    """``gone`` with ``suggested``: the training label sharing each row's label key, or ``""``."""
    by_key = {} if train_labels is None else {label_key(x): x for x in pd.unique(train_labels)}
    return gone.assign(suggested=gone["label"].map(lambda x: by_key.get(label_key(x), "")).astype(object))


def _cap(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
