"""Scoring one validation round: the numbers that choose which round a run keeps.

A round is scored on at most ``TrainConfig.validation_rows`` validation rows (a seeded sample,
stratified by label), so that scoring stays a small part of a long run; the final scores use every
row. Single-label rounds score the head's argmax. Multi-label rounds need thresholds, which the
head gets only at the end, and a fixed 0.5 would judge rare labels by a cut nobody uses; thresholds
tuned on the rows they score would flatter every round. So each half of the sample is scored with
the thresholds that are best on the other half (two-fold cross-fitting). With ``objective="embedding"`` the head is not trained, so
the embedding itself is scored, by its nearest training-label mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from nbtrain.task import Task
from nbtrain.training.losses import class_centroids
from nbtrain.training.network import EncoderClassifier, run_batches

# Training rows whose embeddings give the class means an embedding-only round is scored against.
CENTROID_ROWS = 5_000


@dataclass(frozen=True)
class RoundScores:
    """One validation round's accuracy, macro-F1 and loss."""

    accuracy: float
    macro_f1: float
    loss: float


@dataclass(frozen=True)
class ValidationRows:
    """The texts a round scores and what scoring them needs, prepared once per run."""

    texts: list[str]
    labels: list[Any]
    targets: np.ndarray
    centroid_texts: list[str]
    centroid_labels: list[Any]


def sample_rows(frame: pd.DataFrame, limit: int | None, seed: int) -> pd.DataFrame:
    """At most ``limit`` rows of ``frame``, in their order; stratified by label when labels are strings.

    >>> frame = pd.DataFrame({"label": ["a"] * 90 + ["b"] * 10})
    >>> sample_rows(frame, 20, 0)["label"].value_counts().to_dict()
    {'a': 18, 'b': 2}
    """
    if limit is None or len(frame) <= limit:
        return frame
    labels = frame["label"]
    if labels.map(lambda v: isinstance(v, str)).all():
        share = limit / len(frame)
        parts = [group.sample(n=max(1, round(len(group) * share)), random_state=seed) for _, group in frame.groupby("label")]
        return frame.loc[sorted(pd.concat(parts).index)]
    return frame.sample(n=limit, random_state=seed).sort_index()


def validation_rows(
    validation: pd.DataFrame, train: pd.DataFrame, task: Task, names: Sequence[str], limit: int | None, seed: int
) -> ValidationRows:
    """The validation sample a run scores each round, and training rows for embedding-only rounds."""
    shown = sample_rows(validation, limit, seed)
    centroid = sample_rows(train, CENTROID_ROWS, seed)
    return ValidationRows(
        texts=shown["text"].tolist(),
        labels=shown["label"].tolist(),
        targets=task.targets(shown["label"].tolist(), names),
        centroid_texts=centroid["text"].tolist(),
        centroid_labels=centroid["label"].tolist(),
    )


def score_round(
    network: EncoderClassifier,
    tokenizer: Any,
    max_length: int,
    rows: ValidationRows,
    task: Task,
    names: Sequence[str],
    *,
    embedding_only: bool,
    temperature: float,
) -> RoundScores:
    """Score the network on the validation sample (see the module docstring)."""
    vectors, logits = run_batches(network, tokenizer, rows.texts, max_length)
    if embedding_only:
        train_vectors, _ = run_batches(network, tokenizer, rows.centroid_texts, max_length)
        logits = vectors @ class_centroids(train_vectors, rows.centroid_labels, names).T / temperature
    targets = torch.from_numpy(rows.targets)
    if task.kind == "multi_label":
        loss = float(nn.functional.binary_cross_entropy_with_logits(torch.from_numpy(logits), targets))

        predicted = cross_fitted(rows.targets, task.probabilities(logits), names, task)
    else:
        loss = float(nn.functional.cross_entropy(torch.from_numpy(logits), targets))
        predicted = task.decide(logits, names)
    scores = task.score(rows.labels, predicted, names)
    return RoundScores(scores.accuracy, scores.macro_f1, loss)


def cross_fitted(targets: np.ndarray, proba: np.ndarray, names: Sequence[str], task: Task) -> list[Any]:
    """Label sets decided with thresholds tuned on the other half of the rows (halves alternate).

    >>> from nbtrain.task import MULTI_LABEL
    >>> y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]])
    >>> cross_fitted(y, y * 0.8 + 0.1, ["a", "b"], MULTI_LABEL)
    [('a',), ('b',), ('a',), ('b',)]
    """
    from nbtrain.evaluate.multilabel_baseline import best_thresholds

    half = np.arange(len(targets)) % 2 == 0
    predicted: list[Any] = [()] * len(targets)
    for scored in (half, ~half):
        tuned = ~scored if (~scored).any() else scored
        thresholds, _ = best_thresholds(targets[tuned], proba[tuned])
        for i, value in zip(np.flatnonzero(scored), task.decide(proba[scored], names, thresholds), strict=True):
            predicted[i] = value
    return predicted
