"""The public entry point for data: files or DataFrames in, a :class:`Dataset` out."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from nbtrain.choices import TaskKind
from nbtrain.data.build import build_dataset
from nbtrain.data.dataset import Dataset
from nbtrain.data.read import Column, RawRows, read_frame, read_path

PathLike = str | os.PathLike[str]
Source = PathLike | pd.DataFrame


@dataclass(frozen=True)
class ReadOptions:
    """How to read each file or frame: which columns, the header, the encoding, the label shape."""

    text_column: Column = None
    label_column: Column = None
    labels: tuple[str, ...] | None = None
    label_separator: str | None = None
    task: TaskKind | None = None
    header: bool | None = None
    encoding: str | None = None

    def read(self, source: Source, role: str) -> RawRows:
        if isinstance(source, pd.DataFrame):
            return read_frame(source, source=f"{role} DataFrame", **self._frame_options())
        return read_path(source, header=self.header, encoding=self.encoding, **self._frame_options())

    def _frame_options(self) -> dict[str, Any]:
        return {
            "text_column": self.text_column,
            "label_column": self.label_column,
            "labels": self.labels,
            "label_separator": self.label_separator,
            "task": self.task,
        }


def load(
    train: Source,
    validation: Source | None = None,
    test: Source | None = None,
    *,
    text_column: Column = None,
    label_column: Column = None,
    labels: list[str] | tuple[str, ...] | None = None,
    label_separator: str | None = None,
    task: TaskKind | None = None,
    header: bool | None = None,
    encoding: str | None = None,
    validation_size: float | int = 0.2,
    min_examples: int = 5,
    seed: int = 0,
    history: PathLike | None = None,
) -> Dataset:
    """Load labelled texts: CSV/TSV, JSON Lines, Excel or Parquet files, or pandas DataFrames.

    By default the text is the first column (or one named ``text``, ``sentence``, ...) and the
    label the second (or one named ``label``, ``class``, ...); pass ``text_column`` and
    ``label_column`` by name or 0-based position. A CSV's header is detected
    (``"My order was late, 0"`` on line 1 is data); a line taken for a header of unknown names is
    listed among the dropped rows. Labels may be numbers or names.

    Multi-label data (a set of labels per text) comes in the shapes users have: JSON Lines with a
    list (``{"text": ..., "labels": ["a", "b"]}``, an empty list meaning none of the labels), a
    label column holding several labels (``"billing;refund"``: ``;`` and ``|`` are detected, pass
    ``label_separator`` for others), one 0/1 column per label (``labels=[...]`` names them, or
    they are detected), or a DataFrame column of lists. ``task`` forces ``"single_label"`` or
    ``"multi_label"``.

    With no ``validation`` a stratified ``validation_size`` share of the training texts is set
    aside. Labels with fewer than ``min_examples`` unique texts are removed, and every row that is
    set aside is kept in ``Dataset.dropped`` with its reason. ``history`` replays edits saved by
    :meth:`Dataset.save_history`; :meth:`Dataset.write` writes the files back in their own shape,
    with the edits in them.

    >>> ds = load("reviews.csv", validation="reviews_val.csv")  # doctest: +SKIP
    >>> print(ds.summary())  # doctest: +SKIP
    """
    options = ReadOptions(
        text_column=text_column,
        label_column=label_column,
        labels=None if labels is None else tuple(labels),
        label_separator=label_separator,
        task=task,
        header=header,
        encoding=encoding,
    )
    dataset = build_dataset(
        options.read(train, "train"),
        None if validation is None else options.read(validation, "validation"),
        None if test is None else options.read(test, "test"),
        validation_size=validation_size,
        min_examples=min_examples,
        seed=seed,
    )
    if history is not None:
        from nbtrain.data.audit import replay_history

        dataset = replay_history(dataset, history)
    return dataset


def load_csv(train: PathLike, validation: PathLike | None = None, test: PathLike | None = None, **options: Any) -> Dataset:
    """Deprecated: :func:`load` reads CSV files (and more)."""
    warnings.warn("nbtrain.load_csv is deprecated: use nbtrain.load", DeprecationWarning, stacklevel=2)
    return load(train, validation, test, **options)


def load_frame(train: pd.DataFrame, validation: pd.DataFrame | None = None, test: pd.DataFrame | None = None, **options: Any) -> Dataset:
    """Deprecated: :func:`load` takes DataFrames too."""
    warnings.warn("nbtrain.load_frame is deprecated: use nbtrain.load", DeprecationWarning, stacklevel=2)
    return load(train, validation, test, **options)


def sample_path(split: str = "train") -> Path:
    """The bundled sample: customer messages labelled by sentiment, across topics.

    ``split`` is ``"train"`` or ``"test"``. Written for nbtrain, with a few realistic flaws (a
    duplicate, a conflicting label, a URL, a label with too few examples) so that the data report
    has something to show.
    """
    name = {"train": "customer_messages.csv", "test": "customer_messages_test.csv"}[split]
    return Path(str(resources.files("nbtrain") / "samples" / name))
