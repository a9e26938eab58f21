"""Pure chart builders for the scores: baseline versus trained, and the training curve."""

from __future__ import annotations

import altair as alt
import pandas as pd

from nbtrain.viz.charts import inline

_WIDTH = 320


def metric_comparison(table: pd.DataFrame, split: str = "validation") -> alt.Chart:
    """Grouped bars of baseline and trained scores for one split of ``Comparison.table()``."""
    rows = table[table["split"] == split].melt(
        id_vars=["measure"], value_vars=["baseline", "trained"], var_name="model", value_name="score"
    )
    return (
        alt.Chart(inline(rows), title=f"Baseline vs trained ({split})")
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", title=None, sort=None),
            yOffset=alt.YOffset("model:N"),
            x=alt.X("score:Q", title=None),
            color=alt.Color("model:N", scale=alt.Scale(domain=["baseline", "trained"], range=["#9ca3af", "#2563eb"])),
            tooltip=["measure:N", "model:N", alt.Tooltip("score:Q", format=".3f")],
        )
        .properties(width=_WIDTH, height=alt.Step(12))
    )


def training_curve(history: pd.DataFrame, steps: pd.DataFrame | None = None) -> alt.HConcatChart | alt.Chart:
    """Validation macro-F1 per epoch, with the training loss per step when given."""
    f1 = (
        alt.Chart(inline(history[["epoch", "val_macro_f1", "val_loss"]]), title="Validation macro-F1 per epoch")
        .mark_line(point=True)
        .encode(x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1)), y=alt.Y("val_macro_f1:Q", scale=alt.Scale(zero=False)))
        .properties(width=_WIDTH, height=160)
    )
    if steps is None or steps.empty:
        return f1
    loss = (
        alt.Chart(inline(steps), title="Training loss per step")
        .mark_line(opacity=0.8)
        .encode(x="step:Q", y=alt.Y("loss:Q", scale=alt.Scale(zero=False)))
        .properties(width=_WIDTH, height=160)
    )
    return alt.hconcat(loss, f1)
