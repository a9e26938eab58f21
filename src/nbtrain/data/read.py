"""Read one labelled file or DataFrame into nbtrain's row frame.

A *row frame* is a DataFrame with the columns ``text``, ``label``, ``source`` and ``row``:
``source`` names the file (or ``"DataFrame"``) and ``row`` is where a person finds the row: the
1-based line in an editor (the header, when there is one, is line 1), the row of a spreadsheet,
the 0-based position in a DataFrame or Parquet file. Every later stage keeps these two columns so
that any finding or dropped row can be traced back to its origin.

Files are read by what they hold: CSV or TSV (the default), JSON Lines or a JSON array
(:mod:`~nbtrain.data.read_json`), Excel ``.xlsx`` and Parquet (optional extras). Tables go
through :mod:`~nbtrain.data.read_table`, which finds the columns and the label shape.

The header rule (CSV and Excel): line 1 is a header when it names known columns (``text``,
``label``, ...), or when none of its cells looks like the cells below it in the same column (a
number over numbers, a value the column uses elsewhere, a long text over long texts). A header
inferred from unknown names is said in a notice and listed among the dropped rows, so a misjudged
line is seen.

Text and labels are read as strings: a numeric label ``0`` becomes ``"0"`` and never ``0.0``;
texts are never parsed as numbers or dates.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd

from nbtrain.data.errors import DataError
from nbtrain.data.read_json import read_json
from nbtrain.data.read_table import LABEL_NAMES, TEXT_NAMES, Column, require_two_columns, table_rows
from nbtrain.data.source import (
    ROW_COLUMNS,
    Format,
    RawRows,
    SourceFile,
    as_label,
    decode,
    is_missing,
    written_encoding,
)

__all__ = ["ROW_COLUMNS", "Column", "RawRows", "read_frame", "read_path"]

#: Rows the header rule compares line 1 with: enough to know a column's kind, fast on any file.
_SAMPLE = 2_000
_EXCEL_HINT = "pip install 'nbtrain[excel]'"
_PARQUET_HINT = "pip install 'nbtrain[parquet]'"


def read_path(path: str | os.PathLike[str], *, header: bool | None = None, encoding: str | None = None, **columns: Any) -> RawRows:
    """Read a file of labelled texts, by what it holds (see the module docstring).

    ``columns`` are the column options of :func:`nbtrain.load` (``text_column``,
    ``label_column``, ``labels``, ``label_separator``, ``task``). Raises :class:`DataError`
    naming the file and line.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a data file")
    raw = path.read_bytes()
    kind = _format(path, raw)
    if kind == "xlsx":
        return _read_excel(path, header, columns)
    if kind == "parquet":
        return _read_parquet(path, columns)
    text = decode(raw, name, encoding)
    if not text.strip():
        raise DataError(f"{name}: the file is empty")
    if kind in ("jsonl", "json"):
        shape: Format = "json" if kind == "json" and text.lstrip().startswith("[") else "jsonl"
        return read_json(text, name, SourceFile(shape, str(path), written_encoding(raw, encoding)), **columns)
    delimiter = _sniff_delimiter(text, kind)
    table = _parse_csv(text, name, delimiter)
    terminator = "\r\n" if "\r\n" in text[:20_000] else "\n"
    file = SourceFile(kind, str(path), written_encoding(raw, encoding), delimiter, terminator)
    return _read_table(table, name, file, header, columns)


def read_frame(frame: pd.DataFrame, *, source: str = "DataFrame", **columns: Any) -> RawRows:
    """Take labelled texts from a DataFrame; ``row`` is the 0-based position in that frame.

    A label column of lists (or tuples, or sets) is multi-label data, and so are 0/1 columns.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    if frame.empty:
        raise DataError(f"{source}: the DataFrame has no rows")
    return table_rows(frame.reset_index(drop=True), source, SourceFile("frame"), **columns)


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
    """A number over numbers, a value seen below, a long text over long texts; an empty cell never."""
    present = below[below != ""]
    if not cell or present.empty:
        return False
    if pd.to_numeric(present, errors="coerce").notna().all():
        return bool(pd.notna(pd.to_numeric(cell, errors="coerce")))
    if cell in set(present):
        return True
    long_texts = present.map(lambda v: len(v.split())).median() > 3
    return bool(long_texts and (len(cell) > 40 or len(cell.split()) > 3))


def _format(path: Path, raw: bytes) -> Format:
    """The format by the file's name; a spreadsheet or Parquet file named ``.csv`` is said so."""
    suffix = path.suffix.lower()
    formats: dict[str, Format] = {".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".tsv": "tsv"}
    if suffix == ".xls":
        raise DataError(f"{path.name}: old .xls workbooks are not read: save it as .xlsx or CSV")
    if suffix in formats:
        return formats[suffix]
    if raw.startswith(b"PK\x03\x04") and b"xl/" in raw:
        raise DataError(f"{path.name}: this is an Excel file, not CSV: save it as CSV or load the .xlsx ({_EXCEL_HINT})")
    if raw.startswith(b"PAR1"):
        raise DataError(f"{path.name}: this is a Parquet file, not CSV: save it as CSV or load the .parquet ({_PARQUET_HINT})")
    return "csv"


def _read_table(table: pd.DataFrame, name: str, file: SourceFile, header: bool | None, columns: dict[str, Any]) -> RawRows:
    names_given = any(isinstance(columns.get(k), str) for k in ("text_column", "label_column")) or columns.get("labels") is not None
    cells, has_header, header_line = split_header(table, name, header, names_given=names_given)
    return table_rows(cells, name, file, header=has_header, header_line=header_line, **columns)


def _parse_csv(text: str, name: str, delimiter: str) -> pd.DataFrame:
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
    table.index = lines if len(lines) == len(table) else list(range(1, len(table) + 1))
    return table


def _sniff_delimiter(text: str, kind: Format) -> str:
    if kind == "tsv":
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


def _read_excel(path: Path, header: bool | None, columns: dict[str, Any]) -> RawRows:
    """The first sheet; ``row`` is the spreadsheet's row number (a header is row 1)."""
    _require("openpyxl", path.name, "Excel files", _EXCEL_HINT)
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
        sheet = str(book.sheet_names[0])
        table = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    except Exception as err:  # openpyxl raises many kinds (zip, XML, key errors) on a broken file
        raise DataError(f"{path.name}: cannot be read as an Excel .xlsx file ({_short(err)})") from err
    table.index = table.index + 1
    filled = table.map(lambda v: not is_missing(v) and str(v).strip() != "")
    table = table.loc[filled.any(axis=1), filled.any(axis=0)]
    if table.empty:
        raise DataError(f"{path.name}: the sheet {sheet!r} is empty")
    table.columns = pd.RangeIndex(table.shape[1])
    rows = _read_table(table, path.name, SourceFile("xlsx", str(path), sheet=sheet), header, columns)
    if len(book.sheet_names) > 1:
        others = ", ".join(repr(s) for s in book.sheet_names[1:])
        return RawRows(rows.rows, rows.source, (*rows.notices, f"{path.name}: read the first sheet {sheet!r}; not read: {others}"), rows.task, rows.origin, rows.set_aside)
    return rows


def _read_parquet(path: Path, columns: dict[str, Any]) -> RawRows:
    """A Parquet file through the DataFrame path: ``row`` is the 0-based position."""
    _require("pyarrow", path.name, "Parquet files", _PARQUET_HINT)
    try:
        frame = pd.read_parquet(path, engine="pyarrow")
    except Exception as err:  # pyarrow's errors (ArrowInvalid, OSError) share no base class of ours
        raise DataError(f"{path.name}: cannot be read as a Parquet file ({_short(err)})") from err
    if frame.empty:
        raise DataError(f"{path.name}: the file has no rows")
    return table_rows(frame.reset_index(drop=True), path.name, SourceFile("parquet", str(path)), **columns)


def _require(module: str, name: str, what: str, hint: str) -> None:
    try:
        importlib.import_module(module)
    except ImportError as err:
        raise DataError(f"{name}: reading {what} needs {module}: {hint}") from err


def _short(err: Exception) -> str:
    lines = str(err).strip().splitlines()
    return lines[-1][:200] if lines else type(err).__name__


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}.{seen[n] - 1}")
    return out
