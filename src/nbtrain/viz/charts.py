"""Pure chart builders: data in, ``alt.Chart`` out, no state and no I/O.

Data is passed inline (``alt.Data(values=...)``), which sidesteps Altair's 5,000-row guard on
DataFrames: the explorer must draw 20,000 points, and inline data is also what makes offline
HTML export work. Scatters carry their rows as one CSV string (see :func:`inline_csv`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Literal

import altair as alt
import numpy as np
import pandas as pd

BRUSH = "brush"
HIGHLIGHT = "highlight"
#: Scatters draw at most this many points: above it a seeded sample, stratified by label, with a
#: notice. The explorer is built for 20,000; at 50,000 each plot's spec is about 8 MB and every
#: brush restyles that many SVG marks, twice (one per plot).
MAX_POINTS = 50_000
ColorBy = Literal["label", "prediction", "correct", "split"]
SPLIT_SHAPES = {"train": "square", "validation": "circle", "test": "triangle-up"}
SPLIT_COLORS = {"train": "#9ca3af", "validation": "#2563eb", "test": "#f97316"}
_TOOLTIPS = ("text", "label", "prediction", "confidence", "split")
_TOOLTIP_CHARS = 160
_WIDTH = 320
_HEIGHT = 280


def inline(frame: pd.DataFrame) -> alt.Data:
    """The rows as inline JSON records (NaN becomes null)."""
    return alt.Data(values=json.loads(frame.to_json(orient="records")))


def inline_csv(frame: pd.DataFrame) -> alt.Data:
    """The rows as one inline CSV string, numeric columns parsed as numbers by Vega.

    For big scatters: Altair validates inline records one by one (seconds for 20,000 points, at
    every build and every ``to_dict``) while a string is checked once, and CSV is half the size
    of JSON records. Floats are written in full, so the browser plots exactly the coordinates
    Python tests brushes against.
    """
    parse = {str(c): "number" for c in frame if pd.api.types.is_numeric_dtype(frame[c])}
    return alt.Data(values=frame.to_csv(index=False), format=alt.DataFormat(type="csv", parse=parse))


def embedding_scatter(
    points: pd.DataFrame,
    *,
    x: str = "x",
    y: str = "y",
    color: str = "label",
    title: str = "",
    tooltip: tuple[str, ...] = ("text", "label", "split"),
    brush: bool = True,
    x_domain: tuple[float, float] | None = None,
    y_domain: tuple[float, float] | None = None,
) -> alt.Chart:
    """A scatter of 2-D embeddings coloured by ``color``; hovering shows the text.

    With several splits in a ``split`` column each split gets its own shape (test rows are
    triangles: the points the model never saw). With ``brush=True`` an interval selection named
    ``"brush"`` dims the points outside it; in a ``JupyterChart`` its range arrives in Python as
    ``chart.selections.brush.value``.

    >>> df = pd.DataFrame({"x": [0, 1], "y": [1, 0], "label": ["a", "b"], "text": ["t1", "t2"]})
    >>> embedding_scatter(df).to_dict()["mark"]["type"]
    'point'
    """
    points = points.rename(columns={x: "x", y: "y"})
    fields = {"x", "y", color, *tooltip}
    chart = _scatter(points[[c for c in points if c in fields]], title, "", x_domain, y_domain, tooltip)
    color_enc = alt.Color(f"{color}:N", legend=alt.Legend(title=color))
    if not brush:
        return chart.encode(color=color_enc)
    selection = alt.selection_interval(name=BRUSH, encodings=["x", "y"])
    return chart.encode(color=alt.condition(selection, color_enc, alt.value("lightgray"))).add_params(selection)


def explorer_scatter(
    points: pd.DataFrame,
    *,
    title: str,
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
    color_by: ColorBy = "label",
    labels: Sequence[str] | None = None,
    highlight: str = "",
    brush_value: Mapping[str, Sequence[float]] | None = None,
    note: str = "",
) -> alt.Chart:
    """One plot of the explorer: a brush named ``"brush"`` and a ``"highlight"`` param.

    ``points`` has ``x``, ``y``, an integer ``id`` (0 to n-1) and ``label``, and may have
    ``text``, ``prediction``, ``confidence``, ``correct`` and ``split`` (see
    :func:`with_predictions`). Python sets ``highlight`` (a :func:`~nbtrain.viz.selection.highlight_mask`)
    after a brush in either plot, so the same rows light up in both plots though their coordinates
    differ. ``brush_value`` redraws a brush, so recolouring does not lose the rectangle. Above
    :data:`MAX_POINTS` rows a seeded sample is drawn and the subtitle says so.

    >>> df = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 0.0], "id": [0, 1], "label": ["a", "b"]})
    >>> spec = explorer_scatter(df, title="t", x_domain=(0, 1), y_domain=(0, 1)).to_dict()
    >>> sorted(p["name"] for p in spec["params"])
    ['brush', 'highlight']
    """
    brush = alt.selection_interval(name=BRUSH, encodings=["x", "y"])
    if brush_value:
        x, y = ([float(v) for v in brush_value[k]] for k in ("x", "y"))
        brush = alt.selection_interval(name=BRUSH, encodings=["x", "y"], value={"x": x, "y": y})
    return _explorer_points(points, title, x_domain, y_domain, color_by, labels, note).add_params(
        alt.param(name=HIGHLIGHT, value=highlight), brush
    )


def explorer_pair(
    baseline: pd.DataFrame,
    trained: pd.DataFrame,
    *,
    color_by: ColorBy = "label",
    labels: Sequence[str] | None = None,
    highlight: str = "",
    note: str = "",
) -> alt.HConcatChart:
    """Both explorer plots as one static figure (no brush), for export: same ranges, same colours.

    ``highlight`` is one param for the whole figure, so the selection shows as it does on screen.
    """
    x_domain, y_domain = shared_domains(baseline, trained)
    left = _explorer_points(baseline, "Baseline", x_domain, y_domain, color_by, labels, note)
    right = _explorer_points(trained, "Trained", x_domain, y_domain, color_by, labels, note)
    return alt.hconcat(left, right).add_params(alt.param(name=HIGHLIGHT, value=highlight))


def with_predictions(points: pd.DataFrame, model: str) -> pd.DataFrame:
    """``points`` plus ``prediction``, ``confidence`` and ``correct`` from one model's columns.

    The comparison rows carry both models' columns (``baseline_label``, ``trained_confidence``,
    ...); each plot shows its own model's, under the same names, so one builder serves both.

    >>> df = pd.DataFrame({"label": ["a", "b"], "trained_label": ["a", "a"], "trained_confidence": [0.9, 0.6]})
    >>> with_predictions(df, "trained")["correct"].tolist()
    ['correct', 'wrong']
    """
    out = points.copy()
    if f"{model}_label" in points:
        out["prediction"] = points[f"{model}_label"]
        out["correct"] = (points[f"{model}_label"] == points["label"]).map({True: "correct", False: "wrong"})
    if f"{model}_confidence" in points:
        out["confidence"] = points[f"{model}_confidence"]
    return out


def sample_points(points: pd.DataFrame, limit: int = MAX_POINTS, seed: int = 0) -> pd.DataFrame:
    """At most about ``limit`` rows, drawn per label in proportion (every label keeps one row).

    Seeded, and rows keep their order, so two frames of the same rows sample the same rows.

    >>> df = pd.DataFrame({"label": ["a"] * 90 + ["b"] * 10})
    >>> sample_points(df, limit=20)["label"].value_counts().to_dict()
    {'a': 18, 'b': 2}
    """
    if len(points) <= limit:
        return points
    rng = np.random.default_rng(seed)
    strata = points["label"] if "label" in points else pd.Series(0, index=points.index)
    keep: list[int] = []
    for positions in strata.reset_index(drop=True).groupby(strata.to_numpy(), sort=True).indices.values():
        count = max(1, round(len(positions) * limit / len(points)))
        keep.extend(rng.choice(positions, size=count, replace=False).tolist())
    return points.iloc[sorted(keep)]


def sampling_notice(shown: int, total: int) -> str:
    """The sentence shown wherever a plot draws a sample instead of every point."""
    return (
        f"Showing {shown:,} of {total:,} points: a seeded sample, stratified by label "
        f"(plots draw at most {MAX_POINTS:,} points to stay responsive)."
    )


def color_encoding(points: pd.DataFrame, color_by: ColorBy, labels: Sequence[str] | None = None) -> alt.Color:
    """The colour for a ``ColorBy`` choice, with fixed domains so both plots colour alike.

    ``labels`` fixes the order of label colours; pass the same list to both plots so a label
    keeps its colour whether colouring by true or predicted label.
    """
    if color_by not in points:
        raise ValueError(f"colouring by {color_by!r} needs a {color_by!r} column")
    if color_by in ("label", "prediction"):
        domain = list(labels) if labels is not None else sorted(points[color_by].dropna().astype(str).unique())
        scale = alt.Scale(domain=domain, scheme="tableau10" if len(domain) <= 10 else "tableau20")
        title = "label" if color_by == "label" else "predicted label"
    elif color_by == "correct":
        scale, title = alt.Scale(domain=["correct", "wrong"], range=["#16a34a", "#dc2626"]), "prediction"
    else:
        present = [s for s in SPLIT_COLORS if s in set(points["split"])]
        scale, title = alt.Scale(domain=present, range=[SPLIT_COLORS[s] for s in present]), "split"
    return alt.Color(f"{color_by}:N", scale=scale, legend=alt.Legend(title=title))


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


def _padded(values: pd.Series, pad: float) -> tuple[float, float]:
    lo, hi = float(values.min()), float(values.max())
    span = (hi - lo) or 1.0
    return lo - pad * span, hi + pad * span


def _explorer_points(
    points: pd.DataFrame,
    title: str,
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
    color_by: ColorBy,
    labels: Sequence[str] | None,
    note: str,
) -> alt.Chart:
    if len(points) > MAX_POINTS:
        shown = sample_points(points)
        note, points = note or sampling_notice(len(shown), len(points)), shown
    chosen = f"length({HIGHLIGHT}) == 0 || substring({HIGHLIGHT}, datum.id, datum.id + 1) == '1'"
    fields = {"x", "y", "id", color_by, *_TOOLTIPS}
    chart = _scatter(points[[c for c in points if c in fields]], title, note, x_domain, y_domain, tuple(_TOOLTIPS))
    return chart.encode(
        color=alt.condition(chosen, color_encoding(points, color_by, labels), alt.value("lightgray")),
        opacity=alt.condition(chosen, alt.value(0.85), alt.value(0.25)),
    )


def _scatter(
    points: pd.DataFrame,
    title: str,
    note: str,
    x_domain: tuple[float, float] | None,
    y_domain: tuple[float, float] | None,
    tooltip: tuple[str, ...],
) -> alt.Chart:
    """Points at ``x``/``y``, shaped by split when there are several, sized down when there are many."""
    if "text" in points:
        # Tooltips show a line or two; full texts would double the page for 20,000 points.
        points = points.assign(text=points["text"].astype(str).str.slice(0, _TOOLTIP_CHARS))
    if "confidence" in points:
        points = points.assign(confidence=points["confidence"].round(3))
    x_scale = alt.Scale(domain=list(x_domain)) if x_domain else alt.Scale(zero=False)
    y_scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=False)
    size = float(np.clip(40 * np.sqrt(1000 / max(len(points), 1)), 8, 40))
    chart = (
        alt.Chart(inline_csv(points), title=alt.TitleParams(title, subtitle=note) if note else title)
        .mark_point(filled=True, size=size)
        .encode(
            x=alt.X("x:Q", scale=x_scale, axis=alt.Axis(title=None, labels=False, ticks=False)),
            y=alt.Y("y:Q", scale=y_scale, axis=alt.Axis(title=None, labels=False, ticks=False)),
            tooltip=[_tooltip(points, t) for t in tooltip if t in points],
        )
        .properties(width=_WIDTH, height=_HEIGHT)
    )
    if "split" in points and points["split"].nunique() > 1:
        present = [s for s in SPLIT_SHAPES if s in set(points["split"])]
        shapes = alt.Scale(domain=present, range=[SPLIT_SHAPES[s] for s in present])
        chart = chart.encode(shape=alt.Shape("split:N", scale=shapes, legend=alt.Legend(title="split")))
    return chart


def _tooltip(points: pd.DataFrame, field: str) -> alt.Tooltip:
    if pd.api.types.is_numeric_dtype(points[field]):
        return alt.Tooltip(f"{field}:Q", format=".2f")
    return alt.Tooltip(f"{field}:N")
