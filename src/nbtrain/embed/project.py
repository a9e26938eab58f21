"""2-D projections of embeddings for plotting, and aligning two of them for a fair side by side.

PCA by default: fast, deterministic, and it keeps global distances. t-SNE (scikit-learn) and UMAP
(the ``umap`` extra) are there for when local neighbourhoods matter more than global distances;
both start from a PCA layout, so their pictures are stable and orientated like the PCA one.
They cost far more (``benchmarks/explorer_bench.py``, two busy cores, both sides of 20,000
points: PCA under a second, UMAP minutes, scikit-learn's t-SNE a quarter of an hour), so PCA
stays the default and t-SNE suits a few thousand rows.

The trained projection is rotated (or mirrored) onto the baseline one by orthogonal Procrustes,
for every method, so a point sits in the same region in both plots unless training really moved
it; nothing is stretched. Projections are cached by the bytes of the embeddings, so recolouring
or reopening a plot does not recompute a t-SNE.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Literal, get_args

import numpy as np
from scipy.linalg import orthogonal_procrustes
from sklearn.decomposition import PCA

Method = Literal["pca", "umap", "tsne"]
METHODS: tuple[str, ...] = get_args(Method)
UMAP_HINT = "UMAP projections need umap-learn: pip install 'nbtrain[umap]'"

# Below this many rows t-SNE and UMAP have too few neighbours to mean anything: PCA is used.
_MIN_NEIGHBOUR_ROWS = 10
# Dimensions kept before t-SNE/UMAP: the usual speed-up, and it drops the noisiest directions.
_PRE_PCA_DIMENSIONS = 50
_CACHE_SIZE = 16
_cache: OrderedDict[tuple[str, str, int], np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def project_2d(embeddings: np.ndarray, *, method: Method = "pca", seed: int = 0) -> np.ndarray:
    """Two coordinates per row, centred on the origin; repeated calls on equal arrays are cached.

    ``method="umap"`` raises ``ImportError`` naming the extra to install when umap-learn is
    missing. Fewer than two rows give zeros; fewer than ten use PCA whatever the method.

    >>> import numpy as np
    >>> project_2d(np.random.default_rng(0).normal(size=(20, 5))).shape
    (20, 2)
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if method == "umap":
        _import_umap()
    key = (_fingerprint(embeddings), method, seed)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key].copy()
    x = np.asarray(embeddings)
    # float32 embeddings stay float32: half the work, and plenty for a plot.
    points = _project(x if x.dtype in (np.float32, np.float64) else x.astype(np.float64), method, seed)
    with _cache_lock:
        _cache[key] = points
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return points.copy()


def project_pair(
    baseline: np.ndarray, trained: np.ndarray, *, method: Method = "pca", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Project both embeddings of the same rows, the trained one aligned to the baseline's axes.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(20, 5))
    >>> a, b = project_pair(x, -x)
    >>> bool(np.allclose(a, b))
    True
    """
    a = project_2d(baseline, method=method, seed=seed)
    b = project_2d(trained, method=method, seed=seed)
    if len(a) >= 2:
        rotation, _ = orthogonal_procrustes(b, a)
        b = b @ rotation
    return a, b


def clear_projection_cache() -> None:
    """Forget every cached projection (they are small: two floats per row, 16 arrays at most)."""
    with _cache_lock:
        _cache.clear()


def _fingerprint(embeddings: np.ndarray) -> str:
    """The array's shape, type and bytes, hashed: equal arrays share a cache entry, copies included."""
    array = np.ascontiguousarray(embeddings)
    digest = hashlib.blake2b(f"{array.shape}{array.dtype.str}".encode(), digest_size=16)
    digest.update(array.data)
    return digest.hexdigest()


def _project(x: np.ndarray, method: str, seed: int) -> np.ndarray:
    if len(x) < 2:
        return np.zeros((len(x), 2))
    if method == "pca" or len(x) < _MIN_NEIGHBOUR_ROWS:
        points = _pca(x, 2, seed)
    else:
        points = _NEIGHBOUR_METHODS[method](_reduced(x, seed), seed)
    points = np.asarray(points, dtype=np.float64)
    # t-SNE and UMAP put the cloud anywhere; centring lets the alignment be a pure rotation.
    return points - points.mean(axis=0)


def _pca(x: np.ndarray, dimensions: int, seed: int) -> np.ndarray:
    result: np.ndarray = PCA(n_components=dimensions, random_state=seed).fit_transform(x)
    return result


def _reduced(x: np.ndarray, seed: int) -> np.ndarray:
    """Rows L2-normalised (cosine geometry, like the separation scores), then PCA to 50 dimensions."""
    x = x / np.linalg.norm(x, axis=1, keepdims=True).clip(min=1e-12)
    dimensions = min(_PRE_PCA_DIMENSIONS, *x.shape)
    return _pca(x, dimensions, seed) if dimensions < x.shape[1] else x


def _tsne(x: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.manifold import TSNE

    perplexity = min(30.0, (len(x) - 1) / 3)
    result: np.ndarray = TSNE(
        n_components=2, perplexity=perplexity, init="pca", learning_rate="auto", random_state=seed
    ).fit_transform(x)
    return result


def _umap(x: np.ndarray, seed: int) -> np.ndarray:
    umap = _import_umap()
    # n_jobs=1 says out loud what a fixed random_state implies anyway (and silences umap's warning).
    reducer = umap.UMAP(
        n_components=2, n_neighbors=min(15, len(x) - 1), init="pca", random_state=seed, n_jobs=1
    )
    result: np.ndarray = reducer.fit_transform(x)
    return result


def _import_umap() -> Any:
    try:
        import umap
    except ImportError as error:
        raise ImportError(UMAP_HINT) from error
    return umap


_NEIGHBOUR_METHODS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {"tsne": _tsne, "umap": _umap}
