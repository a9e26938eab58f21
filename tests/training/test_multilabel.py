"""Label sets end to end on a tiny model: one-vs-rest baseline, sigmoid head, thresholds that
survive save and export, multi-label scores, and the losses for sets."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
import torch

import nbtrain
from nbtrain.training.config import TrainConfig
from nbtrain.training.losses import classification_loss, pair_weights, proxy_loss, supcon_loss
from textdata import FILLER, WORDS


def label_sets(n: int, seed: int = 0) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        labels = sorted(rng.sample(list(WORDS), rng.choice([1, 1, 2])))
        words = [w for label in labels for w in rng.sample(WORDS[label].split(), 3)] + rng.sample(FILLER.split(), 3)
        rng.shuffle(words)
        rows.append({"text": " ".join(words) + f" {i}", "label": labels})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def run(tiny_model_dir):
    frame = label_sets(150)
    dataset = nbtrain.load(frame.iloc[:110], test=frame.iloc[110:])
    config = TrainConfig(model=str(tiny_model_dir), epochs=2, batch_size=8, device="cpu")
    return nbtrain.train(dataset, config, progress=False)


def test_a_list_column_is_multi_label_and_the_split_keeps_every_label_on_both_sides(run):
    ds = run.dataset
    assert ds.task == "multi_label"
    assert ds.labels == ("billing", "delivery", "technical")
    for split in ("train", "validation"):
        assert set(ds.task_handler.names(ds.splits()[split]["label"])) == set(ds.labels)


def test_the_baseline_is_one_vs_rest_with_a_threshold_per_label(run):
    base = run.baseline
    assert base.task == "multi_label"
    assert base.thresholds is not None
    assert base.thresholds.shape == (3,)
    assert ((base.thresholds > 0) & (base.thresholds < 1)).all()
    proba = base.predict_proba(nbtrain.Encoder(run.config.model, device="cpu").encode(["parcel late"]))
    assert proba.shape == (1, 3)
    assert not np.isclose(proba.sum(), 1.0), "one sigmoid per label, not a softmax"


def test_classify_returns_the_labels_above_their_thresholds(run):
    model = run.model
    frame = model.classify(["parcel late refund twice", "app crash"])
    probs = frame[list(model.labels)].to_numpy()
    expected = [tuple(label for label, p, t in zip(model.labels, row, model.thresholds, strict=True) if p >= t) for row in probs]
    assert frame["label"].tolist() == expected
    assert frame["confidence"].between(0, 1).all()


def test_scores_are_the_multi_label_ones(run):
    test = run.comparison.splits["test"]
    assert {"micro_f1", "subset_accuracy"} <= set(test.trained.headline())
    assert test.trained.confusion is None
    table = run.comparison.table()
    assert {"micro_f1", "subset_accuracy", "knn_accuracy"} <= set(table["measure"])
    truth = run.dataset.test["label"].tolist()
    union = [set(a) | set(b) for a, b in zip(truth, test.rows["trained_label"], strict=True)]
    both = [set(a) & set(b) for a, b in zip(truth, test.rows["trained_label"], strict=True)]
    hamming = np.mean([1.0 if not u else len(b) / len(u) for u, b in zip(union, both, strict=True)])
    assert test.trained.accuracy == pytest.approx(hamming)


def test_thresholds_survive_save_load_and_export(run, tmp_path):
    model = run.model
    texts = run.dataset.test["text"].tolist()[:10]
    for folder in (model.save(tmp_path / "saved"), model.export(tmp_path / "exported")):
        again = nbtrain.load_model(folder, device="cpu")
        assert again.task == "multi_label"
        assert np.allclose(again.thresholds, model.thresholds)
        assert again.predict(texts) == model.predict(texts)


def test_losses_for_label_sets():
    y = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]])
    weights = pair_weights(y)
    assert weights[0, 1] == pytest.approx(0.5)  # {a} and {a, b} share one label of two
    assert weights[0, 2] == 0
    assert weights[3, 3] == 0, "two empty sets are not partners"
    one_hot = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    emb = torch.nn.functional.normalize(torch.tensor([[1.0, 0.2], [0.1, 1.0]]), dim=-1)
    proxies = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    assert proxy_loss(emb, proxies, one_hot, 0.1) == pytest.approx(proxy_loss(emb, proxies, torch.tensor([0, 1]), 0.1).item())
    assert supcon_loss(emb, one_hot, 0.1) == pytest.approx(supcon_loss(emb, torch.tensor([0, 1]), 0.1).item())
    logits = torch.tensor([[2.0, -2.0]])
    assert classification_loss(logits, torch.tensor([[1.0, 0.0]]), None) < classification_loss(logits, torch.tensor([[0.0, 1.0]]), None)
