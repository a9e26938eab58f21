"""A person's edits: relabel, drop, restore, reviewed; each recorded, undoable and replayable."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import nbtrain
from nbtrain.data.errors import DataError


def frame(n: int = 8) -> pd.DataFrame:
    rows = [(f"alpha text {i}", "a") for i in range(n)] + [(f"beta text {i}", "b") for i in range(n)]
    return pd.DataFrame(rows, columns=["text", "label"])


@pytest.fixture
def dataset(tmp_path):
    path = tmp_path / "train.csv"
    frame().to_csv(path, index=False)
    validation = tmp_path / "val.csv"
    pd.DataFrame([("alpha held out", "a"), ("beta held out", "b")], columns=["text", "label"]).to_csv(validation, index=False)
    return nbtrain.load(path, validation=validation)


def test_relabel_changes_only_the_named_rows_and_records_before_and_after(dataset):
    rows = dataset.train[dataset.train["text"].isin(["alpha text 1", "alpha text 2"])]
    new = dataset.relabel(rows, "b", reason="they are about beta", who="ana")
    assert new.train.set_index("text").loc[["alpha text 1", "alpha text 2"], "label"].tolist() == ["b", "b"]
    assert (new.train["label"] == "b").sum() == (dataset.train["label"] == "b").sum() + 2
    trail = new.history[-1]
    assert trail.name == "relabel"
    assert (trail.who, trail.reason) == ("ana", "they are about beta")
    assert trail.changes[["split", "row", "action", "before", "after"]].values.tolist() == [
        ["train", 3, "relabelled", "a", "b"],
        ["train", 4, "relabelled", "a", "b"],
    ]
    assert dataset.train.equals(dataset.train), "the given dataset is untouched"
    assert (dataset.train["label"] == "a").sum() == 8
    assert new.undo() is dataset


def test_drop_keeps_the_rows_with_their_reason_and_restore_brings_them_back(dataset):
    rows = dataset.train.head(2)
    dropped = dataset.drop(rows, reason="spam")
    assert len(dropped.train) == len(dataset.train) - 2
    assert dropped.dropped[["row", "reason"]].values.tolist() == [[2, "removed by drop: spam"], [3, "removed by drop: spam"]]
    back = dropped.restore(dropped.dropped.head(1))
    assert len(back.train) == len(dataset.train) - 1
    assert back.train["row"].tolist() == sorted(back.train["row"]), "restored rows return to file order"
    assert [t.name for t in back.history] == ["drop", "restore"]


def test_reviewed_rows_change_no_data_but_are_listed(dataset):
    rows = dataset.train.tail(3)
    new = dataset.mark_reviewed(rows).relabel(dataset.train.head(1), "b")
    assert new.train["text"].tolist() == dataset.train["text"].tolist()
    decided = new.reviewed()
    assert sorted(decided["row"].tolist()) == sorted([*rows["row"], dataset.train["row"].iloc[0]])
    assert set(decided["action"]) == {"reviewed", "relabelled"}


def test_edits_name_rows_by_file_line_and_refuse_rows_that_are_not_there(dataset):
    with pytest.raises(DataError, match="not among the training, validation or test rows"):
        dataset.relabel(pd.DataFrame({"source": ["train.csv"], "row": [999]}), "b")
    with pytest.raises(DataError, match="'source' and 'row'"):
        dataset.relabel(pd.DataFrame({"text": ["x"]}), "b")


def test_an_edit_that_would_leave_one_label_is_refused(dataset):
    with pytest.raises(DataError, match="fewer than 2 training labels"):
        dataset.relabel(dataset.train, "a")


def test_held_out_rows_cannot_get_a_label_training_never_saw(dataset):
    with pytest.raises(DataError, match="validation rows would carry labels no training row has"):
        dataset.relabel(dataset.validation.assign(split="validation").head(1), "c")


def test_a_selection_with_extra_columns_works_as_it_is(dataset):
    selection = dataset.train.head(2).assign(split="train", x=0.1, y=0.2, baseline_label="a")
    assert len(dataset.drop(selection).train) == len(dataset.train) - 2


def test_the_history_is_saved_and_replayed_on_a_fresh_load(dataset, tmp_path):
    edited = dataset.relabel(dataset.train.head(1), "b", reason="wrong").drop(dataset.train.tail(1)).fix("drop_exact_duplicates")
    path = edited.save_history(tmp_path / "edits.json")
    assert json.loads(path.read_text())["format"] == 1
    again = nbtrain.load(tmp_path / "train.csv", validation=tmp_path / "val.csv", history=path)
    assert again.version == edited.version
    assert [t.name for t in again.history] == ["relabel", "drop", "drop_exact_duplicates"]
    assert again.history[0].reason == "wrong"
    assert len(again.dropped) == len(edited.dropped)


def test_the_changes_table_lists_every_change_with_who_and_when(dataset):
    edited = dataset.relabel(dataset.train.head(2), "b", who="ana").drop(dataset.train.tail(1), who="ben")
    table = edited.changes()
    assert table[["edit", "name", "who", "action"]].values.tolist() == [
        [0, "relabel", "ana", "relabelled"],
        [0, "relabel", "ana", "relabelled"],
        [1, "drop", "ben", "removed"],
    ]
    assert table["when"].str.match(r"\d{4}-\d\d-\d\dT").all()


def test_the_version_follows_the_data(dataset):
    assert dataset.version == dataset.mark_reviewed(dataset.train.head(1)).version
    assert dataset.version != dataset.relabel(dataset.train.head(1), "b").version


def test_removed_labels_follow_a_merge(tmp_path):
    rows = frame(6)
    rows.loc[len(rows)] = ["alpha odd one", "A "]
    path = tmp_path / "t.csv"
    rows.to_csv(path, index=False)
    ds = nbtrain.load(path)
    assert ds.removed_labels == {"A ": 1}
    assert nbtrain.fix(ds, "merge_label_variants").removed_labels == {}


def test_newly_labelled_texts_are_added_to_training_and_replayed(dataset, tmp_path):
    new = dataset.add(["gamma one", "gamma two"], ["a", "b"], reason="labelled next")
    added = new.train[new.train["source"] == "labelled in nbtrain"]
    assert added[["text", "label", "row"]].values.tolist() == [["gamma one", "a", 1], ["gamma two", "b", 2]]
    more = new.add(["gamma three"], ["a"])
    assert more.train["row"].iloc[-1] == 3
    path = more.save_history(tmp_path / "edits.json")
    again = nbtrain.load(tmp_path / "train.csv", validation=tmp_path / "val.csv", history=path)
    assert again.version == more.version
    with pytest.raises(DataError, match="empty"):
        dataset.add([" "], ["a"])
