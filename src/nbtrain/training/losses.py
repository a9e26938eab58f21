"""The training objectives: cross-entropy on the head, and embedding losses on the pooled vectors.

Classification users want a head that predicts well; embedding users want ``embed()`` to put
same-label texts together. Cross-entropy only shapes the embedding as much as the head needs, so
the embedding losses act on the normalised vectors themselves:

- ``proxy``: cross-entropy over cosine similarities to one learnable vector per class (a
  normalised softmax loss). Every row meets every class in every batch, which suits many labels
  and small batches (banking77 has 77 labels and 16 rows per batch).
- ``supcon``: the supervised contrastive loss of Khosla et al. (2020): each row is pulled toward
  the other rows of its label in the batch and pushed from the rest; rows with no partner in the
  batch contribute nothing.
- ``proxy+supcon`` (the default): their sum. The proxies start at the frozen model's class means
  and hold the embedding near them; the contrastive term moves texts relative to each other,
  which tasks the frozen model fits worst need (docs/benchmarks.md, "Which embedding loss?").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn


def proxy_loss(embeddings: torch.Tensor, proxies: torch.Tensor, targets: torch.Tensor, temperature: float) -> torch.Tensor:
    """Cross-entropy over cosine similarities to one proxy per class (normalised softmax loss).

    ``targets`` are label indices, or a 0/1 matrix for multi-label rows: each row is then pulled
    towards the proxies of all its labels alike (the mean of their log-probabilities), and a row
    with no label contributes nothing.
    """
    logits = embeddings @ nn.functional.normalize(proxies, dim=-1).T / temperature
    if targets.ndim == 1:
        return nn.functional.cross_entropy(logits, targets)
    counts = targets.sum(dim=1)
    labelled = counts > 0
    if not labelled.any():
        return embeddings.sum() * 0.0
    log_prob = torch.log_softmax(logits, dim=1)
    return -((log_prob * targets).sum(dim=1)[labelled] / counts[labelled]).mean()


def supcon_loss(embeddings: torch.Tensor, targets: torch.Tensor, temperature: float) -> torch.Tensor:
    """Supervised contrastive loss over a batch of normalised embeddings (0 when no row has a partner).

    Two rows are partners when they share their label; for multi-label rows (``targets`` a 0/1
    matrix) a pair counts by the overlap of its label sets (shared labels over labels either has),
    so rows with the same set pull hardest and rows sharing one label of three pull a little.
    """
    n = len(targets)
    similarity = embeddings @ embeddings.T / temperature
    self_mask = torch.eye(n, dtype=torch.bool, device=embeddings.device)
    similarity = similarity.masked_fill(self_mask, float("-inf"))
    log_prob = similarity - torch.logsumexp(similarity, dim=1, keepdim=True)
    weights = pair_weights(targets).masked_fill(self_mask, 0.0)
    counts = weights.sum(dim=1)
    has_partner = counts > 0
    if not has_partner.any():
        return embeddings.sum() * 0.0  # keeps the graph, so backward() still works
    weighted = (log_prob.masked_fill(weights == 0, 0.0) * weights).sum(dim=1)
    return -(weighted[has_partner] / counts[has_partner]).mean()


def pair_weights(targets: torch.Tensor) -> torch.Tensor:
    """How much each pair of rows counts as partners: 1 for the same label; for label sets, the
    Jaccard overlap (0 for two empty sets: "no label" is not a shared label)."""
    if targets.ndim == 1:
        return (targets[:, None] == targets[None, :]).to(torch.float32)
    y = targets.to(torch.float32)
    shared = y @ y.T
    union = y.sum(dim=1, keepdim=True) + y.sum(dim=1)[None, :] - shared
    return torch.where(union > 0, shared / union.clamp(min=1.0), torch.zeros_like(shared))


def embedding_loss(
    kind: str, embeddings: torch.Tensor, targets: torch.Tensor, proxies: torch.Tensor, temperature: float
) -> torch.Tensor:
    """The configured embedding loss: ``kind`` is ``"proxy"``, ``"supcon"`` or ``"proxy+supcon"`` (their sum)."""
    if kind == "proxy":
        return proxy_loss(embeddings, proxies, targets, temperature)
    if kind == "supcon":
        return supcon_loss(embeddings, targets, temperature)
    return proxy_loss(embeddings, proxies, targets, temperature) + supcon_loss(embeddings, targets, temperature)


def classification_loss(logits: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    """Cross-entropy on label indices, or binary cross-entropy per label on a 0/1 matrix.

    ``weights`` are per-label weights (:func:`class_weights`); for label sets they weigh each
    label's positive rows (``pos_weight``).
    """
    if targets.ndim == 1:
        return nn.functional.cross_entropy(logits, targets, weight=weights)
    return nn.functional.binary_cross_entropy_with_logits(logits, targets.to(logits.dtype), pos_weight=weights)


def class_weights(targets: np.ndarray, n_labels: int) -> torch.Tensor:
    """scikit-learn's 'balanced' weights, n / (labels × count), as a tensor: rare labels count more.

    The same weights the refitted head's ``LogisticRegression(class_weight="balanced")`` uses. For
    a 0/1 label matrix, each label's positive rows weigh negatives / positives (capped at 100).
    """
    if targets.ndim == 2:
        positives = targets.sum(axis=0)
        ratio = (len(targets) - positives) / np.maximum(positives, 1)
        return torch.tensor(np.clip(ratio, 1.0, 100.0), dtype=torch.float32)
    from sklearn.utils.class_weight import compute_class_weight

    weights = compute_class_weight("balanced", classes=np.arange(n_labels), y=targets)
    return torch.tensor(weights, dtype=torch.float32)


def class_centroids(vectors: np.ndarray, labels: Sequence[object], names: Sequence[str]) -> np.ndarray:
    """The normalised mean vector of each class, in ``names`` order (where the proxies start).

    ``labels`` are strings, or tuples of strings: a row then counts towards each of its labels.
    """
    if all(isinstance(x, str) for x in labels):
        y = np.asarray(labels)
        members = [y == name for name in names]
    else:
        from nbtrain.task import MULTI_LABEL

        matrix = MULTI_LABEL.targets(labels, names).astype(bool)
        members = list(matrix.T)
    means = np.stack([vectors[m].mean(axis=0) if m.any() else np.zeros(vectors.shape[1], vectors.dtype) for m in members])
    return (means / np.linalg.norm(means, axis=1, keepdims=True).clip(min=1e-12)).astype(np.float32)
