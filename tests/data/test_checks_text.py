"""Empty, noisy and over-long texts on hand-built frames: the exact rows found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nbtrain.data.checks import (
    check_empty_texts,
    check_text_noise,
    check_token_lengths,
    check_whitespace,
)
from nbtrain.data.dataset import REASON_EMPTY_TEXT


def test_empty_texts_lists_set_aside_empty_rows_and_short_rows_in_data(make_rows):
    rows = make_rows(("train", 2, "ok", "a"), ("train", 3, "fine by me", "a"), ("test", 2, "  yes ", "b"))
    dropped = pd.DataFrame(
        {"split": ["train", "validation"], "source": "f.csv", "row": [7, 4], "text": ["", "   "],
         "label": ["a", "b"], "reason": REASON_EMPTY_TEXT}
    )  # fmt: skip
    finding = check_empty_texts(rows, dropped)
    assert finding.rows[["split", "row", "kind", "status"]].values.tolist() == [
        ["train", 7, "empty", "set aside at load"],
        ["validation", 4, "whitespace only", "set aside at load"],
        ["train", 2, "short", "in data"],
        ["test", 2, "short", "in data"],
    ]
    assert check_empty_texts(rows, dropped, min_words=1).rows["kind"].tolist() == ["empty", "whitespace only"]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("see https://example.com/x now", "url"),
        ("mail me at jane.doe@example.org", "email"),
        ("<b>bold</b> claim", "html_tag"),
        ("Tom &amp; Jerry", "html_entity"),
        ("it#39;s quot;fine quot;", "html_entity"),
        ("cafÃ© au lait", "mojibake"),
        ("wait!!!!!! what", "special_run"),
        ("@user you are right", "user_mention"),
        ("costs \\$5", "escape"),
        ("it wo n't -lrb- ever -rrb-", "ptb_tokens"),
        ("@user see http://t.co/x &amp; more", "url, html_entity, user_mention"),
        ("a perfectly plain sentence, with punctuation!", ""),
        ("café and naïve are fine", ""),
    ],
)
def test_text_noise_names_each_kind(make_rows, text, kinds):
    found = check_text_noise(make_rows(("train", 2, text, "a"))).rows
    assert (found["noise"].tolist() if kinds else found["row"].tolist()) == ([kinds] if kinds else [])


def test_text_noise_lists_only_noisy_rows_and_offers_the_html_fix(make_rows):
    rows = make_rows(("train", 2, "plain", "a"), ("train", 3, "Tom &amp; Jerry", "a"), ("test", 4, "hi @user", "b"))
    finding = check_text_noise(rows)
    assert finding.rows[["split", "row"]].values.tolist() == [["train", 3], ["test", 4]]
    assert finding.fix == "strip_html_and_urls"
    assert check_text_noise(rows.iloc[[0, 2]]).fix is None


def test_token_lengths_lists_the_texts_that_will_be_truncated(make_rows):
    rows = make_rows(("train", 2, "a b c", "x"), ("train", 3, "a", "x"), ("validation", 2, "a b c d e", "y"))
    finding = check_token_lengths(rows, np.array([5, 3, 7]), max_length=4)
    assert finding.rows[["split", "row", "length"]].values.tolist() == [["train", 2, 5], ["validation", 2, 7]]
    assert finding.severity == "warning"
    assert check_token_lengths(rows, np.array([5, 3, 7]), 4, unit="words").severity == "info"
    assert check_token_lengths(rows, np.array([1, 2, 3]), 4).severity == "ok"


def test_token_lengths_rejects_misaligned_lengths(make_rows):
    with pytest.raises(ValueError, match="2 lengths for 1 rows"):
        check_token_lengths(make_rows(("train", 2, "a", "x")), np.array([1, 2]), 4)


def test_whitespace_lists_texts_with_stray_spaces_tabs_or_breaks(make_rows):
    rows = make_rows(("train", 2, "clean text", "a"), ("train", 3, " lead", "a"), ("test", 2, "two  spaces", "b"), ("test", 3, "tab\there", "b"))
    finding = check_whitespace(rows)
    assert finding.rows[["split", "row"]].values.tolist() == [["train", 3], ["test", 2], ["test", 3]]
    assert finding.fix == "normalise_whitespace"
