"""Duplicate, near-duplicate, conflict, leakage and semantic checks on hand-built frames: the exact rows found."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nbtrain.data.checks import (
    check_conflicting_labels,
    check_exact_duplicates,
    check_leakage,
    check_near_duplicates,
    check_semantic_duplicates,
    check_semantic_leakage,
)
from nbtrain.data.dataset import REASON_IN_TRAIN
from nbtrain.data.neighbours import SimilarTexts, similar_texts
from nbtrain.data.normalise import text_keys


def test_text_keys_fold_case_space_entities_and_punctuation_but_keep_emoji():
    texts = pd.Series(["Tom &amp; Jerry!!", "tom  jerry", "great 😀", "great 😡"])
    assert text_keys(texts).tolist() == ["tom jerry", "tom jerry", "great 😀", "great 😡"]
    assert text_keys(texts, punctuation=False).tolist()[:2] == ["tom & jerry!!", "tom jerry"]


def test_exact_duplicates_lists_each_repeat_with_the_row_it_repeats(make_rows):
    rows = make_rows(
        ("train", 2, "hello", "a"),
        ("train", 3, "other", "b"),
        ("train", 4, "hello", "a"),
        ("train", 5, "hello", "b"),
        ("test", 2, "hello", "a"),
        ("test", 3, "Hello", "a"),
    )
    finding = check_exact_duplicates(rows)
    assert finding.rows[["split", "row", "first_row"]].values.tolist() == [["train", 4, 2], ["train", 5, 2]]
    assert finding.fix == "drop_exact_duplicates"


def test_near_duplicates_leaves_exact_repeats_to_the_exact_check(make_rows):
    rows = make_rows(
        ("train", 2, "Fake news!", "a"),
        ("train", 3, "fake  NEWS", "a"),
        ("train", 4, "Fake news!", "a"),
        ("train", 5, "fake news &amp;", "a"),
        ("train", 6, "real news", "a"),
        ("train", 7, "FAKE news!", "a"),
        ("validation", 2, "FAKE NEWS", "a"),
    )
    finding = check_near_duplicates(rows)
    assert finding.rows[["row", "first_row"]].values.tolist() == [[3, 2], [5, 2], [7, 2]]
    assert check_near_duplicates(rows, punctuation=False).rows["row"].tolist() == [7]


def test_conflicting_labels_lists_every_row_of_each_group_with_the_majority(make_rows):
    rows = make_rows(
        ("train", 2, "ok", "a"),
        ("train", 3, "OK!", "b"),
        ("train", 4, "ok", "a"),
        ("train", 5, "tie", "a"),
        ("train", 6, "tie", "b"),
        ("train", 7, "fine", "a"),
        ("validation", 2, "ok", "b"),
    )
    finding = check_conflicting_labels(rows)
    assert finding.rows[["row", "labels", "suggested"]].values.tolist() == [
        [2, "a | b", "a"], [3, "a | b", "a"], [4, "a | b", "a"], [5, "a | b", ""], [6, "a | b", ""],
    ]  # fmt: skip
    assert check_conflicting_labels(rows, punctuation=False).rows["row"].tolist() == [5, 6]


def test_leakage_reports_set_aside_exact_and_in_data_normalised_copies(make_rows):
    rows = make_rows(
        ("train", 2, "Where is my card?", "card"),
        ("train", 3, "refund please", "refund"),
        ("validation", 2, "where is my card", "card"),
        ("validation", 3, "something new", "card"),
        ("test", 2, "Something new", "card"),
        ("test", 3, "unrelated", "refund"),
    )
    dropped = pd.DataFrame(
        {"split": ["test"], "source": "f.csv", "row": [9], "text": ["refund please"], "label": ["refund"], "reason": [REASON_IN_TRAIN]}
    )
    finding = check_leakage(rows, dropped)
    assert finding.severity == "warning"
    assert finding.fix == "remove_leaked_rows"
    assert finding.rows[["split", "row", "kind", "status", "match_split", "match_row"]].values.tolist() == [
        ["test", 9, "exact", "set aside at load", "train", 3],
        ["validation", 2, "normalised", "in data", "train", 2],
        ["test", 2, "normalised", "in data", "validation", 3],
    ]


def test_leakage_only_set_aside_is_info_without_a_fix(make_rows):
    rows = make_rows(("train", 2, "a b", "x"), ("validation", 2, "c d", "x"))
    dropped = pd.DataFrame(
        {"split": ["validation"], "source": "f.csv", "row": [3], "text": ["a b"], "label": ["x"], "reason": [REASON_IN_TRAIN]}
    )
    finding = check_leakage(rows, dropped)
    assert (finding.severity, finding.count, finding.fix) == ("info", 1, None)


def test_clean_rows_find_nothing(make_rows, dropped):
    rows = make_rows(("train", 2, "one", "a"), ("train", 3, "two", "b"), ("validation", 2, "three", "a"))
    for finding in (check_exact_duplicates(rows), check_near_duplicates(rows), check_conflicting_labels(rows), check_leakage(rows, dropped)):
        assert (finding.severity, finding.count) == ("ok", 0), finding.check


def test_conflicting_label_sets_list_the_group_with_the_majority_set(make_rows):
    rows = make_rows(
        ("train", 2, "late and rude", ("delivery", "staff")),
        ("train", 3, "Late and rude!", ("delivery",)),
        ("train", 4, "late and rude", ("delivery", "staff")),
        ("train", 5, "fine", ()),
        ("train", 6, "fine", ()),
    )
    finding = check_conflicting_labels(rows)
    assert finding.rows[["row", "labels", "suggested"]].values.tolist() == [
        [2, "delivery | delivery; staff", ("delivery", "staff")],
        [3, "delivery | delivery; staff", ("delivery", "staff")],
        [4, "delivery | delivery; staff", ("delivery", "staff")],
    ]  # fmt: skip


def paraphrases(make_rows):
    """Rows and the similar pairs of their texts, from hand-made unit vectors."""
    rows = make_rows(
        ("train", 2, "close my account", "close"),
        ("train", 3, "I want to shut my account", "close"),
        ("train", 4, "Close my account!", "close"),
        ("train", 5, "where is my card", "card"),
        ("train", 6, "my card has not arrived", "lost"),
        ("train", 7, "close my account", "close"),
        ("validation", 2, "please close the account", "close"),
        ("test", 2, "card still not here", "card"),
        ("test", 3, "totally unrelated", "card"),
        ("test", 4, "Where is my card?", "card"),
    )
    texts = list(pd.unique(rows["text"]))
    angle = {"close my account": 0.0, "I want to shut my account": 0.2, "Close my account!": 0.0, "where is my card": 1.4,
             "my card has not arrived": 1.6, "please close the account": 0.25, "card still not here": 1.62, "totally unrelated": 3.0,
             "Where is my card?": 1.45}  # fmt: skip
    vectors = np.array([[np.cos(angle[t]), np.sin(angle[t])] for t in texts], dtype=np.float32)
    return rows, similar_texts(texts, vectors, min_similarity=0.97)


def test_semantic_duplicates_find_paraphrases_in_a_split_leaving_folded_copies_to_the_others(make_rows):
    rows, similar = paraphrases(make_rows)
    finding = check_semantic_duplicates(rows, similar)
    # Train row 4 is a near duplicate of row 2 and row 7 an exact one: the other checks list them.
    assert finding.rows[["split", "row", "match_row", "same_label"]].values.tolist() == [
        ["train", 3, 2, True], ["train", 6, 5, False], ["test", 4, 2, True],
    ]  # fmt: skip
    assert finding.severity == "warning"
    assert "cosine similarity ≥ 0.97" in finding.message
    assert "exact search over 9 texts" in finding.message


def test_semantic_leakage_finds_held_out_paraphrases_of_earlier_splits(make_rows):
    rows, similar = paraphrases(make_rows)
    finding = check_semantic_leakage(rows, similar)
    assert finding.rows[["split", "row", "match_split", "match_row"]].values.tolist() == [
        ["validation", 2, "train", 3], ["test", 2, "train", 6],
    ]  # fmt: skip
    # Test row 4 folds to train row 5's text: check_leakage lists it, not this check.
    assert finding.rows["similarity"].iloc[0] >= 0.97


def test_semantic_checks_ok_without_similar_pairs(make_rows):
    rows, _ = paraphrases(make_rows)
    none = SimilarTexts(pd.DataFrame(columns=["text", "match_text", "similarity"]), 0.95, "exact search over 8 texts")
    assert (check_semantic_duplicates(rows, none).severity, check_semantic_leakage(rows, none).count) == ("ok", 0)


def test_the_duplicate_count_says_how_many_the_fix_removes():
    import nbtrain

    rows = pd.DataFrame({"split": "train", "source": "f", "row": [2, 3, 4, 5], "text": ["hi", "hi", "hi", "yo"], "label": ["a", "a", "b", "a"]})
    finding = check_exact_duplicates(rows)
    assert finding.rows[["row", "same_label"]].values.tolist() == [[3, True], [4, False]]
    assert "2 rows repeat an earlier text" in finding.message
    assert "1 with the same label, 1 with another label" in finding.message
    ds = nbtrain.load(nbtrain.sample_path())
    said = nbtrain.check(ds).finding("exact_duplicates").rows["same_label"].sum()
    assert nbtrain.fix(ds, "drop_exact_duplicates").history[-1].summary == f"drop_exact_duplicates: {said} rows removed"
