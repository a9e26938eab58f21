"""What a brush selected: from the range Vega-Lite reports to the rows of the frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
