"""The embedding explorer: baseline and trained side by side, brush to select, rows in Python.

Both plots show the same rows (PCA, the trained one aligned to the baseline's axes, on shared
ranges). A brush in either plot arrives in Python as a data range; the rows inside it become
``.selected``, are listed under the plots, and are highlighted in *both* plots through a
``highlight`` param, so you see where the same texts sit before and after training.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import altair as alt
import ipywidgets as widgets
import pandas as pd

from nbtrain.viz.charts import BRUSH, explorer_scatter, shared_domains
from nbtrain.viz.html import table_html
from nbtrain.viz.selection import rows_in_interval

_TABLE_COLUMNS = ["text", "label", "baseline_label", "trained_label", "trained_confidence", "split", "row"]


def enable_offline_charts() -> None:
    """Make JupyterChart carry its JavaScript instead of loading it from a CDN (works offline)."""
    alt.JupyterChart.enable_offline()


class EmbeddingExplorer(widgets.VBox):
    """Two linked scatter plots and the table of the brushed rows.

    ``baseline`` and ``trained`` hold the same rows in the same order with ``x``, ``y``, ``text``
    and ``label`` columns (see :meth:`nbtrain.Outcome.projections`). ``.selected`` is the
    DataFrame of brushed rows; functions in ``on_select`` are called with it.
    """

    def __init__(self, baseline: pd.DataFrame, trained: pd.DataFrame, *, color: str = "label", max_rows: int = 50) -> None:
        enable_offline_charts()
        self.baseline = baseline.reset_index(drop=True).assign(id=lambda f: range(len(f)))
        self.trained = trained.reset_index(drop=True).assign(id=lambda f: range(len(f)))
        self.max_rows = max_rows
        self.selected = self.baseline.iloc[0:0]
        self.on_select: list[Callable[[pd.DataFrame], None]] = []
        x_domain, y_domain = shared_domains(self.baseline, self.trained)
        tooltip = tuple(c for c in ("text", "label", "trained_label", "trained_confidence") if c in self.baseline)
        self.charts = {
            name: alt.JupyterChart(
                explorer_scatter(points, title=title, color=color, x_domain=x_domain, y_domain=y_domain, tooltip=tooltip)
            )
            for name, title, points in (("baseline", "Baseline", self.baseline), ("trained", "Trained", self.trained))
        }
        for name, chart in self.charts.items():
            chart.selections.observe(self._brushed(name), names=[BRUSH])
        self.table = widgets.HTML(_hint())
        super().__init__([widgets.HBox(list(self.charts.values())), self.table])

    def _brushed(self, name: str) -> Callable[[dict[str, object]], None]:
        points = self.baseline if name == "baseline" else self.trained

        def handle(change: dict[str, object]) -> None:
            value = getattr(change["new"], "value", None) or {}
            self.select(rows_in_interval(points, value))

        return handle

    def select(self, rows: pd.DataFrame) -> None:
        """Show ``rows`` (a subset of either frame) as the selection and highlight them in both plots."""
        self.selected = self.baseline.loc[self.baseline["id"].isin(rows["id"])]
        ids = [int(i) for i in self.selected["id"]]
        for chart in self.charts.values():
            chart.params.highlight = ids  # type: ignore[attr-defined]  # declared by explorer_scatter
        columns = [c for c in _TABLE_COLUMNS if c in self.selected]
        shown = self.selected[columns].head(self.max_rows)
        more = len(self.selected) - len(shown)
        note = f"<p class='nbt-note'>{len(self.selected)} selected" + (f", first {len(shown)} shown" if more else "") + "</p>"
        self.table.value = note + table_html(shown) if len(self.selected) else _hint()
        for callback in self.on_select:
            callback(self.selected)


def _hint() -> str:
    return "<p>" + html.escape("Drag a rectangle on either plot to select points; their rows appear here.") + "</p>"
