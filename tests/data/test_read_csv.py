"""CSV headers: line 1 is data when it looks like the rows below; an inferred header is shown, never lost."""

from __future__ import annotations

import pandas as pd
import pytest

import nbtrain
from nbtrain.cli import main
from nbtrain.data.read import split_header
from nbtrain.data.read_table import REASON_HEADER

COMPLAINTS = [
    "Your website crashes when I try to pay",
    "The parcel arrived two weeks late and damaged",
    "I was charged twice for one single order",
    "Nobody answers the phone at your help desk",
    "The app logs me out every few minutes",
    "My refund has still not reached my card",
    "The tracking page shows nothing since Monday",
    "Your courier left the box in the rain",
    "I cannot change the address on my order",
    "The discount code was refused at checkout",
    "The screen freezes when I open my basket",
    "The invoice shows the wrong company name",
]


def label_first(rows: int = 12) -> str:
    """Header-less, the label first: ``2,Your website crashes...``."""
    return "".join(f"{2 - i % 2},{COMPLAINTS[i]}\n" for i in range(rows))


def every_row(ds: nbtrain.Dataset) -> pd.DataFrame:
    return pd.concat([ds.train, ds.validation]).sort_values("row").reset_index(drop=True)


def test_a_label_first_line_is_data_when_the_columns_are_given(write_csv):
    ds = nbtrain.load(write_csv(label_first()), text_column=1, label_column=0)
    rows = every_row(ds)
    assert rows["row"].tolist() == list(range(1, 13))
    assert rows.loc[0, ["text", "label"]].tolist() == ["Your website crashes when I try to pay", "2"]
    assert ds.dropped.empty
    assert not any("header" in n for n in ds.notices)


def test_without_column_options_the_error_says_the_columns_look_swapped(write_csv):
    with pytest.raises(nbtrain.DataError) as err:
        nbtrain.load(write_csv(label_first()))
    assert str(err.value) == (
        "data.csv: fewer than 2 labels with at least 5 unique examples; a classifier needs two or more; "
        "the columns look swapped (the label column holds long texts, the text column few distinct values): "
        "pass text_column and label_column (--text-column, --label-column)"
    )


def test_the_command_line_says_so_in_one_line_and_exits_2(write_csv, capsys):
    path = write_csv(label_first())
    assert main(["check", str(path), "--no-model"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "columns look swapped" in err
    assert "--text-column" in err
    assert main(["check", str(path), "--no-model", "--text-column", "1", "--label-column", "0", "--json"]) == 0
    assert '"train": ' in capsys.readouterr().out


def test_a_header_of_unknown_names_is_said_and_listed_among_the_dropped_rows(write_csv):
    body = "comment,stars\n" + "".join(f"{COMPLAINTS[i]},{1 + i % 2}\n" for i in range(12))
    ds = nbtrain.load(write_csv(body))
    assert every_row(ds)["row"].tolist() == list(range(2, 14))
    assert ds.dropped[["split", "row", "text", "label", "reason"]].values.tolist() == [["train", 1, "comment", "stars", REASON_HEADER]]
    assert ds.notices[0] == (
        "data.csv: line 1 read as a header, its cells unlike the rows below (comment, stars): "
        "listed among the dropped rows; pass header=False if it is data"
    )
    assert "1 × read as the header" in ds.summary()


def test_known_column_names_are_a_header_without_a_notice(write_csv):
    ds = nbtrain.load(write_csv("text,label\n" + "".join(f"{COMPLAINTS[i]},{i % 2}\n" for i in range(12))))
    assert ds.dropped.empty
    assert not any("header" in n for n in ds.notices)


def test_a_first_line_with_a_long_text_and_a_rare_label_is_data(write_csv):
    body = "The order never came and nobody replied,lost\n" + "".join(f"{COMPLAINTS[i]},{i % 2}\n" for i in range(12))
    ds = nbtrain.load(write_csv(body))
    assert ds.dropped[["row", "label", "reason"]].values.tolist() == [[1, "lost", "label has fewer than 5 unique training examples"]]


def test_header_true_and_false_override_the_rule(write_csv):
    path = write_csv("comment,stars\n" + "".join(f"{COMPLAINTS[i]},{1 + i % 2}\n" for i in range(12)))
    assert nbtrain.load(path, header=True).dropped.empty
    as_data = nbtrain.load(path, header=False, min_examples=1)
    assert 1 in set(every_row(as_data)["row"])


@pytest.mark.parametrize(
    ("lines", "is_header"),
    [
        ([("2", "Your website crashes when I pay"), ("1", "The parcel arrived two weeks late"), ("2", "I was charged twice for it")], False),
        ([("review", "stars"), ("The parcel arrived two weeks late", "4"), ("I was charged twice for it", "5")], True),
        ([("id", "body", "tag"), ("7", "The parcel arrived two weeks late", "a"), ("8", "I was charged twice for it", "b")], True),
        ([("17", "short", "zzz"), ("7", "The parcel arrived two weeks late", "a"), ("8", "I was charged twice for it", "b")], False),
        ([("red shoes", "apparel"), ("blue hat", "apparel"), ("oak table", "furniture")], False),
        ([("", "comment", "stars"), ("0", "The parcel arrived two weeks late", "4"), ("1", "I was charged twice for it", "5")], True),
        ([("name", "kind"), ("blue hat", "apparel"), ("oak table", "furniture")], True),
    ],
)
def test_line_one_is_a_header_when_none_of_its_cells_fits_its_column(lines, is_header):
    cells = pd.DataFrame(lines, index=range(1, len(lines) + 1))
    body, header, _ = split_header(cells, "f.csv", None, names_given=False)
    assert header is is_header
    assert body.index[0] == (2 if is_header else 1)
