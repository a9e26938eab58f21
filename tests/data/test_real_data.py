"""The report finds the quirks ../shared/data/README.md lists, with the README's numbers.

What the README counts, checked against the files: a "duplicate" is a row whose case-folded
text (whitespace collapsed) repeats an earlier row of the training file, whatever its label; a
"test text in train" is a test row whose case-folded text occurs in the training file; a
"conflicting" text is a case-folded training text carrying two labels. That is our near-duplicate
key without punctuation stripping (``CheckConfig(punctuation=False)``): exact repeats are the
``exact_duplicates`` finding, case-only variants the ``near_duplicates`` one, and exact copies in
test were set aside at load and are listed by ``leakage``. When the loader splits validation off
the training file, a repeat whose copies landed on both sides shows up as validation leakage, so
the counts below add that too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nbtrain.data.finding import IN_DATA, SET_ASIDE
from nbtrain.data.load import load
from nbtrain.data.report import CheckConfig, DataReport, check

pytestmark = pytest.mark.data

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
README_KEY = CheckConfig(punctuation=False)


def report_of(name: str, config: CheckConfig = README_KEY) -> DataReport:
    train = DATA / f"{name}_train.csv"
    if not train.exists():
        pytest.skip(f"{train} not present")
    val = DATA / f"{name}_val.csv"
    dataset = load(train, val if val.exists() else None, DATA / f"{name}_test.csv")
    return check(dataset, config=config)


def training_file_duplicates(report: DataReport, validation_split_off: bool) -> int:
    """Repeats within the training file (train, and validation when the loader split it off),
    plus, in that case, repeats whose copies the split put on both sides."""
    splits = ["train", "validation"] if validation_split_off else ["train"]
    repeats = sum(int(report.finding(check).rows["split"].isin(splits).sum()) for check in ("exact_duplicates", "near_duplicates"))
    if not validation_split_off:
        return repeats
    leaks = report.finding("leakage").rows
    split_apart = (leaks["split"] == "validation") & (leaks["match_split"] == "train") & (leaks["status"] == IN_DATA)
    return repeats + int(split_apart.sum())


def test_in_training(report: DataReport) -> int:
    """Test rows whose case-folded text is in the training file (set aside, or still in the data)."""
    leaks = report.finding("leakage").rows
    return int((leaks["split"] == "test").sum())


test_in_training.__test__ = False  # type: ignore[attr-defined]


def test_sst2_9_duplicates_and_2_test_texts_in_train():
    report = report_of("sst2")
    assert training_file_duplicates(report, validation_split_off=False) == 9
    assert report.finding("exact_duplicates").count == 9
    leaks = report.finding("leakage").rows
    assert leaks.loc[leaks["split"] == "test", "status"].tolist() == [SET_ASIDE, SET_ASIDE]
    assert "ptb_tokens" in report.finding("text_noise").message


def test_trec6_72_duplicates_and_11_test_texts_in_train():
    report = report_of("trec6")
    assert training_file_duplicates(report, validation_split_off=True) == 72
    assert test_in_training(report) == 11
    leaks = report.finding("leakage").rows
    assert (leaks["status"] == SET_ASIDE).sum() == 10


def test_tweeteval_37_duplicates_6_conflicts_and_html_entities():
    report = report_of("tweeteval_offensive")
    train_rows = lambda f: f.rows[f.rows["split"] == "train"]  # noqa: E731
    assert len(train_rows(report.finding("exact_duplicates"))) == 25
    assert len(train_rows(report.finding("near_duplicates"))) == 12
    assert training_file_duplicates(report, validation_split_off=False) == 37
    conflicts = train_rows(report.finding("conflicting_labels"))
    assert conflicts["group"].nunique() == 6
    noise = report.finding("text_noise").rows
    assert noise["noise"].str.contains("html_entity").sum() > 400
    assert noise["noise"].str.contains("user_mention").sum() > 10_000
    assert report.finding("class_balance").severity == "info"


def test_tweeteval_default_key_also_folds_punctuation_and_finds_more():
    # "@user Creepy" (offensive) vs "@user CREEPY!" (not): the default key strips punctuation, keeps emoji.
    report = report_of("tweeteval_offensive", CheckConfig())
    conflicts = report.finding("conflicting_labels").rows
    assert conflicts.loc[conflicts["split"] == "train", "group"].nunique() == 9
    near = report.finding("near_duplicates").rows
    assert (near["split"] == "train").sum() == 46


def test_banking77_imbalance_35_to_187_with_4_duplicates_and_3_test_texts_in_train():
    report = report_of("banking77")
    balance = report.finding("class_balance")
    assert balance.severity == "warning"
    assert "(187 vs 35)" in balance.message
    assert balance.rows.query("label == 'contactless_not_working'")["label_count"].iloc[0] == 35
    assert training_file_duplicates(report, validation_split_off=True) == 4
    leaks = report.finding("leakage").rows
    test_leaks = leaks[leaks["split"] == "test"]
    # 2 copies of training texts were set aside at load; the third copies a row the loader moved to validation.
    assert test_leaks[["status", "match_split"]].values.tolist() == [[SET_ASIDE, "train"], [SET_ASIDE, "train"], [IN_DATA, "validation"]]


def test_agnews_html_artefacts_are_found():
    report = report_of("agnews")
    noise = report.finding("text_noise")
    assert noise.rows["noise"].str.contains("html_entity").sum() > 1500
    assert noise.fix == "strip_html_and_urls"
