"""The training settings: one dataclass, validated on creation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from nbtrain.choices import ClassWeight, EmbeddingLoss, HeadInit, HeadRows, Objective, check_choice
from nbtrain.training.plan import Budget

#: Validation rounds score at most this many validation rows (a seeded sample, stratified by
#: label); the final scores use every row.
VALIDATION_ROWS = 2_000


@dataclass(frozen=True)
class TrainConfig:
    """How to train; the defaults train 1,000 short texts on 2 CPU cores in a few minutes.

    LoRA adapters (rank ``lora_rank``) are added to ``target_modules`` of the encoder (peft's
    ``"all-linear"`` by default, which fits any architecture, or names like ``("query", "value")``); the
    classification head on the pooled, normalised embedding starts from the tuned baseline's
    weights (``head_init="baseline"``), so training begins where the baseline ends. Each epoch is
    scored on the validation split, and judged by its macro-F1 averaged over the
    ``selection_window`` epochs centred on it (1: each epoch on its own), which a small split's
    noise misleads less (:mod:`nbtrain.training.selection`). Training stops after ``patience``
    epochs without a better one (six: the learning-rate warm-up can hold the score down for three
    or four epochs on small data, and the smoothed score trails by one), and the best epoch's
    weights are kept.

    ``objective`` picks the loss: ``"classification"`` (cross-entropy on the head),
    ``"embedding"`` (an embedding loss on the
    pooled vectors, so that ``embed()`` pulls same-label texts together) or ``"both"``, their sum
    with the embedding loss times ``embedding_loss_weight``. ``embedding_loss`` is ``"proxy"``
    (cosine similarities, divided by ``temperature``, to one learnable vector per class, started at
    the frozen class centroids), ``"supcon"`` (supervised contrastive over the batch) or
    ``"proxy+supcon"`` (the default, their sum: the proxies teach every row whatever the number of
    labels, the contrastive term moves texts relative to each other rather than to the frozen
    model's class means); see :mod:`nbtrain.training.losses` and docs/benchmarks.md for the
    measurements behind the defaults.

    ``class_weight`` says how rows are weighed by their label's frequency. ``"auto"`` (the
    default) leaves the loss unweighted and, when the commonest label has at least 1.5 times the
    rows of the rarest, lets each logistic-regression fit (the baseline, the refitted heads) choose
    by cross-validation, with its ``C``, between weighing labels alike and ``"balanced"``; ``"balanced"`` weighs rare labels up in the loss and in every head, for users to
    whom a rare label matters as much as a common one; ``None`` weighs nothing.

    With ``checkpoint_dir`` a checkpoint (adapters, head, optimiser: megabytes, not the base model)
    is written after every validation pass, and ``nbtrain.train(..., resume_from=checkpoint_dir)``
    carries on from it.

    With ``refit_head`` the head is fitted again at the end, as the baseline was (logistic
    regression, regularisation by cross-validation) but on the trained embeddings: the trained
    encoder with a freshly tuned head beat the trained head in our benchmarks (docs/benchmarks.md).
    ``head_rows`` says which rows that final head is fitted on: ``"train"``, or ``"all"`` (training
    and validation rows: once validation has chosen the epoch, its rows teach the head too, as
    scikit-learn's ``GridSearchCV`` refits its best setting on every row; on 250 banking77 rows,
    about three per label, that is 0.607 → 0.710 macro-F1). ``"auto"`` (the default) means
    ``"all"`` when the validation rows were split off the training file and ``"train"`` when they
    came from a validation file, which a user keeps apart to evaluate on. Validation scores always
    describe the head fitted without them (``TrainResult.selected``).

    A batch of more than ``recompute_above_tokens`` tokens (rows × its longest text) keeps only
    each layer's input and recomputes the rest in the backward pass (activation checkpointing):
    the same gradients, in a fraction of the memory, at the cost of one more forward pass. A few
    long texts then no longer set the run's peak memory; ``None`` keeps every activation.

    ``epochs=None`` (the default) trains for at least 4 epochs and at least 150 optimiser steps,
    at most 20 epochs (:func:`nbtrain.training.plan.auto_epochs`): on 250 rows, four epochs are 52
    small steps, too few for the adapters to move (docs/benchmarks.md). An epoch longer than 500
    steps is validated every 500 steps (a *round*), on at most ``validation_rows`` validation rows.

    ``budget`` caps the training: ``"15m"``, ``"90s"``, ``"1h"`` of training, or
    ``"50000 examples"`` seen (a bare number is minutes). A time budget covers the steps, their
    validation and the finish (the final pass over the rows with the trained encoder and the final
    heads, estimated from the validation passes' pace and the baseline's fit). The pace of the
    first steps turns the rest into steps, the learning-rate schedule ends where the budget does,
    and the best round within it is kept (:mod:`nbtrain.training.plan`). Training also stops when validation macro-F1 is
    1.0: nothing is left to gain on it.

    >>> TrainConfig(epochs=2).epochs
    2
    >>> TrainConfig(lora_rank=0)
    Traceback (most recent call last):
    ...
    ValueError: lora_rank must be at least 1, got 0
    """

    model: str = "default"
    epochs: int | None = None
    batch_size: int = 16
    learning_rate: float = 5e-4
    head_learning_rate: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    target_modules: str | tuple[str, ...] = "all-linear"
    max_length: int | None = None
    recompute_above_tokens: int | None = 1024
    patience: int = 6
    selection_window: int = 3
    objective: Objective = "both"
    embedding_loss: EmbeddingLoss = "proxy+supcon"
    embedding_loss_weight: float = 1.0
    temperature: float = 0.05
    class_weight: ClassWeight = "auto"
    refit_head: bool = True
    head_rows: HeadRows = "auto"
    head_init: HeadInit = "baseline"
    budget: str | None = None
    validation_rows: int | None = VALIDATION_ROWS
    seed: int = 0
    device: str | None = None
    checkpoint_dir: str | None = None

    def __post_init__(self) -> None:
        positive = {
            "epochs": 1 if self.epochs is None else self.epochs,
            "batch_size": self.batch_size,
            "lora_rank": self.lora_rank,
            "lora_alpha": self.lora_alpha,
            "patience": self.patience,
            "selection_window": self.selection_window,
        }
        for name, value in positive.items():
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        rates = {"learning_rate": self.learning_rate, "head_learning_rate": self.head_learning_rate}
        for rate_name, rate in rates.items():
            if not 0 < rate < 1:
                raise ValueError(f"{rate_name} must be between 0 and 1, got {rate}")
        if self.embedding_loss_weight <= 0 or not 0 < self.temperature <= 1:
            raise ValueError("embedding_loss_weight must be > 0 and temperature in (0, 1]")
        check_choice("objective", self.objective, Objective)
        check_choice("embedding_loss", self.embedding_loss, EmbeddingLoss)
        check_choice("class_weight", self.class_weight, ClassWeight)
        check_choice("head_rows", self.head_rows, HeadRows)
        check_choice("head_init", self.head_init, HeadInit)
        if self.budget is not None:
            object.__setattr__(self, "budget", str(self.budget).strip())
            Budget.parse(self.budget)  # fails now, not after the baseline's embedding pass
        if self.validation_rows is not None and self.validation_rows < 10:
            raise ValueError(f"validation_rows must be at least 10 or None, got {self.validation_rows}")
        if self.checkpoint_dir is not None:
            object.__setattr__(self, "checkpoint_dir", str(self.checkpoint_dir))
        if not 0 <= self.warmup_ratio < 1 or not 0 <= self.lora_dropout < 1:
            raise ValueError("warmup_ratio and lora_dropout must be in [0, 1)")
        if self.head_rows == "all" and not self.refit_head:
            raise ValueError("head_rows='all' needs refit_head=True: only a refitted head can learn the validation rows")
        if self.recompute_above_tokens is not None and self.recompute_above_tokens < 1:
            raise ValueError(f"recompute_above_tokens must be at least 1 or None, got {self.recompute_above_tokens}")
        if self.selection_window % 2 == 0:
            raise ValueError(f"selection_window must be odd (a window centred on the epoch), got {self.selection_window}")
        if self.max_length is not None and self.max_length < 8:
            raise ValueError(f"max_length must be at least 8 tokens, got {self.max_length}")
        if not self.target_modules:
            raise ValueError("target_modules must name at least one module")
        if not isinstance(self.target_modules, str):
            object.__setattr__(self, "target_modules", tuple(self.target_modules))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (saved with the model)."""
        out = asdict(self)
        if not isinstance(self.target_modules, str):
            out["target_modules"] = list(self.target_modules)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Rebuild from :meth:`to_dict`, ignoring keys this version does not know."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def budget_limit(self) -> Budget | None:
        """``budget`` parsed (``None`` without one)."""
        return None if self.budget is None else Budget.parse(self.budget)
