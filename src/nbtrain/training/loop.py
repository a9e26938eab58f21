"""The epoch and step loop behind :func:`nbtrain.train`, and where it runs.

Hugging Face Accelerate places the work: the CPU, one CUDA GPU with mixed precision, Apple's mps,
or, under ``accelerate launch``, one process per GPU, each training on its share of the batches.
The loop scores the validation split before training and after every epoch, keeps the weights of
the epochs :mod:`nbtrain.training.selection` may still choose, stops on patience or a
:class:`StopSignal`, and writes a checkpoint after every validation pass; given a checkpoint it
carries on where that run was.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from nbtrain.data.dataset import Dataset
from nbtrain.evaluate.scores import score_predictions
from nbtrain.training import selection
from nbtrain.training.batches import bucketed_batches
from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent, StopSignal
from nbtrain.training.checkpoint import Checkpoint, save_checkpoint
from nbtrain.training.config import TrainConfig, auto_epochs
from nbtrain.training.losses import class_centroids, class_weights, embedding_loss
from nbtrain.training.network import (
    EncoderClassifier,
    prepare_checkpointing,
    recomputing,
    run_batches,
)


def make_accelerator(device: str | None) -> Any:
    """Accelerate's view of where to run: ``"cpu"`` forces the CPU; otherwise CUDA (bf16 or fp16
    autocast), then mps, then the CPU; under ``accelerate launch``, this process's GPU."""
    from accelerate import Accelerator

    if device and device.startswith("cuda:"):
        torch.cuda.set_device(torch.device(device))
    cuda = torch.cuda.is_available() and device != "cpu"
    precision = ("bf16" if torch.cuda.is_bf16_supported() else "fp16") if cuda else "no"
    # With no accelerator at all, say so: Accelerate then runs a multi-process launch on CPUs (gloo).
    cpu = device == "cpu" or not (torch.cuda.is_available() or torch.backends.mps.is_available())
    return Accelerator(cpu=cpu, mixed_precision=precision)


class TrainingLoop:
    """The epoch/step loop and its bookkeeping (history, best weights, checkpoints, why it stopped)."""

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
        # One learnable proxy per class for the proxy embedding loss, started at the frozen centroids.
        self.proxies = nn.Parameter(torch.from_numpy(centroids))
        self.config, self.stop, self.started = config, stop, started
        self.accelerator = make_accelerator(config.device)
        # Under a multi-process launch only the first process reports and writes checkpoints.
        self.callbacks = list(callbacks) if self.accelerator.is_main_process else []
        self.labels = dataset.labels
        index = {label: i for i, label in enumerate(self.labels)}
        self.train_texts = dataset.train["text"].tolist()
        targets = np.array([index[x] for x in dataset.train["label"]])
        self.train_targets = torch.from_numpy(targets)
        self.weights = class_weights(targets, len(self.labels)) if config.class_weight == "balanced" else None
        self.val_texts = dataset.validation["text"].tolist()
        self.val_labels = dataset.validation["label"].tolist()
        self.val_targets = np.array([index[x] for x in self.val_labels])
        self.history: list[EpochEvent] = []
        self.steps: list[tuple[int, int, float]] = []
        self.best_epoch = 0
        # The trainable weights (without the proxies) of every epoch that may still be kept.
        self.kept: dict[int, dict[str, torch.Tensor]] = {}
        self.stop_reason = ""

    def run(self, checkpoint: Checkpoint | None) -> None:
        cfg, acc = self.config, self.accelerator
        ids = self.tokenizer(self.train_texts, truncation=True, max_length=self.max_length)["input_ids"]
        lengths = np.array([len(i) for i in ids])
        # bucketed_batches cuts pools of whole batches, so an epoch has ceil(rows / batch) of them.
        per_epoch = -(-len(ids) // cfg.batch_size) // acc.num_processes
        if per_epoch < 1:
            raise ValueError(f"{len(ids)} training rows make fewer batches than the {acc.num_processes} processes")
        epochs = auto_epochs(cfg.epochs, per_epoch)
        total = per_epoch * epochs
        self.proxies.data = self.proxies.data.to(acc.device)
        optimizer = torch.optim.AdamW(
            [
                {"params": [p for n, p in self.network.named_parameters() if p.requires_grad and not n.startswith("head.")], "lr": cfg.learning_rate},
                {"params": [*self.network.head.parameters(), self.proxies], "lr": cfg.head_learning_rate},
            ],
            weight_decay=cfg.weight_decay,
        )
        model, optimizer = acc.prepare(self.network, optimizer)
        budget = cfg.recompute_above_tokens
        if budget is not None and not prepare_checkpointing(self.network.encoder):
            budget = None  # an architecture without activation checkpointing keeps every activation
        if checkpoint is None:
            self._validate(epoch=0, step=0, train_loss=float("nan"))
            step, first_epoch, skip = 0, 1, 0
        else:
            self._restore(checkpoint, optimizer)
            step, first_epoch = checkpoint.step, checkpoint.epoch
            skip = step - (first_epoch - 1) * per_epoch
            if skip >= per_epoch:
                first_epoch, skip = first_epoch + 1, 0
        from transformers import get_linear_schedule_with_warmup

        schedule = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup_ratio * total), total, last_epoch=step - 1 if step else -1)
        stepping, stepped = 0.0, 0  # seconds in optimiser steps (the pace excludes setup and validation)
        # One generator for the batch order; a resumed run replays the epochs it had finished.
        order = np.random.default_rng(cfg.seed)
        for _ in range(first_epoch - 1):
            bucketed_batches(lengths, cfg.batch_size, order)
        for epoch in range(first_epoch, epochs + 1):
            if self._since_best() >= cfg.patience:
                break
            model.train()
            losses = []
            batches = bucketed_batches(lengths, cfg.batch_size, order)[: per_epoch * acc.num_processes]
            for batch_idx in batches[acc.process_index :: acc.num_processes][skip:]:
                tick = time.perf_counter()
                batch = self.tokenizer.pad({"input_ids": [ids[i] for i in batch_idx]}, return_tensors="pt").to(acc.device)
                long_batch = budget is not None and batch["input_ids"].numel() > budget
                with recomputing(self.network.encoder, long_batch):
                    loss = self._loss(model, batch, self.train_targets[batch_idx].to(acc.device))
                    optimizer.zero_grad(set_to_none=True)
                    acc.backward(loss)
                optimizer.step()
                schedule.step()
                step, stepped = step + 1, stepped + 1
                losses.append(loss.item())
                self.steps.append((step, epoch, losses[-1]))
                now = time.perf_counter()
                stepping += now - tick
                pace = stepping / stepped
                speed = cfg.batch_size * acc.num_processes / max(pace, 1e-9)
                event = StepEvent(step, total, epoch, epochs, losses[-1], now - self.started, speed, pace * (total - step))
                for callback in self.callbacks:
                    callback.on_step(event)
                if self.stop.is_set():
                    break
            skip = 0
            train_loss = float(np.mean(losses)) if losses else float("nan")
            if step < epoch * per_epoch:
                # Stopped inside the epoch: the checkpoint is taken before this partial epoch is
                # scored, so that a resumed run finishes the epoch and scores it once, as an
                # unbroken run does; the stopped run's own result still judges the partial epoch.
                self._save(epoch, step, optimizer)
                self._validate(epoch, step, train_loss)
            else:
                self._validate(epoch, step, train_loss)
                self._save(epoch, step, optimizer)
            if self.stop.is_set():
                self.stop_reason = self.stop.reason or "stopped"
                return
        if self._since_best() >= cfg.patience:
            self.stop_reason = f"early stopping: no better smoothed validation macro-F1 for {cfg.patience} epochs"

    @property
    def best_state(self) -> dict[str, torch.Tensor]:
        """The kept epoch's trainable weights (adapter and head)."""
        return self.kept[self.best_epoch]

    def _since_best(self) -> int:
        return self.history[-1].epoch - self.best_epoch if self.history else 0

    def _loss(self, model: nn.Module, batch: Any, targets: torch.Tensor) -> torch.Tensor:
        """The configured objective: head cross-entropy, an embedding loss, or their weighted sum."""
        cfg = self.config
        embeddings, logits = model(**batch)
        weights = None if self.weights is None else self.weights.to(logits.device)
        parts = []
        if cfg.objective in ("classification", "both"):
            parts.append(nn.functional.cross_entropy(logits.float(), targets, weight=weights))
        if cfg.objective in ("embedding", "both"):
            scale = cfg.embedding_loss_weight if cfg.objective == "both" else 1.0
            parts.append(scale * embedding_loss(cfg.embedding_loss, embeddings.float(), targets, self.proxies, cfg.temperature))
        return torch.stack(parts).sum()

    def _trainable(self) -> dict[str, torch.Tensor]:
        network = self.accelerator.unwrap_model(self.network)
        state = {n: p.detach().clone() for n, p in network.named_parameters() if p.requires_grad}
        return state | {"proxies": self.proxies.detach().clone()}

    def _validate(self, epoch: int, step: int, train_loss: float) -> None:
        network = self.accelerator.unwrap_model(self.network)
        vectors, logits = run_batches(network, self.tokenizer, self.val_texts, self.max_length)
        if self.config.objective == "embedding":
            # The head is not trained: score the embedding itself, by its nearest training class mean.
            train_vectors, _ = run_batches(network, self.tokenizer, self.train_texts, self.max_length)
            centroids = class_centroids(train_vectors, [self.labels[i] for i in self.train_targets], self.labels)
            logits = vectors @ centroids.T / self.config.temperature
        val_loss = float(nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(self.val_targets)))
        predicted = [self.labels[i] for i in logits.argmax(axis=1)]
        scores = score_predictions(self.val_labels, predicted, self.labels)
        self.kept[epoch] = {k: v for k, v in self._trainable().items() if k != "proxies"}
        f1 = [e.val_macro_f1 for e in self.history] + [scores.macro_f1]
        losses = [e.val_loss for e in self.history] + [val_loss]
        window = self.config.selection_window
        self.best_epoch = selection.best_epoch(f1, losses, window)
        needed = selection.needed_epochs(f1, losses, window)
        self.kept = {e: state for e, state in self.kept.items() if e in needed}
        event = EpochEvent(
            epoch, step, train_loss, val_loss, scores.accuracy, scores.macro_f1, self.best_epoch, time.perf_counter() - self.started
        )
        self.history.append(event)
        for callback in self.callbacks:
            callback.on_epoch(event)

    def _save(self, epoch: int, step: int, optimizer: Any) -> None:
        if self.config.checkpoint_dir is None or not self.accelerator.is_main_process:
            return
        checkpoint = Checkpoint(
            epoch=epoch,
            step=step,
            history=[e.__dict__ for e in self.history],
            steps=[list(s) for s in self.steps],
            labels=list(self.labels),
            config=self.config.to_dict(),
            weights=self._trainable(),
            kept_weights=self.kept,
            optimizer=optimizer.state_dict(),
        )
        save_checkpoint(self.config.checkpoint_dir, checkpoint)

    def _restore(self, checkpoint: Checkpoint, optimizer: Any) -> None:
        device = self.accelerator.device
        network = self.accelerator.unwrap_model(self.network)
        weights = {k: v.to(device) for k, v in checkpoint.weights.items()}
        self.proxies.data = weights.pop("proxies")
        network.load_state_dict(weights, strict=False)
        optimizer.load_state_dict(checkpoint.optimizer)
        torch.set_rng_state(checkpoint.torch_rng)
        self.history = [EpochEvent(**e) for e in checkpoint.history]
        self.steps = [(int(s), int(e), float(v)) for s, e, v in checkpoint.steps]
        self.kept = {e: {k: v.to(device) for k, v in state.items()} for e, state in checkpoint.kept_weights.items()}
        f1, losses = [e.val_macro_f1 for e in self.history], [e.val_loss for e in self.history]
        self.best_epoch = selection.best_epoch(f1, losses, self.config.selection_window)
