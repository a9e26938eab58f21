"""The rankings behind the review queue: label errors first, and what to label next."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

import nbtrain
from nbtrain.curation import (
    ERROR_COLUMNS,
    multi_label_error_scores,
    rank_label_errors,
    rank_to_label,
    rows_to_review,
    top_two_margin,
    uncertainty_order,
)
from nbtrain.data.errors import DataError
from textdata import WORDS, make_texts

SWAP = {"billing": "delivery", "delivery": "technical", "technical": "billing"}


class WordEncoder:
    """Embeds a text by the counts of each label's words: an encoder that understands the toy texts."""

    vocab: ClassVar[dict[str, int]] = {word: i for i, words in enumerate(WORDS.values()) for word in words.split()}

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), len(WORDS)), dtype=np.float32)
        for k, text in enumerate(texts):
            for word in text.split():
                if word in self.vocab:
                    out[k, self.vocab[word]] += 1
        return out / np.linalg.norm(out, axis=1, keepdims=True).clip(min=1e-9)


class FixedModel:
    """A trained-model double: fixed probabilities per text, embeddings from the word encoder."""

    labels = ("a", "b")
    task = "single_label"
    thresholds = None

    def __init__(self, proba: dict[str, list[float]]) -> None:
        self.proba = proba

    def embed(self, texts):
        return np.array([[len(t), 0.0] for t in texts], dtype=np.float32)

    def embed_and_predict(self, texts):
        return self.embed(texts), np.array([self.proba[t] for t in texts])


class WordModel:
    """A trained-model double for the toy texts: each label's probability grows with its words."""

    labels = tuple(WORDS)
    task = "single_label"
    thresholds = None

    def embed(self, texts):
        return WordEncoder().encode(texts)

    def embed_and_predict(self, texts):
        vectors = self.embed(texts)
        logits = np.exp(4 * vectors)
        return vectors, logits / logits.sum(axis=1, keepdims=True)


@pytest.fixture
def mislabelled() -> tuple[pd.DataFrame, list[int]]:
    """Toy texts with three labels swapped; returns the frame and the swapped positions."""
    frame = make_texts(30)
    swapped = [0, 5, 9]
    frame.loc[swapped, "label"] = frame.loc[swapped, "label"].map(SWAP)
    return frame, swapped


def test_the_swapped_labels_rank_first_with_the_right_suggestion(mislabelled):
    frame, swapped = mislabelled
    dataset = nbtrain.load(frame)
    ranked = rank_label_errors(dataset, WordEncoder())
    assert list(ranked.columns) == ERROR_COLUMNS
    top = ranked.head(3)
    expected = frame.loc[swapped]
    assert sorted(top["text"]) == sorted(expected["text"])
    clean = make_texts(30)
    truth = dict(zip(clean["text"], clean["label"], strict=True))
    assert [truth[t] for t in top["text"]] == top["suggested"].tolist()
    assert (top["score"] > 0.5).all()
    assert ranked["score"].is_monotonic_decreasing
    assert set(ranked["split"]) <= {"train", "validation"}


def test_min_margin_filters_and_test_rows_are_never_listed(mislabelled):
    frame, _ = mislabelled
    dataset = nbtrain.load(frame, test=make_texts(5, seed=3))
    everything = rank_label_errors(dataset, WordEncoder(), min_margin=-np.inf)
    assert len(everything) == len(dataset.train) + len(dataset.validation)
    assert "test" not in set(everything["split"])
    strict = rank_label_errors(dataset, WordEncoder(), min_margin=0.5)
    assert (strict["score"] > 0.5).all()
    assert len(strict) < len(everything)


def test_a_model_ranks_with_its_own_embeddings():
    frame = make_texts(20)
    dataset = nbtrain.load(frame)
    encoder = WordEncoder()

    class Trained(FixedModel):
        def embed(self, texts):
            return encoder.encode(texts)

    ranked = rank_label_errors(dataset, Trained({}), min_margin=-np.inf)
    assert encoder.calls == 1
    assert len(ranked) == len(dataset.train) + len(dataset.validation)


def test_multi_label_scores_flip_the_disputed_label():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal([3, 0], 0.1, (20, 2)), rng.normal([0, 3], 0.1, (20, 2))])
    labels = pd.Series([("a",)] * 20 + [("b",)] * 20, dtype=object)
    labels[3] = ("b",)  # an "a" text labelled "b"
    scores = multi_label_error_scores(labels, x, ("a", "b"))
    assert scores is not None
    worst = scores["margin"].idxmax()
    assert worst == 3
    assert scores.loc[3, "suggested"] in {("a", "b"), ()}  # one flip: add "a" or remove "b"
    assert scores.loc[3, "margin"] > 0.5
    assert (scores.drop(index=3)["margin"] < 0).mean() > 0.9
    assert multi_label_error_scores(labels.head(1), x[:1], ("a", "b")) is None


def test_uncertain_texts_come_first_spread_over_clusters():
    # three tight clusters; margins chosen so that the three least certain texts overall are all
    # in cluster A: a plain "lowest margin first" would show A, A, A.
    centres = {"A": (0.0, 0.0), "B": (10.0, 0.0), "C": (0.0, 10.0)}
    vectors, margins, names = [], [], []
    for name, margin_list in (("A", [0.01, 0.02, 0.03, 0.9]), ("B", [0.2, 0.5, 0.8]), ("C", [0.4, 0.6])):
        for i, margin in enumerate(margin_list):
            vectors.append(np.add(centres[name], (0.01 * i, 0.0)))
            margins.append(margin)
            names.append(f"{name}{i}")
    order, clusters = uncertainty_order(np.array(vectors), np.array(margins), clusters=3, seed=0)
    picked = [names[i] for i in order]
    assert picked[:3] == ["A0", "B0", "C0"]  # the least certain of each cluster, least certain first
    assert picked[3:6] == ["A1", "B1", "C1"]
    assert picked[6:] == ["A2", "B2", "A3"]
    assert len(set(clusters)) == 3
    assert sorted(order.tolist()) == list(range(len(names)))


def test_uncertainty_order_of_nothing_and_of_identical_vectors():
    order, clusters = uncertainty_order(np.zeros((0, 2)), np.zeros(0))
    assert order.tolist() == []
    assert clusters.tolist() == []
    order, _ = uncertainty_order(np.ones((3, 2)), np.array([0.5, 0.1, 0.3]), clusters=3)
    assert order.tolist() == [1, 2, 0]


def test_top_two_margin():
    assert top_two_margin(np.array([[0.2, 0.7, 0.1]])).round(2).tolist() == [0.5]
    assert top_two_margin(np.array([[1.0]])).tolist() == [1.0]


def test_rank_to_label_with_a_model_puts_the_coin_tosses_first_once_each():
    model = FixedModel({"sure": [0.95, 0.05], "unsure": [0.55, 0.45], "toss": [0.5, 0.5]})
    ranked = rank_to_label(["sure", "unsure", "toss", "toss", " ", "sure "], model, clusters=1)
    assert ranked["text"].tolist() == ["toss", "unsure", "sure"]
    assert ranked["suggested"].tolist() == ["a", "a", "a"]
    assert ranked["margin"].tolist() == [0.0, 0.1, 0.9]
    assert ranked["confidence"].tolist() == [0.5, 0.55, 0.95]


def test_rank_to_label_with_an_encoder_fits_the_baseline_on_the_dataset():
    dataset = nbtrain.load(make_texts(20))
    texts = ["refund charge price parcel", "app crash error", "courier late parcel"]
    ranked = rank_to_label(texts, WordEncoder(), dataset=dataset, clusters=2)
    assert set(ranked["text"]) == set(texts)
    assert ranked["text"].iloc[0] == "refund charge price parcel"  # billing or delivery: the unsure one
    assert dict(zip(ranked["text"], ranked["suggested"], strict=True))["app crash error"] == "technical"
    with pytest.raises(DataError, match="needs the dataset"):
        rank_to_label(texts, WordEncoder())


def test_rows_to_review_keeps_the_given_order_and_their_suggestions(mislabelled):
    frame, _ = mislabelled
    dataset = nbtrain.load(frame)
    given = dataset.validation.iloc[[3, 0]].assign(suggested=["x", "y"], score=[0.9, 0.8])
    rows = rows_to_review(dataset, given.drop(columns=["text", "label"]))
    assert rows["row"].tolist() == given["row"].tolist()
    assert rows["split"].tolist() == ["validation", "validation"]
    assert rows["text"].tolist() == given["text"].tolist()
    assert rows["suggested"].tolist() == ["x", "y"]
    scored = rows_to_review(dataset, dataset.train.head(2), WordEncoder())
    assert scored["suggested"].notna().all()
    bare = rows_to_review(dataset, dataset.train.head(2))
    assert bare["suggested"].isna().all()


def test_the_rankings_run_on_nbtrains_own_encoder(tiny_model_dir):
    dataset = nbtrain.load(make_texts(20))
    encoder = nbtrain.Encoder(str(tiny_model_dir))
    ranked = rank_label_errors(dataset, encoder, min_margin=-np.inf)
    assert len(ranked) == len(dataset.train) + len(dataset.validation)
    assert set(ranked["suggested"]) <= set(dataset.labels)
    texts = make_texts(3, seed=9)["text"].tolist()
    to_label = rank_to_label(texts, encoder, dataset=dataset, clusters=3)
    assert sorted(to_label["text"]) == sorted(texts)
    assert set(to_label["suggested"]) <= set(dataset.labels)


def test_the_queue_puts_the_least_probable_given_label_first_not_the_largest_margin():
    from nbtrain.data.checks_model import most_doubtful_first

    scored = pd.DataFrame(
        {
            "row": [1, 2, 3],
            # row 1: given 0.30 against one strong rival (margin 0.40); row 2: given 0.10 with
            # the rest spread over many labels (margin 0.15): row 2's label is the less believable.
            "given_prob": [0.30, 0.10, 0.45],
            "score": [0.40, 0.15, 0.10],
        }
    )
    assert most_doubtful_first(scored)["row"].tolist() == [2, 1, 3]
