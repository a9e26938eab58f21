"""Pure chart builders: encodings, tooltips, shapes by split, 20,000 inline points, sampling."""

from __future__ import annotations

import doctest
import io

import numpy as np
import pandas as pd
import pytest

from nbtrain.viz import charts
from nbtrain.viz.charts import (
    MAX_POINTS,
    color_encoding,
    embedding_scatter,
    explorer_pair,
    explorer_scatter,
    sample_points,
    with_predictions,
)


def rows(n: int = 6, seed: int = 0) -> pd.DataFrame:
    """Comparison-like rows: two labels, each model's prediction, validation then test."""
    rng = np.random.default_rng(seed)
    label = np.where(np.arange(n) % 3 == 0, "billing", "delivery")
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "y": rng.normal(size=n),
            "id": range(n),
            "text": [f"text {i}" for i in range(n)],
            "label": label,
            "baseline_label": "billing",
            "baseline_confidence": 0.5,
            "trained_label": label,
            "trained_confidence": 0.9,
            "split": ["validation"] * (n // 2) + ["test"] * (n - n // 2),
        }
    )


def scatter(points: pd.DataFrame, **kwargs) -> dict:
    return explorer_scatter(points, title="t", x_domain=(-3, 3), y_domain=(-3, 3), **kwargs).to_dict()


def data_of(spec: dict) -> pd.DataFrame:
    """The rows a spec carries inline (as CSV)."""
    assert spec["data"]["format"]["type"] == "csv"
    return pd.read_csv(io.StringIO(spec["data"]["values"]), keep_default_na=False)


def test_docstring_examples_run():
    assert doctest.testmod(charts).failed == 0


def test_each_plot_shows_its_own_models_prediction_and_whether_it_is_right():
    base = with_predictions(rows(), "baseline")
    trained = with_predictions(rows(), "trained")
    assert base["prediction"].tolist() == ["billing"] * 6
    assert base["correct"].tolist() == ["correct", "wrong", "wrong", "correct", "wrong", "wrong"]
    assert set(trained["correct"]) == {"correct"}
    assert base["confidence"].tolist() == [0.5] * 6


@pytest.mark.parametrize(
    ("color_by", "field", "domain"),
    [
        ("label", "label", ["billing", "delivery"]),
        ("prediction", "prediction", ["billing", "delivery"]),
        ("correct", "correct", ["correct", "wrong"]),
        ("split", "split", ["validation", "test"]),
    ],
)
def test_colour_modes_encode_their_column_with_a_fixed_domain(color_by, field, domain):
    spec = scatter(with_predictions(rows(), "baseline"), color_by=color_by, labels=["billing", "delivery"])
    color = spec["encoding"]["color"]
    # Points outside the highlight turn grey, whatever the colouring.
    assert color["condition"]["test"].startswith("length(highlight) == 0")
    assert color["value"] == "lightgray"
    assert color["condition"]["field"] == field
    assert color["condition"]["scale"]["domain"] == domain


def test_label_colours_follow_the_given_label_order_in_both_modes():
    points = with_predictions(rows(), "baseline")
    labels = ["delivery", "billing", "technical"]
    for mode in ("label", "prediction"):
        assert color_encoding(points, mode, labels).to_dict()["scale"]["domain"] == labels


def test_colouring_by_a_missing_column_says_which():
    with pytest.raises(ValueError, match="'prediction' column"):
        color_encoding(rows()[["x", "y", "id", "label"]], "prediction")


def test_tooltips_show_text_label_prediction_confidence_and_split():
    spec = scatter(with_predictions(rows(), "trained"))
    tooltips = {t["field"]: t for t in spec["encoding"]["tooltip"]}
    assert list(tooltips) == ["text", "label", "prediction", "confidence", "split"]
    assert tooltips["confidence"]["format"] == ".2f"


def test_test_rows_get_their_own_shape():
    spec = scatter(with_predictions(rows(), "trained"))
    shape = spec["encoding"]["shape"]
    assert shape["field"] == "split"
    assert shape["scale"] == {"domain": ["validation", "test"], "range": ["circle", "triangle-up"]}
    assert spec["mark"]["type"] == "point"
    assert "shape" not in scatter(rows().assign(split="validation"))["encoding"]
    assert embedding_scatter(rows(), brush=False).to_dict()["encoding"]["shape"]["field"] == "split"


def test_the_chart_carries_only_the_columns_it_uses_and_short_texts():
    points = with_predictions(rows(), "trained").assign(text="word " * 100)
    data = data_of(scatter(points))
    assert set(data.columns) == {"x", "y", "id", "text", "label", "prediction", "confidence", "split"}
    assert data["text"].str.len().max() <= 160


def test_coordinates_reach_the_browser_exactly():
    points = rows()
    data = data_of(scatter(points))
    assert data["x"].tolist() == points["x"].tolist()


def test_params_are_the_brush_and_the_highlight_and_a_brush_can_be_redrawn():
    spec = scatter(rows(), highlight="010000", brush_value={"x": [0, 1], "y": [2, 3]})
    params = {p["name"]: p for p in spec["params"]}
    assert params["highlight"]["value"] == "010000"
    assert params["brush"]["select"] == {"type": "interval", "encodings": ["x", "y"]}
    assert params["brush"]["value"] == {"x": [0.0, 1.0], "y": [2.0, 3.0]}
    assert "value" not in {p["name"]: p for p in scatter(rows())["params"]}["brush"]


def test_twenty_thousand_points_are_all_drawn_without_altairs_row_limit():
    points = rows(20_000)
    spec = scatter(points)  # a DataFrame this size would raise MaxRowsError
    assert len(data_of(spec)) == 20_000
    assert "subtitle" not in spec.get("title", {})


def test_above_the_limit_a_stratified_sample_is_drawn_and_the_subtitle_says_so():
    n = MAX_POINTS + 10_000
    points = rows(n)
    spec = scatter(points)
    shown = data_of(spec)
    assert len(shown) == pytest.approx(MAX_POINTS, abs=2)
    assert spec["title"]["subtitle"].startswith(f"Showing {len(shown):,} of {n:,} points")
    share = (shown["label"] == "billing").mean()
    assert share == pytest.approx((points["label"] == "billing").mean(), abs=1e-3)


def test_sampling_is_seeded_keeps_order_and_every_label():
    frame = pd.DataFrame({"label": ["rare"] + ["common"] * 999, "v": range(1000)})
    once, again = sample_points(frame, limit=100), sample_points(frame, limit=100)
    assert once.index.tolist() == again.index.tolist() == sorted(once.index)
    assert "rare" in set(once["label"])
    assert len(once) == 101
    assert sample_points(frame, limit=100, seed=1).index.tolist() != once.index.tolist()
    assert sample_points(frame, limit=1000) is frame


def test_export_figure_has_both_plots_one_highlight_and_no_brush():
    points = with_predictions(rows(), "trained")
    spec = explorer_pair(points, points, color_by="correct", highlight="110000").to_dict()
    assert [p["name"] for p in spec["params"]] == ["highlight"]
    assert [view["title"] for view in spec["hconcat"]] == ["Baseline", "Trained"]
    assert all("params" not in view for view in spec["hconcat"])


def test_vega_greys_out_exactly_the_points_outside_the_highlight():
    import vl_convert as vlc

    points = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 2.0], "id": [0, 1, 2], "label": ["a", "a", "b"]})
    spec = explorer_scatter(points, title="t", x_domain=(0, 2), y_domain=(0, 2), highlight="010").to_dict()
    svg = vlc.vegalite_to_svg(spec)
    marks = [line for line in svg.split("<path") if 'aria-roledescription="point"' in line]
    assert len(marks) == 3
    assert sum('fill="lightgray"' in m for m in marks) == 2
