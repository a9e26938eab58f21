"""nbtrain: train custom text classifiers and embedders with LoRA, in your notebook.

>>> import nbtrain
>>> ds = nbtrain.load_csv(nbtrain.sample_path())
>>> len(ds.labels)
4

Heavy dependencies (torch, transformers, peft) load only when a model is first used, so importing
nbtrain and reading data stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbtrain._version import __version__
from nbtrain.data.dataset import Dataset
from nbtrain.data.errors import DataError
from nbtrain.data.load import load_csv, load_frame, sample_path

if TYPE_CHECKING:
    from nbtrain.data.clean import apply_fix
    from nbtrain.data.report import Report, build_report
    from nbtrain.embed.encoder import Encoder
    from nbtrain.evaluate.baseline import Baseline, fit_baseline
    from nbtrain.evaluate.compare import Comparison, compare
    from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent, StopSignal
    from nbtrain.training.config import TrainConfig
    from nbtrain.training.model import TrainedModel, load_model
    from nbtrain.training.result import TrainResult
    from nbtrain.training.trainer import train
    from nbtrain.widgets.studio import studio
    from nbtrain.workflow import Outcome, run, write_report

_LAZY = {
    "Encoder": "nbtrain.embed.encoder",
    "Baseline": "nbtrain.evaluate.baseline",
    "fit_baseline": "nbtrain.evaluate.baseline",
    "Comparison": "nbtrain.evaluate.compare",
    "compare": "nbtrain.evaluate.compare",
    "Callback": "nbtrain.training.callbacks",
    "EpochEvent": "nbtrain.training.callbacks",
    "StepEvent": "nbtrain.training.callbacks",
    "StopSignal": "nbtrain.training.callbacks",
    "TrainConfig": "nbtrain.training.config",
    "TrainedModel": "nbtrain.training.model",
    "load_model": "nbtrain.training.model",
    "TrainResult": "nbtrain.training.result",
    "train": "nbtrain.training.trainer",
    "Outcome": "nbtrain.workflow",
    "run": "nbtrain.workflow",
    "write_report": "nbtrain.workflow",
    "apply_fix": "nbtrain.data.clean",
    "Report": "nbtrain.data.report",
    "build_report": "nbtrain.data.report",
    "studio": "nbtrain.widgets.studio",
}


def __getattr__(name: str) -> Any:
    """Import torch-backed parts on first use (PEP 562)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nbtrain' has no attribute {name!r}")


__all__ = [
    "Baseline",
    "Callback",
    "Comparison",
    "DataError",
    "Dataset",
    "Encoder",
    "EpochEvent",
    "Outcome",
    "Report",
    "StepEvent",
    "StopSignal",
    "TrainConfig",
    "TrainResult",
    "TrainedModel",
    "__version__",
    "apply_fix",
    "build_report",
    "compare",
    "fit_baseline",
    "load_csv",
    "load_frame",
    "load_model",
    "run",
    "sample_path",
    "studio",
    "train",
    "write_report",
]
