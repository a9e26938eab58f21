"""LoRA training of an encoder with a classification head: the trainer behind ``nbtrain.train``.

The recipe: start the head from the cross-validated baseline (linear probing, then fine-tuning, as
in Kumar et al. 2022, "Fine-Tuning can Distort Pretrained Features"), train LoRA adapters and the
head with AdamW and a linear warm-up/decay schedule on length-bucketed batches (short texts pay
for little padding), score the validation split before training and after every round, stop early
when it stops improving, keep the best round, and fit the final heads on the trained embeddings.
No UI code lives here: progress goes out through callbacks and a :class:`~nbtrain.progress.Progress`,
a stop comes in through a :class:`StopSignal`.

This module sets a run up (data, network, baseline head) and packages its result; the steps and
rounds are :mod:`nbtrain.training.loop`'s, the final heads :mod:`nbtrain.training.heads`'.
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
from nbtrain.embed.encoder import Encoder, model_max_length, quiet_transformers, resolve_model
from nbtrain.evaluate.baseline import Baseline
from nbtrain.progress import Progress, TrainingProgress, resolve_progress
from nbtrain.training.callbacks import Callback, StopSignal
from nbtrain.training.checkpoint import Checkpoint, load_checkpoint
from nbtrain.training.config import TrainConfig
from nbtrain.training.heads import fit_final_heads, head_seconds
from nbtrain.training.loop import LoopInput, LoopResult, run_loop
from nbtrain.training.losses import class_centroids
from nbtrain.training.model import TrainedModel
from nbtrain.training.network import EncoderClassifier, add_lora, merge_for_inference
from nbtrain.training.result import TrainingSummary, TrainResult
from nbtrain.training.validation import validation_rows

# Settings that may differ between a run and its resumption; any other difference is refused.
RESUMABLE_CHANGES = frozenset({"epochs", "patience", "checkpoint_dir", "device", "head_rows", "recompute_above_tokens", "budget"})


def train_model(
    dataset: Dataset,
    config: TrainConfig | None = None,
    *,
    encoder: Encoder | None = None,
    baseline: Baseline | None = None,
    callbacks: Sequence[Callback] = (),
    stop: StopSignal | None = None,
    resume_from: str | os.PathLike[str] | None = None,
    progress: bool | Progress | None = None,
) -> TrainResult:
    """Train a LoRA model on ``dataset.train``, keeping the best round on ``dataset.validation``.

    The trainer alone; :func:`nbtrain.train` also fits the baseline and compares both.
    ``encoder`` (the frozen model, whose embedding cache is reused) and ``baseline`` are computed
    when not given. Pass a :class:`StopSignal` to stop from elsewhere (a button, another thread):
    the best model so far is kept. With ``config.checkpoint_dir`` a checkpoint is written after
    every validation pass; ``resume_from`` (such a folder) carries a stopped or crashed run on
    with the same data and settings (``epochs``, ``patience`` and ``budget`` may change).

    >>> result = train_model(nbtrain.load(nbtrain.sample_path()))  # doctest: +SKIP
    >>> result.model.classify(["I was charged twice"])  # doctest: +SKIP
    """
    config = config or TrainConfig()
    shown = resolve_progress(progress)
    checkpoint = load_checkpoint(resume_from) if resume_from is not None else None
    if checkpoint is not None:
        _check_resumable(checkpoint, config, dataset.labels)
    _seed_everything(config.seed)
    started = time.perf_counter()
    task, labels = dataset.task_handler, dataset.labels
    encoder = encoder or Encoder(config.model, device=config.device)
    frozen = encoder.encode(dataset.train["text"].tolist(), progress=shown)
    if config.head_init == "baseline" and baseline is None:
        with shown.phase("Fitting the baseline (logistic regression, settings by cross-validation)"):
            baseline = task.fit_head(frozen, dataset.train["label"].tolist(), seed=config.seed, class_weight=config.class_weight)

    network, tokenizer, max_length = _build(config, labels, baseline)
    data = LoopInput(
        network=network,
        tokenizer=tokenizer,
        max_length=max_length,
        config=config,
        task=task,
        labels=labels,
        train_texts=dataset.train["text"].tolist(),
        train_targets=task.targets(dataset.train["label"].tolist(), labels),
        validation=validation_rows(dataset.validation, dataset.train, task, labels, config.validation_rows, config.seed),
        proxies=class_centroids(frozen, dataset.train["label"].tolist(), labels),
        finish_texts=len(dataset.train) + len(dataset.validation),
        finish_head_seconds=head_seconds(len(dataset.train), baseline) if config.refit_head else 0.0,
    )
    steps_shown = TrainingProgress(shown)
    watchers = [*callbacks, steps_shown]
    loop = run_loop(data, callbacks=watchers, stop=stop, checkpoint=checkpoint, started=started)
    steps_shown.finish()
    # Drop the mixed-precision wrapper Accelerate put on forward (a GPU run): the returned model, its
    # final head's fit and a reloaded copy then all embed alike.
    from accelerate.utils import extract_model_from_parallel

    network = extract_model_from_parallel(network, keep_fp32_wrapper=False)
    network.load_state_dict(dict(loop.kept_weights), strict=False)
    network.eval()
    merge_for_inference(network.encoder)
    heads = fit_final_heads(network, tokenizer, max_length, dataset, config, shown, baseline)
    seconds = _resumed_seconds(checkpoint) + time.perf_counter() - started
    models = {
        rows: TrainedModel(
            net,
            tokenizer,
            labels,
            config,
            max_length,
            task=task.kind,
            thresholds=None if heads.heads[rows] is None else heads.heads[rows].thresholds,  # type: ignore[union-attr]
            summary=_summary(loop, heads.validation, len(dataset.validation), rows, seconds),
        )
        for rows, net in heads.networks.items()
    }
    result = TrainResult(
        model=models[heads.final],
        models=models,
        history=pd.DataFrame([e.__dict__ for e in loop.history]),
        steps=pd.DataFrame([s.__dict__ for s in loop.steps], columns=["step", "epoch", "loss"]),
        kept_epoch=loop.kept_epoch,
        stopped=loop.stopped,
        seconds=seconds,
        baseline=baseline,
        validation=heads.validation,
        notes=loop.notes,
    )
    for callback in watchers:
        callback.on_end(result)
    return result


def _resumed_seconds(checkpoint: Checkpoint | None) -> float:
    return 0.0 if checkpoint is None else checkpoint.seconds


def _summary(loop: LoopResult, validation: Any, validation_rows: int, rows: Any, seconds: float) -> TrainingSummary:
    steps = len(loop.steps)
    return TrainingSummary(
        kept_epoch=loop.kept_epoch,
        stopped=loop.stopped,
        train_seconds=seconds,
        steps=steps,
        epochs_seen=round(steps / loop.plan.steps_per_epoch, 3),
        validation_accuracy=validation.accuracy,
        validation_macro_f1=validation.macro_f1,
        validation_rows=validation_rows,
        fitted_on=rows,
        device=loop.placement.device,
        processes=loop.placement.processes,
        mixed_precision=loop.placement.mixed_precision,
    )


def _check_resumable(checkpoint: Checkpoint, config: TrainConfig, labels: Sequence[str]) -> None:
    if list(checkpoint.labels) != list(labels):
        raise ValueError(f"the checkpoint was trained on labels {checkpoint.labels}, this dataset has {list(labels)}")
    now = config.to_dict()
    changed = sorted(k for k, v in checkpoint.config.items() if k not in RESUMABLE_CHANGES and now.get(k) != v)
    if changed:
        listed = ", ".join(f"{k}: {checkpoint.config[k]!r} then, {now.get(k)!r} now" for k in changed)
        raise ValueError(f"cannot resume with different settings ({listed})")


def _build(config: TrainConfig, labels: Sequence[str], baseline: Baseline | None) -> tuple[EncoderClassifier, Any, int]:
    from transformers import AutoModel, AutoTokenizer

    path = resolve_model(config.model)
    with quiet_transformers():
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
