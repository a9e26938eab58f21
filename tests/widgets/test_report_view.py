"""The report view without a browser: build it, click fix buttons, assert the Python state."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd
import pytest

from nbtrain.data.load import load
from nbtrain.data.report import CheckConfig
from nbtrain.widgets.report_view import DataReportView


@pytest.fixture
def messy():
    train = [(f"refund my card payment {i}", "billing") for i in range(8)]
    train += [(f"parcel arrived late again {i}", "delivery") for i in range(8)]
    train += [("refund my card payment 1", "billing"), ("refund my card payment 1", "billing"), ("Tom &amp; Jerry parcel", "delivery")]
    val = [("refund please now", "billing"), ("Parcel arrived late again 3!", "delivery"), ("parcel lost today", "delivery")]
    frame = lambda rows: pd.DataFrame(rows, columns=["text", "label"])  # noqa: E731
    return load(frame(train), frame(val))


def test_view_shows_score_findings_and_a_fix_button_per_fixable_finding(messy):
    view = DataReportView(messy)
    header = view.children[0]
    assert isinstance(header, widgets.HTML)
    assert f"{view.report.score}/100" in header.value
    assert set(view.fix_buttons) == {"drop_exact_duplicates", "remove_leaked_rows", "strip_html_and_urls"}
    assert view.fix_buttons["drop_exact_duplicates"].description == "drop exact duplicates"
    rows_tables = [c for box in view.children if isinstance(box, widgets.VBox) for c in box.children if isinstance(c, widgets.Accordion)]
    assert rows_tables
    assert all(table.selected_index is None for table in rows_tables)
    assert list(view.charts) == ["labels", "lengths"]
    assert view.children[-1].children == tuple(view.charts.values())
    lengths = view.charts["lengths"].chart.to_dict()
    assert lengths["layer"][1]["mark"]["type"] == "rule"


def test_clicking_a_fix_applies_it_records_the_audit_and_re_renders(messy):
    view = DataReportView(messy)
    before = view.dataset
    view.fix_buttons["drop_exact_duplicates"].click()
    assert [trail.fix for trail in view.audit] == ["drop_exact_duplicates"]
    assert view.audit[0].removed["row"].tolist() == [16, 17]
    assert len(view.dataset.train) == len(before.train) - 2
    assert len(before.train) == 19
    assert "drop_exact_duplicates" not in view.fix_buttons
    assert view.report.finding("exact_duplicates").severity == "ok"
    assert "drop_exact_duplicates: 2 rows removed" in view.status.value


def test_fixes_chain_on_the_current_dataset(messy):
    view = DataReportView(messy, config=CheckConfig(skip=("size",)))
    view.fix_buttons["remove_leaked_rows"].click()
    view.fix_buttons["strip_html_and_urls"].click()
    assert [trail.fix for trail in view.audit] == ["remove_leaked_rows", "strip_html_and_urls"]
    assert "Tom & Jerry parcel" in set(view.dataset.train["text"])
    assert "Parcel arrived late again 3!" not in set(view.dataset.validation["text"])
    assert "size" not in {f.check for f in view.report.findings}


def test_a_refused_fix_shows_the_reason_and_keeps_the_data(messy):
    train = messy.train[["text", "label"]]
    only_leaks = load(train, pd.DataFrame({"text": ["Refund my card payment 2!", "parcel arrived late again 5."], "label": ["billing", "delivery"]}))
    view = DataReportView(only_leaks)
    view.fix_buttons["remove_leaked_rows"].click()
    assert view.audit == ()
    assert view.dataset is only_leaks
    assert "no validation rows" in view.status.value


def test_conflicts_offer_relabel_and_drop_and_whitespace_its_own_fix():
    train = [(f"refund my card payment {i}", "billing") for i in range(6)] + [(f"parcel late {i}", "delivery") for i in range(6)]
    train += [("where is it", "billing"), ("where is it", "delivery"), ("  spaced   out ", "billing")]
    frame = lambda rows: pd.DataFrame(rows, columns=["text", "label"])  # noqa: E731
    view = DataReportView(load(frame(train), frame([("refund now", "billing"), ("parcel gone", "delivery")])))
    assert {"resolve_conflicting_labels", "drop_conflicting_texts", "normalise_whitespace"} <= set(view.fix_buttons)
    view.fix_buttons["drop_conflicting_texts"].click()
    view.fix_buttons["normalise_whitespace"].click()
    assert [t.fix for t in view.audit] == ["drop_conflicting_texts", "normalise_whitespace"]
    assert "where is it" not in set(view.dataset.train["text"])
    assert "spaced out" in set(view.dataset.train["text"])
