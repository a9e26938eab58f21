"""Fixes: each returns a new dataset and an audit trail naming every row changed; nothing is lost."""

from __future__ import annotations

import pandas as pd
import pytest

from nbtrain.data.clean import (
    FIXES,
    apply_fix,
    collapse_near_duplicates,
    drop_exact_duplicates,
    fix,
    merge_label_variants,
    normalise_whitespace,
    remove_leaked_rows,
    resolve_conflicting_labels,
    strip_html_and_urls,
)
from nbtrain.data.dataset import REASON_RARE_LABEL, REASON_UNKNOWN_LABEL
from nbtrain.data.errors import DataError
from nbtrain.data.load import load

BASE_A = [f"alpha text number {i}" for i in range(6)]
BASE_B = [f"beta text number {i}" for i in range(6)]


def frame(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["text", "label"])


def dataset(extra_train=(), validation=(), test=()):
    """Train rows 0-11 are clean; ``extra_train`` follows from row 12."""
    train = frame([(t, "a") for t in BASE_A] + [(t, "b") for t in BASE_B] + list(extra_train))
    val = frame([("alpha held out", "a"), ("beta held out", "b"), *validation])
    return load(train, val, frame(list(test)) if test else None)


def test_drop_exact_duplicates_keeps_the_first_and_leaves_conflicts():
    ds = dataset(extra_train=[("alpha text number 1", "a"), ("alpha text number 1", "a"), ("alpha text number 2", "b")])
    new = drop_exact_duplicates(ds)
    trail = new.history[-1]
    assert trail.changes[["split", "row", "action", "detail"]].values.tolist() == [
        ["train", 12, "removed", "repeats row 1"],
        ["train", 13, "removed", "repeats row 1"],
    ]
    assert len(new.train) == len(ds.train) - 2
    assert "alpha text number 2" in set(new.train.loc[new.train["label"] == "b", "text"])
    assert trail.summary == "drop_exact_duplicates: 2 rows removed"


def test_fixes_never_modify_the_given_dataset_and_keep_removed_rows():
    ds = dataset(extra_train=[("alpha text number 1", "a")])
    before = ds.train.copy()
    new = drop_exact_duplicates(ds)
    trail = new.history[-1]
    pd.testing.assert_frame_equal(ds.train, before)
    assert len(ds.dropped) == 0
    assert new.dropped[["split", "row", "reason"]].values.tolist() == [["train", 12, "removed by drop_exact_duplicates"]]
    assert trail.removed[["split", "row", "text", "label"]].values.tolist() == [["train", 12, "alpha text number 1", "a"]]
    assert new.history == (trail,), "the fix is the new dataset's history"
    assert new.undo() is ds


def test_removed_rows_can_be_exported(tmp_path):
    trail = drop_exact_duplicates(dataset(extra_train=[("alpha text number 1", "a")])).history[-1]
    path = trail.export_removed(tmp_path / "removed.csv")
    assert pd.read_csv(path)[["row", "text"]].values.tolist() == [[12, "alpha text number 1"]]


def test_collapse_near_duplicates_keeps_the_first_of_each_group_and_label():
    ds = dataset(extra_train=[("Alpha text number 1!", "a"), ("ALPHA TEXT NUMBER 1", "b"), ("beta  text number 3.", "b")])
    new = collapse_near_duplicates(ds)
    trail = new.history[-1]
    assert trail.changes[["row", "detail"]].values.tolist() == [[12, "near duplicate of row 1"], [14, "near duplicate of row 9"]]
    assert "ALPHA TEXT NUMBER 1" in set(new.train["text"])


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("majority", [[13, "removed"], [14, "removed"], [15, "relabelled"]]),
        ("drop", [[1, "removed"], [12, "removed"], [13, "removed"], [14, "removed"], [15, "removed"]]),
    ],
)
def test_resolve_conflicting_labels(strategy, expected):
    # "alpha text number 1" is a, a, b (rows 1, 12, 15): majority a. "extra tie" is a vs b: no majority.
    ds = dataset(extra_train=[("alpha text number 1", "a"), ("extra tie", "a"), ("extra tie", "b"), ("alpha text number 1", "b")])
    new = resolve_conflicting_labels(ds, strategy=strategy)
    trail = new.history[-1]
    assert trail.changes.sort_values("row")[["row", "action"]].values.tolist() == expected
    assert new.train.groupby("text")["label"].nunique().max() == 1
    if strategy == "majority":
        assert trail.changes.loc[trail.changes["action"] == "relabelled", ["before", "after"]].values.tolist() == [["b", "a"]]


def test_strip_html_and_urls_decodes_entities_and_removes_tags_and_urls():
    ds = dataset(
        extra_train=[("Tom &amp; Jerry <b>rock</b>", "a"), ("see https://x.io/y now", "b"), ("it#39;s quot;fine quot;", "a")],
        test=[("<br/>", "a"), ("beta clean", "b")],
    )
    new = strip_html_and_urls(ds)
    trail = new.history[-1]
    edits = trail.changes[trail.changes["action"] == "edited"]
    assert edits[["split", "row", "after"]].values.tolist() == [
        ["train", 12, "Tom & Jerry rock"], ["train", 13, "see now"], ["train", 14, "it's \"fine \""], ["test", 0, ""],
    ]  # fmt: skip
    assert trail.removed[["split", "row"]].values.tolist() == [["test", 0]]
    assert new.test is not None
    assert new.test["text"].tolist() == ["beta clean"]


def test_normalise_whitespace_collapses_runs_and_trims():
    ds = dataset(extra_train=[("  spaced \t out  ", "a")])
    new = normalise_whitespace(ds)
    trail = new.history[-1]
    assert trail.changes[["row", "before", "after"]].values.tolist() == [[12, "  spaced \t out  ", "spaced out"]]
    assert "spaced out" in set(new.train["text"])


def test_merge_label_variants_renames_and_restores_rows_set_aside_at_load():
    ds = dataset(
        extra_train=[("gamma one", "A "), ("gamma two", "A")],
        validation=[("alpha spelled oddly", "a "), ("alpha in caps", "A")],
    )
    assert set(ds.dropped["reason"]) == {REASON_RARE_LABEL.format(n=5), REASON_UNKNOWN_LABEL}
    new = merge_label_variants(ds)
    trail = new.history[-1]
    assert trail.changes.sort_values(["split", "row"])[["split", "row", "action", "before", "after"]].values.tolist() == [
        ["train", 12, "restored", "A ", "a"],
        ["train", 13, "restored", "A", "a"],
        ["validation", 2, "restored", "a ", "a"],
        ["validation", 3, "restored", "A", "a"],
    ]
    assert new.labels == ("a", "b")
    assert len(new.dropped) == 0
    assert new.train["row"].tolist() == list(range(14))


def test_merge_label_variants_respells_each_label_of_a_label_set_and_restores_set_aside_rows():
    rows = [(f"alpha text number {i}", ["joy"] if i % 3 else ["anger", "joy"]) for i in range(30)]
    rows += [(f"beta text {i}", ["Joy ", "anger"]) for i in range(6)]  # a spelling of its own
    rows += [(f"gamma text {i}", ["ANGER"]) for i in range(2)]  # too rare alone: set aside at load
    ds = load(pd.DataFrame({"text": [t for t, _ in rows], "label": [ls for _, ls in rows]}))
    assert ds.task == "multi_label"
    assert set(ds.labels) == {"Joy", "anger", "joy"}, "labels are trimmed at load, not case-folded"
    assert len(ds.dropped) == 2

    merged = merge_label_variants(ds)

    assert merged.labels == ("anger", "joy")
    every = pd.concat([merged.train, merged.validation])
    beta = every[every["text"].str.startswith("beta")]
    assert set(beta["label"]) == {("anger", "joy")}, "each label respelt, the set kept sorted"
    gamma = every[every["text"].str.startswith("gamma")]
    assert len(gamma) == 2, "rows set aside at load come back"
    assert set(gamma["label"]) == {("anger",)}
    assert merged.dropped.empty
    changes = merged.history[-1].changes
    assert sorted(changes["action"].value_counts().items()) == [("relabelled", 6), ("restored", 2)]


def test_remove_leaked_rows_removes_normalised_copies_still_in_the_data():
    ds = dataset(validation=[("Alpha text number 3!", "a")], test=[("BETA TEXT NUMBER 4", "b"), ("beta held out.", "b"), ("new", "a")])
    new = remove_leaked_rows(ds)
    trail = new.history[-1]
    assert trail.changes[["split", "row", "detail"]].values.tolist() == [
        ["validation", 2, "normalised copy of train row 3"],
        ["test", 0, "normalised copy of train row 10"],
        ["test", 1, "normalised copy of validation row 1"],
    ]
    assert new.test is not None
    assert new.test["text"].tolist() == ["new"]


def test_a_fix_that_would_leave_no_validation_is_refused():
    ds = dataset(validation=[])
    ds = load(ds.train[["text", "label"]], frame([("Alpha text number 3", "a"), ("beta text number 3", "b")]))
    with pytest.raises(DataError, match="no validation rows"):
        remove_leaked_rows(ds)


def test_fix_runs_a_fix_by_name_and_rejects_unknown_names():
    ds = dataset(extra_train=[("alpha text number 1", "a")])
    assert fix(ds, "drop_exact_duplicates").history[-1].name == "drop_exact_duplicates"
    assert ds.fix("drop_exact_duplicates").history[-1].summary == "drop_exact_duplicates: 1 row removed"
    with pytest.raises(ValueError, match="unknown fix 'make_it_better'"):
        fix(ds, "make_it_better")


def test_apply_fix_keeps_its_old_shape():
    ds = dataset(extra_train=[("alpha text number 1", "a")])
    assert apply_fix(ds, "drop_exact_duplicates")[1].fix == "drop_exact_duplicates"
    assert set(FIXES) >= {"drop_exact_duplicates", "remove_leaked_rows", "merge_label_variants"}
    with pytest.raises(ValueError, match="unknown fix"):
        apply_fix(ds, "make_it_better")


def test_audit_trail_to_dict_is_plain_data():
    trail = drop_exact_duplicates(dataset(extra_train=[("alpha text number 1", "a")])).history[-1]
    out = trail.to_dict()
    assert out["name"] == "drop_exact_duplicates"
    assert out["when"]
    assert "who" in out
    assert out["changes"][0]["row"] == 12


def test_drop_conflicting_texts_is_its_own_fix_in_the_trail():
    ds = dataset(extra_train=[("extra tie", "a"), ("extra tie", "b")])
    new, trail = apply_fix(ds, "drop_conflicting_texts")
    assert trail.fix == "drop_conflicting_texts"
    assert trail.removed["row"].tolist() == [12, 13]
    assert "extra tie" not in set(new.train["text"])
