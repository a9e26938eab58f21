"""Data-report benchmark: how long the checks take on a real-sized file, on this machine.

The default file stacks every ``../shared/data/*_train`` file into 85,000 rows (81,385 training rows,
topped up from the test files), each label prefixed by its dataset (``banking77:card_arrival``;
goemotions by its first label), so the checks meet 119 labels and every quirk the README lists.
``--multilabel`` runs goemotions as published instead: 54,263 rows, label sets of 0 to 5 labels.

Prints one row per setting: the model-free checks (best of ``--repeat`` runs), then every check
with a stand-in encoder (random-ish 384-dimensional vectors: a centre per label plus noise) and
each model-based check alone: the bounded label-error fits, the outliers, the nearest-neighbour
search and the semantic-duplicate checks; ``--neighbours`` compares the search libraries on
85,000 × 384 vectors; ``--real`` adds the default model on ``--real-rows`` rows. The 1-minute load
average is printed with each row: on 2 shared cores, other jobs inflate the seconds.

    .venv/bin/python benchmarks/report_bench.py [--rows 85000] [--multilabel] [--neighbours] [--real]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from nbtrain.data.checks import (
    check_label_errors,
    check_label_set_errors,
    check_outliers,
    check_semantic_duplicates,
    check_semantic_leakage,
    stack_splits,
)
from nbtrain.data.dataset import Dataset
from nbtrain.data.load import load
from nbtrain.data.neighbours import similar_texts
from nbtrain.data.normalise import text_keys
from nbtrain.data.report import CheckConfig, DataReport, check

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


class ClusteredVectors:
    """A stand-in encoder: each text's vector is its label's centre plus noise (seeded by the text),
    so label errors, outliers and neighbours have real work; counts ``encode`` passes."""

    max_length = 128

    def __init__(self, labels: dict[str, str], dim: int = 384, noise: float = 0.06) -> None:
        self.labels, self.dim, self.noise = labels, dim, noise
        self.passes = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit label centres plus noise of norm ``noise·√dim`` (0.06: cosine ≈ 0.4 within a label)."""
        self.passes += 1
        rng = np.random.default_rng(0)
        names = sorted(set(self.labels.values()))
        centres = rng.normal(size=(len(names), self.dim)).astype(np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        which = np.searchsorted(names, [self.labels.get(t, names[0]) for t in texts])
        out = centres[which] + rng.normal(scale=self.noise, size=(len(texts), self.dim)).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def token_lengths(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([len(t.split()) + 2 for t in texts])


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".jsonl":
        records = [json.loads(line) for line in path.open(encoding="utf-8")]
        return pd.DataFrame({"text": [r["text"] for r in records], "label": [r["labels"] for r in records]})
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _prefixed(split: str) -> pd.DataFrame:
    """Every dataset's ``split`` file, labels prefixed by the dataset's name (goemotions: first label)."""
    parts = []
    for path in sorted(DATA.glob(f"*_{split}.*")):
        name = path.name.rsplit("_", 1)[0]
        frame = _read(path)
        first = frame["label"].map(lambda x: x[0] if isinstance(x, list) and x else x)
        parts.append(pd.DataFrame({"text": frame["text"], "label": name + ":" + first.astype(str)}))
    return pd.concat(parts, ignore_index=True)


def stacked(rows: int) -> Dataset:
    """``rows`` rows from every dataset: all training files, topped up from the test files."""
    train = _prefixed("train")
    if rows <= len(train):
        return load(train.sample(n=rows, random_state=0).sort_index())
    test = _prefixed("test").sample(n=min(rows - len(train), 12_000), random_state=0).sort_index()
    return load(train, test=test)


def goemotions() -> Dataset:
    return load(*(_read(DATA / f"goemotions_{split}.jsonl") for split in ("train", "val", "test")))


def timed(fn: Callable[[], DataReport], repeat: int = 1) -> tuple[float, DataReport]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def model_check_seconds(dataset: Dataset, encoder: ClusteredVectors, config: CheckConfig) -> dict[str, float]:
    """Seconds of each model-based check alone, called as the report calls it, on vectors made
    beforehand (the one embedding pass is the encoder's cost, not the checks')."""
    rows = stack_splits(dataset)
    unique = list(pd.unique(rows["text"]))
    vectors = encoder.encode(unique)
    embeddings = vectors[pd.Series(range(len(unique)), index=unique)[rows["text"]].to_numpy()]
    labelled = (rows["split"] != "test").to_numpy()
    keys = text_keys(rows["text"])
    bound = {"min_margin": config.label_error_margin, "folds": config.folds, "seed": config.seed, "max_fit_rows": config.max_fit_rows}
    errors = check_label_set_errors if dataset.task == "multi_label" else check_label_errors
    out = {}
    start = time.perf_counter()
    errors(rows[labelled], embeddings[labelled], **bound)
    out["label_errors"] = time.perf_counter() - start
    start = time.perf_counter()
    check_outliers(rows, embeddings, task=dataset.task_handler)
    out["outliers"] = time.perf_counter() - start
    start = time.perf_counter()
    similar = similar_texts(unique, vectors, min_similarity=config.semantic_similarity, exact_up_to=config.exact_search_up_to)
    out["nearest-neighbour search"] = time.perf_counter() - start
    start = time.perf_counter()
    check_semantic_duplicates(rows, similar, keys=keys)
    check_semantic_leakage(rows, similar, keys=keys)
    out["semantic_duplicates + semantic_leakage"] = time.perf_counter() - start
    return out


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def neighbours_table(n: int = 85_000, dim: int = 384) -> None:
    """The search libraries on ``n`` clustered unit vectors with 2% planted near copies."""
    from nbtrain.data.neighbours import nearest_neighbours

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(5_000, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    x = centres[rng.integers(0, len(centres), n)] + rng.normal(scale=0.06, size=(n, dim)).astype(np.float32)
    src = rng.choice(n, n // 50, replace=False)
    dst = rng.permutation(np.setdiff1d(np.arange(n), src))[: len(src)]
    x[dst] = x[src] + rng.normal(scale=0.012, size=(len(src), dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    print(f"\n{n:,} × {dim} vectors, {len(src):,} planted near copies (cosine ≈ 0.99); load {load_average():.1f}")
    print(f"{'library':<34} {'seconds':>8} {'copies found':>13}")

    def row(name: str, search: Callable[[], np.ndarray]) -> None:
        start = time.perf_counter()
        found = search()
        seconds = time.perf_counter() - start
        hit = np.mean([d in set(found[s]) for s, d in zip(src, dst, strict=True)])
        print(f"{name:<34} {seconds:8.1f} {hit:13.1%}")

    row("faiss inverted file (nbtrain)", lambda: nearest_neighbours(x, 10, exact_up_to=0)[0])
    try:
        from usearch.index import Index
    except ImportError:
        print("usearch: not installed")
    else:
        def usearch() -> np.ndarray:
            index = Index(ndim=dim, metric="cos", dtype="i8")
            index.add(np.arange(n), x, threads=2)
            return np.asarray(index.search(x, 11, threads=2).keys, dtype=np.int64)

        row("usearch HNSW, int8", usearch)
    try:
        import pynndescent
    except ImportError:
        print("pynndescent: not installed")
    else:
        row("pynndescent", lambda: pynndescent.NNDescent(x, metric="cosine", n_neighbors=11, random_state=0).neighbor_graph[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=85_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--multilabel", action="store_true", help="goemotions' label sets instead of the stacked file")
    parser.add_argument("--neighbours", action="store_true", help="compare the nearest-neighbour libraries")
    parser.add_argument("--real", action="store_true", help="also run the default model (minutes)")
    parser.add_argument("--real-rows", type=int, default=5_000)
    args = parser.parse_args()
    if not (DATA / "banking77_train.csv").exists():
        raise SystemExit(f"{DATA} has no benchmark files")
    dataset = goemotions() if args.multilabel else stacked(args.rows)
    total = sum(len(f) for f in dataset.splits().values())
    kind = "goemotions label sets" if args.multilabel else "stacked single-label file"
    print(f"{kind}: {total:,} rows in all splits, {len(dataset.labels)} labels\n")
    print(f"{'setting':<44} {'seconds':>8} {'load':>5}")

    seconds, report = timed(lambda: check(dataset), args.repeat)
    print(f"{'model-free checks (no encoder)':<44} {seconds:8.2f} {load_average():5.1f}")

    rows = pd.concat(list(dataset.splits().values()))
    labels = dict(zip(rows["text"], rows["label"].map(lambda x: x[0] if isinstance(x, tuple) and x else str(x)), strict=False))
    fake = ClusteredVectors(labels)
    seconds, report = timed(lambda: check(dataset, fake))
    print(f"{'all checks, clustered 384-d vectors':<44} {seconds:8.2f} {load_average():5.1f}   ({fake.passes} encode pass)")
    for name, s in model_check_seconds(dataset, fake, CheckConfig()).items():
        print(f"{'  ' + name:<44} {s:8.2f} {load_average():5.1f}")
    for name in ("label_errors", "semantic_duplicates"):
        print(f"    {name}: {report.finding(name).message}")

    if args.neighbours:
        neighbours_table()
    if args.real:
        from nbtrain.embed.encoder import Encoder

        small = stacked(args.real_rows) if not args.multilabel else dataset
        encoder = Encoder()
        seconds, report = timed(lambda: check(small, encoder))
        print(f"\n{'all checks, default model, ' + format(args.real_rows, ',') + ' rows':<44} {seconds:8.2f} {load_average():5.1f}")
        print(report.to_text(max_rows=3))


if __name__ == "__main__":
    main()
