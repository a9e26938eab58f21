"""Pure chart builders for the data report: label frequency per split, text lengths, and for label
sets the labels per row and which labels occur together.

Each takes the plain frames a :class:`~nbtrain.data.report.DataReport` carries and returns an
Altair chart; nothing is rendered here. :func:`report_charts` picks the ones a report has data for,
so the HTML page and the notebook view show the same charts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from nbtrain.viz.charts import inline

if TYPE_CHECKING:
    from nbtrain.data.report import DataReport

_WIDTH = 360
_SPLIT_ORDER = ["train", "validation", "test"]
#: The heatmap names at most this many labels, the most frequent: past it, cells are unreadable.
MAX_HEATMAP_LABELS = 40


def report_charts(report: DataReport) -> dict[str, alt.Chart | alt.LayerChart]:
    """The report's charts by name: ``labels`` and ``lengths`` always; ``labels_per_row`` and
    ``cooccurrence`` when the report is of label sets."""
    charts: dict[str, alt.Chart | alt.LayerChart] = {
        "labels": label_distribution(report.label_counts, report.sizes),
        "lengths": length_histogram(report.lengths, report.max_length, report.length_unit),
    }
    if report.labels_per_row is not None:
        charts["labels_per_row"] = labels_per_row_histogram(report.labels_per_row)
    if report.cooccurrence is not None:
        charts["cooccurrence"] = cooccurrence_heatmap(report.cooccurrence)
    return charts


def label_distribution(label_counts: pd.DataFrame, sizes: Mapping[str, int] | None = None) -> alt.Chart:
    """Share of each split's rows carrying each label, as grouped bars; a tooltip gives the counts.

    Shares rather than counts so a test split with another distribution stands out next to a
    larger training split. With ``sizes`` (rows per split) a share is of the split's rows, which
    is what it means for label sets, where a row counts for each of its labels; without, of the
    split's label count (the same for single labels).

    >>> counts = pd.DataFrame({"split": ["train", "train", "test"], "label": ["a", "b", "a"], "count": [8, 2, 3]})
    >>> label_distribution(counts).to_dict()["mark"]["type"]
    'bar'
    """
    total = label_counts["split"].map(sizes) if sizes is not None else label_counts.groupby("split")["count"].transform("sum")
    data = label_counts.assign(share=label_counts["count"] / total)
    n_labels = data["label"].nunique()
    splits = [s for s in _SPLIT_ORDER if s in set(data["split"])]
    return (
        alt.Chart(inline(data), title="Label frequency per split")
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=alt.EncodingSortField("count", op="sum", order="descending"), title=None),
            x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of the split's rows"),
            color=alt.Color("split:N", sort=splits, scale=alt.Scale(domain=splits)),
            yOffset=alt.YOffset("split:N", sort=splits),
            tooltip=["split:N", "label:N", "count:Q", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width=_WIDTH, height=max(120, min(18 * len(splits), 40) * n_labels))
    )


def length_histogram(lengths: pd.DataFrame, max_length: int, unit: str = "tokens") -> alt.LayerChart:
    """Histogram of text lengths with the model's maximum marked: bars past the line are truncated.

    ``lengths`` has a ``length`` column (and ``split``); bins are computed here so the chart
    carries a few dozen bars, not one point per text.

    >>> lengths = pd.DataFrame({"split": "train", "length": [3, 5, 9, 200]})
    >>> len(length_histogram(lengths, 128).layer)
    3
    """
    values = lengths["length"].to_numpy()
    top = max(int(values.max()) if len(values) else 1, max_length) + 1
    edges = np.unique(np.linspace(0, top, num=min(top, 40) + 1).round().astype(int))
    counts, _ = np.histogram(values, bins=edges)
    bins = pd.DataFrame({"start": edges[:-1], "end": edges[1:], "texts": counts})
    bins["truncated"] = bins["end"] > max_length + 1
    bars = (
        alt.Chart(inline(bins), title=f"Text length in {unit}")
        .mark_bar()
        .encode(
            x=alt.X("start:Q", bin="binned", title=unit),
            x2="end:Q",
            y=alt.Y("texts:Q", title="texts"),
            color=alt.Color("truncated:N", scale=alt.Scale(domain=[False, True], range=["#4c78a8", "#e45756"]), legend=None),
            tooltip=["start:Q", "end:Q", "texts:Q"],
        )
    )
    limit = pd.DataFrame({"max_length": [max_length], "label": [f"max {max_length}"]})
    rule = alt.Chart(inline(limit)).mark_rule(color="#e45756", strokeDash=[4, 3]).encode(x="max_length:Q")
    # Left of the line and below the top edge: the limit usually sits at the right end of the
    # axis, where text to its right is cut off by the plot's edge.
    text = alt.Chart(inline(limit)).mark_text(align="right", baseline="top", dx=-4, dy=4, color="#e45756").encode(
        x="max_length:Q", y=alt.value(0), text="label:N"
    )
    return alt.LayerChart(layer=[bars, rule, text]).properties(width=_WIDTH, height=180)


def labels_per_row_histogram(labels_per_row: pd.DataFrame) -> alt.Chart:
    """How many rows carry 0, 1, 2... labels, per split: the shape of a label-set file at a glance,
    and the rows with no label ("none of the labels") as the bar at 0.

    >>> per_row = pd.DataFrame({"split": ["train", "train"], "labels": [0, 1], "rows": [3, 9]})
    >>> labels_per_row_histogram(per_row).to_dict()["encoding"]["x"]["field"]
    'labels'
    """
    data = labels_per_row.assign(share=labels_per_row["rows"] / labels_per_row.groupby("split")["rows"].transform("sum"))
    splits = [s for s in _SPLIT_ORDER if s in set(data["split"])]
    return (
        alt.Chart(inline(data), title="Labels per row")
        .mark_bar()
        .encode(
            x=alt.X("labels:O", title="labels on the row"),
            y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="share of the split's rows"),
            color=alt.Color("split:N", sort=splits, scale=alt.Scale(domain=splits)),
            xOffset=alt.XOffset("split:N", sort=splits),
            tooltip=["split:N", "labels:O", "rows:Q", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width=_WIDTH, height=180)
    )


def cooccurrence_heatmap(cooccurrence: pd.DataFrame, max_labels: int = MAX_HEATMAP_LABELS) -> alt.Chart:
    """Which labels occur together: a cell per pair, coloured by the share of the row label's rows
    that also carry the column label (P(column | row)); the tooltip gives the rows.

    A dark row-column cell says "rows with this label nearly always have that one too"; an empty
    cell between two common labels says they never meet. The diagonal (a label with itself) is
    left out, and past ``max_labels`` only the most frequent labels are drawn.

    >>> pairs = pd.DataFrame({"label_a": ["a", "a", "b", "b"], "label_b": ["a", "b", "a", "b"], "rows": [4, 2, 2, 3]})
    >>> cooccurrence_heatmap(pairs).to_dict()["mark"]["type"]
    'rect'
    """
    count = cooccurrence[cooccurrence["label_a"] == cooccurrence["label_b"]].set_index("label_a")["rows"]
    kept = count.sort_values(ascending=False, kind="stable").index[:max_labels]
    data = cooccurrence[cooccurrence["label_a"].isin(kept) & cooccurrence["label_b"].isin(kept)]
    data = data[data["label_a"] != data["label_b"]]
    data = data.assign(share=data["rows"] / data["label_a"].map(count).clip(lower=1).to_numpy())
    order = sorted(kept)
    shown = f" (the {len(kept)} most frequent of {len(count)})" if len(count) > len(kept) else ""
    side = max(160, min(16 * len(order), 640))
    return (
        alt.Chart(inline(data), title=f"Labels together{shown}")
        .mark_rect()
        .encode(
            x=alt.X("label_b:N", sort=order, title="also carries"),
            y=alt.Y("label_a:N", sort=order, title="rows with"),
            color=alt.Color("share:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="share"),
            tooltip=["label_a:N", "label_b:N", "rows:Q", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(width=side, height=side)
    )
