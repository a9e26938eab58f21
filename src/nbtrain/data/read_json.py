"""JSON Lines, or a JSON array of objects, into nbtrain's rows.

The shape hosted trainers took multi-label data in: one object per line,
``{"text": ..., "labels": ["a", "b"]}``, an empty list meaning none of the labels. ``"label"``
may hold a string (single-label data) or a list. Numbers are labels too (``0``/``1``, read as
``"0"``/``"1"`` and written back as numbers), so are ``true``/``false``; an object, or a list
holding anything but strings and numbers, is an error. When some lines give a list and others a
string, the data is multi-label and a string is a set of one label. A line without the label key,
or with ``null``, has a missing label (set aside like an empty CSV cell). ``row`` is the line
the object starts on.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from nbtrain.choices import TaskKind
from nbtrain.data.errors import DataError
from nbtrain.data.read_table import LABEL_NAMES, TEXT_NAMES, Column, detect_separator
from nbtrain.data.source import LabelShape, RawRows, SourceFile, SourceInfo, as_label_set

_LABEL_KEYS = ("labels", "label", *(n for n in LABEL_NAMES if n not in ("labels", "label")))


def _objects(text: str, name: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The objects of a JSON Lines text or a JSON array, and the line each one starts on."""
    if text.lstrip().startswith("["):
        values, lines = _array(text, name)
    else:
        values, lines = _lines(text, name)
    for value, line in zip(values, lines, strict=True):
        if not isinstance(value, dict):
            raise DataError(f"{name}: line {line}: expected a JSON object ({{...}}), got {_kind(value)}")
    if not values:
        raise DataError(f"{name}: holds no JSON objects")
    return values, lines


def read_json(
    text: str,
    name: str,
    file: SourceFile,
    *,
    text_column: Column = None,
    label_column: Column = None,
    labels: tuple[str, ...] | None = None,
    label_separator: str | None = None,
    task: TaskKind | None = None,
) -> RawRows:
    """The rows of a JSON Lines (or JSON array) text; see the module docstring."""
    if labels is not None:
        raise DataError(f"{name}: labels= names one 0/1 column per label, which a JSON file does not have; give each object a list of labels")
    records, lines = _objects(text, name)
    keys = list(dict.fromkeys(k for record in records for k in record))
    text_key = _key(text_column, keys, TEXT_NAMES, name, "text")
    label_key = _key(label_column, keys, _LABEL_KEYS, name, "label")
    texts = [_text(r.get(text_key), name, line, text_key) for r, line in zip(records, lines, strict=True)]
    raw = [_label(r.get(label_key), name, line, label_key) for r, line in zip(records, lines, strict=True)]
    as_list = [isinstance(v, list) for v in raw]
    notices = []
    if task == "single_label" and any(as_list):
        raise DataError(f"{name}: line {lines[as_list.index(True)]}: task='single_label' but {label_key!r} holds a list of labels")
    values = pd.Series([[x for x, _ in v] if isinstance(v, list) else None if v is None else v[0] for v in raw], dtype=object)
    separator = None
    if not any(as_list) and task != "single_label":
        separator = label_separator or detect_separator(values, task)
    shape: LabelShape = "separated" if separator else "list" if any(as_list) or task == "multi_label" else "column"
    if shape == "column":
        label_values: list[Any] = values.tolist()
    else:
        # A JSON list is already a list of stripped strings: only a string needs splitting.
        label_values = [tuple(sorted({x for x in v if x})) if isinstance(v, list) else as_label_set(v, separator) for v in values]
        strings = sum(1 for v, is_list in zip(raw, as_list, strict=True) if v is not None and not is_list)
        if any(as_list) and strings:
            notices.append(f"{name}: {strings:,} line(s) give one label as a string, read as a set of one label (the others give lists)")
        if separator:
            notices.append(f"{name}: several labels per row, separated by {separator!r}")
    kind: TaskKind = "single_label" if shape == "column" else "multi_label"
    rows = pd.DataFrame({"text": texts, "label": pd.Series(label_values, dtype=object), "source": name, "row": lines})
    spelling: dict[str, object] = {}
    for value in raw:
        for label, original in [value] if isinstance(value, tuple) else value or []:
            if not isinstance(original, str):
                spelling.setdefault(label, original)
    origin = SourceInfo(
        name=name,
        file=file,
        header=True,
        columns=tuple(keys),
        text_column=text_key,
        label_columns=(label_key,),
        label_shape=shape,
        cells=pd.DataFrame({"record": pd.Series(records, dtype=object).to_numpy()}, index=lines),
        read=pd.DataFrame({"text": texts, "label": rows["label"].to_numpy()}, index=lines),
        separator=separator,
        spelling=spelling,
    )
    return RawRows(rows=rows, source=name, notices=tuple(notices), task=kind, origin=origin)


def _lines(text: str, name: str) -> tuple[list[Any], list[int]]:
    values, lines = [], []
    # Not splitlines(): it also splits on U+2028 and friends, which JSON strings may hold raw.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise DataError(f"{name}: line {number}: invalid JSON ({err.msg}, column {err.colno})") from err
        lines.append(number)
    return values, lines


def _array(text: str, name: str) -> tuple[list[Any], list[int]]:
    """The elements of a top-level JSON array, each with the line it starts on."""
    decoder = json.JSONDecoder()
    values: list[Any] = []
    lines: list[int] = []
    position, line, counted = text.index("[") + 1, 1, 0
    try:
        while True:
            position = _skip_space(text, position)
            if text.startswith("]", position):
                break
            line += text.count("\n", counted, position)
            counted = position
            value, position = decoder.raw_decode(text, position)
            values.append(value)
            lines.append(line)
            position = _skip_space(text, position)
            if text.startswith(",", position):
                position += 1
            elif not text.startswith("]", position):
                raise json.JSONDecodeError("Expecting ',' or ']'", text, position)
    except json.JSONDecodeError as err:
        raise DataError(f"{name}: line {err.lineno}: invalid JSON ({err.msg}, column {err.colno})") from err
    return values, lines


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _key(wanted: Column, keys: list[str], known: tuple[str, ...], name: str, role: str) -> str:
    seen = ", ".join(keys[:10]) or "none"
    if isinstance(wanted, int):
        raise DataError(f"{name}: JSON objects have keys, not positions: pass the {role} key by name (keys: {seen})")
    if wanted is not None:
        if wanted not in keys:
            raise DataError(f"{name}: no key {wanted!r} for the {role} in the objects (keys: {seen})")
        return wanted
    lowered = {k.strip().lower(): k for k in reversed(keys)}
    for candidate in known:
        if candidate in lowered:
            return lowered[candidate]
    option = "text_column" if role == "text" else "label_column"
    expected = "'text', 'sentence', ..." if role == "text" else "'labels' or 'label'"
    raise DataError(f"{name}: no {role} key ({expected}) in the objects; their keys: {seen}; pass {option}")


def _text(value: object, name: str, line: int, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        raise DataError(f"{name}: line {line}: the text {key!r} is a JSON {_kind(value)}, expected a string")
    return _spelled(value)


def _label(value: object, name: str, line: int, key: str) -> tuple[str, object] | list[tuple[str, object]] | None:
    """``(label, original)`` for one label, a list of them for a list, ``None`` for a missing one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, list):
        if all(type(v) is str for v in value):  # the common case, fast on large files
            return [(v.strip(), v) for v in value]
        bad = [v for v in value if not _is_scalar(v)]
        if bad:
            raise DataError(f"{name}: line {line}: the list {key!r} holds a JSON {_kind(bad[0])}; each label is a string or a number")
        return [(_spelled(v).strip(), v) for v in value]
    if not _is_scalar(value):
        raise DataError(f"{name}: line {line}: the label {key!r} is a JSON {_kind(value)}; expected a string or a list of strings")
    return (_spelled(value), value)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | bool | int) or (isinstance(value, float) and math.isfinite(value))


def _spelled(value: object) -> str:
    """A JSON scalar as the label string: ``true``, ``0``, ``1`` (``1.0`` too), ``0.5``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _kind(value: object) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
