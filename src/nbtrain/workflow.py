"""The whole journey in one call: frozen baseline, LoRA training, and the comparison.

Kept apart from the trainer so the trainer stays a trainer, and shared by the command line, the
widgets and plain-Python users, so all three run exactly the same steps.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nbtrain.data.dataset import Dataset
from nbtrain.embed.encoder import Encoder
from nbtrain.embed.project import Method, project_pair
from nbtrain.evaluate.baseline import Baseline, fit_baseline
from nbtrain.evaluate.compare import Comparison, compare
from nbtrain.training.callbacks import Callback, StopSignal
from nbtrain.training.config import TrainConfig
from nbtrain.training.model import TrainedModel
from nbtrain.training.result import TrainResult
from nbtrain.training.trainer import train


@dataclass(frozen=True)
class Outcome:
    """Everything a run produced: the data, the baseline, the training result and the comparison."""

    dataset: Dataset
    baseline: Baseline
    result: TrainResult
    comparison: Comparison

    def projections(
        self, split: str | None = "validation", *, method: Method = "pca", seed: int = 0
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Baseline and trained 2-D points of a held-out split, aligned for a side-by-side plot.

        ``split=None`` gives every held-out split together (validation, then test), projected as
        one cloud; the ``split`` column tells them apart, so test rows, which no step of training
        saw, can be drawn differently. ``method`` is ``"pca"``, ``"tsne"`` or ``"umap"``;
        projections are cached, so asking again is free.
        """
        chosen = list(self.comparison.splits.values()) if split is None else [self.comparison.splits[split]]
        a, b = project_pair(
            np.vstack([s.baseline_embeddings for s in chosen]),
            np.vstack([s.trained_embeddings for s in chosen]),
            method=method,
            seed=seed,
        )
        rows = pd.concat([s.rows.assign(split=s.split) for s in chosen], ignore_index=True)
        return rows.assign(x=a[:, 0], y=a[:, 1]), rows.assign(x=b[:, 0], y=b[:, 1])


def fit_dataset_baseline(dataset: Dataset, encoder: Encoder, seed: int = 0, class_weight: str | None = "auto") -> Baseline:
    """The cross-validated logistic regression on the frozen embeddings of the training split."""
    vectors = encoder.encode(dataset.train["text"].tolist())
    return fit_baseline(vectors, dataset.train["label"].tolist(), seed=seed, class_weight=class_weight)


def run(
    dataset: Dataset,
    config: TrainConfig | None = None,
    *,
    encoder: Encoder | None = None,
    callbacks: Sequence[Callback] = (),
    stop: StopSignal | None = None,
    resume_from: str | os.PathLike[str] | None = None,
) -> Outcome:
    """Fit the baseline, train (or resume, see :func:`nbtrain.train`), and compare both on the held-out splits.

    >>> outcome = nbtrain.run(nbtrain.load_csv(nbtrain.sample_path()))  # doctest: +SKIP
    >>> outcome.comparison.table()  # doctest: +SKIP
    """
    config = config or TrainConfig()
    encoder = encoder or Encoder(config.model, device=config.device)
    # weighed as the trained model's heads are, so that both sides of the comparison are fitted alike
    baseline = fit_dataset_baseline(dataset, encoder, config.seed, config.class_weight)
    result = train(dataset, config, encoder=encoder, baseline=baseline, callbacks=callbacks, stop=stop, resume_from=resume_from)
    models = {"validation": (baseline, result.selected, "train")}
    if dataset.test is not None:
        models["test"] = _final_pair(dataset, encoder, baseline, result, config)
    comparison = compare(dataset, models, encoder)
    return Outcome(dataset=dataset, baseline=baseline, result=result, comparison=comparison)


def _final_pair(
    dataset: Dataset, encoder: Encoder, baseline: Baseline, result: TrainResult, config: TrainConfig
) -> tuple[Baseline, TrainedModel, str]:
    """The final model and a baseline fitted on the same rows, so the test comparison is fair."""
    if result.model is result.selected:
        return baseline, result.model, "train"
    rows = pd.concat([dataset.train, dataset.validation], ignore_index=True)
    vectors, labels = encoder.encode(rows["text"].tolist()), rows["label"].tolist()
    every = fit_baseline(vectors, labels, seed=config.seed, class_weight=config.class_weight)
    return every, result.model, "train+validation"


def write_report(outcome: Outcome, path: str | os.PathLike[str]) -> Path:
    """A standalone HTML page: data, scores side by side, embeddings side by side, training curve."""
    from nbtrain.viz import charts, score_charts
    from nbtrain.viz.html import Block, table_html, write_html

    ds, cmp = outcome.dataset, outcome.comparison
    split = "test" if "test" in cmp.splits else "validation"
    base_points, trained_points = outcome.projections(None)
    shapes = ", test rows as triangles" if len(cmp.splits) > 1 else ""
    summary = "<pre>" + ds.summary() + "</pre>"
    table = cmp.table()
    blocks: list[tuple[str, Block]] = [
        ("Data", summary),
        ("Baseline versus trained", table_html(table)),
        (f"Scores on {split}", score_charts.metric_comparison(table, split)),
        (f"Embeddings of the held-out rows (PCA, aligned{shapes})", charts.embedding_comparison(base_points, trained_points)),
        ("Training", score_charts.training_curve(outcome.result.history, outcome.result.steps)),
    ]
    if len(ds.dropped):
        blocks.insert(1, ("Rows set aside", table_html(ds.dropped)))
    return write_html(path, "nbtrain report", blocks)
