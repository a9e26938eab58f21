"""``nbtrain.train``: the tuned baseline, LoRA training, and the comparison of both, in one call.

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

from nbtrain.choices import ClassWeight, FittedOn, ProjectionMethod
from nbtrain.data.dataset import Dataset
from nbtrain.embed.encoder import Encoder
from nbtrain.embed.project import project_pair
from nbtrain.evaluate.baseline import Baseline
from nbtrain.evaluate.compare import Comparison, ModelPair, compare_models
from nbtrain.progress import Progress, resolve_progress
from nbtrain.training.callbacks import Callback, StopSignal
from nbtrain.training.config import TrainConfig
from nbtrain.training.model import TrainedModel
from nbtrain.training.result import TrainResult
from nbtrain.training.trainer import train_model


@dataclass(frozen=True)
class TrainingRun:
    """Everything a training run produced: the data, the baseline, the training result and the comparison.

    ``model`` is the trained model to use; ``comparison`` scores it against the baseline on every
    held-out split (``comparison.table()``).
    """

    dataset: Dataset
    config: TrainConfig
    baseline: Baseline
    result: TrainResult
    comparison: Comparison

    @property
    def model(self) -> TrainedModel:
        """The trained model (its head fitted on ``model.fitted_on`` rows)."""
        return self.result.model

    def projections(
        self, split: str | None = "validation", *, method: ProjectionMethod = "pca", seed: int = 0
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

    def to_html(self, path: str | os.PathLike[str], *, report: object | None = None) -> Path:
        """A standalone HTML page of the run: settings, data, scores and embeddings side by side,
        the training curve, and (given ``report``, a :class:`~nbtrain.DataReport`) its findings."""
        from nbtrain.viz.run_html import write_run_html

        return write_run_html(self, path, report=report)

    def save(self, folder: str | os.PathLike[str], *, report: object | None = None) -> Path:
        """Write ``model/``, ``run.json`` (the run's record, for ``nbtrain runs``) and ``report.html``."""
        from nbtrain.run_records import record_run

        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        self.model.save(target / "model")
        record_run(self).save(target / "run.json")
        self.to_html(target / "report.html", report=report)
        return target


def fit_dataset_baseline(
    dataset: Dataset,
    encoder: Encoder,
    *,
    rows: FittedOn = "train",
    seed: int = 0,
    class_weight: ClassWeight = "auto",
    progress: bool | Progress | None = False,
) -> Baseline:
    """The cross-validated logistic regression on the frozen embeddings of ``dataset.rows_for(rows)``."""
    shown = resolve_progress(progress)
    frame = dataset.rows_for(rows)
    vectors = encoder.encode(frame["text"].tolist(), progress=shown)
    label = "training" if rows == "train" else "training and validation"
    with shown.phase(f"Fitting the baseline on the {label} rows (logistic regression, settings by cross-validation)"):
        return dataset.task_handler.fit_head(vectors, frame["label"].tolist(), seed=seed, class_weight=class_weight, fitted_on=rows)


def train(
    dataset: Dataset,
    config: TrainConfig | None = None,
    *,
    encoder: Encoder | None = None,
    callbacks: Sequence[Callback] = (),
    stop: StopSignal | None = None,
    resume_from: str | os.PathLike[str] | None = None,
    progress: bool | Progress | None = None,
) -> TrainingRun:
    """Fit the tuned baseline, train a LoRA model, and compare both on every held-out split.

    ``progress=False`` silences the progress display (bars and a line per phase on stderr, or in
    the notebook). See :class:`TrainConfig` for the settings, and
    :func:`nbtrain.training.train_model` for the trainer alone.

    >>> run = nbtrain.train(nbtrain.load(nbtrain.sample_path(), test=nbtrain.sample_path("test")))  # doctest: +SKIP
    >>> run.comparison.table()  # doctest: +SKIP
    """
    config = config or TrainConfig()
    shown = resolve_progress(progress)
    encoder = encoder or Encoder(config.model, device=config.device)
    # weighed as the trained model's heads are, so that both sides of the comparison are fitted alike
    baseline = fit_dataset_baseline(dataset, encoder, seed=config.seed, class_weight=config.class_weight, progress=shown)
    result = train_model(
        dataset, config, encoder=encoder, baseline=baseline, callbacks=callbacks, stop=stop, resume_from=resume_from, progress=shown
    )
    pairs = {"validation": ModelPair(baseline, result.model_fitted_on("train"))}
    if dataset.test is not None:
        final = result.model
        same_rows = baseline if final.fitted_on == baseline.fitted_on else None
        test_baseline = same_rows or fit_dataset_baseline(
            dataset, encoder, rows=final.fitted_on, seed=config.seed, class_weight=config.class_weight, progress=shown
        )
        pairs["test"] = ModelPair(test_baseline, final)
    held_out = sum(len(dataset.splits()[name]) for name in pairs)
    with shown.phase(f"Scoring both models on {held_out:,} held-out rows ({' and '.join(pairs)})"):
        comparison = compare_models(dataset, pairs, encoder)
    return TrainingRun(dataset=dataset, config=config, baseline=baseline, result=result, comparison=comparison)
