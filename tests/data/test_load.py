"""Loading CSV files and DataFrames: formats, errors that name file and line, nothing dropped silently."""

from __future__ import annotations

import pandas as pd
import pytest

import nbtrain
from nbtrain.data.dataset import (
    REASON_EMPTY_TEXT,
    REASON_IN_TRAIN,
    REASON_NO_LABEL,
    REASON_UNKNOWN_LABEL,
)


def rows_csv(n: int = 6, labels: tuple[str, ...] = ("0", "1"), sep: str = ",") -> str:
    return "".join(f"message number {i} about {label}{sep}{label}\n" for label in labels for i in range(n))


def test_headerless_numeric_labels_like_the_classic_example(write_csv):
    path = write_csv("My order was late, 0\nShipping was fast!, 1\n" + rows_csv())
    ds = nbtrain.load(path)
    every = pd.concat([ds.train, ds.validation])
    assert ds.labels == ("0", "1")
    assert "My order was late" in set(every["text"])
    first = every[every["text"] == "My order was late"].iloc[0]
    assert (first["label"], first["row"], first["source"]) == ("0", 1, "data.csv")


def test_header_is_detected_and_named_columns_are_used(write_csv):
    path = write_csv("id,label,text\n" + "".join(f"{i},{lab},text {i} {lab}\n" for lab in "ab" for i in range(6)))
    ds = nbtrain.load(path)
    every = pd.concat([ds.train, ds.validation])
    assert set(every["text"]) == {f"text {i} {lab}" for lab in "ab" for i in range(6)}
    assert every["row"].min() == 2  # line 1 is the header
    assert any("ignored 1 other column(s): id" in n for n in ds.notices)


def test_quoted_commas_bom_crlf_and_semicolons(write_csv):
    body = "text,label\r\n" + "".join(f'"Hello, world {i}, ""quoted""",pos\r\n"Bad, {i}",neg\r\n' for i in range(6))
    ds = nbtrain.load(write_csv(b"\xef\xbb\xbf" + body.encode()))
    every = pd.concat([ds.train, ds.validation])
    assert 'Hello, world 0, "quoted"' in set(every["text"])
    assert ds.labels == ("neg", "pos")
    semi = nbtrain.load(write_csv(rows_csv(sep=";"), "semi.csv"))
    assert semi.labels == ("0", "1")


def test_row_numbers_follow_multiline_quoted_texts(write_csv):
    body = 'text,label\n"line one\nline two",a\n' + "".join(f"t{i}{lab},{lab}\n" for lab in "ab" for i in range(6))
    ds = nbtrain.load(write_csv(body))
    every = pd.concat([ds.train, ds.validation]).set_index("text")
    assert every.loc["line one\nline two", "row"] == 2
    assert every.loc["t0a", "row"] == 4  # the quoted text spans lines 2 and 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "data.csv: the file is empty"),
        ("just one column\nanother\n", "single column"),
        ("text,label\n", "has a header but no rows"),
        (rows_csv(labels=("only",)), "fewer than 2 labels"),
        ("text,label\n,a\n,b\n", "no row has both a text and a label"),
        (b"text,label\nok,a\ncaf\xe9,b\n", "data.csv: line 3: byte 0xe9"),
    ],
)
def test_bad_files_fail_naming_file_line_and_problem(write_csv, content, message):
    with pytest.raises(nbtrain.DataError, match=message):
        nbtrain.load(write_csv(content))


def test_missing_file_and_missing_column(tmp_path, write_csv):
    with pytest.raises(nbtrain.DataError, match="file not found"):
        nbtrain.load(tmp_path / "nope.csv")
    path = write_csv("text,label\n" + rows_csv())
    with pytest.raises(nbtrain.DataError, match=r"no column named 'sentence' for the text \(columns: text, label\)"):
        nbtrain.load(path, text_column="sentence")


def test_wrong_encoding_can_be_named(write_csv):
    path = write_csv(("text,label\n" + rows_csv() + "café,1\n").encode("latin-1"))
    ds = nbtrain.load(path, encoding="latin-1")
    assert "café" in set(pd.concat([ds.train, ds.validation])["text"])


def test_every_dropped_row_is_kept_with_its_reason(write_csv):
    body = "text,label\n" + rows_csv() + ",0\n   ,1\nno label here,\nrare one,x\nrare two,x\n"
    ds = nbtrain.load(write_csv(body))
    reasons = ds.dropped.set_index("row")["reason"].to_dict()
    assert reasons[14] == REASON_EMPTY_TEXT
    assert reasons[15] == REASON_EMPTY_TEXT
    assert reasons[16] == REASON_NO_LABEL
    assert reasons[17].startswith("label has fewer than 5")
    assert dict(ds.removed_labels) == {"x": 2}
    assert any("Removed 1 label(s)" in n and "'x' (2 rows)" in n for n in ds.notices)
    total = len(ds.train) + len(ds.validation) + len(ds.dropped)
    assert total == 12 + 5


def test_rare_label_counts_unique_texts_not_rows(write_csv):
    body = "text,label\n" + rows_csv() + "same,x\n" * 6
    ds = nbtrain.load(write_csv(body))
    assert "x" not in ds.labels
    assert ds.removed_labels["x"] == 6


def test_held_out_files_drop_unknown_labels_and_training_texts(write_csv):
    train = write_csv("text,label\n" + rows_csv(), "train.csv")
    val = write_csv("text,label\nmessage number 0 about 0,0\nnew text,1\nunseen label,7\nanother new,0\n", "val.csv")
    test = write_csv("text,label\nfresh,1\nmessage number 1 about 1,1\n", "test.csv")
    ds = nbtrain.load(train, validation=val, test=test)
    assert ds.validation_from == "file"
    assert list(ds.validation["text"]) == ["new text", "another new"]
    assert list(ds.test["text"]) == ["fresh"]
    dropped = ds.dropped.set_index(["split", "row"])["reason"].to_dict()
    assert dropped == {
        ("validation", 2): REASON_IN_TRAIN,
        ("validation", 4): REASON_UNKNOWN_LABEL,
        ("test", 3): REASON_IN_TRAIN,
    }


def test_automatic_split_is_stratified_seeded_and_keeps_duplicates_together():
    frame = pd.DataFrame(
        {"text": [f"t{i % 40}" for i in range(100)], "label": ["a" if i % 40 < 20 else "b" for i in range(100)]}
    )
    ds = nbtrain.load(frame, validation_size=0.25, seed=1)
    assert not set(ds.train["text"]) & set(ds.validation["text"])
    assert ds.validation.drop_duplicates("text")["label"].value_counts().to_dict() == {"a": 5, "b": 5}
    again = nbtrain.load(frame, validation_size=0.25, seed=1)
    assert list(again.validation["text"]) == list(ds.validation["text"])
    other = nbtrain.load(frame, validation_size=0.25, seed=2)
    assert set(other.validation["text"]) != set(ds.validation["text"])


def test_a_label_with_one_text_trains_but_is_not_validated():
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(20)] + ["only"], "label": ["a", "b"] * 10 + ["c"]})
    ds = nbtrain.load(frame, min_examples=1)
    assert ds.labels == ("a", "b", "c")
    assert "only" in set(ds.train["text"])
    assert set(ds.validation["label"]) == {"a", "b"}
    assert len(ds.train) + len(ds.validation) == 21
    with pytest.raises(nbtrain.DataError, match="too few unique texts"):
        nbtrain.load(pd.DataFrame({"text": ["x", "y"], "label": ["a", "b"]}), min_examples=1)


def test_dataframe_numeric_labels_with_missing_values():
    frame = pd.DataFrame({"review": [f"text {i}" for i in range(13)], "stars": [1.0, 2.0] * 6 + [None]})
    ds = nbtrain.load(frame, text_column="review", label_column="stars")
    assert ds.labels == ("1", "2")
    assert ds.dropped["reason"].tolist() == [REASON_NO_LABEL]
    assert ds.dropped["row"].tolist() == [12]


def test_too_small_for_a_validation_split():
    frame = pd.DataFrame({"text": [f"t{i}" for i in range(10)], "label": ["a", "b"] * 5})
    with pytest.raises(nbtrain.DataError, match="too few unique texts"):
        nbtrain.load(frame, validation_size=0.9)


def test_summary_and_label_counts(write_csv):
    ds = nbtrain.load(write_csv("text,label\n" + rows_csv(10) + ",1\n"))
    counts = ds.label_counts()
    assert set(counts["split"]) == {"train", "validation"}
    assert counts["count"].sum() == 20
    text = ds.summary()
    assert "2 labels: 0, 1" in text
    assert "1 × empty text" in text


def test_bundled_sample_loads_with_its_flaws():
    ds = nbtrain.load(nbtrain.sample_path(), test=nbtrain.sample_path("test"))
    assert ds.labels == ("negative", "neutral", "positive")
    assert len(ds.train) + len(ds.validation) >= 600
    assert ds.removed_labels == {"Negative": 1, "mixed": 3}
    assert (ds.dropped["reason"] == REASON_EMPTY_TEXT).sum() == 1
    assert ds.test is not None
    assert ds.test["label"].value_counts().to_dict() == {"negative": 70, "neutral": 70, "positive": 70}
    assert nbtrain.fix(ds, "merge_label_variants").removed_labels == {"mixed": 3}, "Negative is a spelling of negative"
