"""nbtrain: train custom text classifiers and embedders with LoRA, in your notebook.

The verbs, in the order of the journey:

- ``load`` a labelled file or DataFrame into a :class:`Dataset` (every row set aside is kept,
  with its reason, in ``dataset.dropped``);
- ``check`` it: a :class:`DataReport` whose findings say what, how many, which rows, what to do;
- ``fix`` what it found, or edit rows yourself (``dataset.relabel``, ``drop``, ``restore``,
  ``mark_reviewed``, ``undo``): each returns a new dataset with the change in its ``history``;
- ``train``: the tuned baseline, LoRA training and the comparison of both, a :class:`TrainingRun`;
- ``explore`` the embeddings (brush points, relabel them where you see them), ``review`` the
  possible label errors one at a time, ``compare`` two runs;
- ``save`` the run or its :class:`TrainedModel`, ``load_model`` it back, ``export`` it for
  tools without nbtrain; ``studio`` shows it all in one notebook cell.

>>> import nbtrain
>>> ds = nbtrain.load(nbtrain.sample_path())
>>> len(ds.labels)
3

Heavy dependencies (torch, transformers, peft, scikit-learn) load only when a model is first used,
so importing nbtrain and reading data stay fast.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from nbtrain._version import __version__
from nbtrain.data.dataset import Dataset
from nbtrain.data.errors import DataError
from nbtrain.data.load import load, sample_path

if TYPE_CHECKING:
    from nbtrain.curation import review
    from nbtrain.data.audit import AuditTrail
    from nbtrain.data.clean import fix
    from nbtrain.data.report import CheckConfig, DataReport, check
    from nbtrain.embed.encoder import Encoder
    from nbtrain.evaluate.baseline import Baseline, fit_baseline
    from nbtrain.evaluate.compare import Comparison, ModelPair, compare_models
    from nbtrain.journey import TrainingRun, train
    from nbtrain.run_records import RunComparison, RunRecord, compare, runs
    from nbtrain.training.callbacks import Callback, EpochEvent, StepEvent, StopSignal
    from nbtrain.training.config import TrainConfig
    from nbtrain.training.model import TrainedModel, load_model
    from nbtrain.training.result import TrainingSummary, TrainResult
    from nbtrain.widgets.explore_view import explore
    from nbtrain.widgets.studio import studio

_LAZY = {
    "AuditTrail": "nbtrain.data.audit",
    "fix": "nbtrain.data.clean",
    "CheckConfig": "nbtrain.data.report",
    "DataReport": "nbtrain.data.report",
    "check": "nbtrain.data.report",
    "Encoder": "nbtrain.embed.encoder",
    "Baseline": "nbtrain.evaluate.baseline",
    "fit_baseline": "nbtrain.evaluate.baseline",
    "Comparison": "nbtrain.evaluate.compare",
    "ModelPair": "nbtrain.evaluate.compare",
    "compare_models": "nbtrain.evaluate.compare",
    "TrainingRun": "nbtrain.journey",
    "train": "nbtrain.journey",
    "RunComparison": "nbtrain.run_records",
    "RunRecord": "nbtrain.run_records",
    "compare": "nbtrain.run_records",
    "runs": "nbtrain.run_records",
    "Callback": "nbtrain.training.callbacks",
    "EpochEvent": "nbtrain.training.callbacks",
    "StepEvent": "nbtrain.training.callbacks",
    "StopSignal": "nbtrain.training.callbacks",
    "TrainConfig": "nbtrain.training.config",
    "TrainedModel": "nbtrain.training.model",
    "load_model": "nbtrain.training.model",
    "TrainResult": "nbtrain.training.result",
    "TrainingSummary": "nbtrain.training.result",
    "explore": "nbtrain.widgets.explore_view",
    "review": "nbtrain.curation",
    "studio": "nbtrain.widgets.studio",
}

# nbtrain 0.1's names, kept for one release: each warns and names its replacement.
_DEPRECATED = {
    "run": ("nbtrain.journey", "train", "nbtrain.train (it fits the baseline, trains and compares, as run did)"),
    "Outcome": ("nbtrain.journey", "TrainingRun", "nbtrain.TrainingRun"),
    "write_report": ("nbtrain._deprecated", "write_report", "TrainingRun.to_html(path)"),
    "build_report": ("nbtrain.data.report", "check", "nbtrain.check"),
    "Report": ("nbtrain.data.report", "DataReport", "nbtrain.DataReport"),
    "ReportConfig": ("nbtrain.data.report", "CheckConfig", "nbtrain.CheckConfig"),
    "apply_fix": ("nbtrain.data.clean", "apply_fix", "nbtrain.fix (it returns the new dataset; the trail is dataset.history[-1])"),
}
# Deprecated functions that warn themselves, when called.
_LAZY |= {"load_csv": "nbtrain.data.load", "load_frame": "nbtrain.data.load"}


def __getattr__(name: str) -> Any:
    """Import torch-backed parts on first use (PEP 562); old names warn."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _DEPRECATED:
        module, attribute, instead = _DEPRECATED[name]
        warnings.warn(f"nbtrain.{name} is deprecated and goes in nbtrain 0.3: use {instead}", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'nbtrain' has no attribute {name!r}")


__all__ = [
    "AuditTrail",
    "Baseline",
    "Callback",
    "CheckConfig",
    "Comparison",
    "DataError",
    "DataReport",
    "Dataset",
    "Encoder",
    "EpochEvent",
    "ModelPair",
    "RunComparison",
    "RunRecord",
    "StepEvent",
    "StopSignal",
    "TrainConfig",
    "TrainResult",
    "TrainedModel",
    "TrainingRun",
    "TrainingSummary",
    "__version__",
    "check",
    "compare",
    "compare_models",
    "explore",
    "fit_baseline",
    "fix",
    "load",
    "load_model",
    "review",
    "runs",
    "sample_path",
    "studio",
    "train",
]
