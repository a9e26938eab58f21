"""How well an embedding separates the labels, independent of any classifier.

Two complementary numbers on the same held-out rows: the cosine silhouette (are labels compact
and apart, -1 to 1) and leave-one-out k-nearest-neighbour agreement (would a point's neighbours
vote for its own label). Neither builds an n × n matrix: neighbours come from scikit-learn's
nearest-neighbour search, which works in chunks, and above :data:`SILHOUETTE_ROWS` rows the
silhouette is computed on a seeded sample of that size (``silhouette_rows`` says how many).

For label sets (multi-label rows) the silhouette is taken over the rows that carry exactly one
label, and the k-NN score is the mean overlap (shared labels over labels either has) between a
row's labels and those most of its neighbours carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: The silhouette needs every pairwise distance of the rows it scores; above this many rows it
#: scores a seeded sample (5,000 rows: 25 million distances, a second or two).
SILHOUETTE_ROWS = 5_000
#: Megabytes of distances scikit-learn may hold at once (its default, 1,024, added 1.4 GB to the
#: peak memory of scoring 12,525 test rows; the chunks then are smaller, the time the same).
WORKING_MEMORY_MB = 64


@dataclass(frozen=True)
class Separation:
    """Cosine silhouette and leave-one-out k-NN agreement of labelled embeddings.

    ``silhouette_rows`` is how many rows the silhouette used (all ``n``, a sample, or for label
    sets the single-label rows); ``knn_accuracy`` is, for label sets, the mean k-NN overlap.
    """

    silhouette: float
    knn_accuracy: float
    k: int
    n: int
    silhouette_rows: int = 0


def separation_scores(embeddings: np.ndarray, labels: Sequence[Any], k: int = 5, seed: int = 0) -> Separation:
    """Score how well ``labels`` (strings, or tuples of strings) are separated in ``embeddings``.

    >>> x = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    >>> separation_scores(x, ["a", "a", "b", "b"], k=1).knn_accuracy
    1.0
    """
    values = list(labels)
    n = len(values)
    sets = bool(values) and not isinstance(values[0], str)
    nan = Separation(float("nan"), float("nan"), k, n)
    if n < 3:
        return nan
    from sklearn import config_context

    x = np.asarray(embeddings, dtype=np.float32)
    x = x / np.linalg.norm(x, axis=1, keepdims=True).clip(min=1e-12)
    k = min(k, n - 1)
    with config_context(working_memory=WORKING_MEMORY_MB):
        neighbours, similarity = _neighbours(x, k)
        if sets:
            knn = _knn_overlap(values, neighbours)
            single = np.array([len(v) == 1 for v in values])
            silhouette, used = _silhouette(x[single], np.array([v[0] for v, s in zip(values, single, strict=True) if s]), seed)
            return Separation(silhouette, knn, k, n, used)
        y = np.asarray(values)
        if len(np.unique(y)) < 2:
            return nan
        votes = y[neighbours]
        hits = [_majority(row, similarity[i]) == y[i] for i, row in enumerate(votes)]
        silhouette, used = _silhouette(x, y, seed)
    return Separation(silhouette, float(np.mean(hits)), k, n, used)


def _neighbours(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` nearest other rows by cosine similarity, and those similarities."""
    from sklearn.neighbors import NearestNeighbors

    search = NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute").fit(x)
    distance, index = search.kneighbors(x)
    # Drop each row itself (usually the first hit; with duplicates, whichever copy came first).
    own = index == np.arange(len(x))[:, None]
    keep = np.where(own.any(axis=1, keepdims=True), ~own, np.arange(k + 1)[None, :] < k)
    neighbours = index[keep].reshape(len(x), k)
    similarity = 1 - distance[keep].reshape(len(x), k)
    return neighbours, similarity


def _silhouette(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[float, int]:
    from sklearn.metrics import silhouette_score

    if len(y) < 3 or not 2 <= len(np.unique(y)) < len(y):
        return float("nan"), 0
    if len(y) > SILHOUETTE_ROWS:
        rows = np.random.default_rng(seed).choice(len(y), size=SILHOUETTE_ROWS, replace=False)
        x, y = x[rows], y[rows]
        if len(np.unique(y)) < 2:
            return float("nan"), 0
    return float(silhouette_score(x, y, metric="cosine")), len(y)


def _knn_overlap(values: list[Any], neighbours: np.ndarray) -> float:
    """Mean Jaccard overlap between each row's labels and those carried by most of its neighbours."""
    scores = []
    for i, row in enumerate(neighbours):
        counts: dict[str, int] = {}
        for j in row:
            for label in values[j]:
                counts[label] = counts.get(label, 0) + 1
        voted = {label for label, c in counts.items() if c * 2 > len(row)}
        own = set(values[i])
        union = own | voted
        scores.append(1.0 if not union else len(own & voted) / len(union))
    return float(np.mean(scores))


def _majority(votes: np.ndarray, weights: np.ndarray) -> str:
    """Most frequent label; a tie goes to the label with the most similar neighbour."""
    names, counts = np.unique(votes, return_counts=True)
    tied = set(names[counts == counts.max()])
    order = np.argsort(-weights)
    return str(next(votes[i] for i in order if votes[i] in tied))
