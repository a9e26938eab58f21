"""Notebook views over the pure modules (ipywidgets and anywidget).

Importing this package needs the notebook stack (ipywidgets, anywidget, altair), which nbtrain
installs; the views are thin, and everything they show is also available from plain Python.
"""

from nbtrain.widgets.compare_view import ComparisonView
from nbtrain.widgets.data_view import DataView
from nbtrain.widgets.explorer import EmbeddingExplorer
from nbtrain.widgets.report_view import DataReportView
from nbtrain.widgets.studio import Studio, studio
from nbtrain.widgets.train_panel import TrainPanel
from nbtrain.widgets.upload import UploadApp

__all__ = ["ComparisonView", "DataReportView", "DataView", "EmbeddingExplorer", "Studio", "TrainPanel", "UploadApp", "studio"]
