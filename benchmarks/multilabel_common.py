"""What every multi-label benchmark row shares, with no nbtrain import: the sample, the tuned
one-vs-rest head, the scores.

Imported by nbtrain's rows (the project venv) and by the anchor rows (benchmarks/.venv-anchors),
so every method trains on the same GoEmotions rows and is scored by the same code on the whole
test file. The head is what a careful user builds: one logistic regression per label, one C
chosen by 5-fold macro-F1 (folds stratified over label combinations) and a decision threshold per
label chosen on the out-of-fold probabilities.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, silhouette_score

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
THRESHOLDS = np.round(np.arange(0.02, 0.99, 0.02), 2)


def read_jsonl(path: Path) -> tuple[list[str], list[list[str]]]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            texts.append(row["text"])
            labels.append(sorted(set(row["labels"])))
    return texts, labels


def sample(n: int | None, seed: int = 0) -> tuple[list[str], list[list[str]], list[str], list[list[str]], list[str]]:
    """N training rows of GoEmotions stratified over label combinations (all rows for None), the
    whole test file, and the label names (those of the whole training file)."""
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    texts, labels = read_jsonl(DATA / "goemotions_train.jsonl")
    test_texts, test_labels = read_jsonl(DATA / "goemotions_test.jsonl")
    names = sorted({x for row in labels for x in row})
    if n is not None and n < len(texts):
        y = multi_hot(labels, names)
        chosen, _ = next(MultilabelStratifiedShuffleSplit(n_splits=1, train_size=n, test_size=len(y) - n, random_state=seed).split(np.zeros(len(y)), y))
        chosen = np.sort(chosen)
        texts, labels = [texts[i] for i in chosen], [labels[i] for i in chosen]
    return texts, labels, test_texts, test_labels, names


def multi_hot(labels: list[list[str]], names: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    y = np.zeros((len(labels), len(names)), dtype=np.int8)
    for row, values in enumerate(labels):
        for value in values:
            y[row, index[value]] = 1
    return y


def best_thresholds(y: np.ndarray, proba: np.ndarray) -> tuple[np.ndarray, float]:
    """Each label's F1-best threshold (the middle of a tie) and the macro-F1 they give."""
    chosen = proba[:, :, None] >= THRESHOLDS[None, None, :]
    truth = y.astype(bool)[:, :, None]
    tp, fp, fn = (chosen & truth).sum(0), (chosen & ~truth).sum(0), (~chosen & truth).sum(0)
    f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    top = f1.max(axis=1, keepdims=True)
    best = np.array([np.flatnonzero(r)[len(np.flatnonzero(r)) // 2] for r in f1 >= top - 1e-12])
    return THRESHOLDS[best], float(top.mean())


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> list[LogisticRegression | float]:
    heads: list[LogisticRegression | float] = []
    for j in range(y.shape[1]):
        col = y[:, j]
        heads.append(float(col[0]) if col.min() == col.max() else LogisticRegression(C=c, max_iter=1000).fit(x, col))
    return heads


def _proba(heads: list[LogisticRegression | float], x: np.ndarray) -> np.ndarray:
    return np.column_stack([np.full(len(x), h) if isinstance(h, float) else h.predict_proba(x)[:, 1] for h in heads])


CV_ROWS = 10_000


def tuned_one_vs_rest(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[object, float, np.ndarray]:
    """The tuned head: (a predictor of 0/1 label matrices, the chosen C, the thresholds).

    On more than CV_ROWS rows, C and the thresholds are chosen on a stratified sample of that
    size (the search costs 5 folds × 7 values × one fit per label) and the head fits every row.
    """
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold, MultilabelStratifiedShuffleSplit

    sx, sy = x, y
    if len(y) > CV_ROWS:
        rows, _ = next(MultilabelStratifiedShuffleSplit(n_splits=1, train_size=CV_ROWS, test_size=len(y) - CV_ROWS, random_state=seed).split(np.zeros(len(y)), y))
        sx, sy = x[np.sort(rows)], y[np.sort(rows)]
    folds = list(MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=seed).split(sx, sy))
    results = {}
    for c in CS:
        oof = np.zeros(sy.shape)
        for fit, held in folds:
            oof[held] = _proba(_fit(sx[fit], sy[fit], c), sx[held])
        results[c] = best_thresholds(sy, oof)
    c = max(CS, key=lambda v: (round(results[v][1], 4), -abs(np.log10(v))))
    thresholds = results[c][0]
    heads = _fit(x, y, c)

    def predict(z: np.ndarray) -> np.ndarray:
        return (_proba(heads, z) >= thresholds).astype(np.int8)

    return predict, c, thresholds


def scores(truth: np.ndarray, predicted: np.ndarray, embeddings: np.ndarray) -> dict[str, float]:
    """Macro- and micro-F1 over every label, the Hamming score, subset accuracy, and the cosine
    silhouette of the test rows that carry exactly one label."""
    union = (truth | predicted).sum(1)
    hamming = np.where(union == 0, 1.0, (truth & predicted).sum(1) / np.maximum(union, 1))
    single = truth.sum(1) == 1
    return {
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
        "micro_f1": float(f1_score(truth, predicted, average="micro", zero_division=0)),
        "hamming_score": float(hamming.mean()),
        "subset_accuracy": float((truth == predicted).all(1).mean()),
        "silhouette_single_label_rows": float(silhouette_score(embeddings[single], truth[single].argmax(1), metric="cosine")),
    }
