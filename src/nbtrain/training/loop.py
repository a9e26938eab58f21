"""The step and round loop behind :func:`nbtrain.training.train_model`, returning one frozen result.

The loop only orders work that other modules define: the plan (:mod:`~nbtrain.training.plan`),
batches (:mod:`~nbtrain.training.batches`), the loss (:func:`step_loss`), validation
(:mod:`~nbtrain.training.validation`), the kept rounds (:mod:`~nbtrain.training.rounds`),
checkpoints (:mod:`~nbtrain.training.checkpoint`) and where it runs
(:mod:`~nbtrain.training.placement`). It validates before the first step and after every round,
stops on patience, a perfect validation score, a budget or a :class:`StopSignal`, writes a
checkpoint after every validation pass, and given a checkpoint carries on where that run was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from nbtrain.task import Task
from nbtrain.training.batches import bucketed_batches
from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent, StopSignal
from nbtrain.training.checkpoint import Checkpoint, save_checkpoint
from nbtrain.training.config import TrainConfig
from nbtrain.training.losses import class_weights, classification_loss, embedding_loss
from nbtrain.training.network import EncoderClassifier, prepare_checkpointing, recomputing
from nbtrain.training.placement import Placement, make_accelerator, placement_of
from nbtrain.training.plan import (
    Budget,
    Plan,
    budget_round_steps,
    describe_plan,
    make_plan,
    steps_for_examples,
    steps_in_time,
    warmup_then_linear,
)
from nbtrain.training.rounds import KeptRounds, Weights
from nbtrain.training.validation import RoundScores, ValidationRows, score_round

#: Steps timed before a time budget is turned into a number of steps.
CALIBRATION_STEPS = 10
STOP_PERFECT = "validation macro-F1 reached 1.0: nothing is left to gain on the validation rows"


@dataclass(frozen=True)
class LoopInput:
    """Everything the loop trains on, named: the network, its tokenizer, the rows and the settings."""

    network: EncoderClassifier
    tokenizer: Any
    max_length: int
    config: TrainConfig
    task: Task
    labels: tuple[str, ...]
    train_texts: list[str]
    train_targets: np.ndarray
    validation: ValidationRows
    proxies: np.ndarray  # one starting vector per label (the frozen class means)
    # What remains once the loop ends, which a time budget keeps time for: the texts the final pass
    # embeds with the trained encoder, and the seconds the final heads are expected to take.
    finish_texts: int = 0
    finish_head_seconds: float = 0.0


@dataclass(frozen=True)
class StepRecord:
    """One optimiser step's loss."""

    step: int
    epoch: int
    loss: float


@dataclass(frozen=True)
class LoopResult:
    """What a run of the loop produced: its history, the kept round and its weights, why it ended."""

    history: tuple[EpochEvent, ...]
    steps: tuple[StepRecord, ...]
    kept_epoch: int
    kept_weights: Weights
    stopped: str
    plan: Plan
    placement: Placement
    seconds: float  # seconds in the loop, those of the run resumed from included
    notes: tuple[str, ...] = field(default=())


class _Run:
    """The mutable state of one loop run; :func:`run_loop` turns it into a :class:`LoopResult`."""

    def __init__(self, data: LoopInput, callbacks: Sequence[Callback], stop: StopSignal, started: float) -> None:
        self.data, self.stop, self.started = data, stop, started
        self.loop_started = time.perf_counter()  # a budget counts the loop's own time, not the setup
        self.config = data.config
        self.accelerator = make_accelerator(self.config.device)
        # Under a multi-process launch only the first process reports and writes checkpoints.
        self.callbacks = list(callbacks) if self.accelerator.is_main_process else []
        self.proxies = nn.Parameter(torch.from_numpy(data.proxies).to(self.accelerator.device))
        self.targets = torch.from_numpy(data.train_targets)
        balanced = self.config.class_weight == "balanced"
        self.weights = class_weights(data.train_targets, len(data.labels)).to(self.accelerator.device) if balanced else None
        self.rounds = KeptRounds(self.config.selection_window)
        self.steps: list[StepRecord] = []
        self.step = 0
        self.seconds_before = 0.0  # loop seconds of the run this one resumes
        self.stepping = 0.0  # seconds inside optimiser steps (the pace excludes validation)
        self.stepped = 0
        self.validating = 0.0  # seconds of the last validation pass
        self.notes: list[str] = []

    # -- pieces -------------------------------------------------------------------------------

    def optimizer(self) -> torch.optim.Optimizer:
        network, cfg = self.data.network, self.config
        encoder = [p for n, p in network.named_parameters() if p.requires_grad and not n.startswith("head.")]
        return torch.optim.AdamW(
            [
                {"params": encoder, "lr": cfg.learning_rate},
                {"params": [*network.head.parameters(), self.proxies], "lr": cfg.head_learning_rate},
            ],
            weight_decay=cfg.weight_decay,
        )

    def step_loss(self, model: nn.Module, batch: Any, targets: torch.Tensor) -> torch.Tensor:
        """The configured objective: the head's loss, an embedding loss, or their weighted sum."""
        cfg = self.config
        embeddings, logits = model(**batch)
        parts = []
        if cfg.objective in ("classification", "both"):
            parts.append(classification_loss(logits.float(), targets, self.weights))
        if cfg.objective in ("embedding", "both"):
            scale = cfg.embedding_loss_weight if cfg.objective == "both" else 1.0
            parts.append(scale * embedding_loss(cfg.embedding_loss, embeddings.float(), targets, self.proxies, cfg.temperature))
        return torch.stack(parts).sum()

    def trainable(self) -> dict[str, torch.Tensor]:
        network = self.accelerator.unwrap_model(self.data.network)
        return {n: p.detach().clone() for n, p in network.named_parameters() if p.requires_grad}

    def validate(self, epoch: int, train_loss: float, epochs_seen: float) -> EpochEvent:
        tick = time.perf_counter()
        network = self.accelerator.unwrap_model(self.data.network)
        scores: RoundScores = score_round(
            network,
            self.data.tokenizer,
            self.data.max_length,
            self.data.validation,
            self.data.task,
            self.data.labels,
            embedding_only=self.config.objective == "embedding",
            temperature=self.config.temperature,
        )
        kept, smoothed = self.rounds.scored(scores.macro_f1, scores.loss)
        event = EpochEvent(
            epoch=epoch,
            step=self.step,
            train_loss=train_loss,
            val_loss=scores.loss,
            val_accuracy=scores.accuracy,
            val_macro_f1=scores.macro_f1,
            kept_epoch=kept,
            elapsed=time.perf_counter() - self.started,
            epochs_seen=epochs_seen,
            smoothed_macro_f1=smoothed,
        )
        self.rounds.add(event, self.trainable())
        self.validating = time.perf_counter() - tick
        for callback in self.callbacks:
            callback.on_epoch(event)
        return event

    def save(self, epoch: int, optimizer: Any, plan: Plan) -> None:
        if self.config.checkpoint_dir is None or not self.accelerator.is_main_process:
            return
        checkpoint = Checkpoint(
            epoch=epoch,
            step=self.step,
            history=[e.__dict__ for e in self.rounds.history],
            steps=[[s.step, s.epoch, s.loss] for s in self.steps],
            labels=list(self.data.labels),
            config=self.config.to_dict(),
            weights=self.trainable() | {"proxies": self.proxies.detach().clone()},
            kept_weights={e: dict(w) for e, w in self.rounds.weights.items()},
            optimizer=optimizer.state_dict(),
            plan=plan.__dict__,
            seconds=self.loop_seconds(),
        )
        save_checkpoint(self.config.checkpoint_dir, checkpoint)

    def restore(self, checkpoint: Checkpoint, optimizer: Any) -> None:
        device = self.accelerator.device
        network = self.accelerator.unwrap_model(self.data.network)
        weights = {k: v.to(device) for k, v in checkpoint.weights.items()}
        self.proxies.data = weights.pop("proxies")
        network.load_state_dict(weights, strict=False)
        optimizer.load_state_dict(checkpoint.optimizer)
        torch.set_rng_state(checkpoint.torch_rng)
        history = tuple(EpochEvent(**e) for e in checkpoint.history)
        kept = {e: {k: v.to(device) for k, v in state.items()} for e, state in checkpoint.kept_weights.items()}
        self.rounds = KeptRounds(self.config.selection_window, history, kept)
        self.steps = [StepRecord(int(s), int(e), float(v)) for s, e, v in checkpoint.steps]
        self.step = checkpoint.step
        self.seconds_before = checkpoint.seconds

    def report_step(self, plan: Plan, epoch: int, loss: float) -> None:
        pace = self.stepping / max(self.stepped, 1)
        per_step = self.config.batch_size * self.accelerator.num_processes
        event = StepEvent(
            step=self.step,
            total_steps=plan.total_steps,
            epoch=epoch,
            total_epochs=max(1, -(-plan.total_steps // plan.steps_per_epoch)),
            loss=loss,
            elapsed=time.perf_counter() - self.started,
            examples_per_second=per_step / max(pace, 1e-9),
            eta=pace * (plan.total_steps - self.step),
        )
        for callback in self.callbacks:
            callback.on_step(event)

    def loop_seconds(self) -> float:
        """Seconds in the loop so far, those of the run resumed from included."""
        return self.seconds_before + time.perf_counter() - self.loop_started

    def finish_seconds(self) -> float:
        """The time the run needs after its last step: embedding ``finish_texts`` at the validation
        passes' pace, and the final heads."""
        per_text = self.validating / max(len(self.data.validation.texts) + len(self.data.validation.centroid_texts), 1)
        return self.data.finish_texts * per_text + self.data.finish_head_seconds

    def over_budget(self, budget: Budget | None) -> bool:
        """Whether one more step, the final validation and the finish would pass a time budget."""
        if budget is None or budget.seconds is None:
            return False
        pace = self.stepping / max(self.stepped, 1)
        return self.loop_seconds() + pace + self.validating + self.finish_seconds() > budget.seconds

    def calibrated(self, plan: Plan, budget: Budget) -> Plan:
        """The plan once the first steps' pace turns a time budget into steps."""
        pace = self.stepping / max(self.stepped, 1)
        finish = self.finish_seconds()
        left = max(0.0, (budget.seconds or 0.0) - self.loop_seconds() - finish)
        steps = steps_in_time(left, pace, self.validating, plan.steps_per_epoch, self.step)
        full = make_plan(plan.steps_per_epoch, self.config.epochs, self.config.warmup_ratio)
        capped = make_plan(plan.steps_per_epoch, self.config.epochs, self.config.warmup_ratio, budget_steps=steps)
        if capped.total_steps < full.total_steps:
            capped = make_plan(
                plan.steps_per_epoch,
                self.config.epochs,
                self.config.warmup_ratio,
                budget_steps=steps,
                round_steps=budget_round_steps(capped.total_steps, plan.steps_per_epoch),
            )
        self.note(describe_plan(capped, pace, budget, full, finish=finish))
        return capped

    def note(self, text: str) -> None:
        self.notes.append(text)
        for callback in self.callbacks:
            callback.on_note(text)


def first_plan(config: TrainConfig, rows: int, processes: int) -> Plan:
    """The plan before any step: epochs and rounds, an examples budget applied, a time budget not yet."""
    # bucketed_batches cuts pools of whole batches, so an epoch has ceil(rows / batch) of them.
    per_epoch = -(-rows // config.batch_size) // processes
    if per_epoch < 1:
        raise ValueError(f"{rows} training rows make fewer batches than the {processes} processes")
    budget = config.budget_limit
    if budget is not None and budget.examples is not None:
        steps = steps_for_examples(budget.examples, config.batch_size * processes)
        plan = make_plan(per_epoch, config.epochs, config.warmup_ratio, budget_steps=steps)
        return make_plan(per_epoch, config.epochs, config.warmup_ratio, budget_steps=steps, round_steps=budget_round_steps(plan.total_steps, per_epoch))
    return make_plan(per_epoch, config.epochs, config.warmup_ratio)


def epoch_batches(lengths: np.ndarray, batch_size: int, seed: int, processes: int, index: int, start_step: int) -> Iterator[tuple[int, np.ndarray]]:
    """(epoch, batch) for this process from ``start_step`` on, epoch after epoch, replaying the
    batch order of the epochs before it: the order depends only on the seed."""
    order = np.random.default_rng(seed)
    per_epoch = -(-len(lengths) // batch_size) // processes
    epoch, skip = divmod(start_step, per_epoch)
    for _ in range(epoch):
        bucketed_batches(lengths, batch_size, order)
    while True:
        epoch += 1
        batches = bucketed_batches(lengths, batch_size, order)[: per_epoch * processes]
        for batch in batches[index::processes][skip:]:
            yield epoch, batch
        skip = 0


def run_loop(
    data: LoopInput,
    *,
    callbacks: Sequence[Callback] = (),
    stop: StopSignal | None = None,
    checkpoint: Checkpoint | None = None,
    started: float | None = None,
) -> LoopResult:
    """Train ``data.network`` in place and return the history and the kept round's weights."""
    run = _Run(data, callbacks, stop or StopSignal(), started if started is not None else time.perf_counter())
    cfg, acc = data.config, run.accelerator
    ids = data.tokenizer(data.train_texts, truncation=True, max_length=data.max_length)["input_ids"]
    lengths = np.array([len(i) for i in ids])
    plan = first_plan(cfg, len(ids), acc.num_processes)
    budget = cfg.budget_limit
    optimizer = run.optimizer()
    model, optimizer = acc.prepare(data.network, optimizer)
    recompute = cfg.recompute_above_tokens
    if recompute is not None and not prepare_checkpointing(data.network.encoder):
        recompute = None  # an architecture without activation checkpointing keeps every activation
    calibrate = budget is not None and budget.seconds is not None
    if checkpoint is None:
        event = run.validate(0, float("nan"), 0.0)
        run.save(0, optimizer, plan)
        if not calibrate:
            full = None if budget is None else make_plan(plan.steps_per_epoch, cfg.epochs, cfg.warmup_ratio)
            run.note(describe_plan(plan, None, budget, full))
    else:
        run.restore(checkpoint, optimizer)
        if checkpoint.plan and all(checkpoint.config.get(k) == getattr(cfg, k) for k in ("epochs", "budget")):
            plan = Plan(**checkpoint.plan)  # the run's own plan, a time budget's calibration included
        event = run.rounds.history[-1]
        calibrate = calibrate and run.step < CALIBRATION_STEPS
        run.note(f"Resuming from step {run.step:,} (validation round {event.epoch}, {run.seconds_before:.0f} s of training so far).")
    holder = {"plan": plan}
    # Created after a restore, at the resumed step (the optimiser's groups then hold initial_lr).
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: warmup_then_linear(s, holder["plan"].warmup_steps, holder["plan"].total_steps),
        last_epoch=run.step - 1 if run.step else -1,
    )
    stopped = _why_stop(run, event, cfg.patience)
    round_losses: list[float] = []
    batches = epoch_batches(lengths, cfg.batch_size, cfg.seed, acc.num_processes, acc.process_index, run.step)
    model.train()
    while not stopped and run.step < plan.total_steps:
        epoch, batch_idx = next(batches)
        tick = time.perf_counter()
        batch = data.tokenizer.pad({"input_ids": [ids[i] for i in batch_idx]}, return_tensors="pt").to(acc.device)
        long_batch = recompute is not None and batch["input_ids"].numel() > recompute
        with recomputing(data.network.encoder, long_batch):
            loss = run.step_loss(model, batch, run.targets[batch_idx].to(acc.device))
            optimizer.zero_grad(set_to_none=True)
            acc.backward(loss)
        optimizer.step()
        schedule.step()
        run.step += 1
        run.stepped += 1
        run.stepping += time.perf_counter() - tick
        round_losses.append(loss.item())
        run.steps.append(StepRecord(run.step, epoch, round_losses[-1]))
        if calibrate and (run.stepped >= min(CALIBRATION_STEPS, plan.total_steps) or run.over_budget(budget)):
            assert budget is not None
            plan = holder["plan"] = run.calibrated(plan, budget)
            calibrate = False
        run.report_step(plan, epoch, round_losses[-1])
        interrupted = run.stop.is_set() or run.over_budget(budget)
        round_end = run.step % plan.steps_per_round == 0 or run.step >= plan.total_steps
        if not (round_end or interrupted):
            continue
        number = run.rounds.history[-1].epoch + 1
        train_loss = float(np.mean(round_losses)) if round_losses else float("nan")
        round_losses = []
        seen = run.step / plan.steps_per_epoch
        if not round_end:
            # Stopped inside a round: the checkpoint is taken before this partial round is scored,
            # so that a resumed run finishes the round and scores it once, as an unbroken run does;
            # the stopped run's own result still judges the partial round.
            run.save(number - 1, optimizer, plan)
            event = run.validate(number, train_loss, seen)
        else:
            event = run.validate(number, train_loss, seen)
            run.save(number, optimizer, plan)
        if run.stop.is_set():
            stopped = run.stop.reason or "stopped"
        elif run.over_budget(budget) and run.step < plan.total_steps:
            stopped = f"the budget of {budget.describe() if budget else ''} is spent"
        else:
            stopped = _why_stop(run, event, cfg.patience)
    if not stopped and budget is not None and plan.total_steps < make_plan(plan.steps_per_epoch, cfg.epochs, cfg.warmup_ratio).total_steps:
        stopped = f"the budget of {budget.describe()} is spent"
    return LoopResult(
        history=tuple(run.rounds.history),
        steps=tuple(run.steps),
        kept_epoch=run.rounds.kept_epoch,
        kept_weights=run.rounds.kept_weights(),
        stopped=stopped,
        plan=plan,
        placement=placement_of(acc),
        seconds=run.loop_seconds(),
        notes=tuple(run.notes),
    )


def _why_stop(run: _Run, event: EpochEvent, patience: int) -> str:
    """Why training ends after this validation round, or ``""`` to go on."""
    if event.val_macro_f1 >= 1.0:
        return STOP_PERFECT
    if run.rounds.since_kept() >= patience:
        return f"early stopping: no better smoothed validation macro-F1 for {patience} rounds"
    return ""
