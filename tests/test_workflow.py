"""The whole journey on a tiny model: baseline, training, comparison, projections, the run's page."""

from __future__ import annotations

import numpy as np
import pytest

import nbtrain
from nbtrain.journey import train as run
from nbtrain.training.config import TrainConfig


@pytest.fixture(scope="module")
def outcome(tiny_model_dir):
    from textdata import make_texts

    frame = make_texts(25)
    dataset = nbtrain.load(frame.iloc[:60], test=frame.iloc[60:])
    return run(dataset, TrainConfig(model=str(tiny_model_dir), epochs=2, batch_size=8, device="cpu"), progress=False)


def test_comparison_scores_both_models_on_every_held_out_split(outcome):
    import pandas as pd

    from nbtrain.evaluate.baseline import fit_baseline

    cmp, result = outcome.comparison, outcome.result
    encoder = nbtrain.Encoder(result.model.config.model)
    assert set(cmp.splits) == {"validation", "test"}
    # validation: the baseline and the trained encoder with a head fitted on the training rows only
    val = cmp.splits["validation"]
    assert val.fitted_on == "train"
    assert val.rows["baseline_label"].tolist() == outcome.baseline.predict(encoder.encode(val.rows["text"].tolist()))
    assert val.rows["trained_label"].tolist() == result.model_fitted_on("train").classify(val.rows["text"].tolist())["label"].tolist()
    # test: the final model, whose head also learnt the split-off validation rows, and a baseline fitted on the same rows
    test = cmp.splits["test"]
    assert test.fitted_on == "train+validation"
    assert test.baseline.n == test.trained.n == len(outcome.dataset.test)
    rows = pd.concat([outcome.dataset.train, outcome.dataset.validation])
    every = fit_baseline(encoder.encode(rows["text"].tolist()), rows["label"].tolist())
    assert (test.baseline_C, test.baseline_class_weight) == (every.C, every.class_weight)
    assert test.rows["baseline_label"].tolist() == every.predict(encoder.encode(test.rows["text"].tolist()))
    assert test.rows["trained_label"].tolist() == result.model.classify(test.rows["text"].tolist())["label"].tolist()
    table = cmp.table()
    assert set(table["measure"]) == {"accuracy", "macro_precision", "macro_recall", "macro_f1", "silhouette", "knn_accuracy"}
    assert np.allclose(table["difference"], table["trained"] - table["baseline"])
    assert cmp.to_dict()["splits"]["test"]["fitted_on"] == "train+validation"


def test_projections_are_aligned_and_keep_row_order(outcome):
    base, trained = outcome.projections("test")
    assert list(base["text"]) == list(trained["text"]) == list(outcome.dataset.test["text"])
    assert {"x", "y", "baseline_label", "trained_label"} <= set(base.columns)


def test_projections_of_every_held_out_split_carry_the_split_and_are_cached(outcome, monkeypatch):
    from nbtrain.embed import project

    base, trained = outcome.projections(None)
    assert base["split"].tolist() == ["validation"] * len(outcome.dataset.validation) + ["test"] * len(outcome.dataset.test)
    assert base["text"].tolist() == trained["text"].tolist()
    test_only = outcome.projections("test")[0]
    assert set(test_only["split"]) == {"test"}
    monkeypatch.setattr(project, "_pca", None)  # a cache miss would now fail
    again, _ = outcome.projections(None)
    assert np.array_equal(again[["x", "y"]], base[["x", "y"]])


def test_comparison_view_plots_every_held_out_row_with_the_test_separation(outcome):
    from nbtrain.widgets.compare_view import ComparisonView

    view = ComparisonView(outcome)
    explorer = view.explorer
    assert len(explorer.baseline) == len(outcome.dataset.validation) + len(outcome.dataset.test)
    assert explorer.charts["trained"].chart.to_dict()["encoding"]["shape"]["field"] == "split"
    test = outcome.comparison.splits["test"]
    under = explorer.separation["trained"].value
    assert f"{test.trained_separation.silhouette:.3f}" in under
    assert "on the test rows" in under
    note = view.children[0].value
    assert "test rows as triangles" in note
    assert "validation: both fitted on train rows" in note
    assert "test: both fitted on train+validation rows" in note
    assert "the final model (Try it, classify) learnt them too" in note


def test_the_runs_page_is_self_contained_and_says_what_was_trained(outcome, tmp_path):
    report = nbtrain.check(outcome.dataset)
    path = outcome.to_html(tmp_path / "report.html", report=report)
    page = path.read_text()
    assert "Baseline versus trained" in page
    assert page.count("vegaEmbed('#chart") == 3
    assert "cdn.jsdelivr" not in page
    assert "<script src=" not in page
    assert outcome.config.model in page, "names the model"
    assert outcome.dataset.version in page
    assert f"Data quality {report.score}/100" in page
    assert "-0.000" not in page
    assert "(see .dropped)" not in page


def test_a_saved_run_holds_model_record_and_page(outcome, tmp_path):
    folder = outcome.save(tmp_path / "run")
    assert (folder / "model" / "nbtrain.json").is_file()
    assert (folder / "report.html").is_file()
    record = nbtrain.RunRecord.load(folder)
    assert record.data["version"] == outcome.dataset.version
    scores = record.scores()
    test_f1 = scores[(scores["split"] == "test") & (scores["measure"] == "macro_f1")].iloc[0]
    assert test_f1["trained"] == pytest.approx(outcome.comparison.splits["test"].trained.macro_f1)
    assert nbtrain.load_model(folder).labels == outcome.model.labels, "a run folder loads as its model"


def test_studio_runs_the_journey_without_a_browser(tiny_model_dir):
    from nbtrain.widgets.studio import studio
    from textdata import make_texts

    view = studio(make_texts(20), config=TrainConfig(model=str(tiny_model_dir), epochs=1, batch_size=8, device="cpu"))
    assert view.tabs.titles == ("Data", "Report", "Review", "Train", "Compare", "Try it", "Runs")
    view.tabs.selected_index = 1
    assert view.report is not None
    assert view.report.dataset is view.dataset
    view.train_panel.start_clicks += 1
    outcome = view.train_panel.wait(120)
    assert view.train_panel.status == "done", view.train_panel.message
    assert view.run is outcome
    assert view.compare_box.children[0].explorer.baseline.shape[0] == len(outcome.dataset.validation)
    view.try_text.value = "late parcel box\nrefund twice"
    view.try_button.click()
    assert "late parcel box" in view.try_output.value
    assert "confidence" in view.try_output.value
    # a second run after an edit: the Runs tab compares the two
    view.report.dataset = view.dataset.relabel(view.dataset.train.head(3), view.dataset.labels[0])
    view.train_panel.start_clicks += 1
    second = view.train_panel.wait(120)
    assert view.runs == [outcome, second]
    runs_view = view.runs_box.children[0]
    assert runs_view.comparison is not None
    changed = runs_view.body.children[0].value
    assert f"data: version {outcome.dataset.version} (0 edits) → {second.dataset.version} (1 edit)" in changed


def test_studio_shows_a_report_failure_in_the_tab(tmp_path):
    from nbtrain.widgets.studio import studio
    from textdata import make_texts

    view = studio(make_texts(20), config=TrainConfig(model=str(tmp_path / "no-such-model")))
    view.tabs.selected_index = 1
    assert view.report is None
    shown = view.report_box.children[0].value
    assert "The report could not be built" in shown
    assert "no-such-model" in shown


def test_the_comparison_baselines_are_weighed_as_the_trained_heads(tiny_model_dir):
    # balanced labels: "auto" would weigh nothing, so only the setting passed through can weigh them
    from textdata import make_texts

    frame = make_texts(25)
    dataset = nbtrain.load(frame.iloc[:60], test=frame.iloc[60:])
    weighed = run(dataset, TrainConfig(model=str(tiny_model_dir), epochs=1, batch_size=8, device="cpu", class_weight="balanced"), progress=False)
    assert weighed.baseline.class_weight == "balanced"
    assert {s.baseline_class_weight for s in weighed.comparison.splits.values()} == {"balanced"}


def test_saved_runs_are_listed_and_compared_from_python_and_the_command_line(outcome, tmp_path, capsys):
    import json

    from nbtrain.cli import main

    edited = outcome.dataset.relabel(outcome.dataset.train.head(2), outcome.dataset.labels[0])
    outcome.save(tmp_path / "runs" / "a")
    second = run(edited, outcome.config, progress=False)
    second.save(tmp_path / "runs" / "b")
    table = nbtrain.runs(tmp_path / "runs")
    assert table["run"].tolist() == ["a", "b"]
    assert table["edits"].tolist() == [0, 1]
    assert table["trained_macro_f1"].iloc[1] == pytest.approx(second.comparison.splits["test"].trained.macro_f1)
    result = nbtrain.compare(tmp_path / "runs" / "a", tmp_path / "runs" / "b")
    scores = result.table().set_index(["split", "measure"])
    expected = second.comparison.splits["test"].trained.macro_f1 - outcome.comparison.splits["test"].trained.macro_f1
    assert scores.loc[("test", "macro_f1"), "difference"] == pytest.approx(expected)
    assert set(result.per_label()["label"]) == set(outcome.dataset.labels)
    assert main(["runs", str(tmp_path / "runs"), "--json"]) == 0
    assert [r["run"] for r in json.loads(capsys.readouterr().out)] == ["a", "b"]
    assert main(["compare", str(tmp_path / "runs" / "a"), str(tmp_path / "runs" / "b")]) == 0
    text = capsys.readouterr().out
    assert "data: version" in text
    assert "Largest per-label F1 changes (test)" in text


def test_the_studio_keeps_one_dataset_that_every_view_edits(tiny_model_dir, tmp_path):
    from nbtrain.widgets.studio import studio
    from textdata import make_texts

    saved = tmp_path / "edits.json"
    view = studio(make_texts(20), config=TrainConfig(model=str(tiny_model_dir), epochs=1, batch_size=8, device="cpu"), save_edits=saved)
    view.encoder = nbtrain.Encoder(str(tiny_model_dir), device="cpu")
    view.tabs.selected_index = view.tabs.titles.index("Report")
    assert view.report is not None
    view.tabs.selected_index = view.tabs.titles.index("Review")
    queue = view.queue
    assert queue is not None
    queue.act("keep")  # the first candidate, kept as it is
    assert view.dataset is queue.dataset
    assert view.dataset.history[-1].name == "review"
    assert saved.is_file()
    view.tabs.selected_index = view.tabs.titles.index("Report")
    assert "The data changed since this report" in view._report_stale.value
    assert all(b.disabled for b in view.report.fix_buttons.values()), "a stale report applies no fix"
    view._recheck.click()
    assert view.report.dataset is view.dataset
    assert not any(b.disabled for b in view.report.fix_buttons.values())
