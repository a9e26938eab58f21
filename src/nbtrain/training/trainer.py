"""LoRA training of an encoder with a classification head, the recipe behind ``nbtrain.train``.

The recipe: start the head from the cross-validated baseline (linear probing, then fine-tuning, as
in Kumar et al. 2022, "Fine-Tuning can Distort Pretrained Features"), train LoRA adapters and the
head with AdamW and a linear warm-up/decay schedule on length-bucketed batches (short texts pay
for little padding), score the validation split before training and after every epoch, stop early
when it stops improving, and keep the best epoch. No UI code lives here: progress goes out through
callbacks, a stop comes in through a :class:`StopSignal`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from nbtrain.data.dataset import Dataset
from nbtrain.embed.device import pick_device
from nbtrain.embed.encoder import Encoder, model_max_length, resolve_model
from nbtrain.evaluate.baseline import Baseline, fit_baseline
from nbtrain.evaluate.scores import Scores, score_predictions
from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent, StopSignal
from nbtrain.training.config import TrainConfig
from nbtrain.training.model import TrainedModel
from nbtrain.training.network import EncoderClassifier, add_lora, run_batches
from nbtrain.training.result import TrainResult


def train(
    dataset: Dataset,
    config: TrainConfig | None = None,
    *,
    encoder: Encoder | None = None,
    baseline: Baseline | None = None,
    callbacks: Sequence[Callback] = (),
    stop: StopSignal | None = None,
) -> TrainResult:
    """Train a LoRA model on ``dataset.train``, selecting the best epoch on ``dataset.validation``.

    ``encoder`` (the frozen model, whose embedding cache is reused) and ``baseline`` are computed
    when not given. Pass a :class:`StopSignal` to stop from elsewhere (a button, another thread):
    the best model so far is kept.

    >>> result = nbtrain.train(nbtrain.load_csv(nbtrain.sample_path()))  # doctest: +SKIP
    >>> result.model.classify(["I was charged twice"])  # doctest: +SKIP
    """
    config = config or TrainConfig()
    stop = stop or StopSignal()
    _seed_everything(config.seed)
    started = time.perf_counter()
    labels = dataset.labels
    encoder = encoder or Encoder(config.model, device=config.device)
    frozen = encoder.encode(dataset.train["text"].tolist())
    if config.head_init == "baseline" and baseline is None:
        baseline = fit_baseline(frozen, dataset.train["label"].tolist(), seed=config.seed)

    network, tokenizer, max_length = _build(config, labels, baseline)
    centroids = class_centroids(frozen, dataset.train["label"].tolist(), labels)
    device = pick_device(config.device)
    network.to(device)
    loop = _Loop(network, centroids, tokenizer, max_length, dataset, config, callbacks, stop, started)
    loop.run(device)
    network.load_state_dict(loop.best_state, strict=False)
    network.eval()
    if config.refit_head:
        refit_head(network, tokenizer, max_length, dataset, config.seed)
    validation = _scores(network, tokenizer, max_length, dataset)

    seconds = time.perf_counter() - started
    metrics: dict[str, Any] = {
        "best_epoch": loop.best_epoch,
        "validation": {"accuracy": validation.accuracy, "macro_f1": validation.macro_f1},
        "train_seconds": seconds,
        "stopped": loop.stop_reason,
    }
    model = TrainedModel(network, tokenizer, labels, config, max_length, metrics)
    result = TrainResult(
        model=model,
        history=pd.DataFrame([e.__dict__ for e in loop.history]),
        steps=pd.DataFrame(loop.steps, columns=["step", "epoch", "loss"]),
        best_epoch=loop.best_epoch,
        stopped=loop.stop_reason,
        seconds=seconds,
        baseline=baseline,
        validation=validation,
    )
    for callback in callbacks:
        callback.on_end(result)
    return result


def refit_head(network: EncoderClassifier, tokenizer: Any, max_length: int, dataset: Dataset, seed: int) -> None:
    """Replace the head by a logistic regression, tuned by cross-validation, on the trained embeddings."""
    vectors, _ = run_batches(network, tokenizer, dataset.train["text"].tolist(), max_length)
    fitted = fit_baseline(vectors, dataset.train["label"].tolist(), seed=seed)
    with torch.no_grad():
        network.head.weight.copy_(torch.from_numpy(fitted.weights).to(network.head.weight.device))
        network.head.bias.copy_(torch.from_numpy(fitted.bias).to(network.head.bias.device))


def _scores(network: EncoderClassifier, tokenizer: Any, max_length: int, dataset: Dataset) -> Scores:
    _, logits = run_batches(network, tokenizer, dataset.validation["text"].tolist(), max_length)
    predicted = [dataset.labels[i] for i in logits.argmax(axis=1)]
    return score_predictions(dataset.validation["label"].tolist(), predicted, dataset.labels)


def _build(
    config: TrainConfig, labels: Sequence[str], baseline: Baseline | None
) -> tuple[EncoderClassifier, Any, int]:
    from transformers import AutoModel, AutoTokenizer

    path = resolve_model(config.model)
    tokenizer = AutoTokenizer.from_pretrained(path)
    base = AutoModel.from_pretrained(path)
    max_length = config.max_length or model_max_length(path, tokenizer.model_max_length)
    encoder = add_lora(base, config.lora_rank, config.lora_alpha, config.lora_dropout, config.target_modules)
    head = nn.Linear(int(base.config.hidden_size), len(labels))
    if baseline is not None and config.head_init == "baseline":
        if tuple(baseline.labels) != tuple(labels):
            raise ValueError(f"baseline labels {baseline.labels} differ from the dataset's {tuple(labels)}")
        with torch.no_grad():
            head.weight.copy_(torch.from_numpy(baseline.weights))
            head.bias.copy_(torch.from_numpy(baseline.bias))
    return EncoderClassifier(encoder, head), tokenizer, max_length


class _Loop:
    """The epoch/step loop and its bookkeeping (history, best weights, why it stopped)."""

    def __init__(
        self,
        network: EncoderClassifier,
        centroids: np.ndarray,
        tokenizer: Any,
        max_length: int,
        dataset: Dataset,
        config: TrainConfig,
        callbacks: Sequence[Callback],
        stop: StopSignal,
        started: float,
    ) -> None:
        self.network, self.tokenizer, self.max_length = network, tokenizer, max_length
        # One learnable proxy per class for the embedding loss, started at the frozen centroids.
        self.proxies = nn.Parameter(torch.from_numpy(centroids))
        self.config, self.callbacks, self.stop, self.started = config, callbacks, stop, started
        self.labels = dataset.labels
        index = {label: i for i, label in enumerate(self.labels)}
        self.train_texts = dataset.train["text"].tolist()
        self.train_targets = torch.tensor([index[x] for x in dataset.train["label"]])
        self.val_texts = dataset.validation["text"].tolist()
        self.val_labels = dataset.validation["label"].tolist()
        self.val_targets = np.array([index[x] for x in self.val_labels])
        self.history: list[EpochEvent] = []
        self.steps: list[tuple[int, int, float]] = []
        self.best_epoch = 0
        self.best_state: dict[str, torch.Tensor] = {}
        self.stop_reason = ""

    def run(self, device: torch.device) -> None:
        cfg = self.config
        self.proxies.data = self.proxies.data.to(device)
        ids = self.tokenizer(self.train_texts, truncation=True, max_length=self.max_length)["input_ids"]
        lengths = np.array([len(i) for i in ids])
        rng = np.random.default_rng(cfg.seed)
        n_batches = -(-len(ids) // cfg.batch_size)
        total = n_batches * cfg.epochs
        optimizer = torch.optim.AdamW(
            [
                {"params": [p for n, p in self.network.named_parameters() if p.requires_grad and not n.startswith("head.")], "lr": cfg.learning_rate},
                {"params": [*self.network.head.parameters(), self.proxies], "lr": cfg.head_learning_rate},
            ],
            weight_decay=cfg.weight_decay,
        )
        from transformers import get_linear_schedule_with_warmup

        schedule = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup_ratio * total), total)
        self._validate(epoch=0, step=0, train_loss=float("nan"))
        stepping = 0.0  # seconds spent in optimiser steps: the pace excludes setup and validation
        step, since_best = 0, 0
        for epoch in range(1, cfg.epochs + 1):
            self.network.train()
            losses = []
            for batch_idx in bucketed_batches(lengths, cfg.batch_size, rng):
                tick = time.perf_counter()
                batch = self.tokenizer.pad({"input_ids": [ids[i] for i in batch_idx]}, return_tensors="pt").to(device)
                embeddings, logits = self.network(**batch)
                targets = self.train_targets[batch_idx].to(device)
                loss = nn.functional.cross_entropy(logits, targets)
                if cfg.embedding_loss_weight:
                    loss = loss + cfg.embedding_loss_weight * proxy_loss(embeddings, self.proxies, targets, cfg.temperature)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                step += 1
                losses.append(loss.item())
                self.steps.append((step, epoch, losses[-1]))
                now = time.perf_counter()
                stepping += now - tick
                pace = stepping / step
                event = StepEvent(
                    step, total, epoch, losses[-1], now - self.started, cfg.batch_size / max(pace, 1e-9), pace * (total - step)
                )
                for callback in self.callbacks:
                    callback.on_step(event)
                if self.stop.is_set():
                    break
            improved = self._validate(epoch, step, float(np.mean(losses)) if losses else float("nan"))
            since_best = 0 if improved else since_best + 1
            if self.stop.is_set():
                self.stop_reason = self.stop.reason or "stopped"
                return
            if since_best >= cfg.patience:
                self.stop_reason = f"early stopping: no better validation macro-F1 for {cfg.patience} epochs"
                return

    def _validate(self, epoch: int, step: int, train_loss: float) -> bool:
        _, logits = run_batches(self.network, self.tokenizer, self.val_texts, self.max_length)
        val_loss = float(nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(self.val_targets)))
        predicted = [self.labels[i] for i in logits.argmax(axis=1)]
        scores = score_predictions(self.val_labels, predicted, self.labels)
        best = self._is_better(scores.macro_f1, val_loss)
        if best:
            self.best_epoch = epoch
            self.best_state = {
                n: p.detach().clone() for n, p in self.network.named_parameters() if p.requires_grad
            }
        event = EpochEvent(
            epoch, step, train_loss, val_loss, scores.accuracy, scores.macro_f1, best, time.perf_counter() - self.started
        )
        self.history.append(event)
        for callback in self.callbacks:
            callback.on_epoch(event)
        return best

    def _is_better(self, macro_f1: float, val_loss: float) -> bool:
        if not self.history:
            return True
        best = self.history[self.best_epoch]
        return macro_f1 > best.val_macro_f1 or (macro_f1 == best.val_macro_f1 and val_loss < best.val_loss)


def proxy_loss(embeddings: torch.Tensor, proxies: torch.Tensor, targets: torch.Tensor, temperature: float) -> torch.Tensor:
    """Cross-entropy over cosine similarities to one proxy per class (normalised softmax loss)."""
    similarity = embeddings @ nn.functional.normalize(proxies, dim=-1).T
    return nn.functional.cross_entropy(similarity / temperature, targets)


def class_centroids(vectors: np.ndarray, labels: Sequence[str], names: Sequence[str]) -> np.ndarray:
    """The normalised mean vector of each class, in ``names`` order."""
    y = np.asarray(labels)
    means = np.stack([vectors[y == name].mean(axis=0) for name in names])
    return (means / np.linalg.norm(means, axis=1, keepdims=True).clip(min=1e-12)).astype(np.float32)


def bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of texts of similar length.

    Indices are shuffled, cut into pools of 50 batches, sorted by length inside each pool and cut
    into batches, whose order is shuffled again: random enough for SGD, little padding.
    """
    order = rng.permutation(len(lengths))
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeds libraries that still use the legacy global generator
    torch.manual_seed(seed)
