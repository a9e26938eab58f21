"""``nbtrain.explore``: the embedding explorer on a training run, ready in one call.

Up to 5,000 points it is the Altair explorer (SVG, brush); above, the WebGL one on jupyter-scatter
(lasso), which draws hundreds of thousands. Both edit the run's dataset where you see it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbtrain.choices import ProjectionMethod

if TYPE_CHECKING:
    from nbtrain.journey import TrainingRun
    from nbtrain.widgets.explorer import EmbeddingExplorer
    from nbtrain.widgets.scatter_explorer import ScatterExplorer


def explore(run: TrainingRun, *, method: ProjectionMethod = "pca", editable: bool = True, **options: Any) -> EmbeddingExplorer | ScatterExplorer:
    """Baseline and trained embeddings of every held-out row, side by side; brush to select rows.

    ``explorer.selected`` is the selected rows as a DataFrame (text, label, both models'
    predictions, split, source and row). With ``editable`` (the default) an edit bar relabels,
    drops or marks them reviewed, the points recolour, and ``explorer.dataset`` is the edited
    dataset to train on next.

    >>> view = nbtrain.explore(run, color_by="correct")  # doctest: +SKIP
    """
    from nbtrain.widgets.scatter_explorer import pick_explorer

    split = "test" if "test" in run.comparison.splits else "validation"
    scores = run.comparison.splits[split]
    return pick_explorer(
        *run.projections(None, method=method),
        baseline_separation=scores.baseline_separation,
        trained_separation=scores.trained_separation,
        separation_split=split,
        dataset=run.dataset if editable else None,
        **options,
    )
