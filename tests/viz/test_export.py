"""save_chart: PNG, SVG and standalone HTML written offline, the format taken from the suffix."""

from __future__ import annotations

import doctest

import altair as alt
import pandas as pd
import pytest

from nbtrain.viz import export
from nbtrain.viz.charts import explorer_pair, with_predictions
from nbtrain.viz.export import save_chart


@pytest.fixture(scope="module")
def chart() -> alt.HConcatChart:
    points = pd.DataFrame(
        {"x": [0.0, 1.0, 2.0], "y": [2.0, 1.0, 0.0], "id": [0, 1, 2], "label": ["a", "b", "a"], "text": ["t1", "t2", "t3"]}
    )
    points = with_predictions(points.assign(trained_label=["a", "a", "a"]), "trained")
    return explorer_pair(points, points, color_by="correct", highlight="011")


def test_docstring_examples_run():
    assert doctest.testmod(export).failed == 0


def test_png_is_a_png(chart, tmp_path):
    path = save_chart(chart, tmp_path / "figures" / "pair.png")
    assert path == tmp_path / "figures" / "pair.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_holds_every_point(chart, tmp_path):
    text = save_chart(chart, tmp_path / "pair.SVG").read_text()
    assert text.lstrip().startswith("<svg")
    assert text.count('aria-roledescription="point"') == 6


def test_html_is_standalone_and_interactive_offline(chart, tmp_path):
    page = save_chart(chart, tmp_path / "pair.html").read_text()
    assert "vegaEmbed('#chart0'" in page
    assert "cdn.jsdelivr" not in page
    assert "<script src=" not in page
    assert "<title>pair</title>" in page


def test_unknown_suffix_is_refused_before_anything_is_written(chart, tmp_path):
    with pytest.raises(ValueError, match=r"use \.png, \.svg or \.html"):
        save_chart(chart, tmp_path / "new" / "pair.jpg")
    assert not (tmp_path / "new").exists()
