"""What a fix changed, row by row, and how a fix builds its new :class:`Dataset`.

Fixes never modify the dataset they are given: :func:`rebuild` returns a new one in which every
removed row is appended to ``dropped`` (reason "removed by <fix>"), so nothing is lost and the
removed rows can be exported with the rest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from nbtrain.data.dataset import DROPPED_COLUMNS, Dataset
from nbtrain.data.errors import DataError
from nbtrain.data.finding import FINDING_COLUMNS, plural
from nbtrain.data.read import ROW_COLUMNS

CHANGE_COLUMNS = ["split", "source", "row", "action", "column", "before", "after", "detail"]


@dataclass(frozen=True)
class AuditTrail:
    """One fix's record: its name, a one-line summary and one row per change.

    ``changes`` has ``split, source, row`` (the line in the user's file), ``action`` ("removed",
    "relabelled", "edited" or "restored"), the ``column`` changed, ``before`` and ``after``
    values, and a ``detail`` saying why.

    >>> trail = AuditTrail("normalise_whitespace", "no change", pd.DataFrame(columns=CHANGE_COLUMNS))
    >>> trail.removed.empty
    True
    """

    fix: str
    summary: str
    changes: pd.DataFrame

    @property
    def removed(self) -> pd.DataFrame:
        """The removed rows (``split, source, row, text, label, detail``), ready to export."""
        gone = self.changes[self.changes["action"] == "removed"]
        return gone.rename(columns={"before": "text"}).assign(label=gone["after"])[[*FINDING_COLUMNS, "detail"]]

    def export_removed(self, path: str | os.PathLike[str]) -> Path:
        """Write the removed rows to a CSV file, so a person can review or restore them."""
        target = Path(path)
        self.removed.to_csv(target, index=False)
        return target

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data."""
        return {
            "fix": self.fix,
            "summary": self.summary,
            "changes": self.changes.astype(object).where(self.changes.notna(), None).to_dict(orient="records"),
        }


def removal_changes(rows: pd.DataFrame, detail: pd.Series | str) -> pd.DataFrame:
    """Change records for removed ``rows``; ``before`` keeps the text and ``after`` the label."""
    return pd.DataFrame(
        {
            "split": rows["split"].to_numpy(),
            "source": rows["source"].to_numpy(),
            "row": rows["row"].to_numpy(),
            "action": "removed",
            "column": "",
            "before": rows["text"].to_numpy(),
            "after": rows["label"].to_numpy(),
            "detail": detail.to_numpy() if isinstance(detail, pd.Series) else detail,
        }
    )


def edit_changes(rows: pd.DataFrame, column: str, after: pd.Series, action: str, detail: str) -> pd.DataFrame:
    """Change records for rows whose ``column`` becomes ``after`` (aligned with ``rows``)."""
    return pd.DataFrame(
        {
            "split": rows["split"].to_numpy(),
            "source": rows["source"].to_numpy(),
            "row": rows["row"].to_numpy(),
            "action": action,
            "column": column,
            "before": rows[column].to_numpy(),
            "after": after.to_numpy(),
            "detail": detail,
        }
    )


def rebuild(
    dataset: Dataset, stacked: pd.DataFrame, removed: pd.DataFrame, fix: str, changes: list[pd.DataFrame]
) -> tuple[Dataset, AuditTrail]:
    """The new dataset from the edited ``stacked`` rows (``split`` column) and the ``removed`` ones."""
    frames = {}
    for name in dataset.splits():
        part = stacked[stacked["split"] == name]
        frames[name] = part[ROW_COLUMNS].reset_index(drop=True)
    if frames["train"]["label"].nunique() < 2 or frames["validation"].empty:
        raise DataError(f"{fix}: would leave fewer than 2 training labels or no validation rows; not applied")
    gone = removed.assign(reason=f"removed by {fix}")[DROPPED_COLUMNS]
    dropped = pd.concat([dataset.dropped, gone], ignore_index=True) if len(gone) else dataset.dropped
    table = pd.concat([c for c in changes if len(c)], ignore_index=True) if any(len(c) for c in changes) else pd.DataFrame(columns=CHANGE_COLUMNS)
    summary = _summary(fix, table)
    new = replace(
        dataset,
        train=frames["train"],
        validation=frames["validation"],
        test=frames.get("test"),
        dropped=dropped,
        notices=(*dataset.notices, summary),
    )
    return new, AuditTrail(fix, summary, table[CHANGE_COLUMNS])


def _summary(fix: str, changes: pd.DataFrame) -> str:
    if changes.empty:
        return f"{fix}: nothing to change"
    counts = changes.groupby("action", sort=False)["row"].size()
    return f"{fix}: " + ", ".join(f"{plural(int(n), 'row')} {action}" for action, n in counts.items())
