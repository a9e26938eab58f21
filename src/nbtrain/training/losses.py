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
  which tasks the frozen model fits worst need (docs/training.md, "Objectives").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn


def proxy_loss(embeddings: torch.Tensor, proxies: torch.Tensor, targets: torch.Tensor, temperature: float) -> torch.Tensor:
    """Cross-entropy over cosine similarities to one proxy per class (normalised softmax loss)."""
    similarity = embeddings @ nn.functional.normalize(proxies, dim=-1).T
    return nn.functional.cross_entropy(similarity / temperature, targets)


def supcon_loss(embeddings: torch.Tensor, targets: torch.Tensor, temperature: float) -> torch.Tensor:
    """Supervised contrastive loss over a batch of normalised embeddings (0 when no row has a partner)."""
    n = len(targets)
    similarity = embeddings @ embeddings.T / temperature
    self_mask = torch.eye(n, dtype=torch.bool, device=embeddings.device)
    similarity = similarity.masked_fill(self_mask, float("-inf"))
    log_prob = similarity - torch.logsumexp(similarity, dim=1, keepdim=True)
    positives = (targets[:, None] == targets[None, :]) & ~self_mask
    counts = positives.sum(dim=1)
    has_partner = counts > 0
    if not has_partner.any():
        return embeddings.sum() * 0.0  # keeps the graph, so backward() still works
    mean_log_prob = log_prob.masked_fill(~positives, 0.0).sum(dim=1)[has_partner] / counts[has_partner]
    return -mean_log_prob.mean()


def embedding_loss(
    kind: str, embeddings: torch.Tensor, targets: torch.Tensor, proxies: torch.Tensor, temperature: float
) -> torch.Tensor:
    """The configured embedding loss: ``kind`` is ``"proxy"``, ``"supcon"`` or ``"proxy+supcon"`` (their sum)."""
    if kind == "proxy":
        return proxy_loss(embeddings, proxies, targets, temperature)
    if kind == "supcon":
        return supcon_loss(embeddings, targets, temperature)
    return proxy_loss(embeddings, proxies, targets, temperature) + supcon_loss(embeddings, targets, temperature)


def class_weights(targets: np.ndarray, n_labels: int) -> torch.Tensor:
    """scikit-learn's 'balanced' weights, n / (labels × count), as a tensor: rare labels count more.

    The same weights the refitted head's ``LogisticRegression(class_weight="balanced")`` uses.
    """
    from sklearn.utils.class_weight import compute_class_weight

    weights = compute_class_weight("balanced", classes=np.arange(n_labels), y=targets)
    return torch.tensor(weights, dtype=torch.float32)


def class_centroids(vectors: np.ndarray, labels: Sequence[str], names: Sequence[str]) -> np.ndarray:
    """The normalised mean vector of each class, in ``names`` order (where the proxies start)."""
    y = np.asarray(labels)
    means = np.stack([vectors[y == name].mean(axis=0) for name in names])
    return (means / np.linalg.norm(means, axis=1, keepdims=True).clip(min=1e-12)).astype(np.float32)
