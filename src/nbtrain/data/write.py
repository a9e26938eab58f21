"""Write a dataset back into its files, in the user's own shape, with the edits in it.

For a user who fixes labels in nbtrain and wants their file back. Each loaded file (training,
validation, test) is written again with the same type, columns, column order and row order; a row
nobody changed comes back cell for cell (ids, dates and other columns untouched, labels spelled as
they were: ``0`` stays a number, 0/1 columns stay 0/1 columns, ``a;b`` stays ``;``-separated, a
JSON list stays a list); a relabelled or edited row comes back with its new label or text. Rows
set aside, at load or by an edit, are left out of the file and written to ``<name>.dropped.csv``
with their reason, so nothing is lost; ``changes.csv`` is the audit trail of every edit.
Validation rows split off the training file go back into the training file: they came from it.
A DataFrame comes back as ``<split>.csv``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nbtrain.data.dataset import Dataset
from nbtrain.data.errors import DataError
from nbtrain.data.source import SourceInfo, as_label, is_list

SPLITS = ("train", "validation", "test")
CHANGES_FILE = "changes.csv"
_SUFFIX = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "json": ".json", "xlsx": ".xlsx", "parquet": ".parquet", "frame": ".csv"}


def write_dataset(dataset: Dataset, folder_or_path: str | os.PathLike[str], *, splits: Sequence[str] = SPLITS) -> tuple[Path, ...]:
    """Write each loaded file of ``splits`` into a folder (or, for one file, to a path); see the module.

    Returns the paths written: each file, its ``.dropped.csv``, then ``changes.csv``. Never writes
    over a file the dataset was loaded from.

    >>> ds = nbtrain.load(nbtrain.sample_path()).relabel(rows, "negative")  # doctest: +SKIP
    >>> ds.write("fixed/")  # doctest: +SKIP
    (PosixPath('fixed/customer_messages.csv'), PosixPath('fixed/customer_messages.dropped.csv'), PosixPath('fixed/changes.csv'))
    """
    unknown = sorted(set(splits) - set(SPLITS))
    if unknown:
        raise DataError(f"write: no split named {unknown[0]!r} (splits: {', '.join(SPLITS)})")
    if not dataset.sources:
        raise DataError("write: this dataset keeps no record of its files; load them with nbtrain.load to write them back")
    roles = [role for role in SPLITS if role in splits and role in dataset.sources]
    if not roles:
        raise DataError(f"write: no loaded file holds the splits {', '.join(splits)}")
    targets = _targets(dataset, roles, Path(folder_or_path))
    written: list[Path] = []
    for role, target in targets.items():
        info = dataset.sources[role]
        own = _own_splits(dataset, role)
        kept = pd.concat([f for name, f in dataset.splits().items() if name in own], ignore_index=True)
        gone = dataset.dropped[dataset.dropped["split"].isin(own)]
        aside = _aside_labels(dataset, own)
        _write(info, _rebuild(info, kept, aside), target)
        dropped = target.with_name(f"{target.stem}.dropped.csv")
        _dropped_table(info, gone, aside).to_csv(dropped, index=False)
        written += [target, dropped]
    changes = targets[roles[0]].parent / CHANGES_FILE
    _changes_table(dataset).to_csv(changes, index=False)
    return (*written, changes)


def _own_splits(dataset: Dataset, role: str) -> tuple[str, ...]:
    """The splits whose rows came from the file loaded as ``role``."""
    return ("train", "validation") if role == "train" and dataset.validation_from == "split" else (role,)


def _targets(dataset: Dataset, roles: list[str], where: Path) -> dict[str, Path]:
    infos = {role: dataset.sources[role] for role in roles}
    if where.suffix and not where.is_dir():
        if len(roles) > 1:
            listed = ", ".join(info.name for info in infos.values())
            raise DataError(f"{where}: {len(roles)} files to write ({listed}): pass a folder, or splits=")
        info = infos[roles[0]]
        if where.suffix.lower() != _SUFFIX[info.file.format]:
            raise DataError(f"{where}: {info.name} is written back in its own format, as {_SUFFIX[info.file.format]}")
        where.parent.mkdir(parents=True, exist_ok=True)
        targets = {roles[0]: where}
    else:
        where.mkdir(parents=True, exist_ok=True)
        targets = {role: where / (f"{role}.csv" if info.file.format == "frame" else info.name) for role, info in infos.items()}
    names = [t.name for t in targets.values()]
    for role, target in targets.items():
        original = infos[role].file.path
        if original is not None and Path(original).resolve() == target.resolve():
            raise DataError(f"{target}: is the file {role} was loaded from; write to another folder")
        if names.count(target.name) > 1 or target.name == CHANGES_FILE:
            raise DataError(f"{target}: two files would get this name; write them one at a time with splits=")
    return targets


def _aside_labels(dataset: Dataset, own: tuple[str, ...]) -> dict[Any, frozenset[str]]:
    """Labels the loading rules took off multi-label rows (rare, unknown): the file keeps them."""
    table = dataset.set_aside_labels
    if table is None or table.empty:
        return {}
    mine = table[table["split"].isin(own)]
    return {row: frozenset(group) for row, group in mine.groupby("row")["label"]}


def _rebuild(info: SourceInfo, rows: pd.DataFrame, aside: dict[Any, frozenset[str]]) -> pd.DataFrame | list[dict[str, Any]]:
    """The file's cells for ``rows`` (in file order), with their current texts and labels."""
    rows = rows.sort_values("row", kind="stable")
    known = rows["row"].isin(info.read.index).to_numpy()
    read = info.read.reindex(rows["row"])
    same_text = known & (read["text"].to_numpy() == rows["text"].to_numpy())
    same = [_same_label(now, was, aside.get(r, frozenset())) for now, was, r in zip(rows["label"], read["label"], rows["row"], strict=True)]
    same_label = known & np.array(same, dtype=bool)
    texts, labels, numbers = rows["text"].tolist(), rows["label"].tolist(), rows["row"].tolist()
    if info.file.format in ("jsonl", "json"):
        return _records(info, rows, same_text, same_label)
    cells = info.cells.reindex(rows["row"])
    text_col, label_col = info.text_column, info.label_columns[0]
    cells[text_col] = _column(cells[text_col], same_text, lambda i, _: texts[i])
    if info.label_shape == "multi_hot":
        changed = {int(i): info.flag_cells(labels[i], numbers[i]) for i in np.flatnonzero(~same_label)}
        for c in info.label_columns:
            cells[c] = _column(cells[c], same_label, _flag_of(changed, c))
    else:
        cells[label_col] = _column(cells[label_col], same_label, lambda i, was: info.label_cell(labels[i], was))
    if info.file.format == "frame" and info.label_shape == "list":
        cells[label_col] = cells[label_col].map(_joined)
    return cells


def _flag_of(changed: dict[int, dict[Hashable, object]], column: Hashable) -> Callable[[int, object], object]:
    return lambda i, _: changed[i][column]


def _records(info: SourceInfo, rows: pd.DataFrame, same_text: np.ndarray, same_label: np.ndarray) -> list[dict[str, Any]]:
    text_key, label_key = str(info.text_column), str(info.label_columns[0])
    records = info.cells["record"].reindex(rows["row"]).tolist()
    out = []
    for record, text, label, keep_text, keep_label in zip(records, rows["text"], rows["label"], same_text, same_label, strict=True):
        record = dict(record) if isinstance(record, dict) else {}
        if not keep_text:
            record[text_key] = text
        if not keep_label:
            record[label_key] = info.label_cell(label, record.get(label_key))
        out.append(record)
    return out


def _same_label(now: object, was: object, aside: frozenset[str]) -> bool:
    if isinstance(was, tuple) and isinstance(now, tuple):
        return now == was or now == tuple(x for x in was if x not in aside)
    return bool(now == was)


def _column(original: pd.Series, keep: np.ndarray, new: Callable[[int, object], object]) -> pd.Series:
    """``original`` where ``keep``, else the new value (computed only for the rows that changed)."""
    values = [was if k else new(i, was) for i, (was, k) in enumerate(zip(original, keep, strict=True))]
    lists = any(is_list(v) for v in values)
    return pd.Series(values, index=original.index, dtype=object if lists else None)


def _joined(value: object) -> object:
    """A list of labels in one CSV cell: joined by ``;`` (``|`` when a label holds ``;``)."""
    if not is_list(value):
        return value
    labels = [as_label(v) for v in value]  # type: ignore[attr-defined]
    return ("|" if any(";" in x for x in labels) else ";").join(labels)


def _write(info: SourceInfo, content: pd.DataFrame | list[dict[str, Any]], target: Path) -> None:
    file = info.file
    if isinstance(content, list):
        encoding = file.encoding or "utf-8"
        if file.format == "json":
            target.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding=encoding)
        else:
            target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in content), encoding=encoding)
    elif file.format == "xlsx":
        content.to_excel(target, index=False, header=info.header, sheet_name=file.sheet or "Sheet1")
    elif file.format == "parquet":
        content.to_parquet(target, index=False)
    else:
        content.to_csv(target, index=False, header=info.header, sep=file.delimiter or ",", encoding=file.encoding or "utf-8", lineterminator=file.line_terminator)


def _dropped_table(info: SourceInfo, gone: pd.DataFrame, aside: dict[Any, frozenset[str]]) -> pd.DataFrame:
    """The set-aside rows in the file's own columns, after their ``row`` and ``reason``."""
    gone = gone.sort_values("row", kind="stable")
    content = _rebuild(info, gone, aside)
    if isinstance(content, list):
        frame = pd.DataFrame(content, columns=list(info.columns))
        frame = frame.map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v)
    else:
        frame = content.reset_index(drop=True).map(_joined)
        frame.columns = [_column_name(c) for c in frame.columns]
    frame.insert(0, "reason", gone["reason"].to_numpy())
    frame.insert(0, "row", gone["row"].to_numpy())
    return frame


def _column_name(column: Hashable) -> str:
    return f"column {column + 1}" if isinstance(column, int) else str(column)


def _changes_table(dataset: Dataset) -> pd.DataFrame:
    table = dataset.changes()
    task = dataset.task_handler
    return table.map(lambda v: task.format(v) if isinstance(v, tuple) else v)
