"""A table of cells (a CSV's, a spreadsheet's, a DataFrame's) into nbtrain's rows.

Which column holds the text and which the labels, and the shape the labels come in: one label per
cell; several per cell joined by ``;`` or ``|``; a list per cell (DataFrames, Parquet); or one 0/1
column per label, as public multi-label datasets ship (``id,text,toxic,insult,threat``). The
table's index is the row number a person sees: the line of a CSV, the row of a spreadsheet, the
position in a DataFrame. A file's header has been taken off by then (see
:func:`nbtrain.data.read.split_header`); a line read as the header on a guess comes along as
``header_line``, to be listed among the dropped rows.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from nbtrain.choices import TaskKind
from nbtrain.data.errors import DataError
from nbtrain.data.source import (
    LabelShape,
    RawRows,
    SourceFile,
    SourceInfo,
    as_flag,
    as_label,
    as_label_set,
    as_text,
    flag_spelling,
    is_list,
)

TEXT_NAMES = ("text", "sentence", "texts", "message", "content", "document", "example", "review")
LABEL_NAMES = ("labels", "label", "class", "category", "target", "intent", "sentiment")
REASON_HEADER = "read as the header"
#: Separators a label column of several labels per row is recognised by.
SEPARATORS = (";", "|")

Column = str | int | None


@dataclass(frozen=True)
class _Labels:
    """Where a table's labels are and how they read: their shape, columns and value per row."""

    shape: LabelShape
    columns: list[Hashable]
    values: list[Any]
    separator: str | None = None
    notices: tuple[str, ...] = ()


def table_rows(
    cells: pd.DataFrame,
    name: str,
    file: SourceFile,
    *,
    header: bool = True,
    header_line: pd.Series | None = None,
    text_column: Column = None,
    label_column: Column = None,
    labels: tuple[str, ...] | None = None,
    label_separator: str | None = None,
    task: TaskKind | None = None,
) -> RawRows:
    """The rows of a table whose columns are named (or positions, without a header); see the module."""
    require_two_columns(cells, name)
    where = "row" if file.format in ("xlsx", "frame", "parquet") else "line"
    if labels is not None and task == "single_label":
        raise DataError(f"{name}: task='single_label' but labels= names one 0/1 column per label (multi-label data)")
    flag_columns = _named_flags(cells, labels, name) if labels is not None else []
    text_col = _pick(cells, text_column, TEXT_NAMES, 0, name, "text", skip=tuple(flag_columns))
    detect = labels is None and label_column is None and task != "single_label" and _text_is_named(cells, text_column)
    if detect and not _by_name(cells, LABEL_NAMES, skip=(text_col,)):
        found = _flag_columns(cells, text_col)
        flag_columns = found if len(found) >= 2 else []
    if flag_columns:
        read = _multi_hot(cells, name, where, text_col, flag_columns)
    else:
        read = _one_column(cells, name, text_col, label_column, label_separator, task)
    kind: TaskKind = "single_label" if read.shape == "column" else "multi_label"
    texts = [as_text(v) for v in cells[text_col]]
    rows = pd.DataFrame({"text": texts, "label": pd.Series(read.values, dtype=object), "source": name, "row": list(cells.index)})
    origin = SourceInfo(
        name=name,
        file=file,
        header=header,
        columns=tuple(cells.columns),
        text_column=text_col,
        label_columns=tuple(read.columns),
        label_shape=read.shape,
        cells=cells,
        read=pd.DataFrame({"text": texts, "label": rows["label"].to_numpy()}, index=cells.index),
        separator=read.separator,
        spelling=_spelling(cells[read.columns[0]], read.shape),
        flags={c: flag_spelling(cells[c]) for c in flag_columns},
    )
    notices = list(read.notices)
    set_aside = None
    if header_line is not None:
        set_aside = _header_row(header_line, list(cells.columns), name, text_col, read.columns[0] if kind == "single_label" else None)
        listed = ", ".join(as_label(v) for v in header_line)
        notices.insert(0, f"{name}: {where} {header_line.name} read as a header, its cells unlike the rows below ({listed}): listed among the dropped rows; pass header=False if it is data")
    return RawRows(rows=rows, source=name, notices=tuple(notices), task=kind, origin=origin, set_aside=set_aside)


def _multi_hot(cells: pd.DataFrame, name: str, where: str, text_col: Hashable, columns: list[Hashable]) -> _Labels:
    others = [str(c) for c in cells.columns if c != text_col and c not in columns]
    notices = [f"{name}: one 0/1 column per label: {', '.join(str(c) for c in columns)}"]
    if others:
        notices.append(f"{name}: left out {len(others)} column(s) that are neither the text nor 0/1: {', '.join(others[:5])}")
    return _Labels("multi_hot", columns, _multi_hot_labels(cells, columns, name, where), notices=tuple(notices))


def _one_column(cells: pd.DataFrame, name: str, text_col: Hashable, label_column: Column, label_separator: str | None, task: TaskKind | None) -> _Labels:
    """One label column: a label per cell, several joined by a separator, or a list per cell."""
    label_col = _pick(cells, label_column, LABEL_NAMES, 1, name, "label", skip=(text_col,))
    if text_col == label_col:
        raise DataError(f"{name}: the text and label columns are the same column ({text_col!r})")
    values = cells[label_col]
    lists = _is_list_column(values)
    if task == "single_label" and lists:
        raise DataError(f"{name}: task='single_label' but the label column {label_col!r} holds lists of labels")
    separator = None if task == "single_label" or lists else (label_separator or detect_separator(values, task))
    multi = task == "multi_label" or lists or separator is not None
    notices = [f"{name}: several labels per row, separated by {separator!r}"] if separator else []
    extra = [str(c) for c in cells.columns if c not in (text_col, label_col)]
    if extra:
        notices.append(f"{name}: ignored {len(extra)} other column(s): {', '.join(extra[:5])}")
    return _Labels(
        "list" if lists else "separated" if multi else "column",
        [label_col],
        [as_label_set(v, separator) for v in values] if multi else [as_label(v) for v in values],
        separator,
        tuple(notices),
    )


def _header_row(line: pd.Series, columns: list[Hashable], name: str, text_col: Hashable, label_col: Hashable | None) -> pd.DataFrame:
    """The line read as a header, as a dropped row, so it shows with the others."""
    cells = line.to_numpy()
    label: object = as_label(cells[columns.index(label_col)]) if label_col is not None else ()
    return pd.DataFrame(
        {"text": [as_text(cells[columns.index(text_col)])], "label": pd.Series([label], dtype=object), "source": name, "row": [line.name], "reason": REASON_HEADER}
    )


def require_two_columns(cells: pd.DataFrame, name: str) -> None:
    """A table of one column is a wrong delimiter or a file with no labels."""
    if cells.shape[1] < 2:
        raise DataError(
            f"{name}: found a single column; nbtrain needs two, the text and its label "
            "(check the delimiter, or pass text_column/label_column)"
        )


def detect_separator(values: pd.Series, task: TaskKind | None = None) -> str | None:
    """``;`` or ``|`` when the label column reads as several labels per row, else ``None``.

    It does when at least 5 % of the labels hold the separator and every part between separators
    is itself a label seen alone or in another row: free text with a semicolon is not a label set.

    >>> detect_separator(pd.Series(["a;b", "a", "b", "b;c", "c"] * 4), None)
    ';'
    >>> detect_separator(pd.Series(["positive", "neutral; mostly"] + ["negative"] * 30), None)
    """
    if task == "single_label":
        return None
    strings = values.map(lambda v: v if isinstance(v, str) else None).dropna()
    if strings.empty:
        return None
    for separator in SEPARATORS:
        holding = strings[strings.str.contains(separator, regex=False)]
        if len(holding) < max(1, 0.05 * len(strings)):
            continue
        parts = holding.str.split(separator, regex=False).explode().str.strip()
        vocabulary = parts.value_counts()
        if (vocabulary >= 2).all() or set(parts) <= set(strings.str.strip()):
            return separator
    return None


def _is_list_column(values: pd.Series) -> bool:
    """Every present cell holds a list of labels."""
    present = values.dropna()
    return bool(len(present) > 0 and present.map(is_list).all())


def _text_is_named(cells: pd.DataFrame, text_column: Column) -> bool:
    return isinstance(text_column, str | int) or bool(_by_name(cells, TEXT_NAMES))


def _by_name(cells: pd.DataFrame, known: tuple[str, ...], skip: tuple[Hashable, ...] = ()) -> list[Hashable]:
    return [c for c in cells.columns if isinstance(c, str) and c.strip().lower() in known and c not in skip]


def _pick(
    cells: pd.DataFrame, wanted: Column, known: tuple[str, ...], position: int, name: str, role: str, skip: tuple[Hashable, ...]
) -> Hashable:
    """The column asked for (by name or 0-based position), else one with a known name, else by position."""
    columns = list(cells.columns)
    if wanted is None:
        by_name = _by_name(cells, known, skip)
        if by_name:
            return by_name[0]
        free = [c for c in columns if c not in skip]
        return columns[position] if position < len(columns) and columns[position] not in skip else free[0]
    if isinstance(wanted, int):
        if not 0 <= wanted < len(columns):
            raise DataError(f"{name}: {role} column {wanted} does not exist ({len(columns)} columns)")
        return columns[wanted]
    if wanted not in columns:
        found = ", ".join(str(c) for c in columns)
        raise DataError(f"{name}: no column named {wanted!r} for the {role} (columns: {found})")
    return wanted


def _named_flags(cells: pd.DataFrame, labels: tuple[str, ...], name: str) -> list[Hashable]:
    by_text = {str(c).strip(): c for c in cells.columns}
    missing = [x for x in labels if x not in by_text]
    if missing:
        found = ", ".join(str(c) for c in cells.columns)
        raise DataError(f"{name}: no column named {missing[0]!r} among the labels' 0/1 columns (columns: {found})")
    return [by_text[x] for x in labels]


def _flag_columns(cells: pd.DataFrame, text_col: Hashable) -> list[Hashable]:
    """The columns other than the text that hold only 0/1 values (and at least one)."""
    found: list[Hashable] = []
    for column in cells.columns:
        if column == text_col:
            continue
        distinct = cells[column].drop_duplicates().map(lambda v: as_label(v).strip())
        distinct = distinct[distinct != ""]
        if len(distinct) and distinct.map(lambda v: as_flag(v) is not None).all():
            found.append(column)
    return found


def _multi_hot_labels(cells: pd.DataFrame, columns: list[Hashable], name: str, where: str) -> list[tuple[str, ...] | None]:
    """Each row's set of labels: the names of its columns holding 1; ``None`` when all are empty."""
    names = [str(c).strip() for c in columns]
    flags = zip(*(cells[c].map(as_flag).tolist() for c in columns), strict=True)
    blank = zip(*(cells[c].map(lambda v: as_label(v).strip() == "").tolist() for c in columns), strict=True)
    out: list[tuple[str, ...] | None] = []
    for row, row_flags, row_blank in zip(cells.index, flags, blank, strict=True):
        if all(row_blank):
            out.append(None)
            continue
        if None in row_flags:
            j = row_flags.index(None)
            value = as_label(cells.at[row, columns[j]]).strip()
            what = f"holds {value!r}" if value else "is empty"
            raise DataError(f"{name}: {where} {row}: column {names[j]!r} {what}; a label's column holds 0 or 1")
        out.append(tuple(sorted(n for n, flag in zip(names, row_flags, strict=True) if flag)))
    return out


def _spelling(values: pd.Series, shape: LabelShape) -> dict[str, object]:
    """Labels whose cell is not simply their string (a number in a spreadsheet or a list)."""
    if shape == "multi_hot":
        return {}
    items = [x for v in values if is_list(v) for x in v] if shape == "list" else values.drop_duplicates()
    return {as_label(x): x for x in items if not isinstance(x, str) and as_label(x)}
