"""``nbtrain.explore``: the embedding explorer on a training run, ready in one call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbtrain.choices import ProjectionMethod

if TYPE_CHECKING:
    from nbtrain.journey import TrainingRun
    from nbtrain.widgets.explorer import EmbeddingExplorer


def explore(run: TrainingRun, *, method: ProjectionMethod = "pca", **options: Any) -> EmbeddingExplorer:
    """Baseline and trained embeddings of every held-out row, side by side; brush to select rows.

    ``explorer.selected`` is the brushed rows as a DataFrame (text, label, both models'
    predictions, split, source and row), ready for ``dataset.relabel(explorer.selected, ...)``.

    >>> view = nbtrain.explore(run, color_by="correct")  # doctest: +SKIP
    """
    from nbtrain.widgets.explorer import EmbeddingExplorer

    split = "test" if "test" in run.comparison.splits else "validation"
    scores = run.comparison.splits[split]
    return EmbeddingExplorer(
        *run.projections(None, method=method),
        baseline_separation=scores.baseline_separation,
        trained_separation=scores.trained_separation,
        separation_split=split,
        **options,
    )
