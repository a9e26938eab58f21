"""``nbtrain.studio``: the whole journey in one notebook cell.

Data, report, training, comparison and a try-it box, as tabs over the views in this package. The
studio only wires views together: what to train on is the report view's current dataset (so a fix
applied in the report is what gets trained), and the comparison tab fills in when training ends.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from nbtrain.data.dataset import Dataset
from nbtrain.data.load import load
from nbtrain.embed.encoder import Encoder
from nbtrain.training.callbacks import Callback, StopSignal
from nbtrain.training.config import TrainConfig
from nbtrain.viz.html import table_html
from nbtrain.widgets.data_view import DataView
from nbtrain.widgets.report_view import DataReportView
from nbtrain.widgets.review_queue import ReviewQueue
from nbtrain.widgets.train_panel import TrainPanel

if TYPE_CHECKING:
    from nbtrain.journey import TrainingRun

Source = str | os.PathLike[str] | pd.DataFrame | Dataset

_TABS = ("Data", "Report", "Review", "Train", "Compare", "Try it", "Runs")


class Studio(widgets.VBox):
    """Tabs: Data, Report, Review, Train, Compare, Try it, Runs.

    ``.dataset`` is the data as edited so far: the report's fixes, the review queue's decisions and
    the explorer's relabels all change it, each view picks it up when its tab opens, and the next
    training run trains on it. ``.run`` holds the last :class:`~nbtrain.TrainingRun`, ``.runs``
    every run made here (the Runs tab compares two). With ``save_edits`` (a path) the edits are
    written there after each one (``nbtrain.load(..., history=path)`` brings them back).

    Everything heavy is imported and built when first needed, on the main thread: the report and
    the review queue when their tabs open, the comparison when training ends.
    """

    def __init__(
        self, dataset: Dataset, *, config: TrainConfig | None = None, encoder: Encoder | None = None, save_edits: str | os.PathLike[str] | None = None
    ) -> None:
        self.config = config or TrainConfig()
        self.encoder = encoder or Encoder(self.config.model, device=self.config.device)
        self.run: TrainingRun | None = None
        self.runs: list[TrainingRun] = []
        self.runs_box = widgets.VBox([widgets.HTML("<p>Train twice (for example before and after fixing labels) to compare two runs.</p>")])
        self.report: DataReportView | None = None
        self.queue: ReviewQueue | None = None
        self._report_base: Dataset | None = None  # the dataset the report's last fix left
        self.save_edits = save_edits
        self._dataset = dataset
        self._report_stale = widgets.HTML()
        self._recheck = widgets.Button(description="Check again", icon="refresh", layout={"width": "auto", "display": "none"})
        self._recheck.on_click(lambda _: self._rebuild_report())
        self.review_box = widgets.VBox([widgets.HTML("<p>Ranking the possible label errors (one embedding pass) ...</p>")])
        self.train_panel = TrainPanel(self._run, epochs=self.config.epochs)
        self.train_panel.on_done.append(self._show_run)
        self.compare_box = widgets.VBox([widgets.HTML("<p>Train a model to compare it with the baseline.</p>")])
        self.report_box = widgets.VBox([widgets.HTML("<p>Building the report (one embedding pass) ...</p>")])
        self.try_text = widgets.Textarea(placeholder="Type a text to classify, one per line", layout={"width": "480px"})
        self.try_button = widgets.Button(description="Classify", disabled=True)
        self.try_output = widgets.HTML("<p>Available after training.</p>")
        self.try_button.on_click(lambda _: self.classify_typed())
        self.tabs = widgets.Tab(
            children=[
                DataView(dataset),
                widgets.VBox([widgets.HBox([self._report_stale, self._recheck]), self.report_box]),
                self.review_box,
                self.train_panel,
                self.compare_box,
                widgets.VBox([self.try_text, self.try_button, self.try_output]),
                self.runs_box,
            ],
            titles=_TABS,
        )
        self.tabs.observe(self._tab_changed, names="selected_index")
        super().__init__([self.tabs])

    @property
    def dataset(self) -> Dataset:
        """The data as edited so far, which the next training run uses."""
        if self.report is not None and self.report.dataset is not self._report_base:
            self._edited(self.report.dataset)  # a fix applied in the report
        return self._dataset

    def _edited(self, dataset: Dataset) -> None:
        """One place for every view's edits: keep the dataset, and save its history if asked."""
        self._dataset = dataset
        if self.report is not None:
            self._report_base = self.report.dataset
        if self.save_edits is not None:
            dataset.save_history(self.save_edits)

    def show_report(self) -> DataReportView | None:
        """Build the data report (once) and show it in the Report tab; a failure is shown there too.

        The report is the first thing that loads the model, so a model id that cannot be found
        offline surfaces here: in Voila an exception would leave the tab waiting forever.
        """
        if self.report is None:
            self._rebuild_report()
        current = self.dataset
        stale = self.report is not None and self.report.dataset is not current
        self._report_stale.value = (
            "<p>The data changed since this report (edits in the explorer or the review queue); "
            "check again to see it, and to apply fixes to it.</p>"
            if stale
            else ""
        )
        self._recheck.layout.display = "" if stale else "none"
        if self.report is not None:
            for button in self.report.fix_buttons.values():
                button.disabled = stale  # a fix on the older data would undo the newer edits
        return self.report

    def _rebuild_report(self) -> None:
        try:
            self.report = DataReportView(self.dataset, encoder=self.encoder)
        except Exception as err:  # shown to the person; nothing else can act on it
            message = html.escape(f"The report could not be built: {type(err).__name__}: {err}")
            self.report_box.children = [widgets.HTML(f"<p style='color:#dc2626'>{message}</p>")]
            self.report = None
            return
        self._report_base = self.report.dataset
        self._report_stale.value, self._recheck.layout.display = "", "none"
        self.report_box.children = [self.report]

    def show_review(self) -> ReviewQueue | None:
        """The review queue of possible label errors (built once), following the current data."""
        if self.queue is None:
            from nbtrain.curation import review

            try:
                self.queue = review(self.dataset, encoder=self.encoder)
            except Exception as err:  # shown in the tab, as the report's failure is
                message = html.escape(f"The review queue could not be built: {type(err).__name__}: {err}")
                self.review_box.children = [widgets.HTML(f"<p style='color:#dc2626'>{message}</p>")]
                return None
            self.queue.on_edit.append(self._edited)
            self.review_box.children = [self.queue]
        elif self.queue.dataset is not self.dataset:
            self.queue.dataset = self.dataset
        return self.queue

    def _tab_changed(self, change: dict[str, Any]) -> None:
        tab = _TABS[change["new"]] if change["new"] is not None else ""
        if tab == "Report":
            self.show_report()
        elif tab == "Review":
            self.show_review()
        elif tab == "Compare" and self.compare_box.children and hasattr(self.compare_box.children[0], "explorer"):
            explorer = self.compare_box.children[0].explorer
            if explorer.dataset is not None and explorer.dataset is not self.dataset:
                explorer.show_dataset(self.dataset)

    def _run(self, callbacks: Sequence[Callback], stop: StopSignal) -> TrainingRun:
        from nbtrain.journey import train

        return train(self.dataset, self.config, encoder=self.encoder, callbacks=callbacks, stop=stop, progress=False)

    def _show_run(self, run: TrainingRun) -> None:
        from nbtrain.widgets.compare_view import ComparisonView

        self.run = run
        self.runs.append(run)
        view = ComparisonView(run, dataset=self.dataset)
        view.explorer.on_edit.append(self._edited)
        self.compare_box.children = [view]
        if len(self.runs) >= 2:
            from nbtrain.widgets.runs_view import RunsView

            self.runs_box.children = [RunsView(self.runs)]
        self.try_button.disabled = False
        self.try_output.value = "<p>Type texts above and press Classify.</p>"

    def classify_typed(self) -> pd.DataFrame | None:
        """Classify the texts in the try-it box with the trained model and show the result."""
        texts = [t.strip() for t in self.try_text.value.splitlines() if t.strip()]
        if self.run is None or not texts:
            return None
        frame = self.run.model.classify(texts)
        self.try_output.value = table_html(frame)
        return frame


def studio(
    train: Source,
    validation: Source | None = None,
    test: Source | None = None,
    *,
    config: TrainConfig | None = None,
    save_edits: str | os.PathLike[str] | None = None,
    **load_options: Any,
) -> Studio:
    """Open the studio on a CSV path, a DataFrame or a loaded :class:`~nbtrain.Dataset`.

    >>> nbtrain.studio(nbtrain.sample_path(), test=nbtrain.sample_path("test"))  # doctest: +SKIP
    """
    dataset = train if isinstance(train, Dataset) else load(train, validation, test, **load_options)  # type: ignore[arg-type]
    return Studio(dataset, config=config, save_edits=save_edits)

