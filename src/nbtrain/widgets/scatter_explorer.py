"""The explorer for every row: jupyter-scatter's WebGL plots, baseline and trained side by side.

The Altair explorer draws SVG (or a Vega canvas) and sends every point in the chart spec, which
is right up to a few thousand points. This one hands the points to jupyter-scatter (an anywidget
whose bundled JavaScript draws with WebGL and works offline): tens or hundreds of thousands of
points pan and zoom smoothly, a lasso in either plot selects the same rows in both
(``jscatter.compose(..., sync_selection=True, sync_hover=True)``), and hovering shows a point's
text and label, fetched from Python for that point only. The selection arrives in Python as row
positions, so ``.selected`` is exact, whatever the plots' coordinates.

Past ``max_points`` (500,000: about what a browser tab holds comfortably) a seeded,
label-stratified sample is drawn, and a note above the plots says so. :func:`pick_explorer` is
what ``nbtrain.explore`` calls: the Altair explorer up to :data:`ALTAIR_UP_TO` points, this one
above.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from nbtrain.data.dataset import Dataset
from nbtrain.embed.separation import Separation
from nbtrain.task import label_text
from nbtrain.viz.charts import (
    SPLIT_COLORS,
    ColorBy,
    sample_points,
    shared_domains,
    with_predictions,
)
from nbtrain.widgets.edit_bar import DROPPED, EditBar
from nbtrain.widgets.explorer import EmbeddingExplorer, selection_table, separation_html
from nbtrain.widgets.explorer_base import TITLES, ExplorerBase

#: Up to this many points ``explore`` shows the Altair explorer (export to PNG/SVG, brushes);
#: above it this one, whose WebGL plots stay responsive at 80,000 points and more.
ALTAIR_UP_TO = 5_000
#: The scatter explorer draws at most this many points; above it a seeded, stratified sample.
MAX_SCATTER_POINTS = 500_000
_COLOR_CHOICES = {"label": "label", "prediction": "predicted label", "correct": "correct / wrong", "split": "split"}
# Vega's tableau10, so a label has the colour the Altair explorer gives it.
_TABLEAU10 = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"]
_CORRECT = {"correct": "#16a34a", "wrong": "#dc2626"}
_DROPPED_COLOUR = "#d1d5db"


def pick_explorer(baseline: pd.DataFrame, trained: pd.DataFrame, **options: Any) -> EmbeddingExplorer | ScatterExplorer:
    """The explorer for this many points: Altair up to :data:`ALTAIR_UP_TO`, jupyter-scatter above.

    >>> view = pick_explorer(*run.projections(None), dataset=ds)  # doctest: +SKIP
    """
    if len(baseline) <= ALTAIR_UP_TO:
        return EmbeddingExplorer(baseline, trained, **options)
    return ScatterExplorer(baseline, trained, **options)


def label_colours(labels: list[str]) -> dict[str, str]:
    """A colour per label, in order: tableau10 up to ten labels, jupyter-scatter's glasbey above;
    rows set aside (``(dropped)``) are light grey.

    >>> label_colours(["a", "b", "(dropped)"])
    {'a': '#4c78a8', 'b': '#f58518', '(dropped)': '#d1d5db'}
    """
    named = [name for name in labels if name != DROPPED]
    if len(named) <= len(_TABLEAU10):
        palette = _TABLEAU10
    else:
        from matplotlib.colors import to_hex

        palette = [to_hex(c) for c in _jscatter().glasbey_dark]
    return {name: (_DROPPED_COLOUR if name == DROPPED else palette[named.index(name) % len(palette)]) for name in labels}


def drawn_frame(points: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """The columns a plot draws and shows on hover, colour columns as categoricals of fixed categories.

    Fixed categories keep each label's colour index when an edit adds ``(dropped)`` or takes
    the last row of a label away.
    """
    out = points[[c for c in ("x", "y", "text") if c in points]].copy()
    if "confidence" in points:
        out["confidence"] = points["confidence"].round(3)
    for column, names in categories.items():
        if column in points:
            out[column] = pd.Categorical(label_names(points[column]), categories=names)
    return out


def label_names(values: pd.Series) -> pd.Series:
    """Label values as the names shown: label sets joined (``"a; b"``), strings as they are.

    A frame's labels are all strings or all tuples, so the first decides: joining each of
    80,000 strings one by one would take a second for nothing.
    """
    first = values.dropna().head(1).tolist()
    return values.map(label_text) if first and isinstance(first[0], tuple) else values.astype(str)


class ScatterExplorer(ExplorerBase):
    """Baseline and trained embeddings of every row on two linked WebGL scatters, lasso to select.

    The frames are those of :class:`~nbtrain.widgets.explorer.EmbeddingExplorer` (``x``, ``y``,
    ``text``, ``label``, and optionally each model's ``*_label``/``*_confidence``, ``split``,
    ``source``, ``row``). ``.selected`` holds the lassoed rows (functions in ``on_select`` get
    them), ``scatters`` the two ``jscatter.Scatter`` objects. With ``dataset`` an edit bar edits
    the selection and the points recolour; ``dataset`` and ``on_edit`` follow the edits.

    >>> view = ScatterExplorer(*run.projections(None), dataset=ds)  # doctest: +SKIP
    >>> view.selected[["text", "label"]]  # doctest: +SKIP
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
        dataset: Dataset | None = None,
        max_rows: int = 50,
        max_points: int = MAX_SCATTER_POINTS,
        seed: int = 0,
        height: int = 420,
    ) -> None:
        if len(baseline) != len(trained):
            raise ValueError(f"baseline has {len(baseline)} rows and trained {len(trained)}: they must be the same rows")
        if dataset is not None and not {"source", "row"} <= set(baseline.columns):
            raise ValueError("editing needs the frames' 'source' and 'row' columns, as run.projections() gives them")
        jscatter = _jscatter()
        self.total = len(baseline)
        shown = sample_points(baseline.reset_index(drop=True), max_points, seed)
        self.baseline = shown.reset_index(drop=True)
        self.trained = trained.reset_index(drop=True).loc[shown.index].reset_index(drop=True)
        self.max_rows = max_rows
        self.selected = self.baseline.iloc[0:0]
        self.on_select: list[Callable[[pd.DataFrame], None]] = []
        self.on_edit: list[Callable[[Dataset], None]] = []
        self.note = sampling_note(len(self.baseline), self.total, max_points) if len(self.baseline) < self.total else ""
        self._points = {name: with_predictions(getattr(self, name), name) for name in TITLES}
        names = {str(v) for f in self._points.values() for c in ("label", "prediction") if c in f for v in label_names(f[c]).unique()}
        if dataset is not None and dataset.task == "single_label":
            names |= set(dataset.labels)
        self._categories = {
            "label": [*sorted(names), DROPPED],
            "prediction": sorted(names),
            "correct": ["correct", "wrong"],
            "split": [s for s in SPLIT_COLORS if s in set(pd.unique(self.baseline.get("split", pd.Series(dtype=str))))],
        }
        by_label = label_colours(self._categories["label"])
        self._colours = {"label": by_label, "prediction": by_label, "correct": _CORRECT, "split": SPLIT_COLORS}

        self._drawn = {name: drawn_frame(points, self._categories) for name, points in self._points.items()}
        x_domain, y_domain = shared_domains(self.baseline, self.trained)
        size = float(np.clip(6 * np.sqrt(10_000 / max(len(self.baseline), 1)), 1, 6))
        self.scatters = {}
        for name in TITLES:
            scatter = jscatter.Scatter(
                data=self._drawn[name], x="x", y="y", x_scale=x_domain, y_scale=y_domain, size=size, axes=False
            )
            hover = [c for c in ("label", "prediction", "confidence", "split") if c in self._points[name]]
            # no histograms: they cost a pass over every point per property, and a person hovering wants the text
            scatter.tooltip(True, properties=hover, histograms=False, preview="text", preview_text_lines=4)
            scatter.legend(True, position="top-right")
            self.scatters[name] = scatter
        choices = [(title, mode) for mode, title in _COLOR_CHOICES.items() if all(mode in f for f in self._points.values())]
        self.color_by = widgets.Dropdown(options=choices, value=color_by, description="Colour by")
        self._recolour()
        self.color_by.observe(lambda _: self._recolour(), names="value")
        self.plots = jscatter.compose([(self.scatters[n], t) for n, t in TITLES.items()], sync_selection=True, sync_hover=True, row_height=height)
        self.plots.add_class("nbt-scatter-plots")
        for scatter in self.scatters.values():
            scatter.widget.observe(self._lassoed, names="selection")

        self.table = widgets.HTML(_hint())
        self.notice = widgets.HTML(f"<p class='nbt-note'>{html.escape(self.note)}</p>")
        lines = separation_html(baseline_separation, trained_separation, separation_split)
        self.separation = widgets.HBox([widgets.HTML(lines[name], layout={"width": "50%"}) for name in TITLES])
        self.edit_bar = None if dataset is None else EditBar(dataset)
        if self.edit_bar is not None:
            self.edit_bar.on_edit.append(self._edited)
        editing = [] if self.edit_bar is None else [self.edit_bar]
        super().__init__([self.color_by, *([self.notice] if self.note else []), self.plots, self.separation, *editing, self.table])

    def select(self, rows: pd.DataFrame) -> None:
        """Select ``rows`` (a subset of ``.baseline`` or ``.trained``, by index) in both plots."""
        positions = np.asarray(sorted(set(rows.index) & set(self.baseline.index)), dtype="uint32")  # sorted, as _show wants
        for scatter in self.scatters.values():
            scatter.widget.selection = positions
        self._show(positions)

    def _lassoed(self, change: dict[str, Any]) -> None:
        """A lasso (or a click) in either plot: its point positions are rows of both frames."""
        positions = np.sort(np.asarray([] if change["new"] is None else change["new"], dtype="uint32"))
        if np.array_equal(positions, self.selected.index.to_numpy()):
            return  # the linked plot reporting the same selection
        self._show(positions)

    def _show(self, positions: np.ndarray) -> None:
        self.selected = self.baseline.iloc[positions]
        self.table.value = selection_table(self.selected, self.max_rows) or _hint()
        if self.edit_bar is not None:
            self.edit_bar.show(self.selected)
        for callback in self.on_select:
            callback(self.selected)

    def _recolour(self, *, data_changed: bool = False) -> None:
        """Both plots coloured by the chosen column; new data goes first when an edit changed it."""
        field = str(self.color_by.value)
        for name, scatter in self.scatters.items():
            frame = self._drawn[name]
            present = frame[field].cat.remove_unused_categories().cat.categories
            with scatter.widget.hold_sync():
                if data_changed:
                    scatter.data(frame)
                scatter.color(by=field, map=[self._colours[field][c] for c in present], labeling={"variable": _COLOR_CHOICES[field]})

    def _redraw_after_edit(self) -> None:
        # a label set no row had before (multi-label edits make them) goes last
        self._categories["label"] += sorted(set(label_names(self.baseline["label"]).unique()) - set(self._categories["label"]))
        self._colours["label"] = self._colours["prediction"] = label_colours(self._categories["label"])
        self._drawn = {name: drawn_frame(points, self._categories) for name, points in self._points.items()}
        self._recolour(data_changed=True)

    def _show_selection(self) -> None:
        self.table.value = selection_table(self.selected, self.max_rows) or _hint()


def sampling_note(shown: int, total: int, limit: int) -> str:
    """The note above the plots when they draw a sample."""
    return (
        f"Showing {shown:,} of {total:,} points: a seeded sample, stratified by label "
        f"(the plots draw at most {limit:,} points; a browser tab holds no more comfortably)."
    )


def _hint() -> str:
    text = "Choose the lasso in a plot's toolbar and draw around points to select them; their rows appear here."
    return f"<p>{html.escape(text)}</p>"


def _jscatter() -> Any:
    try:
        with warnings.catch_warnings():
            # jupyter-scatter 1.0 loads its label font with pandas' deprecated set_index(inplace=True)
            warnings.filterwarnings("ignore", message="The inplace keyword", module="jscatter")
            import jscatter
    except ImportError as error:
        raise ImportError("the large-data explorer needs jupyter-scatter: pip install jupyter-scatter") from error
    return jscatter
