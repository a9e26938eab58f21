"""The edit bar: each button is one edit of the selected rows, handed to on_edit, and undoable."""

from __future__ import annotations

import pandas as pd
import pytest

import nbtrain
from nbtrain.widgets.edit_bar import DROPPED, EditBar, change_label, current_labels, live_rows
from textdata import make_texts


@pytest.fixture
def dataset() -> nbtrain.Dataset:
    return nbtrain.load(make_texts(20))


@pytest.fixture
def multi() -> nbtrain.Dataset:
    base = make_texts(20)
    labels = [["billing"] if label == "billing" else (["delivery", "technical"] if i % 2 else [label]) for i, label in enumerate(base["label"])]
    return nbtrain.load(pd.DataFrame({"text": base["text"], "label": labels}))


def rows_of(dataset: nbtrain.Dataset, positions: list[int], split: str = "train") -> pd.DataFrame:
    return dataset.splits()[split].iloc[positions].assign(split=split)


def test_relabel_button_relabels_exactly_the_rows_shown_and_reports_the_new_dataset(dataset):
    bar = EditBar(dataset)
    seen = []
    bar.on_edit.append(seen.append)
    assert bar.relabel_button.disabled  # nothing selected yet
    chosen = rows_of(dataset, [0, 3])
    bar.show(chosen)
    bar.label.value = "technical"
    bar.reason.value = "checked by hand"
    bar.relabel_button.click()
    new = bar.dataset
    assert seen == [new]
    assert new.train.loc[[0, 3], "label"].tolist() == ["technical", "technical"]
    assert new.train.drop(index=[0, 3])["label"].tolist() == dataset.train.drop(index=[0, 3])["label"].tolist()
    assert new.history[-1].reason == "checked by hand"
    assert "relabelled" in bar.status.value
    assert not bar.undo_button.disabled


def test_drop_review_and_undo_buttons(dataset):
    bar = EditBar(dataset)
    bar.show(rows_of(dataset, [1]))
    bar.review_button.click()
    assert bar.dataset.reviewed()["row"].tolist() == [dataset.train["row"].iloc[1]]
    bar.drop_button.click()
    assert len(bar.dataset.train) == len(dataset.train) - 1
    assert bar.dataset.dropped["row"].tolist()[-1] == dataset.train["row"].iloc[1]
    bar.undo_button.click()
    assert len(bar.dataset.train) == len(dataset.train)
    bar.undo_button.click()
    assert bar.dataset is dataset
    assert bar.undo_button.disabled
    bar.undo()
    assert "Nothing to undo" in bar.status.value


def test_a_refused_edit_is_shown_and_changes_nothing(dataset):
    bar = EditBar(dataset)
    bar.show(dataset.train.assign(split="train"))
    bar.label.value = "billing"
    bar.relabel_button.click()  # one training label left: the edit would not train
    assert bar.dataset is dataset
    assert "Not applied" in bar.status.value


def test_rows_already_dropped_are_left_out_of_an_edit(dataset):
    chosen = rows_of(dataset, [0, 1])
    after_drop = dataset.drop(chosen.iloc[:1])
    assert live_rows(after_drop, chosen)["row"].tolist() == [chosen["row"].iloc[1]]
    bar = EditBar(after_drop)
    bar.show(chosen)
    bar.review_button.click()
    assert len(bar.dataset.reviewed()) == 2  # the earlier drop and this review
    assert "1 dropped row(s) in the selection left alone" in bar.status.value
    bar.show(chosen.iloc[:1])
    bar.review_button.click()
    assert "Select rows first" in bar.status.value


def test_current_labels_follow_edits_and_mark_dropped_rows(dataset):
    points = rows_of(dataset, [0, 1, 2]).reset_index(drop=True)
    edited = dataset.relabel(points.iloc[:1], "billing").drop(points.iloc[2:])
    labels = current_labels(points, edited)
    assert labels.tolist() == ["billing", points["label"].iloc[1], DROPPED]


def test_multi_label_rows_get_a_label_added_or_removed_keeping_the_others(multi):
    chosen = rows_of(multi, [0, 1, 2])
    before = chosen["label"].tolist()
    added = change_label(multi, chosen, "billing", add=True)
    assert added.train["label"].iloc[:3].tolist() == [tuple(sorted({*b, "billing"})) for b in before]
    assert len(added.history) == 1  # one edit, one undo
    removed = change_label(added, chosen, "billing", add=False)
    assert removed.train["label"].iloc[:3].tolist() == [tuple(v for v in b if v != "billing") for b in before]


def test_multi_label_bar_has_add_and_remove_buttons(multi):
    bar = EditBar(multi)
    assert bar.relabel_button.description == "Add label"
    assert bar.remove_button in bar.children[0].children
    bar.show(rows_of(multi, [0]))
    bar.label.value = "technical"
    bar.relabel_button.click()
    assert "technical" in bar.dataset.train["label"].iloc[0]
    bar.remove_button.click()
    assert "technical" not in bar.dataset.train["label"].iloc[0]
