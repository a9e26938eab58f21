"""Explorer benchmark, the Python side: projections, chart specs and the widget, for n points.

Random 384-d embeddings in labelled clusters (like a sentence encoder's), for 1,000 and 20,000
points. Prints one table row per measure and size: each projection method (cold, then the cache
hit), and for the explorer's plots the spec build time and JSON size, the explorer's construction
and a colour switch. Browser render time is measured by the browser tests.

    .venv/bin/python benchmarks/explorer_bench.py [--sizes 1000 20000] [--methods pca tsne umap] [--threads 1]

``--threads`` caps BLAS/OpenMP threads: on a busy machine (other jobs on the same cores), t-SNE's
spin-waiting OpenMP threads can run ten times slower with two threads than with one.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from nbtrain.embed.project import clear_projection_cache, project_2d, project_pair
from nbtrain.viz.charts import explorer_scatter, shared_domains, with_predictions
from nbtrain.widgets.explorer import EmbeddingExplorer

DIMENSIONS = 384
LABELS = 20
WORDS = ["card", "refund", "parcel", "late", "login", "error", "payment", "charge", "address", "tracking", "app"]


def embeddings(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Baseline and "trained" embeddings of n rows in LABELS clusters (trained ones tighter)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, LABELS, size=n)
    centres = rng.normal(size=(LABELS, DIMENSIONS))
    noise = rng.normal(size=(n, DIMENSIONS))
    base = (centres[labels] * 0.3 + noise).astype(np.float32)
    trained = (centres[labels] + noise * 0.5).astype(np.float32)
    unit = lambda x: x / np.linalg.norm(x, axis=1, keepdims=True)  # noqa: E731
    return unit(base), unit(trained), labels


def frames(n: int, seed: int, points: tuple[np.ndarray, np.ndarray], labels: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Comparison rows as Outcome.projections gives them: text, labels, predictions, split, x/y."""
    rng = np.random.default_rng(seed)
    names = np.array([f"label_{i:02d}" for i in range(LABELS)])
    guess = np.where(rng.random(n) < 0.8, labels, rng.integers(0, LABELS, size=n))
    rows = pd.DataFrame(
        {
            "text": [" ".join(rng.choice(WORDS, size=12)) for _ in range(n)],
            "label": names[labels],
            "source": "bench.csv",
            "row": np.arange(n),
            "baseline_label": names[guess],
            "baseline_confidence": rng.random(n),
            "trained_label": names[labels],
            "trained_confidence": rng.random(n),
            "split": np.where(np.arange(n) < n // 2, "validation", "test"),
        }
    )
    (a, b) = points
    return rows.assign(x=a[:, 0], y=a[:, 1]), rows.assign(x=b[:, 0], y=b[:, 1])


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def row(measure: str, n: int, seconds: float, size: str = "") -> None:
    print(f"{measure:<44} {n:>7} {seconds:>9.3f} {size:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--methods", nargs="+", default=["pca", "tsne", "umap"])
    parser.add_argument("--threads", type=int, default=None, help="BLAS/OpenMP threads (default: all)")
    args = parser.parse_args()
    methods = [m for m in args.methods if m != "umap" or importlib.util.find_spec("umap")]
    if len(methods) < len(args.methods):
        print("umap-learn is not installed: UMAP skipped (pip install 'nbtrain[umap]')")
    print(f"{'measure':<44} {'n':>7} {'seconds':>9} {'size':>10}")
    with threadpool_limits(args.threads):
        if "umap" in methods:
            # numba compiles UMAP on first use in a process: timed apart, so sizes compare fairly.
            row("umap first use (numba compiles)", 100, timed(project_2d, embeddings(100, 0)[0], method="umap")[0])
        for n in args.sizes:
            bench_size(n, methods)


def bench_size(n: int, methods: list[str]) -> None:
    base, trained, labels = embeddings(n, seed=n)
    for method in methods:
        clear_projection_cache()
        cold, _ = timed(project_pair, base, trained, method=method)
        warm, _ = timed(project_pair, base, trained, method=method)
        row(f"project_pair {method} (both sides, aligned)", n, cold)
        row(f"project_pair {method} again (cache hit)", n, warm)
    left, right = frames(n, n, project_pair(base, trained), labels)
    points = with_predictions(left.assign(id=range(n)), "baseline")
    x_domain, y_domain = shared_domains(left, right)
    build, chart = timed(explorer_scatter, points, title="Baseline", x_domain=x_domain, y_domain=y_domain)
    row("explorer_scatter build", n, build)
    to_dict, spec = timed(chart.to_dict)
    row("explorer_scatter to_dict (validated), JSON", n, to_dict, f"{len(json.dumps(spec)) / 1e6:.2f} MB")
    construct, view = timed(EmbeddingExplorer, left, right)
    row("EmbeddingExplorer (two plots)", n, construct)
    row("EmbeddingExplorer colour switch", n, timed(view.recolor, "correct")[0])
    row("EmbeddingExplorer select a quarter", n, timed(view.select, view.baseline.iloc[: n // 4])[0])


if __name__ == "__main__":
    main()
