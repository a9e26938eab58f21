"""2-D projections: every method, alignment of the trained side, the cache, UMAP's install hint."""

from __future__ import annotations

import doctest
import sys
import types

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from nbtrain.embed import project
from nbtrain.embed.project import clear_projection_cache, project_2d, project_pair


@pytest.fixture(autouse=True)
def empty_cache():
    clear_projection_cache()
    yield
    clear_projection_cache()


@pytest.fixture(autouse=True)
def one_thread():
    """t-SNE on one OpenMP thread: with suites running side by side on two cores, spin-waiting
    threads make a 60-point t-SNE take 10 s instead of 1 s. The results are the same."""
    with threadpool_limits(1):
        yield


def clusters(n_per: int = 20, dim: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, dim)) * 4
    labels = np.repeat(np.arange(3), n_per)
    return centres[labels] + rng.normal(size=(len(labels), dim)), labels


def nearest_label_accuracy(points: np.ndarray, labels: np.ndarray) -> float:
    distance = np.linalg.norm(points[:, None] - points[None], axis=-1)
    np.fill_diagonal(distance, np.inf)
    return float(np.mean(labels[distance.argmin(axis=1)] == labels))


def rotated(x: np.ndarray, seed: int = 1) -> np.ndarray:
    rotation, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(x.shape[1], x.shape[1])))
    return x @ rotation


def test_docstring_examples_run():
    assert doctest.testmod(project).failed == 0


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_methods_give_centred_points_that_keep_clusters_apart(method):
    x, labels = clusters()
    points = project_2d(x, method=method)
    assert points.shape == (60, 2)
    assert np.allclose(points.mean(axis=0), 0, atol=1e-6)
    assert nearest_label_accuracy(points, labels) == 1.0


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_trained_side_is_rotated_onto_the_baseline_for_every_method(method):
    x, _ = clusters()
    a, b = project_pair(x, rotated(x), method=method)
    spread = np.linalg.norm(a, axis=1).mean()
    # PCA matches exactly; t-SNE's tree approximation is only nearly mirror-symmetric. Unaligned
    # (a mirrored or turned layout) the gap would be about the spread itself.
    assert np.linalg.norm(a - b, axis=1).mean() < (1e-6 if method == "pca" else 0.15) * spread
    # Alignment rotates only: distances within the trained plot are unchanged.
    raw = project_2d(rotated(x), method=method)
    assert np.allclose(np.linalg.norm(b - b[0], axis=1), np.linalg.norm(raw - raw[0], axis=1))


def test_umap_is_called_with_a_seed_and_aligned(monkeypatch):
    calls = []

    class FakeUMAP:
        def __init__(self, **kwargs):
            calls.append(kwargs)

        def fit_transform(self, x):
            # distances to two rows: unchanged by rotating the input, off-centre like UMAP's output
            return np.c_[np.linalg.norm(x - x[0], axis=1), np.linalg.norm(x - x[1], axis=1)] + 10

    monkeypatch.setitem(sys.modules, "umap", types.SimpleNamespace(UMAP=FakeUMAP))
    x, _ = clusters()
    a, b = project_pair(x, rotated(x), method="umap", seed=3)
    assert calls[0]["random_state"] == 3
    assert calls[0]["n_neighbors"] == 15
    assert np.allclose(a.mean(axis=0), 0)
    assert np.allclose(a, b)


def test_missing_umap_raises_import_error_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "umap", None)  # makes `import umap` fail
    with pytest.raises(ImportError, match=r"pip install 'nbtrain\[umap\]'"):
        project_2d(clusters()[0], method="umap")


@pytest.mark.slow  # numba compiles UMAP on first use: most of a minute
def test_real_umap_keeps_clusters_apart():
    pytest.importorskip("umap")
    x, labels = clusters()
    assert nearest_label_accuracy(project_2d(x, method="umap"), labels) == 1.0


def test_equal_arrays_hit_the_cache_and_get_their_own_copy(monkeypatch):
    calls = []
    real = project._pca

    def counting(x, dimensions, seed):
        calls.append(dimensions)
        return real(x, dimensions, seed)

    monkeypatch.setattr(project, "_pca", counting)
    x, _ = clusters()
    first = project_2d(x)
    first[:] = 0
    again = project_2d(x.copy())
    assert len(calls) == 1
    assert not np.allclose(again, 0)
    project_2d(x, seed=1)
    project_2d(x.astype(np.float32))
    assert len(calls) == 3


def test_cache_forgets_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(project, "_CACHE_SIZE", 2)
    calls = []
    real = project._pca
    monkeypatch.setattr(project, "_pca", lambda x, d, s: calls.append(1) or real(x, d, s))
    x, _ = clusters()
    first, second, third = x, x + 1, x + 2
    for array in (first, second, first, third, first, second):
        project_2d(array)
    # first stays (used again), second is evicted by third and recomputed
    assert len(calls) == 4


def test_small_inputs_and_unknown_methods():
    assert np.array_equal(project_2d(np.ones((1, 4))), np.zeros((1, 2)))
    assert project_2d(np.random.default_rng(0).normal(size=(5, 4)), method="tsne").shape == (5, 2)
    with pytest.raises(ValueError, match="pca, umap, tsne"):
        project_2d(np.ones((3, 2)), method="mds")  # type: ignore[arg-type]
