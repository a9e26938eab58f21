"""The automatic validation split.

Stratified so that every label is seen in validation, and grouped by text so that a text repeated
in the file never lands on both sides (which would inflate validation scores). A label with a
single unique text (possible with ``min_examples=1``) cannot be on both sides: it trains, and
validation does not score it.
"""

from __future__ import annotations

import pandas as pd

from nbtrain.data.errors import DataError


def split_validation(
    rows: pd.DataFrame, size: float | int = 0.2, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a row frame into (train, validation).

    ``size`` is a fraction of the unique texts (0 < size < 1) or a number of unique texts. Each
    label keeps at least one text on each side when it has two or more unique texts; a label's
    only text stays in training.
    """
    from sklearn.model_selection import train_test_split  # lazy: sklearn costs seconds to import

    groups = rows.drop_duplicates("text")[["text", "label"]]
    n = len(groups)
    n_val = round(size * n) if isinstance(size, float) else int(size)
    if isinstance(size, float) and not 0 < size < 1:
        raise DataError(f"validation_size must be between 0 and 1 or a row count, got {size}")
    counts = groups["label"].value_counts()
    splittable = groups[groups["label"].isin(counts.index[counts >= 2])]
    n_labels = splittable["label"].nunique()
    n_val = max(n_val, n_labels)
    if n_labels == 0 or n_val >= len(splittable) - n_labels + 1:
        raise DataError(
            f"too few unique texts ({n}) to set aside {n_val} for validation and still train on "
            f"every one of the {groups['label'].nunique()} labels; pass a validation file or a smaller validation_size"
        )
    _, held = train_test_split(
        splittable["text"], test_size=n_val, random_state=seed, stratify=splittable["label"]
    )
    held_texts = set(held)
    in_val = rows["text"].isin(held_texts)
    return rows.loc[~in_val], rows.loc[in_val]
