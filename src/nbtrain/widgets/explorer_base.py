"""What both embedding explorers (Altair and WebGL) share: the edits of the rows they show.

Each explorer draws in its own way; following an edited dataset is the same for both: the labels
of both frames are taken from the dataset, the prediction columns recomputed, the selection kept,
and then the explorer redraws (:meth:`ExplorerBase._redraw_after_edit`).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import pandas as pd

from nbtrain.data.dataset import Dataset
from nbtrain.viz.charts import ColorBy, with_predictions
from nbtrain.widgets.edit_bar import EditBar, current_labels

TITLES = {"baseline": "Baseline", "trained": "Trained"}


class ExplorerBase(widgets.VBox):
    """Baseline and trained frames of the same rows, an optional edit bar, and edits followed."""

    baseline: pd.DataFrame
    trained: pd.DataFrame
    selected: pd.DataFrame
    color_by: widgets.Dropdown
    edit_bar: EditBar | None
    on_edit: list[Callable[[Dataset], None]]
    _points: dict[str, pd.DataFrame]

    @property
    def dataset(self) -> Dataset | None:
        """The dataset as edited so far (``None`` when built without one: no editing)."""
        return None if self.edit_bar is None else self.edit_bar.dataset

    def recolor(self, color_by: ColorBy) -> None:
        """Colour both plots by ``label``, ``prediction`` (each plot its own model's), ``correct`` or ``split``."""
        self.color_by.value = color_by

    def show_dataset(self, dataset: Dataset) -> None:
        """Follow a dataset edited elsewhere (a review queue, the report's fixes): its labels
        recolour the points and the edit bar edits it next; ``on_edit`` is not called."""
        if self.edit_bar is None:
            return
        self.edit_bar.dataset = dataset
        self._recolour_from(dataset)
        self.edit_bar.show(self.selected)

    def _edited(self, dataset: Dataset) -> None:
        self._recolour_from(dataset)
        for callback in self.on_edit:
            callback(dataset)

    def _recolour_from(self, dataset: Dataset) -> None:
        """Take the labels from the edited dataset (dropped rows become ``(dropped)``), keep the
        selection, redraw."""
        for name in TITLES:
            frame = getattr(self, name)
            frame["label"] = current_labels(frame, dataset)
            self._points[name] = with_predictions(frame, name)
        self._redraw_after_edit()
        self.selected = self.baseline.loc[self.selected.index]
        self._show_selection()

    def _redraw_after_edit(self) -> None:
        """Redraw with the new labels; labels no row had before go last, so the others keep their colours."""
        raise NotImplementedError

    def _show_selection(self) -> None:
        """List the selected rows under the plots."""
        raise NotImplementedError
