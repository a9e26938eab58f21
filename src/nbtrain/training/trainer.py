"""LoRA training of an encoder with a classification head, the recipe behind ``nbtrain.train``.

The recipe: start the head from the cross-validated baseline (linear probing, then fine-tuning, as
in Kumar et al. 2022, "Fine-Tuning can Distort Pretrained Features"), train LoRA adapters and the
head with AdamW and a linear warm-up/decay schedule on length-bucketed batches (short texts pay
for little padding), score the validation split before training and after every epoch, stop early
when it stops improving, and keep the best epoch. No UI code lives here: progress goes out through
callbacks, a stop comes in through a :class:`StopSignal`.

This module sets a run up (data, network, baseline head) and packages its result; the epochs and
steps themselves, with checkpoints and device placement, are :mod:`nbtrain.training.loop`'s.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from nbtrain.data.dataset import Dataset
from nbtrain.embed.encoder import Encoder, model_max_length, resolve_model
from nbtrain.evaluate.baseline import Baseline, fit_baseline
from nbtrain.evaluate.scores import Scores, score_predictions
from nbtrain.training.callbacks import Callback, StopSignal
from nbtrain.training.checkpoint import Checkpoint, load_checkpoint
from nbtrain.training.config import TrainConfig
from nbtrain.training.loop import TrainingLoop
from nbtrain.training.losses import class_centroids
from nbtrain.training.model import TrainedModel
from nbtrain.training.network import EncoderClassifier, add_lora, run_batches
from nbtrain.training.result import TrainResult

# Settings that may differ between a run and its resumption; any other difference is refused.
RESUMABLE_CHANGES = frozenset({"epochs", "patience", "checkpoint_dir", "device", "head_rows", "recompute_above_tokens"})


def train(
    dataset: Dataset,
    config: TrainConfig | None = None,
    *,
    encoder: Encoder | None = None,
    baseline: Baseline | None = None,
    callbacks: Sequence[Callback] = (),
    stop: StopSignal | None = None,
    resume_from: str | os.PathLike[str] | None = None,
) -> TrainResult:
    """Train a LoRA model on ``dataset.train``, selecting the best epoch on ``dataset.validation``.

    ``encoder`` (the frozen model, whose embedding cache is reused) and ``baseline`` are computed
    when not given. Pass a :class:`StopSignal` to stop from elsewhere (a button, another thread):
    the best model so far is kept. With ``config.checkpoint_dir`` a checkpoint is written after
    every validation pass; ``resume_from`` (such a folder) carries a stopped or crashed run on
    with the same data and settings (``epochs`` and ``patience`` may grow).

    >>> result = nbtrain.train(nbtrain.load_csv(nbtrain.sample_path()))  # doctest: +SKIP
    >>> result.model.classify(["I was charged twice"])  # doctest: +SKIP
    """
    config = config or TrainConfig()
    stop = stop or StopSignal()
    checkpoint = load_checkpoint(resume_from) if resume_from is not None else None
    if checkpoint is not None:
        _check_resumable(checkpoint, config, dataset.labels)
    _seed_everything(config.seed)
    started = time.perf_counter()
    labels = dataset.labels
    encoder = encoder or Encoder(config.model, device=config.device)
    frozen = encoder.encode(dataset.train["text"].tolist())
    if config.head_init == "baseline" and baseline is None:
        baseline = fit_baseline(
            frozen, dataset.train["label"].tolist(), seed=config.seed, class_weight=config.class_weight
        )

    network, tokenizer, max_length = _build(config, labels, baseline)
    centroids = class_centroids(frozen, dataset.train["label"].tolist(), labels)
    loop = TrainingLoop(network, centroids, tokenizer, max_length, dataset, config, callbacks, stop, started)
    loop.run(checkpoint)
    # Drop the mixed-precision wrapper Accelerate put on forward (a GPU run): the returned model, its
    # final head's fit and a reloaded copy then all embed alike.
    network = loop.accelerator.unwrap_model(network, keep_fp32_wrapper=False)
    network.load_state_dict(loop.best_state, strict=False)
    network.eval()
    selected_network, final_network, validation = _final_heads(network, tokenizer, max_length, dataset, config)

    seconds = time.perf_counter() - started
    metrics: dict[str, Any] = {
        "best_epoch": loop.best_epoch,
        # of the head fitted on training rows only (result.selected), whatever rows the final head saw
        "validation": {"accuracy": validation.accuracy, "macro_f1": validation.macro_f1, "head_rows": "train"},
        "head_rows": "train",
        "train_seconds": seconds,
        "stopped": loop.stop_reason,
        "steps": len(loop.steps),
        "processes": loop.accelerator.num_processes,
        "device": str(loop.accelerator.device),
        "mixed_precision": loop.accelerator.mixed_precision,
    }
    selected = TrainedModel(selected_network, tokenizer, labels, config, max_length, metrics)
    model = selected
    if final_network is not selected_network:
        final_metrics = metrics | {"head_rows": "train+validation"}
        model = TrainedModel(final_network, tokenizer, labels, config, max_length, final_metrics)
    result = TrainResult(
        model=model,
        selected=selected,
        history=pd.DataFrame([e.__dict__ for e in loop.history]),
        steps=pd.DataFrame(loop.steps, columns=["step", "epoch", "loss"]),
        best_epoch=loop.best_epoch,
        stopped=loop.stop_reason,
        seconds=seconds,
        baseline=baseline,
        validation=validation,
    )
    for callback in loop.callbacks:
        callback.on_end(result)
    return result


def _head_on_all_rows(config: TrainConfig, dataset: Dataset) -> bool:
    """Whether the final head learns from the validation rows too (``config.head_rows``)."""
    if not config.refit_head or config.head_rows == "train":
        return False
    return config.head_rows == "all" or dataset.validation_from == "split"


def _final_heads(
    network: EncoderClassifier, tokenizer: Any, max_length: int, dataset: Dataset, config: TrainConfig
) -> tuple[EncoderClassifier, EncoderClassifier, Scores]:
    """The selected network (head refit on the training rows), the final one, and validation scores.

    The final network shares the trained encoder and differs only by a head fitted on training and
    validation rows (see ``TrainConfig.head_rows``); otherwise it is the selected network itself.
    One embedding pass per split serves every head and the scores.
    """
    train_vectors, _ = run_batches(network, tokenizer, dataset.train["text"].tolist(), max_length)
    val_vectors, val_logits = run_batches(network, tokenizer, dataset.validation["text"].tolist(), max_length)
    train_labels, val_labels = dataset.train["label"].tolist(), dataset.validation["label"].tolist()
    if config.refit_head:
        fitted = fit_baseline(train_vectors, train_labels, seed=config.seed, class_weight=config.class_weight)
        _set_head(network.head, fitted)
        val_logits = fitted.logits(val_vectors)
    predicted = [dataset.labels[i] for i in val_logits.argmax(axis=1)]
    validation = score_predictions(val_labels, predicted, dataset.labels)
    if not _head_on_all_rows(config, dataset):
        return network, network, validation
    every = fit_baseline(
        np.vstack([train_vectors, val_vectors]), train_labels + val_labels, seed=config.seed, class_weight=config.class_weight
    )
    head = nn.Linear(network.head.in_features, network.head.out_features).to(network.head.weight.device)
    _set_head(head, every)
    return network, EncoderClassifier(network.encoder, head).eval(), validation


def _set_head(head: nn.Linear, fitted: Baseline) -> None:
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(fitted.weights).to(head.weight.device))
        head.bias.copy_(torch.from_numpy(fitted.bias).to(head.bias.device))


def _check_resumable(checkpoint: Checkpoint, config: TrainConfig, labels: Sequence[str]) -> None:
    if list(checkpoint.labels) != list(labels):
        raise ValueError(f"the checkpoint was trained on labels {checkpoint.labels}, this dataset has {list(labels)}")
    now = config.to_dict()
    changed = sorted(k for k, v in checkpoint.config.items() if k not in RESUMABLE_CHANGES and now.get(k) != v)
    if changed:
        listed = ", ".join(f"{k}: {checkpoint.config[k]!r} then, {now.get(k)!r} now" for k in changed)
        raise ValueError(f"cannot resume with different settings ({listed})")


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


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeds libraries that still use the legacy global generator
    torch.manual_seed(seed)
