"""The correction loop's logic: which labelled rows to look at first, and which texts to label next.

Two rankings, both pure (vectors and frames in, a ranked frame out) so they are tested without a
widget or a model:

- :func:`rank_label_errors`: every training and validation row whose label another label beats,
  out of fold, most contradicted first (the same out-of-fold logistic regression as the data
  report's ``label_errors`` check, on the frozen or the trained embeddings);
- :func:`rank_to_label`: unlabelled texts, the ones a label would teach the model most first:
  the least certain, spread over k-means clusters of the embeddings (a round-robin over clusters,
  least certain first within each), so the first texts shown are not twenty near-copies.

:func:`review` opens either list in the review queue (:mod:`nbtrain.widgets.review_queue`).

>>> queue = nbtrain.review(dataset, encoder=nbtrain.Encoder(), save_to="edits.json")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from nbtrain.data.dataset import Dataset
from nbtrain.data.edits import locate
from nbtrain.data.errors import DataError

if TYPE_CHECKING:
    from nbtrain.widgets.review_queue import ReviewQueue

#: The columns of a ranked label-error frame, in order.
ERROR_COLUMNS = ["split", "source", "row", "text", "label", "suggested", "given_prob", "suggested_prob", "score"]
#: The columns of a ranked to-label frame, in order.
TO_LABEL_COLUMNS = ["text", "suggested", "confidence", "margin", "cluster"]
#: Clusters the to-label ranking spreads its picks over, unless told otherwise.
CLUSTERS = 10


@runtime_checkable
class Embedder(Protocol):
    """Anything with ``encode(texts)``: nbtrain's :class:`~nbtrain.Encoder` or a test double."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class Classifier(Protocol):
    """Anything shaped like a :class:`~nbtrain.TrainedModel`: embeddings and probabilities per text."""

    labels: tuple[str, ...]
    task: str
    thresholds: np.ndarray | None

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_and_predict(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]: ...


def embed_texts(scorer: Embedder | Classifier, texts: Sequence[str]) -> np.ndarray:
    """The embeddings of ``texts``: the trained ones for a model, the frozen ones for an encoder."""
    if isinstance(scorer, Classifier):
        return np.asarray(scorer.embed(list(texts)), dtype=np.float32)
    return np.asarray(scorer.encode(list(texts)), dtype=np.float32)


def labelled_rows(dataset: Dataset) -> pd.DataFrame:
    """Training and validation rows with their ``split``: the rows whose labels are worth reviewing.

    Test rows are left out, as in the data report: correcting test labels by what a model trained
    on the other rows thinks would grade the model on its own opinion.
    """
    return pd.concat([dataset.train.assign(split="train"), dataset.validation.assign(split="validation")], ignore_index=True)


def rank_label_errors(
    dataset: Dataset, scorer: Embedder | Classifier, *, min_margin: float = 0.0, folds: int = 5, seed: int = 0
) -> pd.DataFrame:
    """Rows whose label another label beats out of fold by more than ``min_margin``, worst first.

    ``score`` is that margin (the suggested label's out-of-fold probability minus the given
    one's), ``suggested`` the label to offer; rows come by the given label's out-of-fold
    probability, lowest first. With a trained model its embeddings are used: they
    have seen the training labels, so they contradict fewer rows than the frozen encoder's.
    For multi-label data the suggestion flips the one label the classifier disputes most.

    >>> ranked = rank_label_errors(dataset, nbtrain.Encoder())  # doctest: +SKIP
    >>> ranked[["text", "label", "suggested", "score"]].head()  # doctest: +SKIP
    """
    from nbtrain.data.checks_model import (  # scikit-learn: loaded on first use
        label_error_scores,
        most_doubtful_first,
    )

    rows = labelled_rows(dataset)
    unique = list(pd.unique(rows["text"]))
    vectors = embed_texts(scorer, unique)
    embeddings = vectors[pd.Index(unique).get_indexer(rows["text"])]
    labels = rows["label"]
    if dataset.task == "multi_label":
        scores = multi_label_error_scores(labels, embeddings, dataset.labels, folds=folds, seed=seed)
    else:
        scores = label_error_scores(labels.astype(str), embeddings, folds=folds, seed=seed)
    if scores is None:
        return pd.DataFrame(columns=ERROR_COLUMNS)
    scored = rows.assign(
        suggested=scores["suggested"].to_numpy(),
        given_prob=scores["given_prob"].to_numpy().round(3),
        suggested_prob=scores["suggested_prob"].to_numpy().round(3),
        score=scores["margin"].to_numpy().round(3),
    )
    found = most_doubtful_first(scored[scored["score"] > min_margin])
    return found[ERROR_COLUMNS].reset_index(drop=True)


def multi_label_error_scores(
    labels: pd.Series, embeddings: np.ndarray, names: Sequence[str], *, folds: int = 5, seed: int = 0
) -> pd.DataFrame | None:
    """Out-of-fold scores for label sets: the most disputed label of each row, flipped.

    The report's out-of-fold probabilities
    (:func:`~nbtrain.data.checks_multilabel.out_of_fold_label_probabilities`): for each row the
    label whose given state (present or absent) gets the least of them is the disputed one;
    ``suggested`` is the row's set with it added or removed, ``given_prob`` the probability of its given state,
    ``suggested_prob`` of the flipped one, and ``margin`` their difference, as for single labels.
    ``None`` when there are too few rows to cross-validate.
    """
    from nbtrain.data.checks_multilabel import out_of_fold_label_probabilities

    if min(folds, len(labels)) < 2 or len(names) < 1:
        return None
    given = np.array([[name in set(value) for name in names] for value in labels], dtype=bool)
    proba, _ = out_of_fold_label_probabilities(given, embeddings, folds=min(folds, len(labels)), C=10.0, seed=seed)
    agree = np.where(given, proba, 1.0 - proba)
    disputed = agree.argmin(axis=1)
    rows = np.arange(len(labels))
    given_prob = agree[rows, disputed]
    flipped = given.copy()
    flipped[rows, disputed] = ~flipped[rows, disputed]
    suggested = pd.Series([tuple(n for n, on in zip(names, row, strict=True) if on) for row in flipped], dtype=object)
    return pd.DataFrame(
        {"given_prob": given_prob, "suggested": suggested.to_numpy(), "suggested_prob": 1.0 - given_prob, "margin": 1.0 - 2.0 * given_prob},
        index=labels.index,
    )


def uncertainty_order(embeddings: np.ndarray, margins: np.ndarray, *, clusters: int = CLUSTERS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Positions in the order to label them, and each position's cluster.

    k-means on the embeddings; within each cluster the smallest margin (least certain) comes
    first; clusters take turns, the cluster holding the least certain text first. So the first
    ``clusters`` picks are the least certain text of every cluster, not the ``clusters`` least
    certain texts overall, which tend to be near-copies of one confusing kind of text.

    >>> x = np.array([[0.0, 0], [0, 0.1], [5, 5], [5, 5.1]])
    >>> uncertainty_order(x, np.array([0.1, 0.2, 0.5, 0.3]), clusters=2)[0].tolist()
    [0, 3, 1, 2]
    """
    from sklearn.cluster import KMeans

    n = len(margins)
    if n == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    k = max(1, min(clusters, n, len(np.unique(embeddings, axis=0))))
    assigned = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(embeddings) if k > 1 else np.zeros(n, dtype=int)
    by_margin = np.lexsort((np.arange(n), margins))  # least certain first, ties by position
    turn = np.empty(n, dtype=int)
    cluster_first: dict[int, int] = {}
    seen: dict[int, int] = {}
    for rank, position in enumerate(by_margin):
        c = int(assigned[position])
        turn[position] = seen.get(c, 0)
        seen[c] = turn[position] + 1
        cluster_first.setdefault(c, rank)
    first = np.array([cluster_first[int(c)] for c in assigned])
    order = np.lexsort((first, turn))
    return order, assigned


def rank_to_label(
    texts: Iterable[str],
    scorer: Embedder | Classifier,
    *,
    dataset: Dataset | None = None,
    clusters: int = CLUSTERS,
    seed: int = 0,
) -> pd.DataFrame:
    """Unlabelled ``texts`` in the order to label them (see :func:`uncertainty_order`).

    ``scorer`` is a trained model (its probabilities decide), or an encoder with ``dataset``:
    then the tuned baseline (logistic regression on the frozen embeddings of the training rows)
    decides. Empty texts and repeats are left out (the queue also leaves out texts the dataset
    already holds from its files).
    ``suggested`` is the predicted label, ``confidence`` how sure it is, ``margin`` the gap
    between the two most probable labels (multi-label: the confidence), smallest first.

    >>> rank_to_label(unlabelled["text"], run.model).head(20)  # doctest: +SKIP
    """
    wanted = [t for t in dict.fromkeys(str(t).strip() for t in texts) if t]
    if not wanted:
        return pd.DataFrame(columns=TO_LABEL_COLUMNS)
    embeddings, proba, names, task, thresholds = _predictions(wanted, scorer, dataset)
    from nbtrain.task import task_of

    handler = task_of(task)  # type: ignore[arg-type]  # a model's or a dataset's own task name
    confidence = handler.confidence(proba, thresholds)
    margin = top_two_margin(proba) if task == "single_label" else confidence
    order, assigned = uncertainty_order(embeddings, margin, clusters=clusters, seed=seed)
    frame = pd.DataFrame(
        {
            "text": wanted,
            "suggested": pd.Series(handler.decide(proba, names, thresholds), dtype=object),
            "confidence": confidence.round(3),
            "margin": np.asarray(margin).round(3),
            "cluster": assigned,
        }
    )
    return frame.iloc[order].reset_index(drop=True)


def top_two_margin(proba: np.ndarray) -> np.ndarray:
    """The most probable label's probability minus the second's, per row (0: a coin toss).

    >>> top_two_margin(np.array([[0.5, 0.4, 0.1], [0.9, 0.05, 0.05]])).round(2).tolist()
    [0.1, 0.85]
    """
    if proba.shape[1] < 2:
        return np.ones(len(proba))
    top = np.sort(proba, axis=1)[:, -2:]
    return np.asarray(top[:, 1] - top[:, 0])


def _predictions(
    texts: list[str], scorer: Embedder | Classifier, dataset: Dataset | None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str, np.ndarray | None]:
    if isinstance(scorer, Classifier):
        embeddings, proba = scorer.embed_and_predict(texts)
        return np.asarray(embeddings), np.asarray(proba), tuple(scorer.labels), scorer.task, scorer.thresholds
    if dataset is None:
        raise DataError("ranking texts with a frozen encoder needs the dataset, to fit the baseline on its training rows")
    head = dataset.task_handler.fit_head(scorer.encode(dataset.train["text"].tolist()), dataset.train["label"].tolist())
    embeddings = np.asarray(scorer.encode(texts), dtype=np.float32)
    return embeddings, head.predict_proba(embeddings), head.labels, head.task, head.thresholds


def rows_to_review(dataset: Dataset, rows: Any, scorer: Embedder | Classifier | None = None) -> pd.DataFrame:
    """The rows a person passed (a frame with ``source, row``, or a finding), as a queue lists them.

    Each gets its ``split``, current ``text`` and ``label``; suggestions come from the rows
    themselves (a finding's ``suggested``, ``suggested_prob``, ``score``), or else from scoring
    the dataset with ``scorer``, or are left empty.
    """
    frame = getattr(rows, "rows", rows)
    found = locate(dataset, frame)
    keys = ["split", "source", "row"] if "split" in frame else ["source", "row"]
    # locate() returns rows in the dataset's order: put them back in the order they were given.
    ordered = frame[keys].drop_duplicates().merge(found, on=keys, how="left")
    extra = [c for c in ("suggested", "given_prob", "suggested_prob", "score") if c in frame]
    if extra:
        ordered = ordered.merge(frame[[*keys, *extra]].drop_duplicates(keys), on=keys, how="left")
    elif scorer is not None:
        scores = rank_label_errors(dataset, scorer, min_margin=-np.inf)
        ordered = ordered.merge(scores[["split", "source", "row", "suggested", "given_prob", "suggested_prob", "score"]], on=["split", "source", "row"], how="left")
    for column in ("suggested", "given_prob", "suggested_prob", "score"):
        if column not in ordered:
            ordered[column] = None
    return ordered[ERROR_COLUMNS].reset_index(drop=True)


def review(
    dataset: Dataset,
    rows: Any = None,
    *,
    texts: Iterable[str] | None = None,
    encoder: Embedder | None = None,
    model: Classifier | None = None,
    save_to: str | os.PathLike[str] | None = None,
) -> ReviewQueue:
    """The review queue: possible label errors (or ``rows``, or unlabelled ``texts``) one at a time.

    Without ``rows`` the queue lists :func:`rank_label_errors` of the dataset, scored with
    ``model`` or ``encoder`` (the default encoder if neither is given). With ``texts`` it lists
    them in :func:`rank_to_label` order, to label: each labelled text joins the training rows.
    Decisions are edits of ``queue.dataset`` (accept the suggestion, keep, choose a label, drop,
    undo), by button or key (``a``, ``k``, ``1``-``9``, ``d``, ``u``, ``←``/``→``). With
    ``save_to`` the edits are written after every decision; load the file again with
    ``nbtrain.load(file, history=save_to)`` and the queue resumes, skipping decided rows.

    >>> queue = nbtrain.review(dataset, encoder=nbtrain.Encoder(), save_to="edits.json")  # doctest: +SKIP
    >>> queue  # doctest: +SKIP
    >>> fixed = queue.dataset  # doctest: +SKIP
    """
    from nbtrain.widgets.review_queue import ReviewQueue

    scorer: Embedder | Classifier | None = model if model is not None else encoder
    if texts is not None:
        ranked = rank_to_label(texts, scorer if scorer is not None else _default_encoder(), dataset=dataset)
        return ReviewQueue(dataset, ranked, mode="label", save_to=save_to)
    if rows is None:
        ranked = rank_label_errors(dataset, scorer if scorer is not None else _default_encoder())
    else:
        ranked = rows_to_review(dataset, rows, scorer)
    return ReviewQueue(dataset, ranked, save_to=save_to)


def _default_encoder() -> Embedder:
    from nbtrain.embed.encoder import Encoder

    return Encoder()
