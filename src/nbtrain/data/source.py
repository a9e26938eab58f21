"""What was read from a source, and what it takes to write it back in the user's own shape.

A user who fixes labels in nbtrain wants their file back: same columns, same row order, ids and
metadata untouched, labels spelled as they spell them (``0``/``1`` stay numbers, one 0/1 column
per label stays that way). So every reader records, beside the rows, a :class:`SourceInfo`: the
file's format and how its bytes were written, which columns held the text and the labels, the
shape of the labels, and every original cell by row. :mod:`nbtrain.data.write` uses it.

This module also holds the conversions both ways between a cell and nbtrain's values, so reading
and writing agree on them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Real
from typing import Literal

import pandas as pd

from nbtrain.choices import TaskKind
from nbtrain.data.errors import DataError

ROW_COLUMNS = ["text", "label", "source", "row"]

Format = Literal["csv", "tsv", "jsonl", "json", "xlsx", "parquet", "frame"]
#: ``column``: one cell holds one label; ``separated``: one cell holds labels joined by a
#: separator; ``multi_hot``: one 0/1 column per label; ``list``: a list per row (JSON, DataFrame).
LabelShape = Literal["column", "separated", "multi_hot", "list"]

_BOM = b"\xef\xbb\xbf"
_TRUE = frozenset({"1", "1.0", "true"})
_FALSE = frozenset({"0", "0.0", "false"})


@dataclass(frozen=True)
class SourceFile:
    """Where a source's bytes live and how they were written (``path`` is ``None`` for a DataFrame)."""

    format: Format
    path: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    line_terminator: str = "\n"
    sheet: str | None = None


@dataclass(frozen=True, eq=False)
class SourceInfo:
    """One source as the user shaped it: enough to write the current rows back into that shape.

    ``cells`` holds every original cell, indexed by ``row`` (the number nbtrain's frames carry);
    for JSON its single column ``record`` holds each line's object. ``read`` holds the ``text``
    and ``label`` as read, by row, so a row nobody changed is written back cell for cell.
    ``spelling`` maps a label to the value the file held for it (``"0"`` to the number ``0``);
    ``flags`` maps each 0/1 label column to its own spelling of one and zero.
    """

    name: str
    file: SourceFile
    header: bool
    columns: tuple[Hashable, ...]
    text_column: Hashable
    label_columns: tuple[Hashable, ...]
    label_shape: LabelShape
    cells: pd.DataFrame
    read: pd.DataFrame
    separator: str | None = None
    spelling: Mapping[str, object] = field(default_factory=dict)
    flags: Mapping[Hashable, tuple[object, object]] = field(default_factory=dict)

    def label_cell(self, label: object, original: object) -> object:
        """The cell that holds ``label`` (a string, or a tuple for label sets) in this source.

        ``original`` is the cell the row held, so a JSON row that gave one label as a string
        keeps a string while it has one label.

        >>> info = SourceInfo("f.jsonl", SourceFile("jsonl"), True, ("text", "label"), "text", ("label",),
        ...                   "list", pd.DataFrame(), pd.DataFrame(), spelling={"0": 0})
        >>> info.label_cell(("0", "b"), [0]), info.label_cell(("b",), "a")
        ([0, 'b'], 'b')
        """
        if self.label_shape == "column":
            return self.spelling.get(str(label), label)
        labels = tuple(label) if isinstance(label, tuple) else (str(label),)
        if self.label_shape == "separated":
            return (self.separator or ";").join(labels)
        if isinstance(original, str) and len(labels) == 1:
            return self.spelling.get(labels[0], labels[0])
        return [self.spelling.get(x, x) for x in labels]

    def flag_cells(self, labels: Iterable[str], row: object) -> dict[Hashable, object]:
        """The 0/1 cells of a multi-hot row holding ``labels``, each spelled as its column is."""
        chosen = set(labels)
        unknown = sorted(chosen - {str(c) for c in self.label_columns})
        if unknown:
            raise DataError(f"{self.name}: row {row}: label {unknown[0]!r} has no 0/1 column to be written in")
        return {c: self.flags[c][0] if str(c) in chosen else self.flags[c][1] for c in self.label_columns}


@dataclass(frozen=True)
class RawRows:
    """Rows as read, before any row is dropped, plus where they came from.

    ``notices`` holds things the user should know that are not errors (ignored extra columns,
    an inferred header). ``task`` says whether ``label`` holds one string per row or, for
    multi-label data, a sorted tuple of strings (empty: none of the labels; ``None``: missing).
    ``set_aside`` holds lines that were read but are not rows (a line read as the header), with
    their ``reason``, so that they show among the dropped rows; ``origin`` is how to write back.
    """

    rows: pd.DataFrame
    source: str
    notices: tuple[str, ...] = ()
    task: TaskKind = "single_label"
    origin: SourceInfo | None = None
    set_aside: pd.DataFrame | None = None


def decode(raw: bytes, name: str, encoding: str | None) -> str:
    """The text of a file's bytes: UTF-8 (a BOM is fine) unless ``encoding`` names another codec.

    Undecodable bytes fail naming the line and the offset, with the advice to pass the codec.
    """
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


def written_encoding(raw: bytes, encoding: str | None) -> str:
    """The codec to write a file back in: the one given, else UTF-8 with a BOM if it had one."""
    return encoding or ("utf-8-sig" if raw.startswith(_BOM) else "utf-8")


def is_missing(value: object) -> bool:
    """``None``, NaN and ``pd.NA``: an empty cell of a typed column."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def as_text(value: object) -> str:
    """A text cell as a string; an empty cell is the empty text."""
    return "" if is_missing(value) else str(value)


def as_label(value: object) -> str:
    """Labels become strings; floats holding whole numbers (a column with NaN) lose their ``.0``.

    >>> as_label(1.0), as_label(None), as_label(2)
    ('1', '', '2')
    """
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_label_set(value: object, separator: str | None) -> tuple[str, ...] | None:
    """A sorted tuple of unique, stripped labels; ``None`` for a missing value."""
    if is_missing(value):
        return None
    if is_list(value):
        parts = [as_label(v).strip() for v in value]  # type: ignore[attr-defined]
    else:
        text = as_label(value)
        parts = [p.strip() for p in (text.split(separator) if separator else [text])]
    return tuple(sorted({p for p in parts if p}))


def is_list(value: object) -> bool:
    """A cell holding several labels: a list, tuple or set (or the arrays Parquet gives)."""
    import numpy as np

    return isinstance(value, list | tuple | set | frozenset | np.ndarray)


def as_flag(value: object) -> bool | None:
    """A 0/1 cell as a bool (``1``, ``"1.0"``, ``True``, ``"true"``...); ``None`` if it is not one.

    >>> as_flag("1.0"), as_flag(0), as_flag("FALSE"), as_flag("yes")
    (True, False, False, None)
    """
    if isinstance(value, bool):
        return value
    key = as_label(value).strip().lower()
    return True if key in _TRUE else False if key in _FALSE else None


def flag_spelling(values: pd.Series) -> tuple[object, object]:
    """How a 0/1 column spells one and zero, taken from its own cells (``1``/``0`` when unseen)."""
    distinct = values.drop_duplicates()
    ones = [v for v in distinct if as_flag(v) is True]
    zeros = [v for v in distinct if as_flag(v) is False]
    one = ones[0] if ones else _opposite(zeros[0]) if zeros else "1"
    zero = zeros[0] if zeros else _opposite(one)
    return one, zero


def _opposite(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, Real):
        return type(value)(1 - value)  # type: ignore[call-arg]
    text = str(value)
    pairs = {"0": "1", "1": "0", "0.0": "1.0", "1.0": "0.0", "false": "true", "true": "false"}
    flipped = pairs[text.strip().lower()]
    return flipped.upper() if text.isupper() else flipped.capitalize() if text[:1].isupper() else flipped
