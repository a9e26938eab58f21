"""The objectives: each loss rewards what it should, and each objective trains a usable model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nbtrain
from nbtrain.training.config import TrainConfig
from nbtrain.training.losses import class_weights, embedding_loss, proxy_loss, supcon_loss
from nbtrain.training.trainer import train_model as train


def unit(rows: list[list[float]]) -> torch.Tensor:
    return torch.nn.functional.normalize(torch.tensor(rows, dtype=torch.float32), dim=-1)


def test_supcon_is_lower_when_same_label_rows_sit_together():
    targets = torch.tensor([0, 0, 1, 1])
    together = supcon_loss(unit([[1, 0.1], [1, -0.1], [-0.1, 1], [0.1, 1]]), targets, 0.1)
    mixed = supcon_loss(unit([[1, 0.1], [-0.1, 1], [1, -0.1], [0.1, 1]]), targets, 0.1)
    assert together < mixed


def test_supcon_ignores_rows_without_a_partner_and_stays_differentiable():
    embeddings = unit([[1, 0], [0, 1], [1, 1]]).requires_grad_()
    lonely = supcon_loss(embeddings, torch.tensor([0, 1, 2]), 0.1)
    assert lonely.item() == 0.0
    lonely.backward()
    assert embeddings.grad is not None
    pair = supcon_loss(unit([[1, 0], [0.9, 0.1]]), torch.tensor([0, 0]), 0.1)
    assert pair.item() == pytest.approx(0.0, abs=1e-6), "two rows and one pair: log-prob of the only candidate is 0"


def test_the_combined_embedding_loss_is_the_sum_of_both_and_dispatches_by_name():
    embeddings = unit([[1, 0.2], [0.9, -0.1], [-0.2, 1], [0.3, 0.8]])
    targets, proxies = torch.tensor([0, 0, 1, 0]), unit([[1, 0], [0, 1]])
    proxy, supcon = proxy_loss(embeddings, proxies, targets, 0.1), supcon_loss(embeddings, targets, 0.1)
    assert proxy > 0
    assert supcon > 0
    assert embedding_loss("proxy", embeddings, targets, proxies, 0.1) == proxy
    assert embedding_loss("supcon", embeddings, targets, proxies, 0.1) == supcon
    combined = embedding_loss("proxy+supcon", embeddings, targets, proxies, 0.1)
    assert combined.item() == pytest.approx(proxy.item() + supcon.item())


def test_balanced_class_weights_match_scikit_learn():
    from sklearn.utils.class_weight import compute_class_weight

    targets = np.array([0] * 8 + [1] * 2 + [2] * 2)
    expected = compute_class_weight("balanced", classes=np.arange(3), y=targets)
    assert np.allclose(class_weights(targets, 3).numpy(), expected)


@pytest.fixture(scope="module")
def dataset():
    from textdata import make_texts

    return nbtrain.load(make_texts(30))


@pytest.mark.parametrize(
    "settings",
    [
        {"objective": "classification"},
        {"objective": "classification", "class_weight": "balanced"},
        {"objective": "embedding", "embedding_loss": "supcon"},
        {"objective": "both", "embedding_loss": "supcon"},
        {"objective": "both", "embedding_loss": "proxy"},
        {"objective": "both", "embedding_loss": "proxy+supcon"},
    ],
    ids=["classification", "class-weights", "embedding-supcon", "both-supcon", "both-proxy", "both-proxy+supcon"],
)
def test_every_objective_trains_a_model_that_beats_its_random_start(tiny_model_dir, dataset, settings):
    cfg = TrainConfig(
        model=str(tiny_model_dir), epochs=3, patience=3, batch_size=8, learning_rate=2e-2,
        head_learning_rate=2e-2, head_init="random", device="cpu", **settings,
    )  # fmt: skip
    result = train(dataset, cfg)
    assert result.steps["loss"].tail(5).mean() < result.steps["loss"].head(5).mean()
    assert result.validation.macro_f1 > result.history.iloc[0]["val_macro_f1"]


def test_the_embedding_objective_pulls_same_label_texts_together(tiny_model_dir, dataset):
    from nbtrain.embed.encoder import Encoder
    from nbtrain.embed.separation import separation_scores

    cfg = TrainConfig(
        model=str(tiny_model_dir), epochs=3, patience=3, batch_size=8, learning_rate=5e-3,
        objective="embedding", embedding_loss="supcon", device="cpu",
    )  # fmt: skip
    texts, labels = dataset.validation["text"].tolist(), dataset.validation["label"].tolist()
    before = separation_scores(Encoder(tiny_model_dir, device="cpu").encode(texts), labels).silhouette
    after = separation_scores(train(dataset, cfg).model.embed(texts), labels).silhouette
    assert after > before


def test_objective_settings_are_validated():
    with pytest.raises(ValueError, match="objective must be one of"):
        TrainConfig(objective="triplet")
    with pytest.raises(ValueError, match="embedding_loss must be one of"):
        TrainConfig(embedding_loss="arcface")
    with pytest.raises(ValueError, match="class_weight must be one of"):
        TrainConfig(class_weight="inverse")
