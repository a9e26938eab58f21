"""Read one labelled CSV file or DataFrame into nbtrain's row frame.

A *row frame* is a DataFrame with the columns ``text``, ``label``, ``source`` and ``row``:
``source`` names the file (or ``"DataFrame"``) and ``row`` is the 1-based line a person sees when
opening the file in an editor or spreadsheet (the header, when there is one, is line 1). Every later
stage keeps these two columns so that any finding or dropped row can be traced back to its origin.

Text and labels are read as strings: a numeric label ``0`` becomes ``"0"`` and never ``0.0``; texts
are never parsed as numbers or dates.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from nbtrain.choices import TaskKind
from nbtrain.data.errors import DataError

ROW_COLUMNS = ["text", "label", "source", "row"]
_TEXT_NAMES = ("text", "sentence", "texts", "message", "content", "document", "example", "review")
_LABEL_NAMES = ("label", "labels", "class", "category", "target", "intent", "sentiment")

Column = str | int | None


@dataclass(frozen=True)
class RawRows:
    """Rows as read, before any row is dropped, plus where they came from.

    ``notices`` holds things the user should know that are not errors (ignored extra columns,
    an inferred header). ``task`` says whether ``label`` holds one string per row or, for
    multi-label data, a sorted tuple of strings (empty: none of the labels; ``None``: missing).
    """

    rows: pd.DataFrame
    source: str
    notices: tuple[str, ...] = ()
    task: TaskKind = "single_label"


def read_path(path: str | os.PathLike[str], *, header: bool | None = None, encoding: str | None = None, **columns: Any) -> RawRows:
    """Read a file of labelled texts, by what it holds: CSV or TSV (the default)."""
    return read_csv(path, header=header, encoding=encoding, **columns)


def read_csv(
    path: str | os.PathLike[str],
    *,
    text_column: Column = None,
    label_column: Column = None,
    header: bool | None = None,
    encoding: str | None = None,
    labels: tuple[str, ...] | None = None,
    label_separator: str | None = None,
    task: TaskKind | None = None,
) -> RawRows:
    """Read a CSV (or TSV) file of labelled texts.

    ``header=None`` infers whether the first line is a header: it is when its label cell is not a
    label used anywhere else in the file and its text cell looks like a column name. The delimiter
    (comma, semicolon, tab or pipe) is sniffed. Raises :class:`DataError` naming the file and line.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a CSV file")
    raw = path.read_bytes()
    text = _decode(raw, name, encoding)
    if not text.strip():
        raise DataError(f"{name}: the file is empty")
    delimiter = _sniff_delimiter(text, path.suffix.lower())
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            skip_blank_lines=True,
            engine="python",
        )
    except pd.errors.ParserError as err:
        raise DataError(f"{name}: cannot be parsed as CSV ({_short(err)})") from err
    lines = _record_lines(text, delimiter)
    if len(lines) != len(table):
        lines = list(range(1, len(table) + 1))
    table.index = lines
    return _select(table, name, text_column, label_column, header, from_file=True, label_separator=label_separator, task=task)


def read_frame(
    frame: pd.DataFrame,
    *,
    text_column: Column = None,
    label_column: Column = None,
    source: str = "DataFrame",
    labels: tuple[str, ...] | None = None,
    label_separator: str | None = None,
    task: TaskKind | None = None,
) -> RawRows:
    """Take labelled texts from a DataFrame; ``row`` is the 0-based position in that frame.

    A label column of lists (or tuples, or sets) is multi-label data.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    if frame.empty:
        raise DataError(f"{source}: the DataFrame has no rows")
    table = frame.reset_index(drop=True)
    return _select(table, source, text_column, label_column, header=True, from_file=False, label_separator=label_separator, task=task)


def _decode(raw: bytes, name: str, encoding: str | None) -> str:
    codec = encoding or "utf-8-sig"
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        hint = "" if encoding else "; save the file as UTF-8 or pass encoding='latin-1' (or the file's codec)"
        raise DataError(
            f"{name}: line {line}: byte 0x{raw[err.start]:02x} at offset {err.start} is not valid "
            f"{codec}{hint}"
        ) from err
    except LookupError as err:
        raise DataError(f"{name}: unknown encoding {codec!r}") from err


def _sniff_delimiter(text: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _record_lines(text: str, delimiter: str) -> list[int]:
    """The 1-based line where each non-blank CSV record starts (quoted fields may span lines)."""
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    line = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                starts.append(line)
            line = reader.line_num + 1
    except csv.Error:
        return []
    return starts


def _select(
    table: pd.DataFrame,
    name: str,
    text_column: Column,
    label_column: Column,
    header: bool | None,
    *,
    from_file: bool,
    label_separator: str | None = None,
    task: TaskKind | None = None,
) -> RawRows:
    notices: list[str] = []
    if table.shape[1] < 2:
        raise DataError(
            f"{name}: found a single column; nbtrain needs two, the text and its label "
            "(check the delimiter, or pass text_column/label_column)"
        )
    if from_file:
        wants_names = isinstance(text_column, str) or isinstance(label_column, str)
        if header is None:
            header = wants_names or _looks_like_header(table)
            if header and not _has_known_names(table):
                notices.append(f"{name}: line 1 read as a header: {', '.join(table.iloc[0])}")
        if header:
            names = [str(v).strip() for v in table.iloc[0]]
            table = table.iloc[1:].copy()
            table.columns = _unique(names)
            if table.empty:
                raise DataError(f"{name}: the file has a header but no rows")
        elif wants_names:
            raise DataError(f"{name}: columns were named but header=False")
    text_col = _pick(table, text_column, _TEXT_NAMES, 0, name, "text")
    label_col = _pick(table, label_column, _LABEL_NAMES, 1, name, "label")
    if text_col == label_col:
        raise DataError(f"{name}: the text and label columns are the same column ({text_col!r})")
    extra = [str(c) for c in table.columns if c not in (text_col, label_col)]
    if extra:
        notices.append(f"{name}: ignored {len(extra)} other column(s): {', '.join(extra[:5])}")
    values = table[label_col]
    lists = _is_list_column(values)
    if task == "single_label" and lists:
        raise DataError(f"{name}: task='single_label' but the label column {label_col!r} holds lists of labels")
    separator = None if task == "single_label" or lists else (label_separator or detect_separator(values, task))
    multi = task == "multi_label" or lists or separator is not None
    label_values = [_as_label_set(v, separator) for v in values] if multi else [_as_label(v) for v in values]
    if separator:
        notices.append(f"{name}: several labels per row, separated by {separator!r}")
    rows = pd.DataFrame(
        {
            "text": [_as_text(v) for v in table[text_col]],
            "label": pd.Series(label_values, dtype=object),
            "source": name,
            "row": list(table.index),
        }
    )
    return RawRows(rows=rows, source=name, notices=tuple(notices), task="multi_label" if multi else "single_label")


#: Separators a label column of several labels per row is recognised by.
SEPARATORS = (";", "|")


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
    present = values.dropna()
    return bool(len(present) > 0 and present.map(lambda v: isinstance(v, list | tuple | set | frozenset)).all())


def _as_label_set(value: object, separator: str | None) -> tuple[str, ...] | None:
    """A sorted tuple of unique, stripped labels; ``None`` for a missing value."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, list | tuple | set | frozenset):
        parts = [_as_label(v).strip() for v in value]
    else:
        text = _as_label(value)
        parts = [p.strip() for p in (text.split(separator) if separator else [text])]
    return tuple(sorted({p for p in parts if p}))


def _has_known_names(table: pd.DataFrame) -> bool:
    first_text, first_label = str(table.iat[0, 0]).strip(), str(table.iat[0, 1]).strip()
    return first_label.lower() in _LABEL_NAMES or first_text.lower() in _TEXT_NAMES


def _looks_like_header(table: pd.DataFrame) -> bool:
    if _has_known_names(table):
        return True
    first_text, first_label = str(table.iat[0, 0]).strip(), str(table.iat[0, 1]).strip()
    other_labels = {str(v).strip() for v in table.iloc[1:, 1]}
    short_name = len(first_text) <= 40 and len(first_text.split()) <= 3
    return bool(other_labels) and first_label not in other_labels and short_name


def _pick(
    table: pd.DataFrame, wanted: Column, known: tuple[str, ...], position: int, name: str, role: str
) -> object:
    columns = list(table.columns)
    if wanted is None:
        by_name = [c for c in columns if str(c).strip().lower() in known]
        return by_name[0] if by_name else columns[position]
    if isinstance(wanted, int):
        if not 0 <= wanted < len(columns):
            raise DataError(f"{name}: {role} column {wanted} does not exist ({len(columns)} columns)")
        return columns[wanted]
    if wanted not in columns:
        found = ", ".join(str(c) for c in columns)
        raise DataError(f"{name}: no column named {wanted!r} for the {role} (columns: {found})")
    return wanted


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}.{seen[n] - 1}")
    return out


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _as_label(value: object) -> str:
    """Labels become strings; floats holding whole numbers (a column with NaN) lose their ``.0``."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _short(err: Exception) -> str:
    return str(err).strip().splitlines()[-1][:200]
