"""The explorer: a brush value arriving from the front end selects exactly the rows inside it."""

from __future__ import annotations

import pandas as pd
from altair.utils.selection import IntervalSelection

from nbtrain.viz.selection import rows_in_interval
from nbtrain.widgets.explorer import EmbeddingExplorer


def points() -> tuple[pd.DataFrame, pd.DataFrame]:
    base = pd.DataFrame(
        {"x": [0.0, 1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0, 3.0], "text": list("abcd"), "label": ["p", "p", "q", "q"]}
    )
    trained = base.assign(x=[3.0, 2.0, 1.0, 0.0], y=[0.0, 0.0, 5.0, 5.0])
    return base, trained


def brush(chart, value):
    """Set a brush the way JupyterChart does when the front end reports one."""
    chart.selections._set_value("brush", IntervalSelection(name="brush", value=value, store=[]))


def test_brush_in_baseline_selects_rows_and_highlights_them_in_both_plots():
    explorer = EmbeddingExplorer(*points())
    seen = []
    explorer.on_select.append(seen.append)
    brush(explorer.charts["baseline"], {"x": [0.5, 2.5], "y": [0.5, 2.5]})
    assert explorer.selected["text"].tolist() == ["b", "c"]
    assert explorer.charts["baseline"].params.highlight == [1, 2]
    assert explorer.charts["trained"].params.highlight == [1, 2]
    assert "2 selected" in explorer.table.value
    assert seen[-1]["text"].tolist() == ["b", "c"]


def test_brush_in_trained_plot_uses_the_trained_coordinates():
    explorer = EmbeddingExplorer(*points())
    brush(explorer.charts["trained"], {"x": [-1, 1.5], "y": [4, 6]})
    assert explorer.selected["text"].tolist() == ["c", "d"]
    assert explorer.charts["baseline"].params.highlight == [2, 3]


def test_clearing_the_brush_clears_the_selection():
    explorer = EmbeddingExplorer(*points())
    brush(explorer.charts["baseline"], {"x": [0, 3], "y": [0, 3]})
    brush(explorer.charts["baseline"], {})
    assert explorer.selected.empty
    assert explorer.charts["trained"].params.highlight == []


def test_rows_in_interval_bounds_are_inclusive_and_order_free():
    frame = points()[0]
    assert rows_in_interval(frame, {"x": [2, 1], "y": [1, 2]})["text"].tolist() == ["b", "c"]
    assert rows_in_interval(frame, {}).empty
