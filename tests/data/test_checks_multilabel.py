"""The label-set checks on hand-built frames: the exact rows found."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nbtrain.data.checks import (
    check_label_cardinality,
    check_label_frequency,
    check_label_pairs,
    check_label_set_errors,
    cooccurrence,
    set_aside_occurrences,
)
from nbtrain.data.dataset import REASON_RARE_LABEL


def sets(*rows: tuple[str, int, tuple[str, ...]]) -> pd.DataFrame:
    """A stacked frame from ``(split, row, labels)``; the text names the row."""
    split, row, label = zip(*rows, strict=True)
    return pd.DataFrame(
        {"split": list(split), "source": "f.jsonl", "row": list(row), "text": [f"text {r}" for r in row], "label": list(label)}
    )


def test_cardinality_lists_the_rows_without_labels_and_says_what_they_mean():
    rows = sets(("train", 1, ("a",)), ("train", 2, ()), ("train", 3, ("a", "b")), ("validation", 1, ()), ("train", 4, ("b",)))
    finding = check_label_cardinality(rows)
    assert finding.rows[["split", "row", "n_labels"]].values.tolist() == [["train", 2, 0], ["validation", 1, 0]]
    assert finding.severity == "info"
    assert "0 labels: 2 (40%), 1 label: 2 (40%), 2 labels: 1 (20%)" in finding.message
    assert "none of the labels" in finding.message


def test_cardinality_ok_when_every_row_has_a_label():
    finding = check_label_cardinality(sets(("train", 1, ("a",)), ("train", 2, ("a", "b"))))
    assert (finding.severity, finding.count) == ("ok", 0)


def test_label_frequency_names_labels_missing_from_validation_and_lists_shifted_rows():
    train = [("train", i, ("a",) if i < 20 else ("b",)) for i in range(40)]
    train += [("train", 40 + i, ("a", "c")) for i in range(10)]
    validation = [("validation", i, ("a",)) for i in range(8)] + [("validation", 8, ("b",))]
    test = [("test", i, ("b",)) for i in range(10)] + [("test", 10, ("a", "c"))]
    finding = check_label_frequency(sets(*train, *validation, *test), min_expected=3)
    assert finding.severity == "warning"
    assert "'c' (validation)" in finding.message
    # b: 40% of training rows, 11% of validation's and 91% of test's; a: 60% of training, 9% of test.
    assert "'b' (train 40.0%, validation 11.1%)" in finding.message
    assert finding.rows[["split", "row", "shifted"]].values.tolist() == [
        ["validation", 8, "b"], *[["test", i, "b"] for i in range(10)], ["test", 10, "a"],
    ]  # fmt: skip
    assert check_label_frequency(sets(*train, *validation, *test)).rows["row"].tolist() == [10]


def test_label_frequency_ok_when_splits_look_alike():
    rows = sets(*[(split, i, ("a",) if i % 2 else ("b",)) for split in ("train", "validation") for i in range(20)])
    assert check_label_frequency(rows).severity == "ok"


def test_label_pairs_finds_implied_and_exclusive_labels_and_lists_the_exceptions():
    rows = [("train", i, ("city", "place")) for i in range(19)] + [("train", 19, ("city",))]
    rows += [("train", 20 + i, ("place",)) for i in range(10)]
    rows += [("train", 30 + i, ("happy",)) for i in range(30)] + [("train", 60 + i, ("sad",)) for i in range(30)]
    finding = check_label_pairs(sets(*rows), min_expected=5)
    assert "'city' → 'place' (95% of 20)" in finding.message
    assert "'happy' and 'sad'" in finding.message
    assert finding.rows[["row", "pair"]].values.tolist() == [[19, "city → place"]]


def test_label_pairs_ok_for_independent_labels():
    rows = sets(*[("train", i, (("a",) if i % 2 else ()) + (("b",) if i % 3 == 0 else ())) for i in range(60)])
    assert check_label_pairs(rows).severity == "ok"


def test_cooccurrence_counts_rows_carrying_both_labels():
    counts = cooccurrence(pd.Series([("a", "b"), ("a",), ()]))
    assert counts.values.tolist() == [["a", "a", 2], ["a", "b", 1], ["b", "a", 1], ["b", "b", 1]]


def test_set_aside_occurrences_finds_the_text_even_after_the_row_moved_split():
    rows = sets(("validation", 7, ("a",)))
    dropped = pd.DataFrame({"split": ["train"], "source": "f.jsonl", "row": [9], "text": ["gone"], "label": [("rare",)], "reason": ["x"]})
    aside = pd.DataFrame({"split": "train", "source": "f.jsonl", "row": [7, 9], "label": ["rare", "rare"], "reason": REASON_RARE_LABEL.format(n=5)})
    found = set_aside_occurrences(aside, rows, dropped)
    assert found[["row", "text", "label"]].values.tolist() == [[7, "text 7", "rare"], [9, "gone", "rare"]]


def two_topics(n: int = 30, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows 0..n-1 about x (labelled a), n..2n-1 about y (labelled b), rows 2n.. about both."""
    rng = np.random.default_rng(seed)
    x = np.vstack([rng.normal([1, 0, 0], 0.05, (n, 3)), rng.normal([0, 1, 0], 0.05, (n, 3)), rng.normal([0.7, 0.7, 0], 0.05, (n, 3))])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = [("a",)] * n + [("b",)] * n + [("a", "b")] * n
    return sets(*[("train", i, label) for i, label in enumerate(labels)]), x.astype(np.float32)


def test_label_set_errors_flags_an_extra_and_a_missing_label_with_the_suggested_set():
    rows, x = two_topics()
    rows.loc[[3, 70], "label"] = pd.Series([("a", "b"), ("a",)], index=[3, 70])
    finding = check_label_set_errors(rows, x)
    listed = finding.rows.set_index("row")
    assert sorted(listed.index) == [3, 70]
    assert (listed.loc[3, "extra"], listed.loc[3, "missing"], listed.loc[3, "suggested"]) == ("b", "", ("a",))
    assert (listed.loc[70, "extra"], listed.loc[70, "missing"], listed.loc[70, "suggested"]) == ("", "b", ("a", "b"))
    assert finding.rows["score"].is_monotonic_decreasing
    assert "fold classifiers fitted" not in finding.message


def test_label_set_errors_none_on_clean_sets_and_too_few_rows():
    rows, x = two_topics()
    assert check_label_set_errors(rows, x).count == 0
    assert "not checked" in check_label_set_errors(rows.head(6), x[:6]).message


def test_label_set_errors_fit_bound_is_said_in_the_message():
    rows, x = two_topics(n=100)
    rows.loc[3, "label"] = ("a", "b")
    finding = check_label_set_errors(rows, x, max_fit_rows=60)
    assert 3 in finding.rows["row"].tolist()
    assert "each of the 5 fold classifiers fitted on a seeded stratified sample of about 60 rows; all 300 rows scored out of fold" in finding.message


def test_label_set_errors_judge_only_labels_the_classifiers_tell_apart():
    rows, x = two_topics()
    rng = np.random.default_rng(1)
    noisy = rng.random(len(rows)) < 0.3
    rows["label"] = [tuple(sorted((*labels, "noise"))) if flip else labels for labels, flip in zip(rows["label"], noisy, strict=True)]
    finding = check_label_set_errors(rows, x)
    assert "Judged on the 2 labels of 3 the classifiers tell apart (out-of-fold ROC AUC ≥ 0.9): a, b." in finding.message
    assert "noise" not in "".join(finding.rows["extra"]) + "".join(finding.rows["missing"])
