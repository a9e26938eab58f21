"""Size, balance and label-hygiene checks on hand-built frames: the exact rows found."""

from __future__ import annotations

import pandas as pd
import pytest

from nbtrain.data.checks import (
    check_class_balance,
    check_label_variants,
    check_missing_labels,
    check_rare_labels,
    check_size,
    check_unknown_labels,
)
from nbtrain.data.dataset import REASON_NO_LABEL, REASON_RARE_LABEL, REASON_UNKNOWN_LABEL
from nbtrain.task import MULTI_LABEL


def labelled(counts: dict[str, int]) -> pd.DataFrame:
    labels = [label for label, n in counts.items() for _ in range(n)]
    return pd.DataFrame(
        {"split": "train", "source": "f.csv", "row": range(2, len(labels) + 2),
         "text": [f"text {i}" for i in range(len(labels))], "label": labels}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("counts", "severity", "listed"),
    [
        ({"a": 100, "b": 100}, "error", 200),
        ({"a": 200, "b": 200}, "warning", 400),
        ({"a": 300, "b": 300}, "ok", 0),
        ({"a": 590, "b": 10}, "warning", 10),
    ],
)
def test_size_thresholds(counts, severity, listed):
    finding = check_size(labelled(counts))
    assert (finding.severity, finding.count) == (severity, listed)


def test_size_lists_the_rows_of_labels_under_the_threshold():
    finding = check_size(labelled({"a": 590, "b": 10}), min_per_label=20)
    assert finding.rows["row"].tolist() == list(range(592, 602))
    assert set(finding.rows["label_count"]) == {10}
    assert "'b' (10)" in finding.message


def test_class_balance_names_the_starved_labels_and_their_rows():
    finding = check_class_balance(labelled({"a": 9, "b": 6, "c": 2}))
    assert finding.severity == "warning"
    assert finding.rows["row"].tolist() == [17, 18]
    assert finding.rows["label"].tolist() == ["c", "c"]
    assert "4.5× the examples of the smallest (9 vs 2)" in finding.message


@pytest.mark.parametrize(("counts", "severity"), [({"a": 10, "b": 10}, "ok"), ({"a": 20, "b": 10}, "info"), ({"a": 30, "b": 10}, "warning")])
def test_class_balance_severity_follows_the_ratio(counts, severity):
    assert check_class_balance(labelled(counts)).severity == severity


def test_label_variants_groups_case_space_and_number_format(make_rows):
    rows = make_rows(
        ("train", 2, "t1", "Positive"),
        ("train", 3, "t2", "positive "),
        ("train", 4, "t3", "positive"),
        ("train", 5, "t4", "positive"),
        ("train", 6, "t5", "1"),
        ("validation", 2, "t6", "1.0"),
        ("train", 7, "t7", "negative"),
    )
    finding = check_label_variants(rows)
    assert finding.severity == "error"
    assert finding.fix == "merge_label_variants"
    # only the rows a merge would respell are listed
    assert finding.rows[["split", "row", "label", "suggested"]].values.tolist() == [
        ["train", 2, "Positive", "positive"], ["train", 3, "positive ", "positive"], ["validation", 2, "1.0", "1"],
    ]  # fmt: skip
    assert "2 labels spelled more than one way (3 rows to respell)" in finding.message


def test_a_variant_set_aside_at_load_is_still_a_variant():
    import nbtrain

    ds = nbtrain.load(nbtrain.sample_path())
    finding = nbtrain.check(ds).finding("label_variants")
    assert finding.rows[["row", "label", "suggested", "status"]].values.tolist() == [[267, "Negative", "negative", "set aside at load"]]
    assert finding.severity == "warning", "nothing in the data is misspelt; the set-aside row can come back"
    assert finding.fix == "merge_label_variants"


def test_label_variants_ok_when_labels_are_distinct(make_rows):
    rows = make_rows(("train", 2, "a", "pos"), ("train", 3, "b", "neg"))
    assert check_label_variants(rows).severity == "ok"


def dropped_rows(*rows: tuple[str, int, str, str, str]) -> pd.DataFrame:
    split, row, text, label, reason = zip(*rows, strict=True)
    return pd.DataFrame({"split": split, "source": "f.csv", "row": row, "text": text, "label": label, "reason": reason})


def test_rare_labels_reports_what_was_set_aside_at_load():
    rare = REASON_RARE_LABEL.format(n=5)
    gone = dropped_rows(("train", 4, "x", "odd", rare), ("train", 9, "y", "odd", rare), ("test", 3, "z", "q", REASON_UNKNOWN_LABEL))
    finding = check_rare_labels(gone)
    assert (finding.severity, finding.rows["row"].tolist()) == ("warning", [4, 9])
    assert "'odd' (2)" in finding.message
    assert finding.fix is None


def test_rare_labels_that_are_misspelt_training_labels_are_offered_the_merge():
    rare = REASON_RARE_LABEL.format(n=5)
    gone = dropped_rows(("train", 4, "x", "Delivery", rare), ("train", 9, "y", "legal", rare))
    finding = check_rare_labels(gone, pd.Series(["delivery", "billing"]))
    assert finding.rows[["row", "suggested"]].values.tolist() == [[4, "delivery"], [9, ""]]
    assert finding.fix == "merge_label_variants"


def test_unknown_labels_suggests_the_training_spelling():
    gone = dropped_rows(("validation", 5, "x", "Positive ", REASON_UNKNOWN_LABEL), ("test", 7, "y", "maybe", REASON_UNKNOWN_LABEL))
    finding = check_unknown_labels(gone, pd.Series(["positive", "negative"]))
    assert finding.rows[["split", "row", "suggested"]].values.tolist() == [["validation", 5, "positive"], ["test", 7, ""]]
    assert finding.fix == "merge_label_variants"


def test_missing_labels_lists_the_unlabelled_rows(dropped):
    assert check_missing_labels(dropped).severity == "ok"
    finding = check_missing_labels(dropped_rows(("train", 8, "no label here", "", REASON_NO_LABEL)))
    assert (finding.severity, finding.rows["row"].tolist()) == ("info", [8])


def label_sets(*labels: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        {"split": "train", "source": "f.jsonl", "row": range(1, len(labels) + 1),
         "text": [f"text {i}" for i in range(len(labels))], "label": list(labels)}
    )  # fmt: skip


def test_size_and_balance_count_positives_per_label_for_label_sets():
    rows = label_sets(*[("a", "b")] * 300, *[("a",)] * 290, *[("c",)] * 10, *[()] * 5)
    size = check_size(rows, task=MULTI_LABEL)
    assert (size.severity, size.rows["row"].tolist()) == ("warning", list(range(591, 601)))
    assert "'c' (10)" in size.message
    balance = check_class_balance(rows, task=MULTI_LABEL)
    assert "59.0× the examples of the smallest (590 vs 10)" in balance.message
    assert balance.rows["row"].tolist() == list(range(591, 601))
    assert set(balance.rows["label_count"]) == {10}


def test_size_of_a_small_set_lists_rows_without_labels_with_count_zero():
    finding = check_size(label_sets(("a",), ()), task=MULTI_LABEL)
    assert finding.rows["label_count"].tolist() == [1, 0]


def test_label_variants_in_label_sets_suggest_the_respelled_set_without_the_string_fix():
    rows = label_sets(("Sport", "news"), ("sport",), ("sport",), ("news",))
    finding = check_label_variants(rows, task=MULTI_LABEL)
    assert finding.rows[["row", "group", "suggested"]].values.tolist() == [[1, "sport", ("news", "sport")]]
    assert finding.fix is None


def test_rare_labels_of_label_sets_are_listed_without_the_string_fix():
    rare = REASON_RARE_LABEL.format(n=5)
    gone = dropped_rows(("train", 4, "x", "Delivery", rare))
    finding = check_rare_labels(gone, pd.Series(["delivery"]), task=MULTI_LABEL)
    assert finding.rows[["row", "suggested"]].values.tolist() == [[4, "delivery"]]
    assert finding.fix is None


def test_size_counts_the_training_file_as_the_summary_splits_it(make_rows):
    rows = make_rows(*[("train", i, f"t{i}", "ab"[i % 2]) for i in range(8)], *[("validation", i, f"v{i}", "ab"[i % 2]) for i in range(2)])
    assert "Only 10 training examples in the training file (8 train + 2 validation)" in check_size(rows).message
