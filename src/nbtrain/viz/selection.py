"""What a brush selected: from the range Vega-Lite reports to the rows, and back to a highlight."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd


def rows_in_interval(points: pd.DataFrame, value: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """The rows of ``points`` inside an interval selection's value, e.g. ``{"x": [0, 1], "y": [2, 3]}``.

    A JupyterChart reports an interval brush as data ranges, not rows; bounds are inclusive.
    An empty value (no brush) selects nothing.

    >>> df = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 2.0]})
    >>> rows_in_interval(df, {"x": [0.5, 2.5], "y": [0, 1.5]}).index.tolist()
    [1]
    """
    if not value:
        return points.iloc[0:0]
    mask = pd.Series(True, index=points.index)
    for column, bounds in value.items():
        lo, hi = sorted(float(b) for b in bounds[:2])
        mask &= points[column].between(lo, hi)
    return points[mask]


def highlight_mask(ids: Iterable[int], size: int) -> str:
    """The explorer's ``highlight`` value: one ``"1"``/``"0"`` per point id, ``""`` for none chosen.

    A string rather than a list of ids because each point tests its own character: constant time
    per point, where ``indexof`` over a list of ids is quadratic and stalls 20,000 points.

    >>> highlight_mask([1, 3], 5)
    '01010'
    >>> highlight_mask([], 5)
    ''
    """
    chosen = bytearray(b"0" * size)
    for i in ids:
        chosen[i] = ord("1")
    return chosen.decode() if b"1" in chosen else ""
