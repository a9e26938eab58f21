"""The final heads of a trained encoder, and the one rule for which rows they learn from.

After training, the head is fitted again as the baseline was (logistic regression, settings by
cross-validation) on the trained embeddings. The head the validation scores describe learns the
training rows only. When validation rows were split off the training file they have done their
job once the round is chosen, and the final head learns from them too (``TrainConfig.head_rows``):
:func:`final_head_rows` is the only place that decides it, and everything downstream (the test
comparison's baseline included) reads the answer from ``TrainedModel.fitted_on``.

On large files the searches are bounded (:func:`head_search`): a full search is 7 values of C,
up to two class weightings and 5 folds, 70 fits of a many-label logistic regression, which took
longer than a 3-minute training budget itself on 10,000 rows of 116 labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from nbtrain.choices import FittedOn
from nbtrain.evaluate.baseline import Baseline
from nbtrain.evaluate.scores import Scores
from nbtrain.training.config import TrainConfig
from nbtrain.training.network import EncoderClassifier, run_batches

if TYPE_CHECKING:
    from nbtrain.data.dataset import Dataset
    from nbtrain.progress import Progress


@dataclass(frozen=True)
class FinalHeads:
    """The trained encoder with each head: ``networks[fitted_on]``, their heads and validation scores.

    ``validation`` scores the network fitted on training rows only, on every validation row.
    """

    networks: dict[FittedOn, EncoderClassifier]
    heads: dict[FittedOn, Baseline | None]
    validation: Scores
    final: FittedOn


def final_head_rows(config: TrainConfig, dataset: Dataset) -> FittedOn:
    """The rows the final head learns: ``"train+validation"`` or ``"train"`` (see ``head_rows``).

    ``"auto"`` uses the validation rows when they were split off the training file, and keeps a
    validation file the user brought out of the head, since they keep it apart to evaluate on.
    """
    if not config.refit_head or config.head_rows == "train":
        return "train"
    if config.head_rows == "all" or dataset.validation_from == "split":
        return "train+validation"
    return "train"


#: Above this many training rows the final heads search less (see :func:`head_search`).
LARGE_ROWS = 5_000


def head_search(rows: int, baseline: Baseline | None, config: TrainConfig) -> dict[str, Any]:
    """The search settings of the head on the trained embeddings.

    Up to :data:`LARGE_ROWS` training rows: the baseline's own full search. Above, with a
    baseline to start from: C among the baseline's C and its neighbours in the grid (a factor of
    about 3 either side) with the baseline's class weighting; the train+validation head then
    refits with the settings the training head chose (:func:`fit_final_heads`).
    """
    from nbtrain.evaluate.baseline import DEFAULT_CS

    if rows <= LARGE_ROWS or baseline is None:
        return {"class_weight": config.class_weight}
    at = min(range(len(DEFAULT_CS)), key=lambda i: abs(np.log(DEFAULT_CS[i] / baseline.C)))
    return _settings_of(baseline, DEFAULT_CS[max(0, at - 1) : at + 2])


def head_seconds(rows: int, baseline: Baseline | None) -> float:
    """About how long the final heads take, reckoned from the baseline's seconds per fit.

    Up to :data:`LARGE_ROWS` training rows both final heads run the baseline's own search (twice
    its fits); above, the bounded search (3 values of C, 5 folds) and two refits. Nothing is known
    without a baseline, or one that does not say how it was fitted (0).
    """
    if baseline is None or baseline.fits < 1:
        return 0.0
    fits = 2 * baseline.fits if rows <= LARGE_ROWS else 3 * 5 + 2
    return baseline.seconds / baseline.fits * fits


def _settings_of(head: Baseline, Cs: tuple[float, ...]) -> dict[str, Any]:
    """Search ``Cs`` with the class weighting ``head`` was fitted with."""
    return {"Cs": Cs, "class_weight": "balanced" if head.class_weight == "balanced" else None}


def fit_final_heads(
    network: EncoderClassifier,
    tokenizer: Any,
    max_length: int,
    dataset: Dataset,
    config: TrainConfig,
    progress: Progress,
    baseline: Baseline | None = None,
) -> FinalHeads:
    """Embed the training and validation rows once with the trained encoder and fit every head on them.

    ``baseline`` (the frozen head training started from) bounds the searches on large files.
    """
    task, labels = dataset.task_handler, dataset.labels
    train, validation = dataset.train, dataset.validation
    with progress.phase(f"Embedding {len(train) + len(validation):,} rows with the trained encoder"):
        vectors, logits = run_batches(network, tokenizer, [*train["text"], *validation["text"]], max_length, progress=progress)
    train_vectors, val_vectors, val_logits = vectors[: len(train)], vectors[len(train) :], logits[len(train) :]
    train_labels, val_labels = train["label"].tolist(), validation["label"].tolist()
    heads: dict[FittedOn, Baseline | None] = {"train": None}
    thresholds = None
    if config.refit_head:
        with progress.phase("Fitting the head on the trained embeddings (cross-validated, as the baseline)"):
            search = head_search(len(train), baseline, config)
            fitted = task.fit_head(train_vectors, train_labels, seed=config.seed, **search)
        set_head(network.head, fitted)
        heads["train"], thresholds = fitted, fitted.thresholds
        val_logits = fitted.logits(val_vectors)
    predicted = task.decide(task.probabilities(val_logits), labels, thresholds)
    validation_scores = task.score(val_labels, predicted, labels)
    networks: dict[FittedOn, EncoderClassifier] = {"train": network}
    final = final_head_rows(config, dataset)
    if final == "train+validation":
        with progress.phase("Fitting the final head on training and validation rows"):
            chosen = heads["train"]
            settings: dict[str, Any] = {"class_weight": config.class_weight}
            if len(train) > LARGE_ROWS and chosen is not None:
                settings = _settings_of(chosen, (chosen.C,))
            every = task.fit_head(
                np.vstack([train_vectors, val_vectors]),
                train_labels + val_labels,
                seed=config.seed,
                fitted_on="train+validation",
                **settings,
            )
        head = nn.Linear(network.head.in_features, network.head.out_features).to(network.head.weight.device)
        set_head(head, every)
        networks["train+validation"] = EncoderClassifier(network.encoder, head).eval()
        heads["train+validation"] = every
    return FinalHeads(networks=networks, heads=heads, validation=validation_scores, final=final)


def set_head(head: nn.Linear, fitted: Baseline) -> None:
    """Copy a fitted logistic regression's weights into a linear layer."""
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(fitted.weights).to(head.weight.device))
        head.bias.copy_(torch.from_numpy(fitted.bias).to(head.bias.device))
