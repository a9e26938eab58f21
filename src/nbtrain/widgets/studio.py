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
from nbtrain.widgets.train_panel import TrainPanel

if TYPE_CHECKING:
    from nbtrain.journey import TrainingRun

Source = str | os.PathLike[str] | pd.DataFrame | Dataset

_TABS = ("Data", "Report", "Train", "Compare", "Try it", "Runs")


class Studio(widgets.VBox):
    """Tabs: Data, Report, Train, Compare, Try it, Runs. ``.run`` holds the last
    :class:`~nbtrain.TrainingRun`, ``.runs`` every run made here (the Runs tab compares two).

    Everything heavy is imported and built when first needed, on the main thread: the report when
    its tab opens, the comparison when training ends.
    """

    def __init__(self, dataset: Dataset, *, config: TrainConfig | None = None, encoder: Encoder | None = None) -> None:
        self.config = config or TrainConfig()
        self.encoder = encoder or Encoder(self.config.model, device=self.config.device)
        self.run: TrainingRun | None = None
        self.runs: list[TrainingRun] = []
        self.runs_box = widgets.VBox([widgets.HTML("<p>Train twice (for example before and after fixing labels) to compare two runs.</p>")])
        self.report: DataReportView | None = None
        self._dataset = dataset
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
                self.report_box,
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
        """The data training will use: the report's current data once fixes were applied."""
        return self.report.dataset if self.report is not None else self._dataset

    def show_report(self) -> DataReportView | None:
        """Build the data report (once) and show it in the Report tab; a failure is shown there too.

        The report is the first thing that loads the model, so a model id that cannot be found
        offline surfaces here: in Voila an exception would leave the tab waiting forever.
        """
        if self.report is None:
            try:
                self.report = DataReportView(self._dataset, encoder=self.encoder)
            except Exception as err:  # shown to the person; nothing else can act on it
                message = html.escape(f"The report could not be built: {type(err).__name__}: {err}")
                self.report_box.children = [widgets.HTML(f"<p style='color:#dc2626'>{message}</p>")]
                return None
            self.report_box.children = [self.report]
        return self.report

    def _tab_changed(self, change: dict[str, Any]) -> None:
        if change["new"] == _TABS.index("Report"):
            self.show_report()

    def _run(self, callbacks: Sequence[Callback], stop: StopSignal) -> TrainingRun:
        from nbtrain.journey import train

        return train(self.dataset, self.config, encoder=self.encoder, callbacks=callbacks, stop=stop, progress=False)

    def _show_run(self, run: TrainingRun) -> None:
        from nbtrain.widgets.compare_view import ComparisonView

        self.run = run
        self.runs.append(run)
        self.compare_box.children = [ComparisonView(run)]
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
    **load_options: Any,
) -> Studio:
    """Open the studio on a CSV path, a DataFrame or a loaded :class:`~nbtrain.Dataset`.

    >>> nbtrain.studio(nbtrain.sample_path(), test=nbtrain.sample_path("test"))  # doctest: +SKIP
    """
    dataset = train if isinstance(train, Dataset) else load(train, validation, test, **load_options)  # type: ignore[arg-type]
    return Studio(dataset, config=config)

