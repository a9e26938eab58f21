import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from nbtrain.evaluate.logistic import fit_binary_logistic


def _problem(seed: int, rows: int = 400, features: int = 12, labels: int = 5):
    rng = np.random.default_rng(seed)
    y = (rng.random((rows, labels)) < np.linspace(0.03, 0.5, labels)).astype(np.int8)
    x = y @ rng.normal(size=(labels, features)) * 0.7 + rng.normal(size=(rows, features))
    return x.astype(np.float32), y


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_every_label_reaches_scikit_learns_tight_optimum(C):
    x, y = _problem(0)
    weights, bias = fit_binary_logistic(x, y, C, tol=1e-8)
    for j in range(y.shape[1]):
        reference = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(x.astype(np.float64), y[:, j])
        assert np.allclose(weights[j], reference.coef_[0], atol=2e-3 * max(1.0, np.abs(reference.coef_).max()))
        assert bias[j] == pytest.approx(reference.intercept_[0], abs=2e-3 * max(1.0, abs(reference.intercept_[0])))


def test_each_label_weighs_its_rows_its_own_way():
    x, y = _problem(1)
    weight = np.where(y > 0, 4.0, 1.0)
    weights, bias = fit_binary_logistic(x, y, 1.0, sample_weight=weight, tol=1e-8)
    for j in range(y.shape[1]):
        reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(x, y[:, j], sample_weight=weight[:, j])
        assert np.abs(weights[j] - reference.coef_[0]).max() < 1e-2
        assert bias[j] == pytest.approx(reference.intercept_[0], abs=1e-2)
    unweighted, _ = fit_binary_logistic(x, y, 1.0)
    assert not np.allclose(unweighted, weights, atol=1e-2)


def test_a_start_elsewhere_reaches_the_same_optimum():
    x, y = _problem(2)
    cold = fit_binary_logistic(x, y, 10.0, tol=1e-8)
    warm = fit_binary_logistic(x, y, 10.0, tol=1e-8, start=fit_binary_logistic(x, y, 0.1))
    assert np.abs(cold[0] - warm[0]).max() < 1e-3
    assert np.abs(cold[1] - warm[1]).max() < 1e-3


def test_separable_labels_stop_at_the_iteration_limit_with_finite_weights():
    x = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([[0], [0], [1], [1]])
    weights, bias = fit_binary_logistic(x, y, 1e6, max_iter=50)
    assert np.isfinite(weights).all()
    assert np.isfinite(bias).all()
    assert weights[0, 0] > 1.0
