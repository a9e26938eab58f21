"""Turn read rows into the training, validation and test splits, keeping every dropped row.

The rules a hosted trainer applied, made visible: rows with no text or no label cannot be used;
labels with fewer than ``min_examples`` unique training texts are removed (with a notice naming
them); validation and test rows whose label was never trained on, or whose text is also a training
text, would make the scores lie and are set aside. Every such row lands in ``Dataset.dropped`` with
its reason, nothing disappears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from nbtrain.data.errors import DataError
from nbtrain.data.read import ROW_COLUMNS, RawRows
from nbtrain.data.split import split_validation

DROPPED_COLUMNS = ["split", "source", "row", "text", "label", "reason"]

REASON_EMPTY_TEXT = "empty text"
REASON_NO_LABEL = "missing label"
REASON_RARE_LABEL = "label has fewer than {n} unique training examples"
REASON_UNKNOWN_LABEL = "label not in training data"
REASON_IN_TRAIN = "same text is in the training data"


@dataclass(frozen=True)
class Dataset:
    """Training, validation and optional test rows, and every row that was set aside.

    Each split is a row frame (``text``, ``label``, ``source``, ``row``); ``dropped`` adds the
    ``split`` and the ``reason``. ``validation_from`` says whether the validation rows came from a
    file or were split off the training data.

    >>> import nbtrain
    >>> ds = nbtrain.load_csv(nbtrain.sample_path())
    >>> ds.labels
    ('account', 'billing', 'delivery', 'technical')
    """

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame | None
    dropped: pd.DataFrame
    removed_labels: Mapping[str, int]
    validation_from: str
    notices: tuple[str, ...] = field(default=())

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels the model will learn, sorted."""
        return tuple(sorted(self.train["label"].unique()))

    def splits(self) -> dict[str, pd.DataFrame]:
        """The non-empty splits by name, in the order train, validation, test."""
        out = {"train": self.train, "validation": self.validation}
        if self.test is not None:
            out["test"] = self.test
        return out

    def label_counts(self) -> pd.DataFrame:
        """Rows per label and split: a long frame with ``split``, ``label``, ``count``."""
        parts = []
        for name, frame in self.splits().items():
            counts = frame["label"].value_counts().rename_axis("label").reset_index(name="count")
            counts.insert(0, "split", name)
            parts.append(counts)
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        """A few lines a person reads before training: sizes, labels, what was dropped and why."""
        sizes = ", ".join(f"{len(f)} {n}" for n, f in self.splits().items())
        lines = [f"{sizes} rows; {len(self.labels)} labels: {', '.join(self.labels)}"]
        lines += list(self.notices)
        if len(self.dropped):
            lines.append(f"{len(self.dropped)} rows set aside (see .dropped):")
            for reason, n in self.dropped["reason"].value_counts().items():
                lines.append(f"  {n} × {reason}")
        return "\n".join(lines)


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
    dropped: list[pd.DataFrame] = []
    notices = list(train.notices)
    train_rows = _drop_unusable(train.rows, "train", dropped)
    if train_rows.empty:
        raise DataError(f"{train.source}: no row has both a text and a label")
    train_rows, removed = _drop_rare_labels(train_rows, min_examples, dropped)
    if removed:
        listed = ", ".join(f"{label!r} ({n} row{'s' * (n != 1)})" for label, n in removed.items())
        notices.append(
            f"Removed {len(removed)} label(s) with fewer than {min_examples} unique examples: {listed}"
        )
    labels = set(train_rows["label"])
    if len(labels) < 2:
        only = f" (only {next(iter(labels))!r})" if labels else ""
        raise DataError(
            f"{train.source}: fewer than 2 labels with at least {min_examples} unique examples"
            f"{only}; a classifier needs two or more"
        )

    if validation is None:
        train_rows, val_rows = split_validation(train_rows, validation_size, seed)
        validation_from = "split"
        notices.append(
            f"No validation file: {len(val_rows)} training rows set aside for validation "
            f"(stratified by label, identical texts kept together, seed {seed})"
        )
    else:
        notices += validation.notices
        val_rows = _held_out(validation, "validation", train_rows, labels, dropped)
        validation_from = "file"
    if val_rows.empty:
        raise DataError("validation: no usable rows are left (see the dropped rows)")
    test_rows = None
    if test is not None:
        notices += test.notices
        test_rows = _held_out(test, "test", train_rows, labels, dropped)

    frame = pd.concat(dropped, ignore_index=True) if dropped else pd.DataFrame(columns=DROPPED_COLUMNS)
    return Dataset(
        train=train_rows.reset_index(drop=True),
        validation=val_rows.reset_index(drop=True),
        test=None if test_rows is None else test_rows.reset_index(drop=True),
        dropped=frame[DROPPED_COLUMNS],
        removed_labels=removed,
        validation_from=validation_from,
        notices=tuple(notices),
    )


def _drop(rows: pd.DataFrame, mask: pd.Series, split: str, reason: str, into: list[pd.DataFrame]) -> pd.DataFrame:
    if mask.any():
        gone = rows.loc[mask, ROW_COLUMNS].copy()
        gone.insert(0, "split", split)
        gone["reason"] = reason
        into.append(gone)
    return rows.loc[~mask]


def _drop_unusable(rows: pd.DataFrame, split: str, into: list[pd.DataFrame]) -> pd.DataFrame:
    rows = _drop(rows, rows["text"].str.strip() == "", split, REASON_EMPTY_TEXT, into)
    return _drop(rows, rows["label"].str.strip() == "", split, REASON_NO_LABEL, into)


def _drop_rare_labels(
    rows: pd.DataFrame, min_examples: int, into: list[pd.DataFrame]
) -> tuple[pd.DataFrame, dict[str, int]]:
    unique_texts = rows.groupby("label")["text"].nunique()
    rare = sorted(unique_texts[unique_texts < min_examples].index)
    mask = rows["label"].isin(rare)
    removed = {label: int((rows["label"] == label).sum()) for label in rare}
    return _drop(rows, mask, "train", REASON_RARE_LABEL.format(n=min_examples), into), removed


def _held_out(
    raw: RawRows, split: str, train_rows: pd.DataFrame, labels: set[str], into: list[pd.DataFrame]
) -> pd.DataFrame:
    rows = _drop_unusable(raw.rows, split, into)
    rows = _drop(rows, ~rows["label"].isin(labels), split, REASON_UNKNOWN_LABEL, into)
    return _drop(rows, rows["text"].isin(set(train_rows["text"])), split, REASON_IN_TRAIN, into)
