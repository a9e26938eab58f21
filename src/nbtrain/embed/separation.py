"""How well an embedding separates the classes, independent of any classifier.

Two complementary numbers on the same held-out rows: the cosine silhouette (are classes compact
and apart, -1 to 1) and leave-one-out k-nearest-neighbour accuracy (would a point's neighbours vote
for its own label).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import silhouette_score


@dataclass(frozen=True)
class Separation:
    """Cosine silhouette and leave-one-out k-NN accuracy of labelled embeddings."""

    silhouette: float
    knn_accuracy: float
    k: int
    n: int


def separation_scores(embeddings: np.ndarray, labels: Sequence[str], k: int = 5) -> Separation:
    """Score how well ``labels`` are separated in ``embeddings`` (rows L2-normalised or not).

    >>> import numpy as np
    >>> x = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    >>> separation_scores(x, ["a", "a", "b", "b"], k=1).knn_accuracy
    1.0
    """
    y = np.asarray(labels)
    n = len(y)
    if n < 3 or len(np.unique(y)) < 2:
        return Separation(silhouette=float("nan"), knn_accuracy=float("nan"), k=k, n=n)
    x = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True).clip(min=1e-12)
    similarity = x @ x.T
    np.fill_diagonal(similarity, -np.inf)
    k = min(k, n - 1)
    neighbours = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    votes = y[neighbours]
    hits = [_majority(row, similarity[i, neighbours[i]]) == y[i] for i, row in enumerate(votes)]
    return Separation(
        silhouette=float(silhouette_score(x, y, metric="cosine")),
        knn_accuracy=float(np.mean(hits)),
        k=k,
        n=n,
    )


def _majority(votes: np.ndarray, weights: np.ndarray) -> str:
    """Most frequent label; a tie goes to the label with the most similar neighbour."""
    names, counts = np.unique(votes, return_counts=True)
    tied = set(names[counts == counts.max()])
    order = np.argsort(-weights)
    return str(next(votes[i] for i in order if votes[i] in tied))
