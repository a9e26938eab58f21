"""Pure chart builders for the data report: label distribution per split, text-length histogram.

Each takes the plain frames a :class:`~nbtrain.data.report.Report` carries and returns an Altair
chart; nothing is rendered here.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from nbtrain.viz.charts import inline

_WIDTH = 360
_SPLIT_ORDER = ["train", "validation", "test"]


def label_distribution(label_counts: pd.DataFrame) -> alt.Chart:
    """Share of each label within each split, as grouped bars; a tooltip gives the counts.

    Shares rather than counts so a test split with another distribution stands out next to a
    larger training split.

    >>> counts = pd.DataFrame({"split": ["train", "train", "test"], "label": ["a", "b", "a"], "count": [8, 2, 3]})
    >>> label_distribution(counts).to_dict()["mark"]["type"]
    'bar'
    """
    data = label_counts.assign(share=label_counts["count"] / label_counts.groupby("split")["count"].transform("sum"))
    n_labels = data["label"].nunique()
    splits = [s for s in _SPLIT_ORDER if s in set(data["split"])]
    return (
        alt.Chart(inline(data), title="Labels per split")
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=alt.EncodingSortField("count", op="sum", order="descending"), title=None),
            x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of the split"),
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
    text = alt.Chart(inline(limit)).mark_text(align="left", dx=4, dy=-4, color="#e45756").encode(
        x="max_length:Q", y=alt.value(0), text="label:N"
    )
    return alt.LayerChart(layer=[bars, rule, text]).properties(width=_WIDTH, height=180)
