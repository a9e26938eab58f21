"""The automatic validation split.

Stratified so that every label is seen in validation, and grouped by text so that a text repeated
in the file never lands on both sides (which would inflate validation scores). A label with a
single unique text (possible with ``min_examples=1``) cannot be on both sides: it trains, and
validation does not score it. Multi-label rows are stratified over label combinations by
iterative stratification (Sechidis et al. 2011, through the iterative-stratification package).
"""

from __future__ import annotations

import pandas as pd

from nbtrain.data.errors import DataError


def split_validation(
    rows: pd.DataFrame, size: float | int = 0.2, seed: int = 0, *, multi_label: bool = False
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
    if multi_label:
        return _split_label_sets(rows, groups, n_val, seed)
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


def _split_label_sets(rows: pd.DataFrame, groups: pd.DataFrame, n_val: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Iterative stratification of the unique texts; texts of a label no other text has stay in training."""
    import numpy as np
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    from nbtrain.task import MULTI_LABEL

    names = MULTI_LABEL.names(groups["label"])
    y = MULTI_LABEL.targets(groups["label"].tolist(), names)
    lonely = y[:, y.sum(axis=0) < 2].sum(axis=1) > 0
    candidates = np.flatnonzero(~lonely)
    if n_val < 1 or n_val >= len(candidates):
        raise DataError(
            f"too few unique texts ({len(groups)}) to set aside {n_val} for validation; "
            "pass a validation file or a smaller validation_size"
        )
    splitter = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=n_val, random_state=seed)
    _, held = next(splitter.split(np.zeros(len(candidates)), y[candidates]))
    held_texts = set(groups["text"].iloc[candidates[held]])
    in_val = rows["text"].isin(held_texts)
    return rows.loc[~in_val], rows.loc[in_val]
