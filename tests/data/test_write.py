"""Write-back: each file comes back in its own shape with the edits in it, and nothing is lost."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import nbtrain
from nbtrain.data.read_table import REASON_HEADER
from nbtrain.data.write import write_dataset


def every_row(ds: nbtrain.Dataset) -> pd.DataFrame:
    return pd.concat([ds.train, ds.validation]).sort_values("row").reset_index(drop=True)


def edit(ds: nbtrain.Dataset, first: object, second: object) -> nbtrain.Dataset:
    """Row 1 of the data gets ``first``, row 2 ``second``; row 3 is dropped."""
    rows = every_row(ds)
    return ds.relabel(rows.iloc[[0]], first).relabel(rows.iloc[[1]], second).drop(rows.iloc[[2]], reason="spam")


def read_back(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_csv_with_numeric_labels_and_an_id_column(write_csv, tmp_path):
    path = write_csv("id,text,label\n" + "".join(f"{100 + i},message {i} here,{i % 2}\n" for i in range(12)))
    edited = edit(nbtrain.load(path), "1", "0")
    written = edited.write(tmp_path / "out")
    assert [p.name for p in written] == ["data.csv", "data.dropped.csv", "changes.csv"]
    back = read_back(tmp_path / "out" / "data.csv")
    assert back.columns.tolist() == ["id", "text", "label"]
    assert back.values.tolist() == [
        ["100", "message 0 here", "1"],
        ["101", "message 1 here", "0"],
        *[[str(100 + i), f"message {i} here", str(i % 2)] for i in range(3, 12)],
    ]
    dropped = read_back(tmp_path / "out" / "data.dropped.csv")
    assert dropped.values.tolist() == [["4", "removed by drop: spam", "102", "message 2 here", "0"]]
    again = nbtrain.load(tmp_path / "out" / "data.csv")
    assert every_row(again)["label"].tolist()[:2] == ["1", "0"]


@pytest.mark.parametrize(
    ("name", "content", "options"),
    [
        ("data.csv", b"\xef\xbb\xbftext;label;score\r\n" + "".join(f'"message; {i}";{"ab"[i % 2]};0.{i}\r\n' for i in range(12)).encode(), {}),
        ("data.tsv", "".join(f"café {i}\t{i % 2}\n" for i in range(12)).encode("latin-1"), {"encoding": "latin-1"}),
    ],
)
def test_with_no_edits_a_file_comes_back_byte_for_byte(write_csv, tmp_path, name, content, options):
    path = write_csv(content, name)
    nbtrain.load(path, **options).write(tmp_path / "out")
    assert (tmp_path / "out" / name).read_bytes() == content


def test_separated_labels_stay_separated(write_csv, tmp_path):
    sets = ["billing", "refund", "billing;refund", "late", "late;refund"]
    path = write_csv("text,labels\n" + "".join(f"ticket {i},{sets[i % 5]}\n" for i in range(30)))
    edit(nbtrain.load(path), ("late", "billing"), ()).write(tmp_path / "out")
    back = read_back(tmp_path / "out" / "data.csv")
    assert back.head(3).values.tolist() == [["ticket 0", "billing;late"], ["ticket 1", ""], ["ticket 3", "late"]]
    assert back["labels"].tolist()[3:] == [sets[i % 5] for i in range(4, 30)]
    assert read_back(tmp_path / "out" / "data.dropped.csv").values.tolist() == [["4", "removed by drop: spam", "ticket 2", "billing;refund"]]


def test_multi_hot_columns_stay_multi_hot_with_their_spelling(write_csv, tmp_path):
    flags = [("1.0", "0.0"), ("0.0", "1.0"), ("1.0", "1.0")] * 5
    path = write_csv("id,text,toxic,insult\n" + "".join(f"{i},comment {i},{t},{s}\n" for i, (t, s) in enumerate(flags)))
    edit(nbtrain.load(path), ("insult",), ()).write(tmp_path / "out")
    back = read_back(tmp_path / "out" / "data.csv")
    assert back.head(3).values.tolist() == [["0", "comment 0", "0.0", "1.0"], ["1", "comment 1", "0.0", "0.0"], ["3", "comment 3", "1.0", "0.0"]]
    again = nbtrain.load(tmp_path / "out" / "data.csv")
    assert every_row(again)["label"].tolist()[:2] == [("insult",), ()]


def test_json_lines_lists_stay_lists_and_other_keys_stay(write_csv, tmp_path):
    sets = [["joy"], ["anger"], ["joy", "anger"]]
    lines = "".join(json.dumps({"id": i, "text": f"comment {i}", "labels": sets[i % 3], "meta": {"votes": i}}) + "\n" for i in range(18))
    path = write_csv(lines, "e.jsonl")
    edit(nbtrain.load(path), ["anger"], []).write(tmp_path / "out")
    back = [json.loads(line) for line in (tmp_path / "out" / "e.jsonl").read_text().splitlines()]
    assert back[:3] == [
        {"id": 0, "text": "comment 0", "labels": ["anger"], "meta": {"votes": 0}},
        {"id": 1, "text": "comment 1", "labels": [], "meta": {"votes": 1}},
        {"id": 3, "text": "comment 3", "labels": ["joy"], "meta": {"votes": 3}},
    ]
    assert len(back) == 17
    dropped = read_back(tmp_path / "out" / "e.dropped.csv")
    assert dropped.values.tolist() == [["3", "removed by drop: spam", "2", "comment 2", '["joy", "anger"]', '{"votes": 2}']]


def test_json_numbers_stay_numbers(write_csv, tmp_path):
    path = write_csv("".join(json.dumps({"text": f"s {i}", "label": i % 2}) + "\n" for i in range(12)), "n.jsonl")
    edit(nbtrain.load(path), "1", "0").write(tmp_path / "out")
    back = [json.loads(line) for line in (tmp_path / "out" / "n.jsonl").read_text().splitlines()]
    assert [r["label"] for r in back[:3]] == [1, 0, 1]


def test_excel_keeps_its_types(tmp_path):
    pytest.importorskip("openpyxl")
    frame = pd.DataFrame({"id": range(12), "text": [f"message {i}" for i in range(12)], "label": [i % 2 for i in range(12)]})
    frame.to_excel(tmp_path / "data.xlsx", index=False)
    edit(nbtrain.load(tmp_path / "data.xlsx"), "1", "0").write(tmp_path / "out")
    back = pd.read_excel(tmp_path / "out" / "data.xlsx")
    assert back.head(3).values.tolist() == [[0, "message 0", 1], [1, "message 1", 0], [3, "message 3", 1]]
    assert back["label"].dtype.kind == "i"


def test_parquet_lists_stay_lists(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"text": [f"comment {i}" for i in range(15)], "labels": [["a"], ["b"], ["a", "b"]] * 5})
    frame.to_parquet(tmp_path / "data.parquet")
    edit(nbtrain.load(tmp_path / "data.parquet"), ["b"], ["a", "b"]).write(tmp_path / "out")
    back = pd.read_parquet(tmp_path / "out" / "data.parquet")
    assert [list(v) for v in back["labels"].head(3)] == [["b"], ["a", "b"], ["a"]]
    assert back["text"].tolist()[:3] == ["comment 0", "comment 1", "comment 3"]


def test_a_dataframe_comes_back_as_csv_named_by_its_split(tmp_path):
    frame = pd.DataFrame({"text": [f"comment {i}" for i in range(15)], "labels": [["a"], ["b"], ["a", "b"]] * 5})
    paths = write_dataset(edit(nbtrain.load(frame), ["b"], []), tmp_path)
    assert [p.name for p in paths] == ["train.csv", "train.dropped.csv", "changes.csv"]
    assert read_back(tmp_path / "train.csv").head(3).values.tolist() == [["comment 0", "b"], ["comment 1", ""], ["comment 3", "a"]]


def test_every_file_goes_back_and_split_off_validation_rows_go_into_the_training_file(write_csv, tmp_path):
    train = write_csv("text,label\n" + "".join(f"train text {i},{i % 2}\n" for i in range(20)), "train.csv")
    test = write_csv("text,label\n" + "".join(f"test text {i},{i % 2}\n" for i in range(4)), "test.csv")
    ds = nbtrain.load(train, test=test)
    assert len(ds.validation) == 4
    paths = ds.write(tmp_path / "out")
    assert [p.name for p in paths] == ["train.csv", "train.dropped.csv", "test.csv", "test.dropped.csv", "changes.csv"]
    assert read_back(tmp_path / "out" / "train.csv")["text"].tolist() == [f"train text {i}" for i in range(20)]
    only_test = ds.write(tmp_path / "fixed_test.csv", splits=("test",))
    assert [p.name for p in only_test] == ["fixed_test.csv", "fixed_test.dropped.csv", "changes.csv"]


def test_rows_set_aside_at_load_are_in_the_dropped_file_with_their_reason(write_csv, tmp_path):
    path = write_csv("comment,stars\n" + "".join(f"The parcel number {i} came late and broken,{1 + i % 2}\n" for i in range(12)) + ",1\n")
    nbtrain.load(path).write(tmp_path / "out")
    dropped = read_back(tmp_path / "out" / "data.dropped.csv")
    assert dropped.values.tolist() == [["1", REASON_HEADER, "comment", "stars"], ["14", "empty text", "", "1"]]
    assert read_back(tmp_path / "out" / "data.csv").columns.tolist() == ["comment", "stars"]


def test_labels_set_aside_for_rarity_stay_in_the_file(write_csv, tmp_path):
    sets = ["a", "b", "a;b"]
    path = write_csv("text,labels\n" + "".join(f"ticket {i},{sets[i % 3]}\n" for i in range(15)) + "ticket 15,a;rare\nticket 16,rare;b\n")
    ds = nbtrain.load(path)
    assert ds.removed_labels == {"rare": 2}
    ds.write(tmp_path / "out")
    assert read_back(tmp_path / "out" / "data.csv")["labels"].tolist()[-2:] == ["a;rare", "rare;b"]


def test_edited_texts_come_back_edited(write_csv, tmp_path):
    path = write_csv("text,label\n" + "".join(f"message  {i}   here,{i % 2}\n" for i in range(12)))
    nbtrain.load(path).fix("normalise_whitespace").write(tmp_path / "out")
    assert read_back(tmp_path / "out" / "data.csv")["text"].tolist() == [f"message {i} here" for i in range(12)]


def test_the_audit_trail_is_written_beside(write_csv, tmp_path):
    path = write_csv("text,labels\n" + "".join(f"ticket {i},{['a', 'b', 'a;b'][i % 3]}\n" for i in range(15)))
    edit(nbtrain.load(path), ["b"], ["a", "b"]).write(tmp_path / "out")
    changes = read_back(tmp_path / "out" / "changes.csv")
    assert changes[["name", "split", "row", "action", "before", "after", "detail"]].values.tolist() == [
        ["relabel", "train", "2", "relabelled", "a", "b", "relabelled by hand"],
        ["relabel", "train", "3", "relabelled", "b", "a; b", "relabelled by hand"],
        ["drop", "train", "4", "removed", "ticket 2", "a; b", "spam"],
    ]


@pytest.mark.parametrize(
    ("target", "options", "message"),
    [
        ("data.csv", {"splits": ("train",)}, "data.csv: is the file train was loaded from; write to another folder"),
        ("out/fixed.jsonl", {"splits": ("train",)}, "out/fixed.jsonl: data.csv is written back in its own format, as .csv"),
        ("out/both.csv", {"splits": ("train", "test")}, "out/both.csv: 2 files to write (data.csv, test.csv): pass a folder, or splits="),
        ("out", {"splits": ("training",)}, "write: no split named 'training' (splits: train, validation, test)"),
    ],
)
def test_writing_refuses_what_would_lose_or_mix_files(write_csv, tmp_path, monkeypatch, target, options, message):
    train = write_csv("text,label\n" + "".join(f"train text {i},{i % 2}\n" for i in range(20)))
    test = write_csv("text,label\ntest text,0\n", "test.csv")
    ds = nbtrain.load(train, test=test)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(nbtrain.DataError) as err:
        ds.write(target, **options)
    assert message in str(err.value)
