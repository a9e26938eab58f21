"""The public entry points for data: a CSV file or a DataFrame in, a :class:`Dataset` out."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pandas as pd

from nbtrain.data.dataset import Dataset, build_dataset
from nbtrain.data.read import Column, RawRows, read_csv, read_frame

PathLike = str | os.PathLike[str]


def load_csv(
    train: PathLike,
    validation: PathLike | None = None,
    test: PathLike | None = None,
    *,
    text_column: Column = None,
    label_column: Column = None,
    header: bool | None = None,
    encoding: str | None = None,
    validation_size: float | int = 0.2,
    min_examples: int = 5,
    seed: int = 0,
) -> Dataset:
    """Load labelled texts from CSV files: the text in the first column, the label in the second.

    The header is detected (``"My order was late, 0"`` on line 1 is data, ``text,label`` is a
    header), columns can be chosen by name or position, and labels may be numbers or names. With no
    ``validation`` file a stratified ``validation_size`` share of the training texts is set aside.
    Labels with fewer than ``min_examples`` unique texts are removed, and every row that is set aside
    is kept in ``Dataset.dropped`` with its reason.

    >>> ds = load_csv("reviews.csv", validation="reviews_val.csv")  # doctest: +SKIP
    >>> print(ds.summary())  # doctest: +SKIP
    """
    def read(path: PathLike | None) -> RawRows | None:
        if path is None:
            return None
        return read_csv(path, text_column=text_column, label_column=label_column, header=header, encoding=encoding)

    train_rows = read(train)
    assert train_rows is not None
    return build_dataset(
        train_rows,
        read(validation),
        read(test),
        validation_size=validation_size,
        min_examples=min_examples,
        seed=seed,
    )


def load_frame(
    train: pd.DataFrame,
    validation: pd.DataFrame | None = None,
    test: pd.DataFrame | None = None,
    *,
    text_column: Column = None,
    label_column: Column = None,
    validation_size: float | int = 0.2,
    min_examples: int = 5,
    seed: int = 0,
) -> Dataset:
    """Like :func:`load_csv`, from pandas DataFrames; ``row`` is then the 0-based position.

    >>> df = pd.DataFrame({"text": [f"order {i} was {w}" for i in range(10) for w in ("late", "fast")],
    ...                    "label": [0, 1] * 10})
    >>> load_frame(df).labels
    ('0', '1')
    """
    def read(frame: pd.DataFrame | None, name: str) -> RawRows | None:
        if frame is None:
            return None
        return read_frame(frame, text_column=text_column, label_column=label_column, source=name)

    train_rows = read(train, "train DataFrame")
    assert train_rows is not None
    return build_dataset(
        train_rows,
        read(validation, "validation DataFrame"),
        read(test, "test DataFrame"),
        validation_size=validation_size,
        min_examples=min_examples,
        seed=seed,
    )


def sample_path() -> Path:
    """The bundled sample: customer messages labelled account, billing, delivery or technical.

    Written for nbtrain, with a few realistic flaws (a duplicate, a conflicting label, a URL, a label
    with too few examples) so that the data report has something to show.
    """
    return Path(str(resources.files("nbtrain") / "samples" / "customer_messages.csv"))
