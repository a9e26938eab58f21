"""2-D projections of embeddings for plotting, and aligning two of them for a fair side by side.

PCA by default: fast, deterministic, and it keeps global distances. The trained projection is
rotated (or mirrored) onto the baseline one by orthogonal Procrustes, so a point sits in the same
region in both plots unless training really moved it; nothing is stretched.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import orthogonal_procrustes
from sklearn.decomposition import PCA


def project_2d(embeddings: np.ndarray, seed: int = 0) -> np.ndarray:
    """PCA to two dimensions (zeros for fewer than two rows)."""
    if len(embeddings) < 2:
        return np.zeros((len(embeddings), 2))
    return PCA(n_components=2, random_state=seed).fit_transform(embeddings)


def project_pair(baseline: np.ndarray, trained: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Project both embeddings of the same rows, the trained one aligned to the baseline's axes.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(20, 5))
    >>> a, b = project_pair(x, -x)
    >>> bool(np.allclose(a, b))
    True
    """
    a = project_2d(baseline, seed)
    b = project_2d(trained, seed)
    if len(a) >= 2:
        rotation, _ = orthogonal_procrustes(b, a)
        b = b @ rotation
    return a, b
