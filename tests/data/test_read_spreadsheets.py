"""Excel and Parquet files, read directly; a spreadsheet renamed .csv is said to be one."""

from __future__ import annotations

import sys
import zipfile

import pandas as pd
import pytest

import nbtrain
from nbtrain.cli import main


def labelled(n: int = 12) -> pd.DataFrame:
    return pd.DataFrame({"id": range(100, 100 + n), "text": [f"customer message {i}" for i in range(n)], "label": [i % 2 for i in range(n)]})


def rows_by_row(ds: nbtrain.Dataset) -> pd.DataFrame:
    return pd.concat([ds.train, ds.validation]).set_index("row").sort_index()


def test_excel_rows_are_the_spreadsheet_rows_and_numbers_are_labels(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "text", "label"])
    for i, row in labelled().iterrows():
        sheet.append([int(row["id"]), row["text"], int(row["label"])])
        if i == 2:
            sheet.append([])
    book.create_sheet("notes")
    book.save(tmp_path / "data.xlsx")
    ds = nbtrain.load(tmp_path / "data.xlsx")
    rows = rows_by_row(ds)
    assert rows.index.tolist() == [2, 3, 4, *range(6, 15)]  # header on row 1, row 5 is blank
    assert rows.loc[[2, 6], ["text", "label"]].values.tolist() == [["customer message 0", "0"], ["customer message 3", "1"]]
    assert "data.xlsx: read the first sheet 'Sheet'; not read: 'notes'" in ds.notices


def test_a_header_less_sheet_follows_the_header_rule(tmp_path):
    pytest.importorskip("openpyxl")
    frame = pd.DataFrame({"label": [i % 2 for i in range(12)], "text": [f"The parcel {i} came late and broken" for i in range(12)]})
    frame.to_excel(tmp_path / "data.xlsx", index=False, header=False)
    ds = nbtrain.load(tmp_path / "data.xlsx", text_column=1, label_column=0)
    assert rows_by_row(ds).index.tolist() == list(range(1, 13))


def test_parquet_rows_are_positions_and_lists_are_label_sets(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"text": [f"comment {i}" for i in range(15)], "labels": [["a"], ["b"], ["a", "b"]] * 5})
    frame.to_parquet(tmp_path / "data.parquet")
    ds = nbtrain.load(tmp_path / "data.parquet")
    rows = rows_by_row(ds)
    assert ds.task == "multi_label"
    assert rows.loc[[0, 2], "label"].tolist() == [("a",), ("a", "b")]
    labelled().to_parquet(tmp_path / "single.parquet")
    assert nbtrain.load(tmp_path / "single.parquet").labels == ("0", "1")


@pytest.mark.parametrize(
    ("name", "module", "message"),
    [
        ("data.xlsx", "openpyxl", "data.xlsx: reading Excel files needs openpyxl: pip install 'nbtrain[excel]'"),
        ("data.parquet", "pyarrow", "data.parquet: reading Parquet files needs pyarrow: pip install 'nbtrain[parquet]'"),
    ],
)
def test_a_missing_library_names_the_extra_to_install(tmp_path, monkeypatch, name, module, message):
    (tmp_path / name).write_bytes(b"anything")
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(nbtrain.DataError) as err:
        nbtrain.load(tmp_path / name)
    assert str(err.value) == message


def fake_xlsx() -> bytes:
    """The bytes of a zip holding ``xl/workbook.xml``, as every .xlsx does (no openpyxl needed)."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (fake_xlsx(), "data.csv: this is an Excel file, not CSV: save it as CSV or load the .xlsx (pip install 'nbtrain[excel]')"),
        (b"PAR1\x15\x04\x15\x00" + bytes(range(256)), "data.csv: this is a Parquet file, not CSV: save it as CSV or load the .parquet (pip install 'nbtrain[parquet]')"),
    ],
)
def test_a_renamed_spreadsheet_is_said_to_be_one_not_an_encoding_problem(write_csv, capsys, content, message):
    path = write_csv(content)
    with pytest.raises(nbtrain.DataError) as err:
        nbtrain.load(path)
    assert str(err.value) == message
    assert main(["check", str(path), "--no-model"]) == 2
    assert capsys.readouterr().err == f"nbtrain check: error: {message}\n"


def test_a_broken_xlsx_says_it_cannot_be_read(tmp_path):
    pytest.importorskip("openpyxl")
    (tmp_path / "data.xlsx").write_text("text,label\n")
    with pytest.raises(nbtrain.DataError, match=r"^data.xlsx: cannot be read as an Excel .xlsx file \("):
        nbtrain.load(tmp_path / "data.xlsx")
