"""What every benchmark row shares, with no nbtrain import: the sample, the head, the scores.

Imported by the nbtrain rows (project venv) and by the anchor rows (benchmarks/.venv-anchors, where
SetFit lives), so that every method trains on the same rows and is scored by the same code on
the whole official test file.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, silhouette_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
IMBALANCE = 1.5


def sample(name: str, n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """N stratified training rows (seed 0) and every row of the official test file."""
    train = pd.read_csv(DATA / f"{name}_train.csv", dtype=str, keep_default_na=False)
    test = pd.read_csv(DATA / f"{name}_test.csv", dtype=str, keep_default_na=False)
    if n < len(train):
        train, _ = train_test_split(train, train_size=n, stratify=train["label"], random_state=seed)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def tuned_logistic_regression(x: np.ndarray, y: list[str], seed: int = 0) -> tuple[LogisticRegression, float]:
    """Logistic regression with C, and class weights when labels are imbalanced, chosen by
    stratified k-fold macro-F1, as a careful user tunes it (and as nbtrain's own heads are tuned).

    Folds shrink to the smallest class (at least 2), so few-shot samples still fit.
    """
    counts = pd.Series(y).value_counts()
    folds = int(max(2, min(5, counts.min())))
    # weighing labels is searched only for imbalanced labels, as nbtrain's fit_baseline does
    weighings = [None, "balanced"] if counts.max() >= IMBALANCE * counts.min() else [None]
    search = GridSearchCV(
        LogisticRegression(max_iter=3000),
        {"C": list(CS), "class_weight": weighings},
        scoring="f1_macro",
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
        n_jobs=1,
    )
    search.fit(x, y)
    return search.best_estimator_, float(search.best_params_["C"])


def scores(truth: list[str], predicted: list[str], embeddings: np.ndarray) -> dict[str, float]:
    """Accuracy, macro-F1 over the test labels, and the cosine silhouette of the test embeddings."""
    labels = sorted(set(truth))
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        "silhouette": float(silhouette_score(embeddings, truth, metric="cosine")),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> float:
    """The 1-minute load average, saved with each row: on 2 cores, other jobs inflate seconds."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


def run_cell(command: list[str], *, cold_cache: bool = True) -> dict:
    """Run one benchmark cell in its own process (so its peak memory is its own) and read the JSON
    row it prints last.

    ``cold_cache`` gives the process an empty embedding cache (``NBTRAIN_CACHE`` in a temporary
    folder), so the frozen passes are paid inside the cell, not saved by an earlier cell on the
    same rows. The model's ONNX export, made once per model like its download, is shared with the
    usual cache.
    """
    with tempfile.TemporaryDirectory(prefix="nbtrain-bench-cache-") as cache:
        env = None
        if cold_cache:
            usual = Path(os.environ.get("NBTRAIN_CACHE") or Path.home() / ".cache" / "nbtrain")
            (usual / "onnx").mkdir(parents=True, exist_ok=True)
            (Path(cache) / "onnx").symlink_to(usual / "onnx", target_is_directory=True)
            env = {**os.environ, "NBTRAIN_CACHE": cache}
        out = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
