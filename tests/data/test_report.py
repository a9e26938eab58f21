"""The report runner: config validation, skipping, severity order, score, one embedding pass, exports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nbtrain.data.finding import SEVERITIES
from nbtrain.data.load import load
from nbtrain.data.report import MODEL_CHECKS, PENALTY, PLANS, CheckConfig, check
from nbtrain.data.text_encoder import TextEncoder


@pytest.fixture
def messy():
    """A small dataset with a duplicate, a near duplicate, a conflict, an entity and a test leak."""
    train = [(f"refund my card payment {i}", "billing") for i in range(8)]
    train += [(f"parcel arrived late again {i}", "delivery") for i in range(8)]
    train += [("refund my card payment 1", "billing"), ("Parcel arrived late again 2!", "delivery"),
              ("where is it", "billing"), ("where is it", "delivery"), ("Tom &amp; Jerry parcel", "delivery")]  # fmt: skip
    val = [("refund please now", "billing"), ("parcel lost today", "delivery")]
    test = [("REFUND my card payment 3", "billing"), ("parcel arrived late again 4", "delivery"), ("card refund", "billing")]
    frame = lambda rows: pd.DataFrame(rows, columns=["text", "label"])  # noqa: E731
    return load(frame(train), frame(val), frame(test))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"skip": ("no_such_check",)},
        {"size_error_below": 600},
        {"imbalance_info_ratio": 4.0},
        {"label_error_margin": 0.0},
        {"folds": 1},
        {"C": 0},
    ],
)
def test_config_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        CheckConfig(**kwargs)


def test_without_encoder_model_checks_are_skipped_and_lengths_are_words(messy):
    report = check(messy)
    checks = {f.check for f in report.findings}
    assert checks == set(PLANS["single_label"]) - set(MODEL_CHECKS)
    assert report.skipped == MODEL_CHECKS
    assert (report.length_unit, report.max_length) == ("words", 128)
    assert "skipped without an encoder" in report.to_text()


def test_findings_are_sorted_by_severity_and_the_score_follows_the_formula(messy):
    report = check(messy)
    ranks = [SEVERITIES.index(f.severity) for f in report.findings]
    assert ranks == sorted(ranks)
    assert report.score == max(0, 100 - sum(PENALTY[f.severity] for f in report.findings))
    assert report.finding("conflicting_labels").rows["text"].tolist() == ["where is it", "where is it"]
    assert report.finding("exact_duplicates").rows["row"].tolist() == [16, 19]
    assert report.finding("leakage").rows[["split", "row", "kind"]].values.tolist() == [
        ["test", 1, "exact"], ["test", 0, "normalised"],
    ]  # fmt: skip


def test_one_encode_call_over_unique_texts_feeds_every_model_check(messy, fake_encoder):
    assert isinstance(fake_encoder, TextEncoder)
    report = check(messy, fake_encoder)
    assert fake_encoder.encode_calls == 1
    unique_texts = pd.concat([messy.train, messy.validation, messy.test])["text"].nunique()
    assert fake_encoder.encoded == unique_texts
    assert {f.check for f in report.findings} == set(PLANS["single_label"])
    assert (report.length_unit, report.max_length) == ("tokens", 16)
    assert report.lengths["length"].min() >= 3


def test_skip_switches_checks_off_and_tuning_changes_results(messy, fake_encoder):
    report = check(messy, fake_encoder, CheckConfig(skip=("text_noise", *MODEL_CHECKS)))
    assert "text_noise" not in {f.check for f in report.findings}
    assert fake_encoder.encode_calls == 0
    assert report.skipped == ()
    strict = check(messy, config=CheckConfig(punctuation=False))
    assert strict.finding("near_duplicates").count < check(messy).finding("near_duplicates").count


def test_to_dict_is_json_ready_and_caps_rows(messy):
    report = check(messy)
    data = json.loads(json.dumps(report.to_dict(max_rows=1)))
    assert data["score"] == report.score
    assert data["sizes"] == {"train": 21, "validation": 2, "test": 2}
    assert [f["check"] for f in data["findings"]] == [f.check for f in report.findings]
    conflicts = next(f for f in data["findings"] if f["check"] == "conflicting_labels")
    assert (conflicts["count"], len(conflicts["rows"])) == (2, 1)


def test_to_html_writes_a_standalone_page(messy, tmp_path):
    path = check(messy).to_html(tmp_path / "report.html")
    page = path.read_text(encoding="utf-8")
    assert "Data quality report" in page
    assert "conflicting_labels" in page
    assert "Tom &amp;amp; Jerry parcel" in page
    assert '<script src="http' not in page
    assert "vegaEmbed" in page


@pytest.fixture
def label_sets():
    """A multi-label dataset: billing and delivery texts, some both, some with no label."""
    texts = [f"refund my card payment {i}" for i in range(12)] + [f"parcel arrived late {i}" for i in range(12)]
    texts += [f"late parcel and a refund {i}" for i in range(8)] + [f"hello there friend {i}" for i in range(6)]
    labels = [["billing"]] * 12 + [["delivery"]] * 12 + [["billing", "delivery"]] * 8 + [[]] * 6
    test = pd.DataFrame({"text": ["refund my card payment 3!", "a parcel"], "label": [["billing"], ["delivery"]]})
    return load(pd.DataFrame({"text": texts, "label": labels}), test=test)


def test_the_task_picks_the_checks(messy, label_sets):
    single, multi = check(messy), check(label_sets)
    assert {f.check for f in single.findings} == set(PLANS["single_label"]) - set(MODEL_CHECKS)
    assert {f.check for f in multi.findings} == set(PLANS["multi_label"]) - set(MODEL_CHECKS)
    assert set(PLANS["multi_label"]) - set(PLANS["single_label"]) == {"label_cardinality", "label_frequency", "label_pairs"}
    assert (single.task, multi.task) == ("single_label", "multi_label")
    assert (single.labels_per_row, single.cooccurrence) == (None, None)


def test_a_label_set_report_counts_positives_and_shows_sets_as_people_write_them(label_sets, fake_encoder):
    report = check(label_sets, fake_encoder)
    assert {f.check for f in report.findings} == set(PLANS["multi_label"])
    empty = report.finding("label_cardinality")
    assert set(empty.rows["n_labels"]) == {0}
    assert empty.count == 6
    assert "6 rows (15%) have no label" in empty.message
    assert report.finding("leakage").rows["row"].tolist() == [0]
    assert "[(no label)]" in report.to_text(max_rows=50)
    assert "[billing; delivery]" in report.to_text(max_rows=50)
    counts = report.label_counts.set_index(["split", "label"])["count"]
    assert counts[("train", "billing")] + counts[("validation", "billing")] == 20
    per_row = report.labels_per_row.groupby("labels")["rows"].sum().to_dict()
    assert per_row == {0: 6, 1: 26, 2: 8}
    both = report.cooccurrence.set_index(["label_a", "label_b"])["rows"]
    assert both[("billing", "delivery")] == both[("delivery", "billing")] > 0
    assert json.loads(json.dumps(report.to_dict()))["task"] == "multi_label"


def test_model_checks_on_a_large_file_are_bounded_and_say_so(fake_encoder):
    words = ["refund", "card", "payment", "parcel", "late", "lost", "account", "close", "pin", "reset"]
    rng = np.random.default_rng(0)
    texts = [" ".join(rng.choice(words, 4)) + f" {i}" for i in range(3_000)]
    labels = [f"l{i % 3}" for i in range(3_000)]
    report = check(load(pd.DataFrame({"text": texts, "label": labels})), fake_encoder, CheckConfig(max_fit_rows=1_000, exact_search_up_to=1_000))
    assert "fitted on a seeded stratified sample of about 1,000 rows; all 3,000 rows scored out of fold" in report.finding("label_errors").message
    assert "approximate search over 3,000 texts (faiss inverted file" in report.finding("semantic_duplicates").message
    assert "3,000 rows against 3 label centroids" in report.finding("outliers").message
    assert fake_encoder.encode_calls == 1
