"""The report's chart builders: their specs, for single labels and label sets, and which a report shows."""

from __future__ import annotations

import pandas as pd

from nbtrain.data.load import load
from nbtrain.data.report import check
from nbtrain.viz.report_charts import (
    cooccurrence_heatmap,
    label_distribution,
    labels_per_row_histogram,
)
from nbtrain.viz.report_charts import (
    report_charts as charts_of,
)
from nbtrain.viz.report_html import render_report_html


def values(chart) -> list[dict]:
    return chart.to_dict()["data"]["values"]


def test_label_frequency_is_a_share_of_the_split_rows_for_both_tasks():
    single = pd.DataFrame({"split": ["train", "train", "test"], "label": ["a", "b", "a"], "count": [8, 2, 3]})
    assert [v["share"] for v in values(label_distribution(single))] == [0.8, 0.2, 1.0]
    # Label sets: 10 training rows, 8 carry a and 6 carry b, so the shares add up past 100%.
    sets = pd.DataFrame({"split": ["train", "train"], "label": ["a", "b"], "count": [8, 6]})
    spec = label_distribution(sets, {"train": 10}).to_dict()
    assert [v["share"] for v in spec["data"]["values"]] == [0.8, 0.6]
    assert spec["encoding"]["x"]["title"] == "share of the split's rows"
    assert spec["title"] == "Label frequency per split"


def test_labels_per_row_bars_by_split():
    per_row = pd.DataFrame({"split": ["train", "train", "validation"], "labels": [0, 1, 1], "rows": [1, 3, 2]})
    spec = labels_per_row_histogram(per_row).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert (spec["encoding"]["x"]["type"], spec["encoding"]["xOffset"]["field"]) == ("ordinal", "split")
    assert [v["share"] for v in spec["data"]["values"]] == [0.25, 0.75, 1.0]


def test_cooccurrence_heatmap_shows_conditional_shares_without_the_diagonal():
    pairs = pd.DataFrame({"label_a": ["a", "a", "b", "b"], "label_b": ["a", "b", "a", "b"], "rows": [4, 2, 2, 8]})
    spec = cooccurrence_heatmap(pairs).to_dict()
    assert spec["mark"]["type"] == "rect"
    assert [(v["label_a"], v["label_b"], v["share"]) for v in spec["data"]["values"]] == [("a", "b", 0.5), ("b", "a", 0.25)]
    assert spec["encoding"]["color"]["scale"]["domain"] == [0, 1]


def test_cooccurrence_heatmap_keeps_the_most_frequent_labels():
    names = [f"l{i}" for i in range(5)]
    pairs = pd.DataFrame([(a, b, 10 - i if a == b else 1) for i, a in enumerate(names) for b in names], columns=["label_a", "label_b", "rows"])
    spec = cooccurrence_heatmap(pairs, max_labels=3).to_dict()
    assert {v["label_a"] for v in spec["data"]["values"]} == {"l0", "l1", "l2"}
    assert spec["title"] == "Labels together (the 3 most frequent of 5)"


def test_a_report_of_label_sets_has_the_two_extra_charts_in_its_page():
    frame = pd.DataFrame({"text": [f"text number {i}" for i in range(30)], "label": [["a"], ["a", "b"], []] * 10})
    report = check(load(frame))
    assert list(charts_of(report)) == ["labels", "lengths", "labels_per_row", "cooccurrence"]
    page = render_report_html(report)
    assert "Labels per row" in page
    assert "Labels together" in page
    single = check(load(pd.DataFrame({"text": [f"text number {i}" for i in range(30)], "label": ["a", "b", "c"] * 10})))
    assert list(charts_of(single)) == ["labels", "lengths"]
