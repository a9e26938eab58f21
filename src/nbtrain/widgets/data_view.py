"""The data preview: one tab per split with its label distribution and first rows, and what was set aside."""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as widgets

from nbtrain.data.dataset import Dataset
from nbtrain.viz.html import table_html
from nbtrain.viz.report_charts import label_distribution
from nbtrain.widgets.explorer import enable_offline_charts

_TITLES = {"train": "Training", "validation": "Validation", "test": "Test"}


class DataView(widgets.VBox):
    """Training / Validation / Test tabs (rows and label distribution) and a tab of set-aside rows.

    >>> DataView(nbtrain.load(nbtrain.sample_path()))  # doctest: +SKIP
    """

    def __init__(self, dataset: Dataset, *, preview_rows: int = 10) -> None:
        enable_offline_charts()
        self.dataset = dataset
        pages, titles = [], []
        counts = dataset.label_counts()
        for name, frame in dataset.splits().items():
            chart = alt.JupyterChart(label_distribution(counts[counts["split"] == name]))
            head = widgets.HTML(
                f"<p>{len(frame)} rows, {frame['label'].nunique()} labels"
                + (" (set aside from the training file, seed-stratified)" if name == "validation" and dataset.validation_from == "split" else "")
                + f". First {min(preview_rows, len(frame))} rows:</p>"
                + table_html(frame.head(preview_rows))
            )
            pages.append(widgets.VBox([chart, head]))
            titles.append(_TITLES[name])
        dropped = dataset.dropped
        if len(dropped):
            reasons = dropped["reason"].value_counts()
            summary = "".join(f"<li>{n} × {html.escape(str(r))}</li>" for r, n in reasons.items())
            pages.append(widgets.HTML(f"<p>{len(dropped)} rows set aside:</p><ul>{summary}</ul>" + table_html(dropped)))
            titles.append(f"Set aside ({len(dropped)})")
        self.tabs = widgets.Tab(children=pages, titles=titles)
        notices = "".join(f"<li>{html.escape(n)}</li>" for n in dataset.notices)
        self.header = widgets.HTML(
            f"<b>{html.escape(dataset.summary().splitlines()[0])}</b>" + (f"<ul>{notices}</ul>" if notices else "")
        )
        super().__init__([self.header, self.tabs, widgets.HTML("<b>All splits</b>"), alt.JupyterChart(label_distribution(counts))])
