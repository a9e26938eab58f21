"""Baseline versus trained: the score table with differences, and the linked embedding explorer."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from nbtrain.choices import ProjectionMethod
from nbtrain.data.dataset import Dataset
from nbtrain.journey import TrainingRun
from nbtrain.viz.html import number
from nbtrain.widgets.scatter_explorer import pick_explorer

_MEASURES = {
    "accuracy": "Accuracy",
    "macro_f1": "Macro F1",
    "macro_precision": "Macro precision",
    "macro_recall": "Macro recall",
    "silhouette": "Silhouette (cosine)",
    "knn_accuracy": "k-NN accuracy (k=5)",
    "micro_f1": "Micro F1",
    "subset_accuracy": "Subset accuracy",
}


class ComparisonView(widgets.VBox):
    """Scores of both models per held-out split, then the explorer on every held-out row.

    Test rows (never seen in training) are drawn as triangles; the separation scores under the
    plots are the test split's (the validation split's without a test file). ``method`` picks
    the projection: ``"pca"`` (default), ``"tsne"`` or ``"umap"``. With ``dataset`` (the data as
    edited so far) the explorer edits it where its points are.
    """

    def __init__(self, run: TrainingRun, *, method: ProjectionMethod = "pca", dataset: Dataset | None = None) -> None:
        self.run = run
        table = run.comparison.table()
        split = "test" if "test" in run.comparison.splits else "validation"
        scores = run.comparison.splits[split]
        self.explorer = pick_explorer(
            *run.projections(None, method=method),
            baseline_separation=scores.baseline_separation,
            trained_separation=scores.trained_separation,
            separation_split=split,
            dataset=dataset,
        )
        splits = run.comparison.splits
        shown = " and ".join(splits)
        fits = "; ".join(f"{name}: both fitted on {s.fitted_on} rows, baseline {s.baseline_settings()}" for name, s in splits.items())
        note = (
            "<p>Baseline: logistic regression on frozen embeddings, C and class weights chosen by cross-validation. "
            f"Scores on rows neither model was fitted on ({fits}). Plots: the {shown} rows"
            + (", test rows as triangles." if len(splits) > 1 else ".")
            + (
                " The validation rows show the head fitted without them; the final model (Try it, classify) learnt them too."
                if any(s.fitted_on != "train" for s in splits.values())
                else ""
            )
            + "</p>"
        )
        super().__init__([widgets.HTML(note + score_table_html(table)), self.explorer])


def score_table_html(table: pd.DataFrame) -> str:
    """``Comparison.table()`` as HTML, one block of rows per split, differences coloured."""
    rows = []
    for split, part in table.groupby("split", sort=False):
        rows.append(f"<tr><th colspan=4 style='text-align:left'>{split}</th></tr>")
        for measure, base, trained, diff in part[["measure", "baseline", "trained", "difference"]].itertuples(index=False):
            shown = signed(float(diff))
            colour = "#16a34a" if shown.startswith("+") and shown != "+0.000" else "#dc2626" if shown.startswith("-") else "#374151"
            rows.append(
                f"<tr><td>{_MEASURES.get(str(measure), measure)}</td><td class='num'>{number(float(base))}</td>"
                f"<td class='num'>{number(float(trained))}</td><td class='num' style='color:{colour}'>{signed(float(diff))}</td></tr>"
            )
    head = "<tr><th></th><th>baseline</th><th>trained</th><th>difference</th></tr>"
    return f"<table class='nbt-scores'><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"



def signed(value: float) -> str:
    """A difference with its sign, ``+0.000`` rather than ``-0.000`` when it rounds to zero."""
    text = number(value)
    return text if text.startswith("-") or text == "n/a" else "+" + text
