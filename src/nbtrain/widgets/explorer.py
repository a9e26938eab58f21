"""The embedding explorer: baseline and trained side by side, brush to select, rows in Python.

Both plots show the same rows (projected, the trained one aligned to the baseline's axes, on
shared ranges). A brush in either plot arrives in Python as a data range; the rows inside it become
``.selected``, are listed under the plots, and are highlighted in *both* plots through a
``highlight`` param, so you see where the same texts sit before and after training.

Colouring is switched by rebuilding both charts' specs (``JupyterChart.chart = ...``): the
highlight and the brush rectangle are carried into the new spec, so the selection survives it.

Built with ``dataset=``, the explorer edits too: an :class:`~nbtrain.widgets.edit_bar.EditBar`
relabels, drops or marks reviewed the brushed rows, and each edit recolours the points from the
new dataset at once (``explorer.dataset`` is the latest; functions in ``on_edit`` get it).
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd

from nbtrain.data.dataset import Dataset
from nbtrain.embed.separation import Separation
from nbtrain.viz.charts import (
    BRUSH,
    MAX_POINTS,
    ColorBy,
    explorer_pair,
    explorer_scatter,
    sample_points,
    sampling_notice,
    shared_domains,
    with_predictions,
)
from nbtrain.viz.export import FORMATS, save_chart
from nbtrain.viz.html import table_html
from nbtrain.viz.selection import highlight_mask, rows_in_interval
from nbtrain.widgets.edit_bar import EditBar
from nbtrain.widgets.explorer_base import TITLES, ExplorerBase

_TABLE_COLUMNS = [
    "text", "label", "baseline_label", "baseline_confidence", "trained_label", "trained_confidence", "split", "row"
]
_COLOR_CHOICES = {"label": "label", "prediction": "predicted label", "correct": "correct / wrong", "split": "split"}
#: Above this many points the plots draw on a canvas and a brush reaches Python when the drag
#: pauses, not at every mouse move: restyling tens of thousands of SVG nodes for each move of the
#: mouse, in both plots, is what makes a large explorer sluggish (benchmarks/explorer_render_bench.py).
CANVAS_ABOVE = 5_000


def enable_offline_charts() -> None:
    """Make JupyterChart carry its JavaScript instead of loading it from a CDN (works offline)."""
    alt.JupyterChart.enable_offline()


class EmbeddingExplorer(ExplorerBase):
    """Two linked scatter plots, colour and export controls, and the table of the brushed rows.

    ``baseline`` and ``trained`` hold the same rows in the same order with ``x``, ``y``, ``text``
    and ``label`` columns, and optionally each model's ``*_label``/``*_confidence`` and a
    ``split`` (see :meth:`nbtrain.Outcome.projections`). ``.selected`` is the DataFrame of
    brushed rows; functions in ``on_select`` are called with it. Give the :class:`Separation` of
    each side to show its silhouette and k-NN accuracy under its plot. Above ``max_points`` rows
    a seeded, label-stratified sample is shown, with a notice. With ``dataset`` (the rows'
    :class:`~nbtrain.Dataset`; the frames need ``source`` and ``row``) an edit bar edits the
    selection, and ``dataset`` and ``on_edit`` follow the edits.

    >>> view = EmbeddingExplorer(*outcome.projections(None), color_by="correct")  # doctest: +SKIP
    >>> view.export("svg", "figures")  # doctest: +SKIP
    """

    def __init__(
        self,
        baseline: pd.DataFrame,
        trained: pd.DataFrame,
        *,
        color_by: ColorBy = "label",
        baseline_separation: Separation | None = None,
        trained_separation: Separation | None = None,
        separation_split: str | None = None,
        export_dir: str | os.PathLike[str] = ".",
        max_rows: int = 50,
        max_points: int = MAX_POINTS,
        seed: int = 0,
        dataset: Dataset | None = None,
    ) -> None:
        if len(baseline) != len(trained):
            raise ValueError(f"baseline has {len(baseline)} rows and trained {len(trained)}: they must be the same rows")
        if dataset is not None and not {"source", "row"} <= set(baseline.columns):
            raise ValueError("editing needs the frames' 'source' and 'row' columns, as run.projections() gives them")
        enable_offline_charts()
        self.total = len(baseline)
        shown = sample_points(baseline.reset_index(drop=True), max_points, seed)
        self.baseline = shown.reset_index(drop=True).assign(id=lambda f: range(len(f)))
        self.trained = trained.reset_index(drop=True).loc[shown.index].reset_index(drop=True).assign(id=lambda f: range(len(f)))
        self.max_rows = max_rows
        self.selected = self.baseline.iloc[0:0]
        self.on_select: list[Callable[[pd.DataFrame], None]] = []
        self.on_edit: list[Callable[[Dataset], None]] = []
        self._note = sampling_notice(len(self.baseline), self.total) if len(self.baseline) < self.total else ""
        self._points = {"baseline": with_predictions(self.baseline, "baseline"), "trained": with_predictions(self.trained, "trained")}
        self._labels = sorted({str(v) for f in self._points.values() for c in ("label", "prediction") if c in f for v in f[c].dropna()})
        if dataset is not None and dataset.task == "single_label":
            # every label a row can be given has its colour from the start, so a relabel recolours only its rows
            self._labels = sorted({*self._labels, *dataset.labels})
        self._domains = shared_domains(self.baseline, self.trained)
        self._brushes: dict[str, dict[str, Any]] = {name: {} for name in TITLES}
        self._brush_source: str | None = None

        choices = [(title, mode) for mode, title in _COLOR_CHOICES.items() if all(mode in f for f in self._points.values())]
        self.color_by = widgets.Dropdown(options=choices, value=color_by, description="Colour by")
        fast: dict[str, Any] = {}
        if len(self.baseline) > CANVAS_ABOVE:
            fast = {"debounce_wait": 200, "max_wait": False, "embed_options": {"renderer": "canvas"}}
        self.charts = {name: alt.JupyterChart(self._chart(name), **fast) for name in TITLES}
        for name in self.charts:
            self._watch(name)
        self.color_by.observe(lambda _: self._redraw(), names="value")

        self.export_format = widgets.Dropdown(options=FORMATS, value="png", description="Export as", layout={"width": "160px"})
        self.export_folder = widgets.Text(value=str(export_dir), description="to folder")
        self.export_button = widgets.Button(description="Export", icon="download")
        self.export_button.on_click(lambda _: self._export_clicked())
        self.export_status = widgets.HTML()
        self.table = widgets.HTML(_hint())
        self.notice = widgets.HTML(f"<p class='nbt-note'>{html.escape(self._note)}</p>")
        lines = separation_html(baseline_separation, trained_separation, separation_split)
        self.separation = {name: widgets.HTML(line) for name, line in lines.items()}
        controls = widgets.HBox([self.color_by, self.export_format, self.export_folder, self.export_button, self.export_status])
        plots = widgets.HBox([widgets.VBox([self.charts[name], self.separation[name]]) for name in TITLES])
        self.edit_bar = None if dataset is None else EditBar(dataset)
        if self.edit_bar is not None:
            self.edit_bar.on_edit.append(self._edited)
        editing = [] if self.edit_bar is None else [self.edit_bar]
        super().__init__([controls, *([self.notice] if self._note else []), plots, *editing, self.table])

    def select(self, rows: pd.DataFrame) -> None:
        """Show ``rows`` (a subset of either frame) as the selection and highlight them in both plots."""
        self._brush_source = None
        self.selected = self.baseline.loc[self.baseline["id"].isin(rows["id"])]
        mask = highlight_mask(self.selected["id"], len(self.baseline))
        for chart in self.charts.values():
            chart.params.highlight = mask  # type: ignore[attr-defined]  # declared by explorer_scatter
        self._list_selected()
        for callback in self.on_select:
            callback(self.selected)

    def export(self, fmt: str | None = None, folder: str | os.PathLike[str] | None = None) -> Path:
        """Save both plots as shown (colours, highlight) to ``folder/embeddings-<colour>.<fmt>``.

        ``fmt`` is ``png``, ``svg`` or ``html`` (interactive, offline); both default to the controls.
        """
        fmt = fmt or str(self.export_format.value)
        target = Path(folder if folder is not None else self.export_folder.value) / f"embeddings-{self.color_by.value}.{fmt}"
        figure = explorer_pair(
            self._points["baseline"],
            self._points["trained"],
            color_by=self.color_by.value,
            labels=self._labels,
            highlight=highlight_mask(self.selected["id"], len(self.baseline)),
            note=self._note,
        )
        return save_chart(figure, target)

    def _list_selected(self) -> None:
        """The table of the selected rows, and the edit bar's rows."""
        self.table.value = selection_table(self.selected, self.max_rows) or _hint()
        if self.edit_bar is not None:
            self.edit_bar.show(self.selected)

    def _redraw_after_edit(self) -> None:
        # DROPPED is one of the new names once a row is dropped.
        self._labels += sorted({str(v) for v in self.baseline["label"]} - set(self._labels))
        self._redraw()

    def _show_selection(self) -> None:
        self._list_selected()

    def _chart(self, name: str, brush_value: dict[str, Any] | None = None) -> alt.Chart:
        x_domain, y_domain = self._domains
        return explorer_scatter(
            self._points[name],
            title=TITLES[name],
            x_domain=x_domain,
            y_domain=y_domain,
            color_by=self.color_by.value,
            labels=self._labels,
            highlight=highlight_mask(self.selected["id"], len(self.baseline)),
            brush_value=brush_value,
            note=self._note,
        )

    def _redraw(self) -> None:
        """New specs for the new colour; only the brush that made the selection is redrawn."""
        for name, chart in self.charts.items():
            kept = self._brushes[name] if name == self._brush_source else {}
            chart.chart = self._chart(name, kept or None)
            # The front end reports each redrawn brush once; remembering it makes that report a no-op.
            self._brushes[name] = kept
            self._watch(name)

    def _watch(self, name: str) -> None:
        """Listen to a chart's brush; needed again after each redraw, which replaces ``.selections``."""
        self.charts[name].selections.observe(partial(self._brushed, name), names=[BRUSH])

    def _brushed(self, name: str, change: dict[str, Any]) -> None:
        value = dict(getattr(change["new"], "value", None) or {})
        if value == self._brushes[name]:
            return
        self._brushes[name] = value
        self.select(rows_in_interval(self._points[name], value))
        self._brush_source = name if value else None

    def _export_clicked(self) -> None:
        self.export_status.value = "<p class='nbt-note'>Exporting ...</p>"
        try:
            path = self.export()
        except (OSError, ValueError) as error:
            self.export_status.value = f"<p class='nbt-note' style='color:#dc2626'>Export failed: {html.escape(str(error))}</p>"
        else:
            self.export_status.value = f"<p class='nbt-note'>Saved {html.escape(str(path))}</p>"


def selection_table(selected: pd.DataFrame, max_rows: int) -> str:
    """The selected rows as an HTML table (text, label, predictions), with their count; "" for none."""
    if selected.empty:
        return ""
    shown = selected[[c for c in _TABLE_COLUMNS if c in selected]].head(max_rows)
    more = f", first {len(shown)} shown" if len(selected) > len(shown) else ""
    return f"<p class='nbt-note'>{len(selected)} selected{more}</p>" + table_html(shown)


def separation_html(
    baseline: Separation | None, trained: Separation | None, split: str | None = None
) -> dict[str, str]:
    """The line under each plot: silhouette and k-NN accuracy, the trained one with its difference."""
    where = f" on the {html.escape(split)} rows" if split else ""
    lines = {"baseline": "", "trained": ""}
    for name, own, other in (("baseline", baseline, None), ("trained", trained, baseline)):
        if own is None:
            continue
        parts = [
            f"{title} <b>{_number(value)}</b>{_difference(value, getattr(other, field) if other else None)}"
            for title, field, value in (
                ("silhouette", "silhouette", own.silhouette),
                (f"{own.k}-NN accuracy", "knn_accuracy", own.knn_accuracy),
            )
        ]
        lines[name] = f"<p class='nbt-separation'>Separation{where}: " + " · ".join(parts) + "</p>"
    return lines


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def _difference(value: float, before: float | None) -> str:
    if before is None or math.isnan(value) or math.isnan(before):
        return ""
    diff = value - before
    colour = "#16a34a" if diff > 0 else "#dc2626" if diff < 0 else "#374151"
    return f" <span style='color:{colour}'>({diff:+.3f})</span>"


def _hint() -> str:
    return "<p>" + html.escape("Drag a rectangle on either plot to select points; their rows appear here.") + "</p>"
