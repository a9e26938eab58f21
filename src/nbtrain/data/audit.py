"""Edits as data: what a change did, row by row, and the one function that applies changes.

Every change to a :class:`~nbtrain.data.dataset.Dataset` after loading (a fix from the report, a
relabel in the explorer, a decision in the review queue) is a *changes table*: one row per row
changed, naming it by ``split, source, row`` (the line in the user's file), the ``action``
("removed", "relabelled", "edited", "restored" or "reviewed"), the ``column`` changed, the values
``before`` and ``after``, and a ``detail`` saying why; an added row ("added") carries its text in
``before`` and its label in ``after``, as a removed one does. :func:`apply_changes` turns a dataset and
a changes table into a new dataset, whose ``history`` ends with the :class:`AuditTrail`; the
given dataset is never modified, a removed row moves to ``dropped`` (nothing is lost), and
``undo()`` returns the dataset before. Because the trail is data, it is saved as JSON and
replayed on the file when it is loaded again, so edits survive a kernel restart.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nbtrain.data.errors import DataError
from nbtrain.data.finding import FINDING_COLUMNS, plural
from nbtrain.data.read import ROW_COLUMNS

if TYPE_CHECKING:
    from nbtrain.data.dataset import Dataset

CHANGE_COLUMNS = ["split", "source", "row", "action", "column", "before", "after", "detail"]
ACTIONS = ("added", "edited", "relabelled", "restored", "removed", "reviewed")  # the order they are applied in
KEY = ["split", "source", "row"]
HISTORY_FORMAT = 1


@dataclass(frozen=True)
class AuditTrail:
    """One change's record: what made it, a one-line summary, who, when, why, and a row per change.

    ``changes`` has ``split, source, row`` (the line in the user's file), ``action``, the
    ``column`` changed, ``before`` and ``after`` values, and a ``detail`` per row.

    >>> trail = AuditTrail("normalise_whitespace", "no change", pd.DataFrame(columns=CHANGE_COLUMNS))
    >>> trail.removed.empty
    True
    """

    name: str
    summary: str
    changes: pd.DataFrame
    when: str = ""
    who: str = ""
    reason: str = ""

    @property
    def fix(self) -> str:
        """The name of the fix or edit that made this change (kept for earlier code)."""
        return self.name

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
        """Plain JSON-ready data (label tuples become lists)."""
        records = self.changes.astype(object).where(self.changes.notna(), None).to_dict(orient="records")
        return {
            "name": self.name,
            "summary": self.summary,
            "when": self.when,
            "who": self.who,
            "reason": self.reason,
            "changes": [{k: list(v) if isinstance(v, tuple) else v for k, v in r.items()} for r in records],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditTrail:
        """Rebuild from :meth:`to_dict`; label lists become tuples again."""
        rows = [{k: tuple(v) if isinstance(v, list) else v for k, v in r.items()} for r in data["changes"]]
        changes = pd.DataFrame(rows, columns=CHANGE_COLUMNS).astype({"before": object, "after": object})
        return cls(data["name"], data["summary"], changes, data.get("when", ""), data.get("who", ""), data.get("reason", ""))


def change_rows(rows: pd.DataFrame, action: str, column: str, before: Iterable[Any], after: Iterable[Any], detail: Any) -> pd.DataFrame:
    """A changes table for ``rows`` (which carry ``split, source, row``)."""
    frame = pd.DataFrame(
        {
            "split": rows["split"].to_numpy(),
            "source": rows["source"].to_numpy(),
            "row": rows["row"].to_numpy(),
            "action": action,
            "column": column,
            "before": pd.Series(list(before), dtype=object).to_numpy(),
            "after": pd.Series(list(after), dtype=object).to_numpy(),
        }
    )
    frame["detail"] = detail.to_numpy() if isinstance(detail, pd.Series) else detail
    return frame[CHANGE_COLUMNS]


def removal_changes(rows: pd.DataFrame, detail: pd.Series | str) -> pd.DataFrame:
    """Change records for removed ``rows``; ``before`` keeps the text and ``after`` the label."""
    return change_rows(rows, "removed", "", rows["text"], rows["label"], detail)


def edit_changes(rows: pd.DataFrame, column: str, after: pd.Series, action: str, detail: str) -> pd.DataFrame:
    """Change records for rows whose ``column`` becomes ``after`` (aligned with ``rows``)."""
    return change_rows(rows, action, column, rows[column], after, detail)


def apply_changes(
    dataset: Dataset,
    changes: pd.DataFrame | Sequence[pd.DataFrame],
    name: str,
    *,
    reason: str = "",
    who: str | None = None,
    when: str | None = None,
) -> Dataset:
    """The dataset with ``changes`` applied and recorded in its ``history`` (see the module docstring).

    Raises :class:`DataError` when a change names a row that is not there, or when the result could
    not train (fewer than two training labels, no validation rows, a held-out label never trained).
    """
    table = _concat(changes)
    frames = {name_: frame.copy() for name_, frame in dataset.splits().items()}
    dropped = dataset.dropped
    for action in ACTIONS:
        part = table[table["action"] == action]
        if part.empty or action == "reviewed":
            continue
        if action == "restored":
            frames, dropped = _restore(frames, dropped, part)
            continue
        if action == "added":
            frames = _add(frames, part, name)
            continue
        for split, rows in part.groupby("split", sort=False):
            frame = frames.get(str(split))
            if frame is None:
                raise DataError(f"{name}: there is no {split} split")
            position = _positions(frame, rows, name, str(split))
            if action == "removed":
                gone = frame.loc[position].assign(split=split, reason=f"removed by {name}" + (f": {reason}" if reason else ""))
                dropped = pd.concat([dropped, gone[dropped.columns]], ignore_index=True)
                frames[str(split)] = frame.drop(index=position)
            else:
                column = "label" if action == "relabelled" else "text"
                frame.loc[position, column] = pd.Series(list(rows["after"]), index=position, dtype=object)
    new = replace(
        dataset,
        train=frames["train"].reset_index(drop=True),
        validation=frames["validation"].reset_index(drop=True),
        test=None if "test" not in frames else frames["test"].reset_index(drop=True),
        dropped=dropped.reset_index(drop=True),
        history=(*dataset.history, AuditTrail(name, describe_changes(name, table), table, when or _now(), who or _user(), reason)),
        parent=dataset,
    )
    _check_trainable(new, name)
    return new


def describe_changes(name: str, changes: pd.DataFrame) -> str:
    """``"drop_exact_duplicates: 2 rows removed"``, or ``"...: nothing to change"``."""
    if changes.empty:
        return f"{name}: nothing to change"
    counts = changes.groupby("action", sort=False)["row"].size()
    return f"{name}: " + ", ".join(f"{plural(int(n), 'row')} {action}" for action, n in counts.items())


def save_history(dataset: Dataset, path: str | os.PathLike[str]) -> Path:
    """Write the dataset's edits since loading to a JSON file (see :func:`replay_history`)."""
    target = Path(path)
    payload = {"format": HISTORY_FORMAT, "edits": [trail.to_dict() for trail in dataset.history]}
    target.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    return target


def replay_history(dataset: Dataset, path: str | os.PathLike[str]) -> Dataset:
    """Apply the edits saved by :func:`save_history` to a freshly loaded dataset, in order."""
    source = Path(path)
    try:
        payload = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise DataError(f"{source}: cannot read the saved edits ({err})") from err
    if payload.get("format") != HISTORY_FORMAT:
        raise DataError(f"{source}: edits format {payload.get('format')!r}, this nbtrain reads {HISTORY_FORMAT}")
    for record in payload["edits"]:
        trail = AuditTrail.from_dict(record)
        changes = trail.changes.astype({"row": "int64"}) if trail.changes["row"].map(lambda v: isinstance(v, int)).all() else trail.changes
        dataset = apply_changes(dataset, changes, trail.name, reason=trail.reason, who=trail.who, when=trail.when)
    return dataset


def changes_table(dataset: Dataset) -> pd.DataFrame:
    """Every change since loading, one row each, with the edit's ``name``, ``when``, ``who`` and ``reason``."""
    parts = [t.changes.assign(edit=i, name=t.name, when=t.when, who=t.who, reason=t.reason) for i, t in enumerate(dataset.history) if len(t.changes)]
    columns = ["edit", "name", "when", "who", "reason", *CHANGE_COLUMNS]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _restore(frames: dict[str, pd.DataFrame], dropped: pd.DataFrame, rows: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    position = _positions(dropped, rows, "restore", "set-aside")
    back = dropped.loc[position].assign(label=pd.Series(list(rows["after"]), index=position, dtype=object))
    for split, part in back.groupby("split", sort=False):
        frame = frames.get(str(split))
        if frame is None:
            raise DataError(f"restore: there is no {split} split to restore rows to")
        joined = pd.concat([frame, part[ROW_COLUMNS]], ignore_index=True)
        frames[str(split)] = joined.sort_values(["source", "row"], kind="stable").reset_index(drop=True)
    return frames, dropped.drop(index=position)


def _add(frames: dict[str, pd.DataFrame], rows: pd.DataFrame, name: str) -> dict[str, pd.DataFrame]:
    for split, part in rows.groupby("split", sort=False):
        frame = frames.get(str(split))
        if frame is None:
            raise DataError(f"{name}: there is no {split} split to add rows to")
        new = pd.DataFrame({"text": part["before"].to_numpy(), "label": part["after"].to_numpy(), "source": part["source"].to_numpy(), "row": part["row"].to_numpy()})
        clash = new.merge(frame[["source", "row"]], on=["source", "row"])
        if len(clash):
            raise DataError(f"{name}: {plural(len(clash), 'row')} already in {split} ({clash['source'].iloc[0]} row {clash['row'].iloc[0]})")
        frames[str(split)] = pd.concat([frame, new[ROW_COLUMNS]], ignore_index=True)
    return frames


def _positions(frame: pd.DataFrame, rows: pd.DataFrame, name: str, where: str) -> pd.Index:
    """The index labels of ``frame`` holding ``rows`` (matched on source and row, and split if present)."""
    keys = ["source", "row"] + (["split"] if "split" in frame.columns else [])
    lookup = pd.Series(frame.index, index=pd.MultiIndex.from_frame(frame[keys].astype({"row": object})))
    wanted = pd.MultiIndex.from_frame(rows[keys].astype({"row": object}))
    found = lookup.reindex(wanted)
    if found.isna().any():
        missing = rows.loc[found.isna().to_numpy(), ["source", "row"]].head(5)
        listed = ", ".join(f"{s} row {r}" for s, r in missing.itertuples(index=False))
        raise DataError(f"{name}: {plural(int(found.isna().sum()), 'row')} not found in the {where} rows ({listed})")
    return pd.Index(found.astype(int).to_numpy())


def _check_trainable(dataset: Dataset, name: str) -> None:
    from nbtrain.task import task_of

    task = task_of(dataset.task)
    labels = set(task.names(dataset.train["label"]))
    if len(labels) < 2 or dataset.validation.empty:
        raise DataError(f"{name}: would leave fewer than 2 training labels or no validation rows; not applied")
    for split in ("validation", "test"):
        frame = dataset.splits().get(split)
        if frame is None:
            continue
        unknown = sorted(set(task.names(frame["label"])) - labels)
        if unknown:
            raise DataError(f"{name}: {split} rows would carry labels no training row has ({', '.join(map(repr, unknown[:5]))}); not applied")


def _concat(changes: pd.DataFrame | Sequence[pd.DataFrame]) -> pd.DataFrame:
    parts = [changes] if isinstance(changes, pd.DataFrame) else [c for c in changes if len(c)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CHANGE_COLUMNS]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""

