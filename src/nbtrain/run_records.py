"""Runs you can compare: what each training run saw, how it was set, and what it scored.

Every saved run (``TrainingRun.save`` or ``nbtrain train --out``) writes a ``run.json``
:class:`RunRecord`: the data version (a fingerprint of the rows it trained and was scored on)
and the edits made since the file was loaded, the settings, the training summary, and baseline
and trained scores and separation per held-out split. :func:`runs` lists the records under a
folder as a table; :func:`compare` sets two runs side by side, with the differences and what
changed per label, so a user sees what a relabelling or a new setting bought.

>>> nbtrain.runs("runs/")  # doctest: +SKIP
>>> nbtrain.compare("runs/before", "runs/after").table()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nbtrain._json import finite
from nbtrain._version import __version__
from nbtrain.data.finding import plural

if TYPE_CHECKING:
    from nbtrain.journey import TrainingRun

RECORD_FILE = "run.json"
RECORD_FORMAT = 1
HEADLINE = ("macro_f1", "accuracy", "silhouette", "knn_accuracy")


@dataclass(frozen=True)
class RunRecord:
    """One training run in numbers (``run.json``)."""

    name: str
    created: str
    data: dict[str, Any]
    config: dict[str, Any]
    training: dict[str, Any]
    comparison: dict[str, Any]
    nbtrain_version: str = __version__
    format: int = RECORD_FORMAT
    edits: list[dict[str, Any]] = field(default_factory=list)

    def scores(self) -> pd.DataFrame:
        """One row per split and measure: ``baseline``, ``trained`` and ``difference``."""
        records = []
        for split, part in self.comparison.get("splits", {}).items():
            for measure in (*HEADLINE, "micro_f1", "subset_accuracy"):
                if measure in part["trained"]:
                    base, trained = part["baseline"][measure], part["trained"][measure]
                    records.append({"split": split, "measure": measure, "baseline": base, "trained": trained, "difference": _diff(trained, base)})
        return pd.DataFrame(records, columns=["split", "measure", "baseline", "trained", "difference"])

    def per_label(self, split: str) -> pd.DataFrame:
        """The trained model's per-label precision, recall and F1 on ``split``."""
        part = self.comparison["splits"][split]["trained"]
        return pd.DataFrame(part["per_class"])

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the record as JSON."""
        target = Path(path)
        target.write_text(json.dumps(finite(asdict(self)), indent=1, default=str), encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RunRecord:
        """Read ``run.json`` (or a run folder holding one)."""
        source = Path(path)
        if source.is_dir():
            source = source / RECORD_FILE
        if not source.is_file():
            raise FileNotFoundError(f"{source}: no run record here (a folder written by 'nbtrain train --out' or TrainingRun.save)")
        data = json.loads(source.read_text(encoding="utf-8"))
        if data.get("format", 0) > RECORD_FORMAT:
            raise ValueError(f"{source}: written by a newer nbtrain ({data.get('nbtrain_version')})")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def record_run(run: TrainingRun, name: str | None = None) -> RunRecord:
    """The :class:`RunRecord` of a finished run."""
    dataset = run.dataset
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    data = {
        "version": dataset.version,
        "task": dataset.task,
        "labels": list(dataset.labels),
        "sizes": {split: len(frame) for split, frame in dataset.splits().items()},
        "sources": sorted({str(s) for frame in dataset.splits().values() for s in frame["source"].unique()}),
        "set_aside": len(dataset.dropped),
        "edits": len(dataset.history),
    }
    return RunRecord(
        name=name or created.replace(":", "").replace("-", ""),
        created=created,
        data=data,
        config=run.config.to_dict(),
        training=run.result.summary.to_dict(),
        comparison=run.comparison.to_dict(),
        edits=[{"name": t.name, "summary": t.summary, "when": t.when, "who": t.who, "reason": t.reason} for t in dataset.history],
    )


def runs(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """Every run saved under ``folder`` (searched two levels deep), oldest first, one row each."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such folder")
    paths = sorted({*root.glob(RECORD_FILE), *root.glob(f"*/{RECORD_FILE}"), *root.glob(f"*/*/{RECORD_FILE}")})
    rows = []
    for path in paths:
        record = RunRecord.load(path)
        split = "test" if "test" in record.comparison.get("splits", {}) else "validation"
        scores = record.scores()
        mine = scores[scores["split"] == split].set_index("measure")
        rows.append(
            {
                "run": str(path.parent.relative_to(root)) if path.parent != root else ".",
                "created": record.created,
                "data_version": record.data["version"],
                "edits": record.data["edits"],
                "train_rows": record.data["sizes"].get("train", 0),
                "model": record.config.get("model"),
                "scored_on": split,
                "baseline_macro_f1": mine["baseline"].get("macro_f1"),
                "trained_macro_f1": mine["trained"].get("macro_f1"),
                "trained_silhouette": mine["trained"].get("silhouette"),
                "train_seconds": record.training.get("train_seconds"),
                "stopped": record.training.get("stopped", ""),
            }
        )
    columns = ["run", "created", "data_version", "edits", "train_rows", "model", "scored_on", "baseline_macro_f1", "trained_macro_f1", "trained_silhouette", "train_seconds", "stopped"]
    return pd.DataFrame(rows, columns=columns).sort_values("created", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class RunComparison:
    """Two runs side by side: their records, and what changed between them."""

    a: RunRecord
    b: RunRecord

    def table(self) -> pd.DataFrame:
        """Per split and measure, each run's trained score (and baseline) and the difference b - a."""
        left, right = self.a.scores(), self.b.scores()
        merged = left.merge(right, on=["split", "measure"], how="outer", suffixes=("_a", "_b"))
        merged["difference"] = [_diff(b, a) for a, b in zip(merged["trained_a"], merged["trained_b"], strict=True)]
        return merged[["split", "measure", "baseline_a", "trained_a", "baseline_b", "trained_b", "difference"]]

    def per_label(self, split: str | None = None) -> pd.DataFrame:
        """Per label: F1 in each run and the change, largest changes first."""
        split = split or self.split
        a, b = self.a.per_label(split), self.b.per_label(split)
        merged = a[["label", "f1", "support"]].merge(b[["label", "f1"]], on="label", how="outer", suffixes=("_a", "_b"))
        merged["change"] = merged["f1_b"] - merged["f1_a"]
        return merged.reindex(merged["change"].abs().sort_values(ascending=False).index).reset_index(drop=True)

    @property
    def split(self) -> str:
        """The split both runs were scored on that tells most: test if both have it."""
        both = set(self.a.comparison["splits"]) & set(self.b.comparison["splits"])
        return "test" if "test" in both else "validation"

    def what_changed(self) -> list[str]:
        """The data and settings that differ between the runs, in words."""
        lines = []
        if self.a.data["version"] != self.b.data["version"]:
            a, b = self.a.data, self.b.data
            lines.append(f"data: version {a['version']} ({plural(a['edits'], 'edit')}) → {b['version']} ({plural(b['edits'], 'edit')})")
        for key in sorted(set(self.a.config) | set(self.b.config)):
            if self.a.config.get(key) != self.b.config.get(key) and key not in ("checkpoint_dir",):
                lines.append(f"{key}: {self.a.config.get(key)!r} → {self.b.config.get(key)!r}")
        return lines or ["same data and settings"]

    def to_text(self) -> str:
        """The comparison for a terminal."""
        table = self.table()
        lines = [f"{self.a.name} → {self.b.name}", *[f"  {line}" for line in self.what_changed()], ""]
        lines.append(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        labels = self.per_label().head(10)
        lines += ["", f"Largest per-label F1 changes ({self.split}):", labels.to_string(index=False, float_format=lambda v: f"{v:.3f}")]
        return "\n".join(lines)


def compare(a: str | os.PathLike[str] | RunRecord | TrainingRun, b: str | os.PathLike[str] | RunRecord | TrainingRun) -> RunComparison:
    """Compare two runs: folders (or ``run.json`` files), records, or :class:`TrainingRun` objects."""
    return RunComparison(_as_record(a, "a"), _as_record(b, "b"))


def _as_record(run: Any, name: str) -> RunRecord:
    if isinstance(run, RunRecord):
        return run
    if isinstance(run, str | os.PathLike):
        record = RunRecord.load(run)
        return record if record.name else RunRecord(**{**asdict(record), "name": str(run)})
    return record_run(run, name=name)


def _diff(b: Any, a: Any) -> float:
    try:
        return float(b) - float(a)
    except (TypeError, ValueError):
        return float("nan")
