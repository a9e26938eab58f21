"""Scores, and the baseline: cross-validated C, and logits equal to scikit-learn's probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from nbtrain.evaluate.baseline import fit_baseline
from nbtrain.evaluate.scores import score_predictions


def test_scores_per_class_and_confusion():
    s = score_predictions(["a", "a", "b", "c"], ["a", "b", "b", "b"], ["a", "b", "c"])
    assert s.accuracy == 0.5
    assert s.per_class.set_index("label")["recall"].to_dict() == {"a": 0.5, "b": 1.0, "c": 0.0}
    assert s.confusion.loc["c", "b"] == 1
    assert s.macro_f1 == pytest.approx((2 / 3 + 0.5 + 0) / 3)
    assert s.to_dict()["confusion"]["matrix"] == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_baseline_probabilities_match_sklearn(n_classes):
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(n_classes, 8))
    y = np.repeat([f"c{i}" for i in range(n_classes)], 30)
    x = centers[np.repeat(np.arange(n_classes), 30)] + rng.normal(scale=0.8, size=(30 * n_classes, 8))
    base = fit_baseline(x, y, Cs=(0.5,))
    reference = LogisticRegression(C=0.5, max_iter=3000).fit(x, y)
    assert base.labels == tuple(reference.classes_)
    assert np.allclose(base.predict_proba(x), reference.predict_proba(x), atol=1e-4)
    assert base.weights.shape == (n_classes, 8)


def test_baseline_chooses_c_by_cross_validation():
    rng = np.random.default_rng(0)
    y = np.repeat(["a", "b"], 40)
    x = np.c_[np.where(y == "a", 1.0, -1.0) * 0.3 + rng.normal(scale=1.0, size=80), rng.normal(size=(80, 30))]
    base = fit_baseline(x, y, Cs=(0.001, 0.01, 100.0))
    assert base.C in (0.001, 0.01, 100.0)
    assert 0 <= base.cv_macro_f1 <= 1
    # with 30 noise features a very weak C cannot beat chance; the search must not pick blindly
    scores = {c: fit_baseline(x, y, Cs=(c,)).cv_macro_f1 for c in (0.001, 0.01, 100.0)}
    assert base.cv_macro_f1 == pytest.approx(max(scores.values()))


def test_folds_shrink_for_small_classes():
    x = np.random.default_rng(0).normal(size=(7, 4))
    base = fit_baseline(x, ["a", "a", "a", "a", "b", "b", "b"])
    assert base.labels == ("a", "b")


def test_few_shot_labels_fit_without_sklearn_warnings():
    # banking77 at 250 rows: many labels, some with one row, more labels than half the rows
    import warnings

    x = np.random.default_rng(0).normal(size=(9, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        base = fit_baseline(x, ["a", "a", "b", "b", "c", "c", "d", "e", "f"])
    assert base.labels == ("a", "b", "c", "d", "e", "f")


def test_class_weights_are_chosen_by_the_same_cross_validation():
    # one label in ten, weakly separated: unweighted, the rare label is almost never predicted
    rng = np.random.default_rng(1)
    y = np.array(["common"] * 90 + ["rare"] * 10)
    x = np.c_[np.where(y == "rare", 1.0, 0.0) + rng.normal(size=100), rng.normal(size=(100, 5))]
    fixed = {weights: fit_baseline(x, y, Cs=(1.0,), class_weight=weights) for weights in (None, "balanced")}
    assert fixed["balanced"].cv_macro_f1 > fixed[None].cv_macro_f1
    auto = fit_baseline(x, y, Cs=(1.0,))
    assert auto.class_weight == "balanced"
    assert auto.cv_macro_f1 == pytest.approx(fixed["balanced"].cv_macro_f1)
    assert np.allclose(auto.weights, fixed["balanced"].weights)
    with pytest.raises(ValueError, match="class_weight must be one of"):
        fit_baseline(x, y, class_weight="inverse")


def test_nearly_balanced_labels_are_weighed_alike_without_a_search():
    rng = np.random.default_rng(2)
    y = np.array(["pos"] * 52 + ["neg"] * 48)
    x = np.c_[np.where(y == "pos", 0.3, 0.0) + rng.normal(size=100), rng.normal(size=(100, 5))]
    auto = fit_baseline(x, y)
    assert auto.class_weight is None
    assert np.allclose(auto.weights, fit_baseline(x, y, class_weight=None).weights)


def test_a_multi_label_baseline_on_more_rows_than_its_search_takes_searches_a_sample():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 8))
    y = rng.integers(0, 2, size=(300, 3))
    x = y @ centres + rng.normal(scale=0.3, size=(300, 8))
    labels = [tuple(name for name, on in zip("abc", row, strict=True) if on) for row in y]
    head = fit_baseline(x, labels, task="multi_label", cv_rows=120, Cs=(0.1, 1.0, 10.0))
    predicted = head.predict(x)
    assert len(predicted) == 300
    assert np.mean([set(p) == set(t) for p, t in zip(predicted, labels, strict=True)]) > 0.8


@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_the_one_vs_rest_fit_is_each_labels_own_logistic_regression_from_any_start(class_weight):
    from nbtrain.evaluate.multilabel_baseline import fit_all

    rng = np.random.default_rng(0)
    y = (rng.random((300, 4)) < [0.05, 0.2, 0.5, 0.0]).astype(np.int8)  # the last label never occurs
    x = y @ rng.normal(size=(4, 6)) * 0.5 + rng.normal(size=(300, 6))
    weights, bias = fit_all(x, y, 3.0, class_weight)
    for j in range(3):
        reference = LogisticRegression(C=3.0, class_weight=class_weight, tol=1e-8, max_iter=5000).fit(x, y[:, j])
        ours = 1 / (1 + np.exp(-(x @ weights[j] + bias[j])))
        assert np.abs(ours - reference.predict_proba(x)[:, 1]).max() < 0.01
    assert not weights[3].any()
    assert bias[3] == -10.0
    # a start from another C's solution reaches the same answer
    again = fit_all(x, y, 3.0, class_weight, start=fit_all(x, y, 0.3, class_weight))
    assert np.abs(_sigmoid(x @ again[0].T + again[1]) - _sigmoid(x @ weights.T + bias)).max() < 0.01
    assert not np.allclose(fit_all(x, y, 0.3, class_weight)[0], weights, atol=0.01)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))
