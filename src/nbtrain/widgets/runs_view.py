"""Two training runs side by side: what changed, the scores with differences, the labels that
moved, and each run's trained embedding of the held-out rows.

A thin view over :func:`nbtrain.compare` and :meth:`nbtrain.TrainingRun.projections`: pick run A
and run B from the runs made so far (the studio adds each finished run), and the view redraws.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import altair as alt
import ipywidgets as widgets

from nbtrain.journey import TrainingRun
from nbtrain.run_records import RunComparison, compare
from nbtrain.viz.charts import embedding_scatter, shared_domains
from nbtrain.viz.html import table_html
from nbtrain.widgets.explorer import enable_offline_charts


class RunsView(widgets.VBox):
    """Compare any two of ``runs`` (oldest first); ``.comparison`` is the current :class:`RunComparison`.

    >>> view = RunsView([run_before_fix, run_after_fix])  # doctest: +SKIP
    """

    def __init__(self, runs: Sequence[TrainingRun] = ()) -> None:
        enable_offline_charts()
        self.runs: list[TrainingRun] = list(runs)
        self.comparison: RunComparison | None = None
        self.pick_a = widgets.Dropdown(description="Run A")
        self.pick_b = widgets.Dropdown(description="Run B")
        self.body = widgets.VBox()
        for pick in (self.pick_a, self.pick_b):
            pick.observe(lambda _: self.redraw(), names="value")
        super().__init__([widgets.HBox([self.pick_a, self.pick_b]), self.body])
        self._refresh_choices()

    def add(self, run: TrainingRun) -> None:
        """Add a finished run; the view then compares the previous run (A) with it (B)."""
        self.runs.append(run)
        self._refresh_choices()

    def redraw(self) -> None:
        """Draw the comparison of the chosen runs (or say what is missing)."""
        a, b = self.pick_a.value, self.pick_b.value
        if a is None or b is None or a == b:
            self.comparison = None
            self.body.children = [widgets.HTML("<p>Train twice (for example before and after fixing labels) to compare two runs.</p>")]
            return
        first, second = self.runs[a], self.runs[b]
        self.comparison = compare(first, second)
        self.body.children = [
            widgets.HTML(_changes_html(self.comparison)),
            widgets.HTML(table_html(self.comparison.table())),
            widgets.HTML(f"<b>Labels whose F1 changed most ({html.escape(self.comparison.split)})</b>" + table_html(self.comparison.per_label().head(12))),
            alt.JupyterChart(trained_pair(first, second, self.comparison.split)),
        ]

    def _refresh_choices(self) -> None:
        options = [(f"{i + 1}: {_describe(run)}", i) for i, run in enumerate(self.runs)]
        with self.hold_trait_notifications():
            self.pick_a.options = options
            self.pick_b.options = options
            if len(options) >= 2:
                self.pick_a.value, self.pick_b.value = len(options) - 2, len(options) - 1
        self.redraw()


def trained_pair(a: TrainingRun, b: TrainingRun, split: str) -> alt.HConcatChart:
    """Each run's trained embedding of ``split``'s rows, on shared axes."""
    points = [run.projections(split)[1] for run in (a, b)]
    x_domain, y_domain = shared_domains(*points)
    charts = [
        embedding_scatter(p.assign(label=p["label"].map(_text)), title=f"Run {name}: trained", brush=False, x_domain=x_domain, y_domain=y_domain)
        for name, p in zip("AB", points, strict=True)
    ]
    return alt.hconcat(*charts).resolve_scale(color="shared")


def _describe(run: TrainingRun) -> str:
    split = "test" if "test" in run.comparison.splits else "validation"
    f1 = run.comparison.splits[split].trained.macro_f1
    return f"{len(run.dataset.history)} edits, {split} macro-F1 {f1:.3f}"


def _changes_html(comparison: RunComparison) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in comparison.what_changed())
    return f"<p><b>What changed from A to B</b></p><ul>{items}</ul>"


def _text(value: object) -> str:
    from nbtrain.task import label_text

    return label_text(value)
