"""Notebook views over the pure modules (ipywidgets and anywidget).

The views are thin, and everything they show is also available from plain Python. Each loads
only what it needs when it is first used: the data and report views import no torch.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbtrain.widgets.compare_view import ComparisonView
    from nbtrain.widgets.data_view import DataView
    from nbtrain.widgets.edit_bar import EditBar
    from nbtrain.widgets.explore_view import explore
    from nbtrain.widgets.explorer import EmbeddingExplorer
    from nbtrain.widgets.report_view import DataReportView
    from nbtrain.widgets.review_queue import ReviewQueue
    from nbtrain.widgets.runs_view import RunsView
    from nbtrain.widgets.scatter_explorer import ScatterExplorer
    from nbtrain.widgets.studio import Studio, studio
    from nbtrain.widgets.train_panel import TrainPanel
    from nbtrain.widgets.upload import UploadApp

_WHERE = {
    "ComparisonView": "compare_view",
    "DataReportView": "report_view",
    "DataView": "data_view",
    "EmbeddingExplorer": "explorer",
    "Studio": "studio",
    "TrainPanel": "train_panel",
    "UploadApp": "upload",
    "EditBar": "edit_bar",
    "ReviewQueue": "review_queue",
    "RunsView": "runs_view",
    "ScatterExplorer": "scatter_explorer",
    "explore": "explore_view",
    "studio": "studio",
}


def _enable_colab_widgets() -> None:
    """Colab shows third-party widgets (anywidget, Altair's JupyterChart) only with its custom
    widget manager on; turn it on when running there. Not exercised in nbtrain's own tests, which
    have no Colab: the call is the one Colab's documentation gives."""
    if "google.colab" in sys.modules:
        from google.colab import output

        output.enable_custom_widget_manager()


_enable_colab_widgets()


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"nbtrain.widgets.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'nbtrain.widgets' has no attribute {name!r}")


__all__ = [
    "ComparisonView",
    "DataReportView",
    "DataView",
    "EditBar",
    "EmbeddingExplorer",
    "ReviewQueue",
    "RunsView",
    "ScatterExplorer",
    "Studio",
    "TrainPanel",
    "UploadApp",
    "explore",
    "studio",
]
