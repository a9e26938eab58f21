"""Pure chart builders: data in, ``alt.Chart`` out, no state and no I/O.

Data is passed inline as records (``alt.Data(values=...)``), which sidesteps Altair's 5,000-row
guard on DataFrames: the explorer must draw 20,000 points, and inline data is also what makes
offline HTML export work.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

BRUSH = "brush"
_WIDTH = 320
_HEIGHT = 280


def inline(frame: pd.DataFrame) -> alt.Data:
    """The rows as inline JSON records (NaN becomes null)."""
    return alt.Data(values=json.loads(frame.to_json(orient="records")))


def embedding_scatter(
    points: pd.DataFrame,
    *,
    x: str = "x",
    y: str = "y",
    color: str = "label",
    title: str = "",
    tooltip: tuple[str, ...] = ("text", "label"),
    brush: bool = True,
    x_domain: tuple[float, float] | None = None,
    y_domain: tuple[float, float] | None = None,
) -> alt.Chart:
    """A scatter of 2-D embeddings coloured by ``color``; hovering shows the text.

    With ``brush=True`` an interval selection named ``"brush"`` dims the points outside it; in a
    ``JupyterChart`` its range arrives in Python as ``chart.selections.brush.value``.

    >>> df = pd.DataFrame({"x": [0, 1], "y": [1, 0], "label": ["a", "b"], "text": ["t1", "t2"]})
    >>> embedding_scatter(df).to_dict()["mark"]["type"]
    'circle'
    """
    x_scale = alt.Scale(domain=list(x_domain)) if x_domain else alt.Scale(zero=False)
    y_scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=False)
    chart = (
        alt.Chart(inline(points), title=title)
        .mark_circle(size=40, opacity=0.75)
        .encode(
            x=alt.X(f"{x}:Q", scale=x_scale, axis=alt.Axis(title=None, labels=False, ticks=False)),
            y=alt.Y(f"{y}:Q", scale=y_scale, axis=alt.Axis(title=None, labels=False, ticks=False)),
            tooltip=[alt.Tooltip(f"{t}:N") if not pd.api.types.is_numeric_dtype(points[t]) else alt.Tooltip(f"{t}:Q", format=".2f") for t in tooltip if t in points],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )
    color_enc = alt.Color(f"{color}:N", legend=alt.Legend(title=color))
    if not brush:
        return chart.encode(color=color_enc)
    selection = alt.selection_interval(name=BRUSH, encodings=["x", "y"])
    return chart.encode(color=alt.condition(selection, color_enc, alt.value("lightgray"))).add_params(selection)


def explorer_scatter(
    points: pd.DataFrame,
    *,
    title: str,
    color: str = "label",
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
    tooltip: tuple[str, ...] = ("text", "label"),
) -> alt.Chart:
    """The explorer's scatter: a brush, and a ``highlight`` param (a list of ``id`` values).

    Python sets ``highlight`` after a brush in either plot, so the same rows light up in both
    plots even though their coordinates differ; an empty list highlights everything.
    """
    highlight = alt.param(name="highlight", value=[])
    chosen = "length(highlight) == 0 || indexof(highlight, datum.id) >= 0"
    return (
        embedding_scatter(points, color=color, title=title, tooltip=tooltip, brush=False, x_domain=x_domain, y_domain=y_domain)
        .encode(
            color=alt.condition(chosen, alt.Color(f"{color}:N", legend=alt.Legend(title=color)), alt.value("lightgray")),
            opacity=alt.condition(chosen, alt.value(0.85), alt.value(0.25)),
        )
        .add_params(highlight, alt.selection_interval(name=BRUSH, encodings=["x", "y"]))
    )


def shared_domains(*frames: pd.DataFrame, pad: float = 0.05) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis ranges that fit every frame's ``x`` and ``y``, so side-by-side plots share a scale."""
    both = pd.concat(frames)
    return _padded(both["x"], pad), _padded(both["y"], pad)


def embedding_comparison(baseline: pd.DataFrame, trained: pd.DataFrame, *, color: str = "label") -> alt.HConcatChart:
    """Baseline and trained projections side by side, on the same axis ranges.

    Both frames hold the same rows in the same order, with ``x``/``y`` columns.
    """
    x_domain, y_domain = shared_domains(baseline, trained)
    left = embedding_scatter(baseline, color=color, title="Baseline", brush=False, x_domain=x_domain, y_domain=y_domain)
    right = embedding_scatter(trained, color=color, title="Trained", brush=False, x_domain=x_domain, y_domain=y_domain)
    return alt.hconcat(left, right).resolve_scale(color="shared")


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


def _padded(values: pd.Series, pad: float) -> tuple[float, float]:
    lo, hi = float(values.min()), float(values.max())
    span = (hi - lo) or 1.0
    return lo - pad * span, hi + pad * span

