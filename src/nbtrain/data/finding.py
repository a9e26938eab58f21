"""The one result shape every data check returns, and the row frames checks read.

A check never mutates or hides data: it returns a :class:`Finding` that names the rows at fault by
``split``, ``source`` and ``row`` (the line in the user's file), so a person can open the file and
see them. Checks read plain DataFrames: :func:`stack_splits` puts a dataset's splits into one frame
with a ``split`` column, and ``Dataset.dropped`` already has that shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from nbtrain.data.dataset import Dataset

Severity = Literal["error", "warning", "info", "ok"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info", "ok")
FINDING_COLUMNS = ["split", "source", "row", "text", "label"]
SET_ASIDE = "set aside at load"
IN_DATA = "in data"


@dataclass(frozen=True)
class Finding:
    """What one check found: how bad, how many rows, which rows, and what to do about it.

    ``rows`` always starts with ``split, source, row, text, label`` (``row`` is the line in the
    user's file) and may add check-specific columns (``group``, ``score``, ``suggested``...);
    ``count == len(rows)``. ``fix`` names the function in :mod:`nbtrain.data.clean` that repairs
    it, when there is one.

    >>> f = Finding("size", "ok", "1,200 training examples.", 0, empty_rows(), "")
    >>> f.severity
    'ok'
    """

    check: str
    severity: Severity
    message: str
    count: int
    rows: pd.DataFrame
    advice: str
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        missing = [c for c in FINDING_COLUMNS if c not in self.rows.columns]
        if missing:
            raise ValueError(f"{self.check}: rows lack the columns {missing}")
        if self.count != len(self.rows):
            raise ValueError(f"{self.check}: count {self.count} != {len(self.rows)} rows")

    def to_dict(self, max_rows: int | None = None) -> dict[str, object]:
        """Plain JSON-ready data; ``max_rows`` caps the listed rows (the count stays exact)."""
        rows = self.rows if max_rows is None else self.rows.head(max_rows)
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "count": self.count,
            "advice": self.advice,
            "fix": self.fix,
            "rows": _records(rows),
        }


def empty_rows(*extra: str) -> pd.DataFrame:
    """A finding's row frame with no rows (and any extra columns)."""
    return pd.DataFrame(columns=[*FINDING_COLUMNS, *extra])


def make_finding(
    check: str,
    severity: Severity,
    message: str,
    rows: pd.DataFrame,
    advice: str,
    fix: str | None = None,
) -> Finding:
    """Build a finding with its rows in file order and the count taken from them."""
    rows = rows.reset_index(drop=True)
    return Finding(check, severity, message, len(rows), rows, advice, fix)


def stack_splits(dataset: Dataset) -> pd.DataFrame:
    """Every split of ``dataset`` in one frame with a leading ``split`` column, in split order."""
    parts = [frame.assign(split=name) for name, frame in dataset.splits().items()]
    stacked = pd.concat(parts, ignore_index=True)
    return stacked[[*FINDING_COLUMNS, *[c for c in stacked.columns if c not in FINDING_COLUMNS]]]


def training_rows(dataset: Dataset) -> pd.DataFrame:
    """The rows of the user's training file: ``train``, plus ``validation`` when it was split off.

    Size and balance are judged on what the user uploaded, so the numbers match their own count.
    """
    rows = stack_splits(dataset)
    keep = ["train", "validation"] if dataset.validation_from == "split" else ["train"]
    return rows[rows["split"].isin(keep)].reset_index(drop=True)


def location(source: object, row: object) -> str:
    """Where a row is, as its owner finds it: ``"data.csv line 12"``, or ``"train DataFrame row 3"``."""
    return f"{source} row {row}" if str(source).endswith("DataFrame") else f"{source} line {row}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 row"``, ``"3 rows"``, with thousands separators."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    out = []
    for record in frame.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in record.items()})
    return out


def _plain(value: object) -> object:
    """numpy scalars and NaN become JSON values."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
