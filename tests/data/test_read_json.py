"""JSON Lines and JSON arrays: lists of labels, strings, numbers; errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import nbtrain

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def jsonl(*objects: object) -> str:
    return "".join(json.dumps(o) + "\n" for o in objects)


def emotions(n: int = 6) -> list[dict[str, object]]:
    """Comments with one or two emotions each, and one with none."""
    sets = [["joy"], ["anger"], ["joy", "surprise"], ["anger", "surprise"], ["surprise"]]
    rows: list[dict[str, object]] = [{"text": f"comment {i} {'-'.join(s)}", "labels": s} for i in range(n) for s in sets]
    return [*rows, {"text": "nothing to feel here", "labels": []}]


def rows_by_line(ds: nbtrain.Dataset) -> pd.DataFrame:
    return pd.concat([ds.train, ds.validation]).set_index("row").sort_index()


def test_json_lines_with_label_lists(write_csv):
    ds = nbtrain.load(write_csv(jsonl(*emotions()), "e.jsonl"))
    assert (ds.task, ds.labels) == ("multi_label", ("anger", "joy", "surprise"))
    rows = rows_by_line(ds)
    assert rows.loc[[1, 3, 31], ["text", "label"]].values.tolist() == [
        ["comment 0 joy", ("joy",)],
        ["comment 0 joy-surprise", ("joy", "surprise")],
        ["nothing to feel here", ()],
    ]
    assert rows["source"].unique().tolist() == ["e.jsonl"]


def test_row_is_the_line_and_blank_lines_count(write_csv):
    text = jsonl(*emotions()).replace("\n", "\n\n", 1)
    rows = rows_by_line(nbtrain.load(write_csv(text, "e.jsonl")))
    assert rows.index[:3].tolist() == [1, 3, 4]


def test_single_labels_as_strings_and_as_numbers(write_csv):
    words = nbtrain.load(write_csv(jsonl(*({"sentence": f"s {i}", "label": "ab"[i % 2]} for i in range(12))), "w.jsonl"))
    assert (words.task, words.labels) == ("single_label", ("a", "b"))
    numbers = nbtrain.load(write_csv(jsonl(*({"text": f"s {i}", "label": i % 2} for i in range(12))), "n.jsonl"))
    assert (numbers.task, numbers.labels) == ("single_label", ("0", "1"))
    assert rows_by_line(numbers).loc[2, "label"] == "1"


def test_strings_among_lists_are_sets_of_one_label(write_csv):
    objects = emotions()
    objects[0] = {"text": "comment 0 joy", "labels": "joy"}
    ds = nbtrain.load(write_csv(jsonl(*objects), "e.jsonl"))
    assert rows_by_line(ds).loc[1, "label"] == ("joy",)
    assert "e.jsonl: 1 line(s) give one label as a string, read as a set of one label (the others give lists)" in ds.notices


def test_a_json_array_of_objects_names_the_line_each_starts_on(write_csv):
    text = json.dumps(emotions(), indent=2)
    ds = nbtrain.load(write_csv(text, "e.json"))
    rows = rows_by_line(ds)
    assert rows.index[:2].tolist() == [2, 8]  # "[", then objects of 6 lines each
    assert ds.sources["train"].file.format == "json"


def test_a_json_file_with_one_object_per_line(write_csv):
    ds = nbtrain.load(write_csv(jsonl(*emotions()), "e.json"))
    assert len(rows_by_line(ds)) == 31
    assert ds.sources["train"].file.format == "jsonl"


def test_keys_by_name_or_given(write_csv):
    objects = [{"id": i, "body": f"post {i}", "emotion": "ab"[i % 2]} for i in range(12)]
    ds = nbtrain.load(write_csv(jsonl(*objects), "p.jsonl"), text_column="body", label_column="emotion")
    assert rows_by_line(ds).loc[1, ["text", "label"]].tolist() == ["post 0", "a"]


def test_a_missing_or_null_label_is_a_missing_label(write_csv):
    objects = [*emotions(), {"text": "no key"}, {"text": "null", "labels": None}]
    ds = nbtrain.load(write_csv(jsonl(*objects), "e.jsonl"))
    assert ds.dropped[["row", "text", "reason"]].values.tolist() == [[32, "no key", "missing label"], [33, "null", "missing label"]]


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        ('{"text": "a", "labels": ["x"]}\n{"text": "b", "labels": [x]}\n', {}, "e.jsonl: line 2: invalid JSON (Expecting value, column 26)"),
        ('{"text": "a", "labels": ["x"]}\n["b", "x"]\n', {}, "e.jsonl: line 2: expected a JSON object ({...}), got list"),
        ('{"text": "a", "emotion": "x"}\n', {}, "e.jsonl: no label key ('labels' or 'label') in the objects; their keys: text, emotion; pass label_column"),
        ('{"comment": "a", "label": "x"}\n', {}, "e.jsonl: no text key ('text', 'sentence', ...) in the objects; their keys: comment, label; pass text_column"),
        ('{"text": "a", "label": "x"}\n{"text": "b", "label": {"name": "x"}}\n', {}, "e.jsonl: line 2: the label 'label' is a JSON object; expected a string or a list of strings"),
        ('{"text": "a", "labels": ["x", ["y"]]}\n', {}, "e.jsonl: line 1: the list 'labels' holds a JSON list; each label is a string or a number"),
        ('{"text": ["a"], "label": "x"}\n', {}, "e.jsonl: line 1: the text 'text' is a JSON list, expected a string"),
        ('{"text": "a", "label": "x"}\n', {"text_column": 0}, "e.jsonl: JSON objects have keys, not positions: pass the text key by name (keys: text, label)"),
        ('{"text": "a", "label": "x"}\n', {"label_column": "y"}, "e.jsonl: no key 'y' for the label in the objects (keys: text, label)"),
        ('{"text": "a", "labels": ["x"]}\n', {"task": "single_label"}, "e.jsonl: line 1: task='single_label' but 'labels' holds a list of labels"),
        ("[]", {}, "e.jsonl: holds no JSON objects"),
        (b'{"text": "caf\xe9", "label": "x"}\n', {}, "e.jsonl: line 1: byte 0xe9 at offset 13 is not valid utf-8-sig; save the file as UTF-8"),
    ],
)
def test_bad_json_fails_in_one_line_naming_file_line_and_problem(write_csv, content, options, message):
    with pytest.raises(nbtrain.DataError) as err:
        nbtrain.load(write_csv(content, "e.jsonl"), **options)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_other_encodings_are_named_as_for_csv(write_csv):
    objects = [{"text": f"café {i}", "label": "ab"[i % 2]} for i in range(12)]
    path = write_csv("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("latin-1"), "e.jsonl")
    assert "café 0" in set(rows_by_line(nbtrain.load(path, encoding="latin-1"))["text"])


@pytest.mark.data
def test_goemotions_reads_whole():
    path = SHARED / "goemotions_train.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not present")
    ds = nbtrain.load(path)
    assert (ds.task, len(ds.labels)) == ("multi_label", 28)
    assert len(ds.train) + len(ds.validation) + len(ds.dropped) == 43_410
