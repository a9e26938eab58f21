"""Data-report benchmark: how long the checks take on 10,000 rows of banking77, on this machine.

Prints one table row per setting: the model-free checks (best of ``--repeat`` runs), then the
model-based checks with a fake encoder (hashed bag of words: counts ``encode`` calls and times the
cross-validated classifier), and with ``--real`` the default model, where the checks must cost no
more than the one embedding pass the report makes.

    .venv/bin/python benchmarks/report_bench.py [--rows 10000] [--real]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from nbtrain.data.checks import check_label_errors, check_outliers, stack_splits
from nbtrain.data.dataset import Dataset
from nbtrain.data.load import load
from nbtrain.data.report import MODEL_CHECKS, CheckConfig, check

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


class HashedBagOfWords:
    """A stand-in encoder: hashed word counts, L2-normalised; counts calls and texts embedded."""

    max_length = 128

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.passes = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.passes += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.blake2b(word.encode(), digest_size=4).hexdigest(), 16) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def token_lengths(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([len(t.split()) + 2 for t in texts])


def stacked(rows: int) -> Dataset:
    train = pd.read_csv(DATA / "banking77_train.csv", dtype=str, keep_default_na=False).head(rows)
    test = pd.read_csv(DATA / "banking77_test.csv", dtype=str, keep_default_na=False)
    return load(train, test=test)


def timed(fn, repeat: int = 1) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def model_checks_seconds(dataset: Dataset, encoder: object) -> float:
    """Seconds of the two model-based checks alone, on embeddings already in the encoder's cache."""
    rows = stack_splits(dataset)
    unique = list(pd.unique(rows["text"]))
    vectors = encoder.encode(unique)  # type: ignore[attr-defined]
    embeddings = vectors[pd.Series(range(len(unique)), index=unique)[rows["text"]].to_numpy()]
    labelled = (rows["split"] != "test").to_numpy()
    start = time.perf_counter()
    check_label_errors(rows[labelled], embeddings[labelled])
    check_outliers(rows, embeddings)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--real", action="store_true", help="also run the default model (about a minute)")
    args = parser.parse_args()
    if not (DATA / "banking77_train.csv").exists():
        raise SystemExit(f"{DATA} has no banking77 files")
    dataset = stacked(args.rows)
    total = sum(len(f) for f in dataset.splits().values())
    print(f"banking77: {args.rows:,} training-file rows ({total:,} in all splits, test included)\n")
    print(f"{'setting':<34} {'seconds':>8} {'encode passes':>14} {'model checks s':>15}")

    seconds, _ = timed(lambda: check(dataset), args.repeat)
    print(f"{'model-free checks (no encoder)':<34} {seconds:8.2f} {'-':>14} {'-':>15}")

    fake = HashedBagOfWords()
    seconds, _ = timed(lambda: check(dataset, fake))
    passes = fake.passes
    print(f"{'all checks, hashed bag of words':<34} {seconds:8.2f} {passes:>14} {model_checks_seconds(dataset, fake):15.2f}")

    if args.real:
        from nbtrain.embed.encoder import Encoder

        encoder = Encoder()
        seconds, _ = timed(lambda: check(dataset, encoder, CheckConfig(skip=MODEL_CHECKS)))
        print(f"{'no model checks, default model':<34} {seconds:8.2f} {encoder.passes:>14} {'-':>15}")
        embed_seconds, _ = timed(lambda: encoder.encode(list(pd.unique(stack_splits(dataset)["text"]))))
        print(f"{'  the one embedding pass':<34} {embed_seconds:8.2f} {encoder.passes:>14} {'-':>15}")
        seconds, _ = timed(lambda: check(dataset, encoder))
        checks = model_checks_seconds(dataset, encoder)
        print(f"{'all checks, default model (cached)':<34} {seconds:8.2f} {encoder.passes:>14} {checks:15.2f}")
        verdict = "within" if checks <= embed_seconds else "OVER"
        print(f"\nmodel-based checks {checks:.1f} s vs one embedding pass {embed_seconds:.1f} s: {verdict} budget")


if __name__ == "__main__":
    main()
