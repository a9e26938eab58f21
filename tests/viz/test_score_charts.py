"""The score charts: one bar per model and measure of the chosen split; loss next to macro-F1."""

from __future__ import annotations

import pandas as pd

from nbtrain.viz.score_charts import metric_comparison, training_curve


def test_metric_comparison_keeps_only_the_chosen_split():
    table = pd.DataFrame(
        {"split": ["validation", "test"], "measure": ["accuracy", "accuracy"], "baseline": [0.8, 0.7], "trained": [0.9, 0.75]}
    )
    values = metric_comparison(table, "test").to_dict()["data"]["values"]
    assert sorted((v["model"], v["score"]) for v in values) == [("baseline", 0.7), ("trained", 0.75)]


def test_training_curve_adds_the_loss_only_when_steps_are_given():
    history = pd.DataFrame({"epoch": [0, 1], "val_macro_f1": [0.5, 0.6], "val_loss": [1.0, 0.8]})
    assert "hconcat" not in training_curve(history).to_dict()
    steps = pd.DataFrame({"step": [1, 2], "epoch": [1, 1], "loss": [0.9, 0.7]})
    assert len(training_curve(history, steps).to_dict()["hconcat"]) == 2
