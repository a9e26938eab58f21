"""Separation scores and aligned 2-D projections."""

from __future__ import annotations

import numpy as np

from nbtrain.embed.project import project_2d, project_pair
from nbtrain.embed.separation import separation_scores


def test_well_separated_classes_score_high_and_mixed_ones_low():
    rng = np.random.default_rng(0)
    a = rng.normal([5, 0, 0], 0.1, size=(20, 3))
    b = rng.normal([0, 5, 0], 0.1, size=(20, 3))
    labels = ["a"] * 20 + ["b"] * 20
    good = separation_scores(np.vstack([a, b]), labels)
    assert good.silhouette > 0.9
    assert good.knn_accuracy == 1.0
    mixed = separation_scores(rng.normal(size=(40, 3)), labels)
    assert mixed.silhouette < 0.1
    assert mixed.knn_accuracy < 0.8


def test_knn_is_leave_one_out():
    x = np.array([[1.0, 0], [1.0, 0.01], [0, 1.0], [0.01, 1.0]])
    assert separation_scores(x, ["a", "a", "b", "b"], k=1).knn_accuracy == 1.0
    assert separation_scores(x, ["a", "b", "a", "b"], k=1).knn_accuracy == 0.0


def test_degenerate_inputs_give_nan():
    assert np.isnan(separation_scores(np.ones((2, 3)), ["a", "b"]).silhouette)
    assert np.isnan(separation_scores(np.ones((5, 3)), ["a"] * 5).knn_accuracy)


def test_projection_pair_is_aligned_by_rotation_only():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 6))
    rotation, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    a, b = project_pair(x, x @ rotation)
    assert np.allclose(a, b, atol=1e-6)
    assert project_2d(x[:1]).shape == (1, 2)
