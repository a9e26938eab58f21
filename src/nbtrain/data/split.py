"""The automatic validation split.

Stratified so that every label is seen in validation, and grouped by text so that a text repeated
in the file never lands on both sides (which would inflate validation scores).
"""

from __future__ import annotations

import pandas as pd

from nbtrain.data.errors import DataError


def split_validation(
    rows: pd.DataFrame, size: float | int = 0.2, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a row frame into (train, validation).

    ``size`` is a fraction of the unique texts (0 < size < 1) or a number of unique texts. Each
    label keeps at least one text on each side when it has two or more unique texts.
    """
    from sklearn.model_selection import train_test_split  # lazy: sklearn costs seconds to import

    groups = rows.drop_duplicates("text")[["text", "label"]]
    n = len(groups)
    n_val = round(size * n) if isinstance(size, float) else int(size)
    n_labels = groups["label"].nunique()
    if isinstance(size, float) and not 0 < size < 1:
        raise DataError(f"validation_size must be between 0 and 1 or a row count, got {size}")
    n_val = max(n_val, n_labels)
    if n_val >= n - n_labels + 1:
        raise DataError(
            f"too few unique texts ({n}) to set aside {n_val} for validation and still train on "
            f"every one of the {n_labels} labels; pass a validation file or a smaller validation_size"
        )
    _, held = train_test_split(
        groups["text"], test_size=n_val, random_state=seed, stratify=groups["label"]
    )
    held_texts = set(held)
    in_val = rows["text"].isin(held_texts)
    return rows.loc[~in_val], rows.loc[in_val]
