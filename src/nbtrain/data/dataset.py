"""The dataset: training, validation and test rows, every row set aside, and the edits since loading.

How rows get here (the dropping rules and the validation split) is :mod:`nbtrain.data.build`'s;
how edits are applied and recorded is :mod:`nbtrain.data.audit`'s. A dataset is a value: every
method that changes something returns a new dataset.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nbtrain.choices import FittedOn, TaskKind, ValidationFrom
from nbtrain.data.errors import DataError
from nbtrain.data.read import ROW_COLUMNS
from nbtrain.task import Task, task_of

if TYPE_CHECKING:
    from nbtrain.data.audit import AuditTrail
    from nbtrain.data.source import SourceInfo


DROPPED_COLUMNS = ["split", "source", "row", "text", "label", "reason"]

REASON_EMPTY_TEXT = "empty text"
REASON_NO_LABEL = "missing label"
REASON_RARE_LABEL = "label has fewer than {n} unique training examples"
REASON_ONLY_RARE = "every label of the row has fewer than {n} unique training examples"
#: How the reasons of rows set aside for a rare label begin, whatever ``n`` was.
RARE_REASON_PREFIXES = (REASON_RARE_LABEL.split("{")[0], REASON_ONLY_RARE.split("{")[0])
RARE_PREFIX = "label has fewer than"
REASON_UNKNOWN_LABEL = "label not in training data"
REASON_IN_TRAIN = "same text is in the training data"


@dataclass(frozen=True, eq=False)
class Dataset:
    """Training, validation and optional test rows, and every row that was set aside.

    Each split is a row frame (``text``, ``label``, ``source``, ``row``); ``dropped`` adds the
    ``split`` and the ``reason``. ``validation_from`` says whether the validation rows came from a
    file or were split off the training data. ``task`` is ``"single_label"`` (``label`` holds a
    string) or ``"multi_label"`` (a sorted tuple of strings, possibly empty).

    A dataset is never modified: fixes and edits (:meth:`relabel`, :meth:`drop`,
    :meth:`restore`, :meth:`mark_reviewed`, :meth:`fix`) return a new one whose ``history`` ends
    with what changed, and :meth:`undo` returns the one before.

    >>> import nbtrain
    >>> ds = nbtrain.load(nbtrain.sample_path())
    >>> ds.labels
    ('negative', 'neutral', 'positive')
    """

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame | None
    dropped: pd.DataFrame
    validation_from: ValidationFrom
    task: TaskKind = "single_label"
    notices: tuple[str, ...] = field(default=())
    history: tuple[AuditTrail, ...] = field(default=())
    parent: Dataset | None = field(default=None, repr=False)
    set_aside_labels: pd.DataFrame | None = field(default=None, repr=False)
    sources: Mapping[str, SourceInfo] = field(default_factory=dict, repr=False)

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels the model will learn, sorted."""
        return self.task_handler.names(self.train["label"])

    @property
    def task_handler(self) -> Task:
        """The :class:`~nbtrain.task.Task` that counts, encodes and scores this dataset's labels."""
        return task_of(self.task)

    @property
    def removed_labels(self) -> dict[str, int]:
        """Labels removed for having too few examples, with their number of rows, as things stand now.

        Derived from the rows set aside, so a fix that restores them (``merge_label_variants``)
        is reflected at once.
        """
        rare = self.dropped[self.dropped["reason"].str.startswith(RARE_PREFIX)]
        counts = self.task_handler.counts(rare["label"]) if len(rare) else pd.Series(dtype=int)
        if self.set_aside_labels is not None and len(self.set_aside_labels):
            counts = counts.add(self.set_aside_labels["label"].value_counts(), fill_value=0)
        return {str(label): int(n) for label, n in counts.sort_index().items()}

    @property
    def version(self) -> str:
        """A short fingerprint of the rows and labels the splits hold: equal data, equal version."""
        digest = hashlib.blake2b(digest_size=8)
        for name, frame in self.splits().items():
            digest.update(name.encode())
            hashed = pd.util.hash_pandas_object(frame[ROW_COLUMNS].astype(str), index=False)
            digest.update(hashed.to_numpy().tobytes())
        return digest.hexdigest()

    def rows_for(self, fitted_on: FittedOn) -> pd.DataFrame:
        """The rows a head fitted on ``fitted_on`` learns: training, and validation too if named."""
        if fitted_on == "train":
            return self.train
        return pd.concat([self.train, self.validation], ignore_index=True)

    # -- edits: each returns a new dataset (see nbtrain.data.edits) ---------------------------

    def relabel(self, rows: Any, label: str | Iterable[str], *, reason: str = "", who: str | None = None) -> Dataset:
        """Give ``rows`` (a frame with ``source, row`` and ``split``, or a finding) a new label."""
        from nbtrain.data.edits import relabel

        return relabel(self, rows, label, reason=reason, who=who)

    def drop(self, rows: Any, *, reason: str = "", who: str | None = None) -> Dataset:
        """Set ``rows`` aside (they move to ``dropped`` with the reason)."""
        from nbtrain.data.edits import drop_rows

        return drop_rows(self, rows, reason=reason, who=who)

    def restore(self, rows: Any, *, label: str | Iterable[str] | None = None, who: str | None = None) -> Dataset:
        """Bring set-aside ``rows`` (from ``dropped``) back to their split, optionally relabelled."""
        from nbtrain.data.edits import restore_rows

        return restore_rows(self, rows, label=label, who=who)

    def mark_reviewed(self, rows: Any, *, reason: str = "", who: str | None = None) -> Dataset:
        """Record that a person looked at ``rows`` and kept them as they are."""
        from nbtrain.data.edits import mark_reviewed

        return mark_reviewed(self, rows, reason=reason, who=who)

    def add(self, texts: Iterable[str], labels: Iterable[Any], *, split: str = "train", reason: str = "", who: str | None = None) -> Dataset:
        """Append newly labelled texts to ``split`` (``source`` "labelled in nbtrain")."""
        from nbtrain.data.edits import add_rows

        return add_rows(self, texts, labels, split=split, reason=reason, who=who)

    def fix(self, name: str) -> Dataset:
        """Apply the fix called ``name`` (see :func:`nbtrain.fix`)."""
        from nbtrain.data.clean import fix

        return fix(self, name)

    def undo(self) -> Dataset:
        """The dataset before the last edit or fix."""
        if self.parent is None:
            raise DataError("nothing to undo: no edit or fix since loading")
        return self.parent

    def changes(self) -> pd.DataFrame:
        """Every change since loading, a row each (the audit trail, e.g. to save as CSV)."""
        from nbtrain.data.audit import changes_table

        return changes_table(self)

    def reviewed(self) -> pd.DataFrame:
        """The rows a person has decided on (kept, relabelled, dropped or restored), with the decision."""
        from nbtrain.data.edits import reviewed_rows

        return reviewed_rows(self)

    def save_history(self, path: str | os.PathLike[str]) -> Path:
        """Write the edits since loading to JSON; ``nbtrain.load(..., history=path)`` replays them."""
        from nbtrain.data.audit import save_history

        return save_history(self, path)

    def write(self, path: str | os.PathLike[str], *, splits: Sequence[str] = ("train", "validation", "test")) -> tuple[Path, ...]:
        """Write each loaded file back in its own shape, with the current texts and labels (see :func:`nbtrain.data.write.write_dataset`)."""
        from nbtrain.data.write import write_dataset

        return write_dataset(self, path, splits=splits)

    def splits(self) -> dict[str, pd.DataFrame]:
        """The non-empty splits by name, in the order train, validation, test."""
        out = {"train": self.train, "validation": self.validation}
        if self.test is not None:
            out["test"] = self.test
        return out

    def label_counts(self) -> pd.DataFrame:
        """Rows per label and split: a long frame with ``split``, ``label``, ``count``.

        A multi-label row counts once for each of its labels.
        """
        parts = []
        for name, frame in self.splits().items():
            counts = self.task_handler.counts(frame["label"]).rename_axis("label").reset_index(name="count")
            counts.insert(0, "split", name)
            parts.append(counts)
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        """A few lines a person reads before training: sizes, labels, what was dropped and why."""
        sizes = ", ".join(f"{len(f):,} {n}" for n, f in self.splits().items())
        kind = " (multi-label: a set of labels per text)" if self.task == "multi_label" else ""
        listed = ", ".join(self.labels) if len(self.labels) <= 30 else ", ".join(self.labels[:30]) + ", …"
        lines = [f"{sizes} rows; {len(self.labels)} labels{kind}: {listed}"]
        lines += list(self.notices)
        if len(self.dropped):
            lines.append(f"{len(self.dropped):,} rows set aside (listed in the dropped rows, each with its reason):")
            for reason, n in self.dropped["reason"].value_counts().items():
                lines.append(f"  {n:,} × {reason}")
        if self.history:
            lines.append(f"{len(self.history)} edit(s) since loading; the last: {self.history[-1].summary}")
        return "\n".join(lines)
