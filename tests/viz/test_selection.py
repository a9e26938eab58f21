"""From brush ranges to rows, and from rows to the highlight both plots read."""

from __future__ import annotations

import doctest

import pandas as pd

from nbtrain.viz import selection
from nbtrain.viz.selection import highlight_mask, rows_in_interval


def test_docstring_examples_run():
    assert doctest.testmod(selection).failed == 0


def test_highlight_mask_marks_the_ids_and_is_empty_for_none():
    assert highlight_mask([0, 4], 5) == "10001"
    assert highlight_mask(pd.Series([2]), 3) == "001"
    assert highlight_mask([], 3) == ""


def test_rows_in_interval_uses_every_encoded_axis():
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [5.0, 1.0, 1.0]})
    assert rows_in_interval(frame, {"x": [0, 2], "y": [0, 2]}).index.tolist() == [1, 2]
