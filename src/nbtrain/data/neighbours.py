"""Nearest neighbours of L2-normalised embeddings, without comparing every pair of texts.

The semantic-duplicate checks need each text's few most similar texts. Comparing every pair grows
with the square of the texts: 85,000 texts are 3.6 billion pairs (about 280 s on two busy cores).
Up to ``exact_up_to`` texts the search is exact (faiss's flat inner-product index, a blocked matrix
product). Above it faiss's inverted-file index splits the space into about ``2·√n`` cells, found
by k-means on a seeded sample, and compares each text only with the texts of the ``probes`` cells
nearest to it: about ``n·(2 + probes/2)·√n`` comparisons instead of ``n²``. A pair similar enough
to be a paraphrase (cosine 0.9 and more) nearly always shares a cell; in
``benchmarks/report_bench.py --neighbours`` every planted near-copy among 85,000 vectors was found.

faiss-cpu was picked by that measurement over usearch and pynndescent (HNSW graphs and
nearest-neighbour descent): on 85,000 × 384 vectors the inverted file built and searched fastest
for the same recall of near copies, and it has wheels for every platform nbtrain supports.
``faiss`` is imported inside :func:`nearest_neighbours`, so ``import nbtrain`` stays light.

>>> vectors = np.eye(3, dtype=np.float32)[[0, 0, 1]]
>>> similar_texts(["a", "b", "c"], vectors).pairs[["text", "match_text"]].values.tolist()
[['a', 'b'], ['b', 'a']]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nbtrain.data.finding import plural

PAIR_COLUMNS = ["text", "match_text", "similarity"]


@dataclass(frozen=True)
class SimilarTexts:
    """Pairs of distinct texts whose embeddings have cosine similarity of ``min_similarity`` or more.

    ``pairs`` has ``text``, ``match_text`` and ``similarity``, each pair in both directions, so a
    row's matches are found by its text alone. ``method`` says how they were found, for the
    findings' messages ("exact search over 1,200 texts").
    """

    pairs: pd.DataFrame
    min_similarity: float
    method: str


def nearest_neighbours(
    vectors: np.ndarray, k: int = 10, *, exact_up_to: int = 10_000, probes: int = 8, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, str]:
    """Each vector's ``k`` nearest other vectors by inner product: indices, similarities, method.

    Indices are -1 where fewer than ``k`` were found. Exact up to ``exact_up_to`` vectors, an
    inverted-file search above (see the module docstring).
    """
    import faiss

    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = x.shape
    index: faiss.Index
    if n <= exact_up_to:
        index = faiss.IndexFlatIP(dim)
        method = f"exact search over {plural(n, 'text')}"
    else:
        cells = int(2 * np.sqrt(n))
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, cells, faiss.METRIC_INNER_PRODUCT)
        # k-means on 40 points a cell (faiss asks for 39) and 10 rounds: a second on 85,000 texts,
        # where training on all of them took 30 s and found the same near copies.
        ivf.cp.seed, ivf.cp.niter, ivf.cp.spherical = seed, 10, True
        sample = np.random.default_rng(seed).choice(n, size=min(n, 40 * cells), replace=False)
        ivf.train(x[np.sort(sample)])
        ivf.nprobe = min(probes, cells)
        index = ivf
        method = (
            f"approximate search over {plural(n, 'text')} (faiss inverted file: {cells:,} cells, "
            f"the {ivf.nprobe} nearest searched per text)"
        )
    index.add(x)
    similarity, found = index.search(x, min(k + 1, n))
    return found, similarity, method


def similar_texts(
    texts: Sequence[str],
    vectors: np.ndarray,
    *,
    min_similarity: float = 0.95,
    k: int = 10,
    exact_up_to: int = 10_000,
    probes: int = 8,
    seed: int = 0,
) -> SimilarTexts:
    """The pairs of ``texts`` (distinct strings, one vector each) at ``min_similarity`` or more.

    Each text keeps at most its ``k`` nearest neighbours, so a text with many paraphrases is
    paired with its closest ones; a row needs only one match to be reported.
    """
    if len(texts) != len(vectors):
        raise ValueError(f"{len(vectors)} vectors for {len(texts)} texts")
    if len(texts) < 2:
        return SimilarTexts(pd.DataFrame(columns=PAIR_COLUMNS), min_similarity, f"exact search over {plural(len(texts), 'text')}")
    found, similarity, method = nearest_neighbours(vectors, k, exact_up_to=exact_up_to, probes=probes, seed=seed)
    query = np.repeat(np.arange(len(texts)), found.shape[1])
    match, sims = found.ravel(), similarity.ravel()
    keep = (match >= 0) & (match != query) & (sims >= min_similarity)
    a, b, s = query[keep], match[keep], sims[keep]
    # The search is not symmetric (b may be among a's neighbours but not a among b's): keep both
    # directions once, with the higher similarity the two searches saw.
    both = pd.DataFrame({"a": np.concatenate([a, b]), "b": np.concatenate([b, a]), "similarity": np.concatenate([s, s])})
    both = both.sort_values("similarity", ascending=False, kind="stable").drop_duplicates(["a", "b"])
    both = both.sort_values(["a", "b"], kind="stable")
    names = np.asarray(texts, dtype=object)
    pairs = pd.DataFrame(
        {"text": names[both["a"].to_numpy()], "match_text": names[both["b"].to_numpy()], "similarity": both["similarity"].round(3).to_numpy()}
    )
    return SimilarTexts(pairs, min_similarity, method)
