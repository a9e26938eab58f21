"""The jupyter-scatter explorer without a browser: set the selection as a lasso does, read Python."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nbtrain
from nbtrain.widgets.edit_bar import DROPPED
from nbtrain.widgets.explorer import EmbeddingExplorer
from nbtrain.widgets.scatter_explorer import (
    ScatterExplorer,
    drawn_frame,
    label_colours,
    pick_explorer,
)
from textdata import make_texts


def compared(n: int = 8) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows as run.projections(None) gives them, labels p and q alternating."""
    labels = ["p", "q"] * (n // 2)
    rows = pd.DataFrame(
        {
            "text": [f"text {i}" for i in range(n)],
            "label": labels,
            "baseline_label": ["p"] * n,
            "baseline_confidence": np.linspace(0.5, 0.9, n),
            "trained_label": labels,
            "trained_confidence": np.linspace(0.6, 1.0, n),
            "split": ["validation", "test"] * (n // 2),
            "source": "f.csv",
            "row": range(n),
        }
    )
    return rows.assign(x=np.arange(n, dtype=float), y=0.0), rows.assign(x=0.0, y=np.arange(n, dtype=float))


def lasso(view: ScatterExplorer, name: str, positions: list[int]) -> None:
    """What the front end does at the end of a lasso: the selected point positions, as uint32."""
    view.scatters[name].widget.selection = np.asarray(positions, dtype="uint32")


def colours_of(view: ScatterExplorer, name: str) -> dict[str, int]:
    """The category codes the plot draws with (its colour domain)."""
    return dict(view.scatters[name].widget.color_domain)


def test_a_lasso_in_either_plot_selects_the_rows_in_python_and_in_the_other_plot():
    view = ScatterExplorer(*compared())
    seen = []
    view.on_select.append(seen.append)
    lasso(view, "trained", [5, 1, 2])
    assert view.selected["row"].tolist() == [1, 2, 5]
    assert view.scatters["baseline"].widget.selection.tolist() == [5, 1, 2]  # linked by compose
    assert len(seen) == 1
    assert "3 selected" in view.table.value
    assert "text 5" in view.table.value
    lasso(view, "baseline", [])
    assert view.selected.empty
    assert "lasso" in view.table.value


def test_select_from_python_selects_in_both_plots():
    view = ScatterExplorer(*compared())
    view.select(view.baseline.iloc[[0, 3]])
    assert view.selected["row"].tolist() == [0, 3]
    for scatter in view.scatters.values():
        assert scatter.widget.selection.tolist() == [0, 3]


def test_points_are_drawn_with_hover_text_and_shared_scales():
    view = ScatterExplorer(*compared())
    base, trained = (view.scatters[name].widget for name in ("baseline", "trained"))
    assert base.points.shape[0] == trained.points.shape[0] == 8
    assert base.tooltip_enable
    assert base.tooltip_preview == "text"
    assert base.data["text"].tolist()[:2] == ["text 0", "text 1"]
    assert base.x_scale_domain == trained.x_scale_domain
    assert base.y_scale_domain == trained.y_scale_domain
    assert base.legend


def test_colour_choices_and_each_plot_colours_by_its_own_models_prediction():
    view = ScatterExplorer(*compared(), color_by="prediction")
    assert [v for _, v in view.color_by.options] == ["label", "prediction", "correct", "split"]
    assert view.scatters["baseline"].widget.color_title == "prediction"
    assert set(colours_of(view, "baseline")) == {"p"}
    assert set(colours_of(view, "trained")) == {"p", "q"}
    assert view.scatters["trained"].widget.legend_encoding["color"]["variable"] == "predicted label"
    view.recolor("correct")
    assert view.scatters["trained"].widget.color_title == "correct"
    assert set(colours_of(view, "baseline")) == {"correct", "wrong"}
    assert set(colours_of(view, "trained")) == {"correct"}
    plain = ScatterExplorer(compared()[0][["x", "y", "text", "label"]], compared()[1][["x", "y", "text", "label"]])
    assert [v for _, v in plain.color_by.options] == ["label"]


def test_above_max_points_a_stratified_sample_is_drawn_with_a_visible_note():
    base, trained = compared(40)
    view = ScatterExplorer(base, trained, max_points=10)
    assert len(view.baseline) == 10
    assert view.baseline["row"].tolist() == view.trained["row"].tolist()
    assert view.baseline["label"].value_counts().to_dict() == {"p": 5, "q": 5}
    assert "Showing 10 of 40 points" in view.notice.value
    assert view.notice in view.children
    assert view.scatters["baseline"].widget.points.shape[0] == 10
    lasso(view, "baseline", [0])
    assert view.selected["row"].tolist() == view.baseline["row"].iloc[[0]].tolist()
    full = ScatterExplorer(base, trained)
    assert full.notice not in full.children


def test_label_colours_are_stable_and_dropped_rows_are_grey():
    colours = label_colours(["a", "b", DROPPED])
    assert colours == label_colours(["a", "b", DROPPED])
    assert colours[DROPPED] == "#d1d5db"
    many = label_colours([f"l{i}" for i in range(30)])
    assert len(set(many.values())) == 30
    frame = drawn_frame(pd.DataFrame({"x": [0.0], "y": [0.0], "label": [("a", "b")]}), {"label": ["a; b", DROPPED]})
    assert list(frame["label"].cat.categories) == ["a; b", DROPPED]


def editable() -> tuple[nbtrain.Dataset, pd.DataFrame, pd.DataFrame]:
    dataset = nbtrain.load(make_texts(20))
    rows = dataset.validation.assign(split="validation")
    base = rows.assign(x=np.arange(len(rows), dtype=float), y=0.0)
    return dataset, base, base.assign(x=0.0, y=np.arange(len(rows), dtype=float))


def test_relabel_and_drop_from_a_lasso_recolour_both_plots_and_undo_restores():
    dataset, base, trained = editable()
    view = ScatterExplorer(base, trained, dataset=dataset)
    assert view.edit_bar in view.children
    edits = []
    view.on_edit.append(edits.append)
    lasso(view, "baseline", [0, 1])
    new_label = next(label for label in dataset.labels if label not in set(view.selected["label"]))
    view.edit_bar.label.value = new_label
    view.edit_bar.relabel_button.click()
    edited = view.dataset
    assert edits == [edited]
    lookup = edited.validation.set_index("row")["label"]
    assert lookup.loc[base["row"].iloc[[0, 1]]].tolist() == [new_label, new_label]
    assert (lookup.drop(index=base["row"].iloc[[0, 1]]) == dataset.validation.set_index("row")["label"].drop(index=base["row"].iloc[[0, 1]])).all()
    for name in ("baseline", "trained"):
        drawn = view.scatters[name].widget
        assert drawn.data["label"].iloc[:2].tolist() == [new_label, new_label]
        code = dict(drawn.color_domain)[new_label]
        assert drawn.points[:2, 2].tolist() == [code, code]  # the colour channel the browser draws
    assert view.selected["label"].tolist() == [new_label, new_label]
    assert view.table.value.count(new_label) >= 2

    view.edit_bar.drop_button.click()
    assert DROPPED in colours_of(view, "trained")
    assert view.scatters["trained"].widget.data["label"].iloc[:2].tolist() == [DROPPED, DROPPED]
    view.edit_bar.undo_button.click()
    view.edit_bar.undo_button.click()
    assert view.dataset is dataset
    assert view.scatters["baseline"].widget.data["label"].tolist() == base["label"].tolist()
    assert DROPPED not in colours_of(view, "baseline")


def test_without_a_dataset_no_edit_bar_and_editing_needs_row_names():
    view = ScatterExplorer(*compared())
    assert view.edit_bar is None
    assert view.dataset is None
    dataset, base, trained = editable()
    with pytest.raises(ValueError, match="'source' and 'row'"):
        ScatterExplorer(base.drop(columns=["row"]), trained.drop(columns=["row"]), dataset=dataset)
    with pytest.raises(ValueError, match="same rows"):
        ScatterExplorer(base, trained.iloc[:3])


def test_pick_explorer_chooses_altair_for_few_points_and_webgl_for_many(monkeypatch):
    import nbtrain.widgets.scatter_explorer as module

    assert isinstance(pick_explorer(*compared()), EmbeddingExplorer)
    monkeypatch.setattr(module, "ALTAIR_UP_TO", 4)
    assert isinstance(pick_explorer(*compared(), color_by="correct"), ScatterExplorer)


def test_a_multi_label_edit_making_a_new_label_set_gets_its_own_colour():
    base = make_texts(20)
    labels = [[label] for label in base["label"]]
    dataset = nbtrain.load(pd.DataFrame({"text": base["text"], "label": labels}))
    rows = dataset.validation.assign(split="validation")
    points = rows.assign(x=np.arange(len(rows), dtype=float), y=0.0)
    view = ScatterExplorer(points, points, dataset=dataset)
    before = colours_of(view, "baseline")
    lasso(view, "baseline", [0])
    old = view.selected["label"].iloc[0][0]
    other = next(label for label in dataset.labels if label != old)
    view.edit_bar.label.value = other
    view.edit_bar.relabel_button.click()  # "Add label": the row now has two labels
    joined = "; ".join(sorted({old, other}))
    assert view.scatters["baseline"].widget.data["label"].iloc[0] == joined
    after = colours_of(view, "baseline")
    assert joined in after
    assert all(after[name] == code for name, code in before.items() if name in after)
