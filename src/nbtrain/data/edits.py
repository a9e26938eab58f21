"""A person's edits: relabel, drop, restore and "reviewed, keep as is", on any set of rows.

Rows are named the way every frame nbtrain hands out names them: by ``source`` and ``row`` (the
line in the user's file) and, where rows of several splits are mixed, ``split``. A brushed
selection in the explorer, a finding's rows, a slice of ``dataset.train`` or a review queue's
decision all work as they are. Each edit is a changes table applied by
:func:`~nbtrain.data.audit.apply_changes`, so it is recorded, undoable and replayable.

>>> clean = dataset.relabel(report.finding("label_errors").rows.head(3), "billing", reason="checked")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from nbtrain.data.audit import KEY, apply_changes, change_rows, changes_table
from nbtrain.data.errors import DataError

if TYPE_CHECKING:
    from nbtrain.data.dataset import Dataset

#: The actions that count as a person's decision on a row.
DECISIONS = ("relabelled", "removed", "restored", "reviewed", "added")


def relabel(dataset: Dataset, rows: Any, label: str | Iterable[str], *, reason: str = "", who: str | None = None) -> Dataset:
    """``rows`` get ``label`` (a string; for multi-label data an iterable of labels, possibly empty)."""
    found = locate(dataset, rows)
    value = _label_value(dataset, label)
    changing = found[found["label"].map(lambda v: v != value)]
    changes = change_rows(changing, "relabelled", "label", changing["label"], [value] * len(changing), reason or "relabelled by hand")
    return apply_changes(dataset, changes, "relabel", reason=reason, who=who)


def drop_rows(dataset: Dataset, rows: Any, *, reason: str = "", who: str | None = None) -> Dataset:
    """Set ``rows`` aside: they move to ``dropped``, with the reason."""
    found = locate(dataset, rows)
    changes = change_rows(found, "removed", "", found["text"], found["label"], reason or "dropped by hand")
    return apply_changes(dataset, changes, "drop", reason=reason, who=who)


def restore_rows(dataset: Dataset, rows: Any, *, label: str | Iterable[str] | None = None, who: str | None = None) -> Dataset:
    """Bring rows of ``dropped`` back to their split, with their label or ``label``."""
    found = locate(dataset, rows, among="dropped")
    after = found["label"].tolist() if label is None else [_label_value(dataset, label)] * len(found)
    changes = change_rows(found, "restored", "label", found["label"], after, "restored by hand")
    return apply_changes(dataset, changes, "restore", who=who)


def mark_reviewed(dataset: Dataset, rows: Any, *, reason: str = "", who: str | None = None) -> Dataset:
    """Record that a person looked at ``rows`` and keeps them as they are."""
    found = locate(dataset, rows)
    changes = change_rows(found, "reviewed", "label", found["label"], found["label"], reason or "reviewed, kept as is")
    return apply_changes(dataset, changes, "review", reason=reason, who=who)


#: The ``source`` of rows a person labelled inside nbtrain (they come from no file).
ADDED_SOURCE = "labelled in nbtrain"


def add_rows(dataset: Dataset, texts: Any, labels: Any, *, split: str = "train", reason: str = "", who: str | None = None) -> Dataset:
    """New labelled rows (texts a person just labelled) appended to ``split``.

    They get ``source`` "labelled in nbtrain" and ``row`` numbers after any such rows already
    there, so edits and write-back can name them like any other row.
    """
    texts, values = list(texts), [_label_value(dataset, label) for label in labels]
    if len(texts) != len(values):
        raise DataError(f"{len(texts)} texts but {len(values)} labels")
    if any(not str(t).strip() for t in texts):
        raise DataError("an added text is empty")
    taken = [int(r) for f in (*dataset.splits().values(), dataset.dropped) for r in f.loc[f["source"] == ADDED_SOURCE, "row"]]
    first = max(taken, default=0) + 1
    rows = pd.DataFrame({"split": split, "source": ADDED_SOURCE, "row": range(first, first + len(texts))})
    changes = change_rows(rows, "added", "", texts, values, reason or "labelled in nbtrain")
    return apply_changes(dataset, changes, "add", reason=reason, who=who)


def reviewed_rows(dataset: Dataset) -> pd.DataFrame:
    """Each row a person decided on, with its latest decision (``action``, ``after``, ``when``)."""
    table = changes_table(dataset)
    by_hand = table[table["name"].isin(("relabel", "drop", "restore", "review", "add")) & table["action"].isin(DECISIONS)]
    return by_hand.drop_duplicates(KEY, keep="last").reset_index(drop=True)


def locate(dataset: Dataset, rows: Any, *, among: str = "splits") -> pd.DataFrame:
    """The rows of ``dataset`` (its splits, or its ``dropped`` rows) that ``rows`` names.

    ``rows`` is a DataFrame (or a :class:`~nbtrain.data.finding.Finding`) with ``source`` and
    ``row`` columns, and ``split`` when they may come from several splits; it may hold other
    columns (the explorer's coordinates, a finding's scores), which are ignored.
    """
    frame = getattr(rows, "rows", rows)
    if not isinstance(frame, pd.DataFrame) or not {"source", "row"} <= set(frame.columns):
        raise DataError("rows must be a DataFrame (or a finding) with the columns 'source' and 'row', as nbtrain's frames have")
    if among == "dropped":
        pool = dataset.dropped
    else:
        pool = pd.concat([f.assign(split=name) for name, f in dataset.splits().items()], ignore_index=True)
    keys = ["split", "source", "row"] if "split" in frame.columns else ["source", "row"]
    wanted = frame[keys].drop_duplicates()
    matched = pool.merge(wanted, on=keys, how="inner")
    if len(matched) < len(wanted):
        missing = wanted.merge(pool[keys], on=keys, how="left", indicator=True)
        missing = missing[missing["_merge"] == "left_only"].head(5)
        listed = ", ".join(f"{r.source} row {r.row}" for r in missing.itertuples(index=False))
        where = "set-aside rows" if among == "dropped" else "training, validation or test rows"
        raise DataError(f"{len(wanted) - len(matched)} of the rows are not among the {where} ({listed})")
    if "split" not in frame.columns and matched.duplicated(["source", "row"]).any():
        raise DataError("rows match in several splits: add a 'split' column to say which")
    return matched


def _label_value(dataset: Dataset, label: str | Iterable[str]) -> Any:
    if dataset.task == "multi_label":
        values = [label] if isinstance(label, str) else list(label)
        return tuple(sorted({str(v).strip() for v in values if str(v).strip()}))
    if not isinstance(label, str) or not label.strip():
        raise DataError(f"a label is a non-empty string for single-label data, got {label!r}")
    return label.strip()
