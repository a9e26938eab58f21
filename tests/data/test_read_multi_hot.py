"""One 0/1 column per label, as public multi-label datasets ship: named or detected, every cell checked."""

from __future__ import annotations

import pandas as pd
import pytest

import nbtrain
from nbtrain import commands
from nbtrain.cli import _parser

#: (toxic, insult, threat) per row: every label on 6 or more rows, two rows with none.
FLAGS = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (0, 1, 1), (1, 0, 1), (0, 0, 0)] * 3


def multi_hot_csv(one: str = "1", zero: str = "0") -> str:
    lines = ["id,text,toxic,insult,threat,date"]
    for i, flags in enumerate(FLAGS):
        cells = [one if f else zero for f in flags]
        lines.append(f"{101 + i},comment number {i} on the thread,{','.join(cells)},2024-01-{i + 1:02d}")
    return "\n".join(lines) + "\n"


def by_line(ds: nbtrain.Dataset) -> dict[int, tuple[str, ...]]:
    rows = pd.concat([ds.train, ds.validation])
    return dict(zip(rows["row"], rows["label"], strict=True))


def test_detected_when_the_text_is_named_and_other_columns_hold_only_0_and_1(write_csv):
    ds = nbtrain.load(write_csv(multi_hot_csv()))
    assert ds.task == "multi_label"
    assert ds.labels == ("insult", "threat", "toxic")
    labels = by_line(ds)
    assert [labels[line] for line in range(2, 9)] == [
        ("toxic",),
        ("insult",),
        ("threat",),
        ("insult", "toxic"),
        ("insult", "threat"),
        ("threat", "toxic"),
        (),
    ]
    assert ds.notices[:2] == (
        "data.csv: one 0/1 column per label: toxic, insult, threat",
        "data.csv: left out 2 column(s) that are neither the text nor 0/1: id, date",
    )


@pytest.mark.parametrize(("one", "zero"), [("1.0", "0.0"), ("true", "false"), ("True", "False")])
def test_other_spellings_of_one_and_zero(write_csv, one, zero):
    ds = nbtrain.load(write_csv(multi_hot_csv(one, zero)))
    assert by_line(ds)[5] == ("insult", "toxic")


def test_named_label_columns_leave_the_others_out(write_csv):
    ds = nbtrain.load(write_csv(multi_hot_csv()), labels=["toxic", "insult"])
    assert ds.labels == ("insult", "toxic")
    assert by_line(ds)[4] == ()
    assert "data.csv: left out 3 column(s) that are neither the text nor 0/1: id, threat, date" in ds.notices


def test_the_command_line_takes_the_label_columns(write_csv):
    args = _parser().parse_args(["check", str(write_csv(multi_hot_csv())), "--labels", "toxic, insult"])
    ds = commands._load(args)
    assert (ds.task, ds.labels) == ("multi_label", ("insult", "toxic"))


@pytest.mark.parametrize(("value", "problem"), [("2", "holds '2'"), ("yes", "holds 'yes'"), ("", "is empty")])
def test_a_named_label_column_holding_anything_but_0_or_1_names_line_column_and_value(write_csv, value, problem):
    text = multi_hot_csv().replace("103,comment number 2 on the thread,0,0,1", f"103,comment number 2 on the thread,{value},0,1")
    with pytest.raises(nbtrain.DataError) as err:
        nbtrain.load(write_csv(text), labels=["toxic", "insult", "threat"])
    assert str(err.value) == f"data.csv: line 4: column 'toxic' {problem}; a label's column holds 0 or 1"


def test_a_row_with_every_label_cell_empty_has_a_missing_label(write_csv):
    text = multi_hot_csv().replace("103,comment number 2 on the thread,0,0,1", "103,comment number 2 on the thread,,,")
    ds = nbtrain.load(write_csv(text), labels=["toxic", "insult", "threat"])
    assert ds.dropped[["row", "reason"]].values.tolist() == [[4, "missing label"]]


def test_a_label_column_that_does_not_exist(write_csv):
    with pytest.raises(nbtrain.DataError) as err:
        nbtrain.load(write_csv(multi_hot_csv()), labels=["toxic", "spam"])
    assert str(err.value) == "data.csv: no column named 'spam' among the labels' 0/1 columns (columns: id, text, toxic, insult, threat, date)"


def test_a_single_0_1_column_stays_a_single_label_column(write_csv):
    body = "text,spam\n" + "".join(f"message {i} here,{i % 2}\n" for i in range(12))
    ds = nbtrain.load(write_csv(body))
    assert (ds.task, ds.labels) == ("single_label", ("0", "1"))


def test_dataframe_with_int_and_bool_columns():
    frame = pd.DataFrame(
        {
            "text": [f"comment {i}" for i in range(len(FLAGS))],
            "toxic": [f[0] for f in FLAGS],
            "insult": [bool(f[1]) for f in FLAGS],
            "threat": [float(f[2]) for f in FLAGS],
        }
    )
    ds = nbtrain.load(frame)
    assert ds.labels == ("insult", "threat", "toxic")
    assert [by_line(ds)[i] for i in (0, 3, 6)] == [("toxic",), ("insult", "toxic"), ()]
    with pytest.raises(nbtrain.DataError, match="task='single_label' but labels= names one 0/1 column per label"):
        nbtrain.load(frame, labels=["toxic", "insult"], task="single_label")
