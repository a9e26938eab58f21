"""The explorer: a brush value arriving from the front end selects exactly the rows inside it."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from altair.utils.selection import IntervalSelection

import nbtrain
from nbtrain.embed.separation import Separation
from nbtrain.viz.selection import rows_in_interval
from nbtrain.widgets.explorer import EmbeddingExplorer
from textdata import make_texts


def points() -> tuple[pd.DataFrame, pd.DataFrame]:
    base = pd.DataFrame(
        {"x": [0.0, 1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0, 3.0], "text": list("abcd"), "label": ["p", "p", "q", "q"]}
    )
    trained = base.assign(x=[3.0, 2.0, 1.0, 0.0], y=[0.0, 0.0, 5.0, 5.0])
    return base, trained


def compared() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows as Outcome.projections(None) gives them: both models' predictions and the split."""
    extra = {
        "baseline_label": ["q", "p", "p", "q"],
        "baseline_confidence": [0.6, 0.7, 0.55, 0.8],
        "trained_label": ["p", "p", "q", "q"],
        "trained_confidence": [0.9, 0.95, 0.9, 0.85],
        "split": ["validation", "validation", "test", "test"],
    }
    base, trained = points()
    return base.assign(**extra), trained.assign(**extra)


def brush(chart, value):
    """Set a brush the way JupyterChart does when the front end reports one."""
    chart.selections._set_value("brush", IntervalSelection(name="brush", value=value, store=[]))


def spec_of(chart) -> dict:
    return chart.chart.to_dict()


def chart_rows(chart) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(spec_of(chart)["data"]["values"]))


def test_brush_in_baseline_selects_rows_and_highlights_them_in_both_plots():
    explorer = EmbeddingExplorer(*points())
    seen = []
    explorer.on_select.append(seen.append)
    brush(explorer.charts["baseline"], {"x": [0.5, 2.5], "y": [0.5, 2.5]})
    assert explorer.selected["text"].tolist() == ["b", "c"]
    assert explorer.charts["baseline"].params.highlight == "0110"
    assert explorer.charts["trained"].params.highlight == "0110"
    assert "2 selected" in explorer.table.value
    assert seen[-1]["text"].tolist() == ["b", "c"]


def test_brush_in_trained_plot_uses_the_trained_coordinates():
    explorer = EmbeddingExplorer(*points())
    brush(explorer.charts["trained"], {"x": [-1, 1.5], "y": [4, 6]})
    assert explorer.selected["text"].tolist() == ["c", "d"]
    assert explorer.charts["baseline"].params.highlight == "0011"


def test_clearing_the_brush_clears_the_selection():
    explorer = EmbeddingExplorer(*points())
    brush(explorer.charts["baseline"], {"x": [0, 3], "y": [0, 3]})
    brush(explorer.charts["baseline"], {})
    assert explorer.selected.empty
    assert explorer.charts["trained"].params.highlight == ""


def test_rows_in_interval_bounds_are_inclusive_and_order_free():
    frame = points()[0]
    assert rows_in_interval(frame, {"x": [2, 1], "y": [1, 2]})["text"].tolist() == ["b", "c"]
    assert rows_in_interval(frame, {}).empty


def test_colour_choices_follow_the_columns_given():
    assert [v for _, v in EmbeddingExplorer(*points()).color_by.options] == ["label"]
    full = EmbeddingExplorer(*compared())
    assert [v for _, v in full.color_by.options] == ["label", "prediction", "correct", "split"]


def test_each_plot_colours_and_tooltips_with_its_own_models_prediction():
    explorer = EmbeddingExplorer(*compared(), color_by="prediction")
    base, trained = (chart_rows(explorer.charts[name]) for name in ("baseline", "trained"))
    assert base["prediction"].tolist() == ["q", "p", "p", "q"]
    assert trained["prediction"].tolist() == ["p", "p", "q", "q"]
    assert base["confidence"].tolist() == [0.6, 0.7, 0.55, 0.8]
    spec = spec_of(explorer.charts["trained"])
    assert spec["encoding"]["color"]["condition"]["field"] == "prediction"
    assert spec["encoding"]["color"]["condition"]["scale"]["domain"] == ["p", "q"]
    assert [t["field"] for t in spec["encoding"]["tooltip"]] == ["text", "label", "prediction", "confidence", "split"]
    assert spec["encoding"]["shape"]["field"] == "split"


def test_colour_switch_keeps_the_selection_and_brushing_still_works():
    explorer = EmbeddingExplorer(*compared())
    chart = explorer.charts["baseline"]
    brush(chart, {"x": [0.5, 2.5], "y": [0.5, 2.5]})
    explorer.recolor("correct")
    assert explorer.charts["baseline"] is chart  # same widget, new spec
    spec = spec_of(chart)
    assert spec["encoding"]["color"]["condition"]["field"] == "correct"
    params = {p["name"]: p for p in spec["params"]}
    assert params["highlight"]["value"] == "0110"
    assert params["brush"]["value"] == {"x": [0.5, 2.5], "y": [0.5, 2.5]}
    assert "value" not in {p["name"]: p for p in spec_of(explorer.charts["trained"])["params"]}["brush"]
    assert explorer.selected["text"].tolist() == ["b", "c"]

    # The redrawn front end reports its brushes once (the kept one, and an empty one): no change.
    brush(explorer.charts["trained"], {})
    brush(chart, {"x": [0.5, 2.5], "y": [0.5, 2.5]})
    assert explorer.selected["text"].tolist() == ["b", "c"]

    # A new brush after the switch selects through the new spec's selections.
    brush(explorer.charts["trained"], {"x": [-1, 1.5], "y": [4, 6]})
    assert explorer.selected["text"].tolist() == ["c", "d"]
    assert chart.params.highlight == "0011"
    explorer.color_by.value = "split"
    assert spec_of(explorer.charts["trained"])["encoding"]["color"]["condition"]["field"] == "split"
    brush(explorer.charts["baseline"], {})
    brush(explorer.charts["baseline"], {"x": [2.5, 3.5], "y": [2.5, 3.5]})
    assert explorer.selected["text"].tolist() == ["d"]


def test_export_button_writes_the_figure_as_chosen(tmp_path):
    explorer = EmbeddingExplorer(*compared(), export_dir=tmp_path / "figures")
    brush(explorer.charts["baseline"], {"x": [0.5, 2.5], "y": [0.5, 2.5]})
    explorer.export_format.value = "svg"
    explorer.export_button.click()
    written = tmp_path / "figures" / "embeddings-label.svg"
    marks = [m for m in written.read_text().split("<path") if 'aria-roledescription="point"' in m]
    assert len(marks) == 8
    assert sum('fill="lightgray"' in m for m in marks) == 4  # two unselected rows in each plot
    assert "Saved" in explorer.export_status.value
    assert explorer.export("png", tmp_path).name == "embeddings-label.png"


def test_export_failure_is_shown_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    explorer = EmbeddingExplorer(*points(), export_dir=blocker)
    explorer.export_button.click()
    assert "Export failed" in explorer.export_status.value


def test_separation_scores_and_their_difference_sit_under_the_plots():
    base = Separation(silhouette=0.1, knn_accuracy=0.5, k=5, n=4)
    trained = Separation(silhouette=0.35, knn_accuracy=0.5, k=5, n=4)
    explorer = EmbeddingExplorer(*points(), baseline_separation=base, trained_separation=trained, separation_split="test")
    under = [explorer.separation[name].value for name in ("baseline", "trained")]
    assert "Separation on the test rows: silhouette <b>0.100</b>" in under[0]
    assert "(+" not in under[0]
    assert "silhouette <b>0.350</b> <span style='color:#16a34a'>(+0.250)</span>" in under[1]
    assert "5-NN accuracy <b>0.500</b> <span style='color:#374151'>(+0.000)</span>" in under[1]
    assert [w.value for w in EmbeddingExplorer(*points()).separation.values()] == ["", ""]


def test_above_max_points_both_plots_show_the_same_sample_with_a_notice():
    base, trained = compared()
    explorer = EmbeddingExplorer(base, trained, max_points=2)
    assert len(explorer.baseline) == 2
    assert explorer.baseline["text"].tolist() == explorer.trained["text"].tolist()
    assert set(explorer.baseline["label"]) == {"p", "q"}
    assert "Showing 2 of 4 points" in explorer.notice.value
    assert explorer.notice in explorer.children
    plain = EmbeddingExplorer(base, trained)
    assert plain.notice not in plain.children
    assert spec_of(explorer.charts["trained"])["title"]["subtitle"].startswith("Showing 2 of 4")
    brush(explorer.charts["baseline"], {"x": [-1, 4], "y": [-1, 4]})
    assert explorer.charts["trained"].params.highlight == "11"


def test_frames_of_different_rows_are_refused():
    base, trained = points()
    with pytest.raises(ValueError, match="same rows"):
        EmbeddingExplorer(base, trained.iloc[:3])


def test_large_explorers_draw_on_canvas_and_send_a_brush_when_the_drag_pauses(monkeypatch):
    import nbtrain.widgets.explorer as explorer_module

    base, trained = compared()
    small = EmbeddingExplorer(base, trained)
    assert all(c.embed_options in (None, {}) and c.max_wait for c in small.charts.values())
    monkeypatch.setattr(explorer_module, "CANVAS_ABOVE", 3)
    large = EmbeddingExplorer(base, trained)
    for chart in large.charts.values():
        assert chart.embed_options == {"renderer": "canvas"}
        assert (chart.debounce_wait, chart.max_wait) == (200, False)
    brush(large.charts["trained"], {"x": [2.5, 3.5], "y": [-1, 1]})
    assert large.selected["text"].tolist() == ["a"]


def editable() -> tuple[nbtrain.Dataset, pd.DataFrame, pd.DataFrame]:
    """A dataset and its validation rows as the explorer gets them, on a line from (0, 0) up."""
    dataset = nbtrain.load(make_texts(20))
    rows = dataset.validation.assign(split="validation")
    base = rows.assign(x=[float(i) for i in range(len(rows))], y=[float(i) for i in range(len(rows))])
    return dataset, base, base.assign(x=base["x"][::-1].to_numpy())


def test_without_a_dataset_there_is_no_edit_bar():
    explorer = EmbeddingExplorer(*points())
    assert explorer.edit_bar is None
    assert explorer.dataset is None


def test_editing_needs_rows_that_name_their_lines():
    dataset, base, trained = editable()
    with pytest.raises(ValueError, match="'source' and 'row'"):
        EmbeddingExplorer(base.drop(columns=["source", "row"]), trained.drop(columns=["source", "row"]), dataset=dataset)


def test_relabel_from_the_explorer_edits_exactly_the_brushed_rows_and_recolours_them():
    dataset, base, trained = editable()
    explorer = EmbeddingExplorer(base, trained, dataset=dataset)
    assert explorer.edit_bar in explorer.children
    edits = []
    explorer.on_edit.append(edits.append)
    brush(explorer.charts["baseline"], {"x": [0.5, 2.5], "y": [0.5, 2.5]})
    chosen = explorer.selected[["source", "row"]].to_dict("records")
    assert len(chosen) == 2
    new_label = next(label for label in dataset.labels if label not in set(explorer.selected["label"]))
    explorer.edit_bar.label.value = new_label
    explorer.edit_bar.relabel_button.click()

    edited = explorer.dataset
    assert edits == [edited]
    changed = edited.validation.merge(dataset.validation, on=["source", "row"], suffixes=("", "_before"))
    changed = changed[changed["label"] != changed["label_before"]]
    assert changed[["source", "row"]].to_dict("records") == chosen
    assert set(changed["label"]) == {new_label}
    for name in ("baseline", "trained"):
        drawn = chart_rows(explorer.charts[name]).sort_values("id")
        assert drawn["label"].tolist()[1:3] == [new_label, new_label]
        assert drawn["label"].tolist()[3:] == base["label"].tolist()[3:]
    assert explorer.selected["label"].tolist() == [new_label, new_label]
    assert explorer.table.value.count(new_label) >= 2
    # the brush survives the redraw, and the colours keep their order
    assert {p["name"]: p for p in spec_of(explorer.charts["baseline"])["params"]}["brush"]["value"] == {"x": [0.5, 2.5], "y": [0.5, 2.5]}
    assert spec_of(explorer.charts["baseline"])["encoding"]["color"]["condition"]["scale"]["domain"] == list(dataset.labels)


def test_drop_and_undo_from_the_explorer_recolour_back():
    dataset, base, trained = editable()
    explorer = EmbeddingExplorer(base, trained, dataset=dataset)
    brush(explorer.charts["trained"], {"x": [-1, 0.5], "y": [len(base) - 1.5, len(base)]})
    assert len(explorer.selected) == 1
    explorer.edit_bar.drop_button.click()
    assert len(explorer.dataset.validation) == len(dataset.validation) - 1
    drawn = chart_rows(explorer.charts["baseline"])
    assert drawn["label"].tolist()[-1] == "(dropped)"
    assert spec_of(explorer.charts["baseline"])["encoding"]["color"]["condition"]["scale"]["domain"][-1] == "(dropped)"
    explorer.edit_bar.undo_button.click()
    assert explorer.dataset is dataset
    assert chart_rows(explorer.charts["baseline"])["label"].tolist() == base["label"].tolist()


def test_mark_reviewed_from_the_explorer_records_a_decision():
    dataset, base, trained = editable()
    explorer = EmbeddingExplorer(base, trained, dataset=dataset)
    brush(explorer.charts["baseline"], {"x": [-1, 3.5], "y": [-1, 3.5]})
    explorer.edit_bar.review_button.click()
    assert len(explorer.dataset.reviewed()) == 4
    assert explorer.dataset.train.equals(dataset.train)
