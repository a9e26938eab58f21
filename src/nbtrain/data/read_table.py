"""A table of cells (a CSV's, a spreadsheet's, a DataFrame's) into nbtrain's rows.

Which line is the header, which column holds the text and which the labels, and the shape the
labels come in: one label per cell; several per cell joined by ``;`` or ``|``; a list per cell
(DataFrames, Parquet); or one 0/1 column per label, as public multi-label datasets ship
(``id,text,toxic,insult,threat``). The table's index is the row number a person sees: the line of
a CSV, the row of a spreadsheet, the position in a DataFrame.

The header rule: line 1 is a header when it names known columns (``text``, ``label``, ...), or
when none of its cells looks like the cells below it in the same column (a number over numbers, a
value the column uses elsewhere, a long text over long texts). A header inferred from unknown
names is said in a notice and listed among the dropped rows, so a misjudged line is seen.
"""

from __future__ import annotations

from collections.abc import Hashable
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
#: Rows the header rule compares line 1 with: enough to know a column's kind, fast on any file.
_SAMPLE = 2_000

Column = str | int | None


def split_header(
    cells: pd.DataFrame, name: str, header: bool | None, *, names_given: bool
) -> tuple[pd.DataFrame, bool, pd.Series | None]:
    """The table without its header line, whether it had one, and the line when it was inferred.

    ``cells`` has positional columns and its first row is the file's first line.
    """
    require_two_columns(cells, name)
    inferred = None
    if header is None:
        view = cells.head(_SAMPLE + 1).map(lambda v: as_label(v).strip())
        known = _has_known_names(view)
        header = names_given or known or _first_line_is_header(view)
        if header and not (names_given or known):
            inferred = cells.iloc[0]
    elif not header and names_given:
        raise DataError(f"{name}: columns were named but header=False")
    if not header:
        return cells, False, None
    body = cells.iloc[1:].copy()
    body.columns = _unique([as_label(v).strip() for v in cells.iloc[0]])
    if body.empty:
        raise DataError(f"{name}: the file has a header but no rows")
    return body, True, inferred


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
    notices: list[str] = []
    if labels is not None and task == "single_label":
        raise DataError(f"{name}: task='single_label' but labels= names one 0/1 column per label (multi-label data)")
    flag_columns = _named_flags(cells, labels, name) if labels is not None else []
    text_col = _pick(cells, text_column, TEXT_NAMES, 0, name, "text", skip=tuple(flag_columns))
    detect = labels is None and label_column is None and task != "single_label" and _text_is_named(cells, text_column)
    if detect and not _by_name(cells, LABEL_NAMES, skip=(text_col,)):
        found = _flag_columns(cells, text_col)
        flag_columns = found if len(found) >= 2 else []
    shape: LabelShape
    separator = None
    if flag_columns:
        shape = "multi_hot"
        label_cols = flag_columns
        label_values: list[Any] = _multi_hot_labels(cells, flag_columns, name, where)
        others = [str(c) for c in cells.columns if c != text_col and c not in flag_columns]
        notices.append(f"{name}: one 0/1 column per label: {', '.join(str(c) for c in flag_columns)}")
        if others:
            notices.append(f"{name}: left out {len(others)} column(s) that are neither the text nor 0/1: {', '.join(others[:5])}")
    else:
        label_col = _pick(cells, label_column, LABEL_NAMES, 1, name, "label", skip=(text_col,))
        if text_col == label_col:
            raise DataError(f"{name}: the text and label columns are the same column ({text_col!r})")
        label_cols = [label_col]
        values = cells[label_col]
        lists = is_list_column(values)
        if task == "single_label" and lists:
            raise DataError(f"{name}: task='single_label' but the label column {label_col!r} holds lists of labels")
        separator = None if task == "single_label" or lists else (label_separator or detect_separator(values, task))
        multi = task == "multi_label" or lists or separator is not None
        label_values = [as_label_set(v, separator) for v in values] if multi else [as_label(v) for v in values]
        shape = "list" if lists else "separated" if multi else "column"
        if separator:
            notices.append(f"{name}: several labels per row, separated by {separator!r}")
        extra = [str(c) for c in cells.columns if c not in (text_col, label_col)]
        if extra:
            notices.append(f"{name}: ignored {len(extra)} other column(s): {', '.join(extra[:5])}")
    kind: TaskKind = "single_label" if shape == "column" else "multi_label"
    texts = [as_text(v) for v in cells[text_col]]
    rows = pd.DataFrame({"text": texts, "label": pd.Series(label_values, dtype=object), "source": name, "row": list(cells.index)})
    origin = SourceInfo(
        name=name,
        file=file,
        header=header,
        columns=tuple(cells.columns),
        text_column=text_col,
        label_columns=tuple(label_cols),
        label_shape=shape,
        cells=cells,
        read=pd.DataFrame({"text": texts, "label": rows["label"].to_numpy()}, index=cells.index),
        separator=separator,
        spelling=_spelling(cells[label_cols[0]], shape),
        flags={c: flag_spelling(cells[c]) for c in flag_columns},
    )
    set_aside = None
    if header_line is not None:
        line = header_line.to_numpy()
        columns: list[Hashable] = list(cells.columns)
        position = columns.index
        label: object = as_label(line[position(label_cols[0])]) if kind == "single_label" else ()
        set_aside = pd.DataFrame(
            {"text": [as_text(line[position(text_col)])], "label": pd.Series([label], dtype=object), "source": name, "row": [header_line.name], "reason": REASON_HEADER}
        )
        listed = ", ".join(as_label(v) for v in line)
        notices.append(f"{name}: {where} {header_line.name} read as a header, its cells unlike the rows below ({listed}): listed among the dropped rows; pass header=False if it is data")
    return RawRows(rows=rows, source=name, notices=tuple(notices), task=kind, origin=origin, set_aside=set_aside)


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


def is_list_column(values: pd.Series) -> bool:
    """Every present cell holds a list of labels."""
    present = values.dropna()
    return bool(len(present) > 0 and present.map(is_list).all())


def _has_known_names(view: pd.DataFrame) -> bool:
    """Line 1 names a known text or label column (and that name is not a value of its column)."""
    known = {*TEXT_NAMES, *LABEL_NAMES}
    first = view.iloc[0]
    return any(first[c].lower() in known and first[c] not in set(view[c].iloc[1:]) for c in view.columns)


def _first_line_is_header(view: pd.DataFrame) -> bool:
    """No cell of line 1 fits its column the way data would (see the module docstring)."""
    if len(view) < 2:
        return False
    first = view.iloc[0]
    return not any(_fits(first[c], view[c].iloc[1:]) for c in view.columns)


def _fits(cell: str, below: pd.Series) -> bool:
    present = below[below != ""]
    if not cell or present.empty:
        return False
    if pd.to_numeric(present, errors="coerce").notna().all():
        return bool(pd.notna(pd.to_numeric(cell, errors="coerce")))
    if cell in set(present):
        return True
    long_texts = present.map(lambda v: len(v.split())).median() > 3
    return bool(long_texts and (len(cell) > 40 or len(cell.split()) > 3))


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


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}.{seen[n] - 1}")
    return out
