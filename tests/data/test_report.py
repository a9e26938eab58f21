"""The report runner: config validation, skipping, severity order, score, one embedding pass, exports."""

from __future__ import annotations

import json

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
