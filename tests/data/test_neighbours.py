"""The nearest-neighbour search behind the semantic checks: exact on small sets, bounded above."""

from __future__ import annotations

import numpy as np

from nbtrain.data.neighbours import nearest_neighbours, similar_texts


def planted(n: int = 3_000, dim: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` random unit vectors, the last 30 near copies of the first 30."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim)).astype(np.float32)
    source, copy = np.arange(30), np.arange(n - 30, n)
    x[copy] = x[source] + rng.normal(scale=0.02, size=(30, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True), source, copy


def test_exact_search_on_a_small_set_says_so():
    x, _, _ = planted(n=200)
    found, sims, method = nearest_neighbours(x, k=3)
    assert method == "exact search over 200 texts"
    assert found.shape == (200, 4)
    assert np.all(np.diff(sims, axis=1) <= 1e-6)


def test_approximate_search_above_the_exact_limit_finds_the_near_copies_and_says_how():
    x, source, copy = planted()
    found, _, method = nearest_neighbours(x, k=5, exact_up_to=1_000)
    assert method == "approximate search over 3,000 texts (faiss inverted file: 109 cells, the 8 nearest searched per text)"
    assert all(c in found[s] for s, c in zip(source, copy, strict=True))


def test_similar_texts_keeps_pairs_above_the_threshold_in_both_directions():
    x, source, copy = planted()
    texts = [f"t{i}" for i in range(len(x))]
    similar = similar_texts(texts, x, min_similarity=0.99, exact_up_to=1_000)
    pairs = set(zip(similar.pairs["text"], similar.pairs["match_text"], strict=True))
    expected = {(f"t{s}", f"t{c}") for s, c in zip(source, copy, strict=True)}
    assert expected <= pairs
    assert {(b, a) for a, b in expected} <= pairs
    assert (similar.pairs["similarity"] >= 0.99).all()
    assert similar.method.startswith("approximate search over 3,000 texts")


def test_similar_texts_of_one_text_is_empty():
    assert similar_texts(["only"], np.ones((1, 4), dtype=np.float32)).pairs.empty
