"""Turn read rows into the training, validation and test splits, keeping every dropped row.

The rules a hosted trainer applied, made visible: rows with no text or no label cannot be used;
labels with fewer than ``min_examples`` unique training texts are removed (with a notice naming
them); validation and test rows whose label was never trained on, or whose text is also a training
text, would make the scores lie and are set aside. Every such row lands in ``Dataset.dropped`` with
its reason, nothing disappears.

Multi-label rows follow the same rules label by label: a rare or unknown label is removed from the
rows that carry it (each removal is kept in ``Dataset.set_aside_labels``); a row stays as long as
it keeps one of its labels, and a row left with none is set aside with its reason. An empty label
set in the file means "none of the labels" and is kept.
"""

from __future__ import annotations

import pandas as pd

from nbtrain.choices import ValidationFrom
from nbtrain.data.dataset import (
    DROPPED_COLUMNS,
    REASON_EMPTY_TEXT,
    REASON_IN_TRAIN,
    REASON_NO_LABEL,
    REASON_ONLY_RARE,
    REASON_RARE_LABEL,
    REASON_UNKNOWN_LABEL,
    Dataset,
)
from nbtrain.data.errors import DataError
from nbtrain.data.read import ROW_COLUMNS, RawRows
from nbtrain.data.split import split_validation

LABEL_COLUMNS = ["split", "source", "row", "label", "reason"]


class _SetAside:
    """Collects the rows (and, for label sets, the single labels) the rules set aside."""

    def __init__(self) -> None:
        self.rows: list[pd.DataFrame] = []
        self.labels: list[pd.DataFrame] = []

    def drop(self, rows: pd.DataFrame, mask: pd.Series, split: str, reason: str) -> pd.DataFrame:
        if mask.any():
            gone = rows.loc[mask, ROW_COLUMNS].copy()
            gone.insert(0, "split", split)
            gone["reason"] = reason
            self.rows.append(gone)
        return rows.loc[~mask]

    def strip_labels(self, rows: pd.DataFrame, remove: set[str], split: str, reason: str, empty_reason: str) -> pd.DataFrame:
        """Remove the labels in ``remove`` from each row's set; set aside rows left with none."""
        had = rows["label"].map(len) > 0
        kept = rows["label"].map(lambda labels: tuple(x for x in labels if x not in remove))
        hit = kept.map(len) < rows["label"].map(len)
        if hit.any():
            pairs = rows.loc[hit, ["source", "row", "label"]].explode("label")
            pairs = pairs[pairs["label"].isin(remove)]
            self.labels.append(pairs.assign(split=split, reason=reason)[LABEL_COLUMNS])
        emptied = had & (kept.map(len) == 0)
        rows = self.drop(rows, emptied, split, empty_reason)
        return rows.assign(label=kept[~emptied])

    def rows_frame(self) -> pd.DataFrame:
        return pd.concat(self.rows, ignore_index=True)[DROPPED_COLUMNS] if self.rows else pd.DataFrame(columns=DROPPED_COLUMNS)

    def labels_frame(self) -> pd.DataFrame:
        return pd.concat(self.labels, ignore_index=True) if self.labels else pd.DataFrame(columns=LABEL_COLUMNS)


def build_dataset(
    train: RawRows,
    validation: RawRows | None = None,
    test: RawRows | None = None,
    *,
    validation_size: float | int = 0.2,
    min_examples: int = 5,
    seed: int = 0,
) -> Dataset:
    """Apply the dropping rules and the validation split; see the module docstring."""
    multi = train.task == "multi_label"
    for other in (validation, test):
        if other is not None and other.task != train.task:
            raise DataError(f"{other.source}: holds {other.task.replace('_', '-')} data, {train.source} {train.task.replace('_', '-')} data")
    aside = _SetAside()
    given = {"train": train, "validation": validation, "test": test}
    aside.rows += [raw.set_aside.assign(split=split) for split, raw in given.items() if raw is not None and raw.set_aside is not None]
    notices = list(train.notices)
    train_rows = _drop_unusable(train.rows, "train", aside, multi)
    if train_rows.empty:
        raise DataError(f"{train.source}: no row has both a text and a label")
    train_rows, removed = _remove_rare_labels(train_rows, min_examples, aside, multi)
    if removed:
        listed = ", ".join(f"{label!r} ({n} row{'s' * (n != 1)})" for label, n in removed.items())
        kept = "; rows keep their other labels" if multi else ""
        notices.append(f"Removed {len(removed)} label(s) with fewer than {min_examples} unique examples: {listed}{kept}")
    labels = _names(train_rows, multi)
    if len(labels) < 2:
        only = f" (only {next(iter(labels))!r})" if labels else ""
        raise DataError(
            f"{train.source}: fewer than 2 labels with at least {min_examples} unique examples"
            f"{only}; a classifier needs two or more{swapped_hint(train)}"
        )

    validation_from: ValidationFrom
    if validation is None:
        train_rows, val_rows = split_validation(train_rows, validation_size, seed, multi_label=multi)
        validation_from = "split"
        how = "stratified over label combinations" if multi else "stratified by label"
        notices.append(
            f"No validation file: {len(val_rows):,} training rows set aside for validation ({how}, identical texts kept together, seed {seed})"
        )
    else:
        notices += validation.notices
        val_rows = _held_out(validation, "validation", train_rows, labels, aside, multi)
        validation_from = "file"
    if val_rows.empty:
        raise DataError("validation: no usable rows are left (see the dropped rows)")
    test_rows = None
    if test is not None:
        notices += test.notices
        test_rows = _held_out(test, "test", train_rows, labels, aside, multi)
    return Dataset(
        train=train_rows.reset_index(drop=True),
        validation=val_rows.reset_index(drop=True),
        test=None if test_rows is None else test_rows.reset_index(drop=True),
        dropped=aside.rows_frame(),
        validation_from=validation_from,
        task=train.task,
        notices=tuple(notices),
        set_aside_labels=aside.labels_frame() if multi else None,
        sources={split: raw.origin for split, raw in given.items() if raw is not None and raw.origin is not None},
    )


def swapped_hint(raw: RawRows) -> str:
    """A hint when the text column holds short label-like values and the label column long texts."""
    rows = raw.rows
    if raw.task != "single_label" or rows.empty:
        return ""
    text_words = rows["text"].map(lambda t: len(str(t).split())).median()
    label_words = rows["label"].map(lambda t: len(str(t).split())).median()
    if rows["text"].nunique() <= max(20, len(rows) // 10) and label_words > max(3, 2 * text_words):
        return (
            "; the columns look swapped (the label column holds long texts, the text column few distinct values): "
            "pass text_column and label_column (--text-column, --label-column)"
        )
    return ""


def _names(rows: pd.DataFrame, multi: bool) -> set[str]:
    return set(rows["label"].explode().dropna()) if multi else set(rows["label"])


def _drop_unusable(rows: pd.DataFrame, split: str, aside: _SetAside, multi: bool) -> pd.DataFrame:
    rows = aside.drop(rows, rows["text"].str.strip() == "", split, REASON_EMPTY_TEXT)
    missing = rows["label"].map(lambda v: v is None) if multi else rows["label"].str.strip() == ""
    return aside.drop(rows, missing, split, REASON_NO_LABEL)


def _remove_rare_labels(rows: pd.DataFrame, min_examples: int, aside: _SetAside, multi: bool) -> tuple[pd.DataFrame, dict[str, int]]:
    pairs = rows[["text", "label"]].explode("label").dropna() if multi else rows[["text", "label"]]
    unique_texts = pairs.groupby("label")["text"].nunique()
    rare = sorted(unique_texts[unique_texts < min_examples].index)
    removed = {label: int((pairs["label"] == label).sum()) for label in rare}
    reason = REASON_RARE_LABEL.format(n=min_examples)
    if multi:
        return aside.strip_labels(rows, set(rare), "train", reason, REASON_ONLY_RARE.format(n=min_examples)), removed
    return aside.drop(rows, rows["label"].isin(rare), "train", reason), removed


def _held_out(raw: RawRows, split: str, train_rows: pd.DataFrame, labels: set[str], aside: _SetAside, multi: bool) -> pd.DataFrame:
    rows = _drop_unusable(raw.rows, split, aside, multi)
    if multi:
        unknown = set(rows["label"].explode().dropna()) - labels
        rows = aside.strip_labels(rows, unknown, split, REASON_UNKNOWN_LABEL, REASON_UNKNOWN_LABEL)
    else:
        rows = aside.drop(rows, ~rows["label"].isin(labels), split, REASON_UNKNOWN_LABEL)
    return aside.drop(rows, rows["text"].isin(set(train_rows["text"])), split, REASON_IN_TRAIN)
