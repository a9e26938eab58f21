"""Every data check in one place: pure ``check_*`` functions that each return one :class:`Finding`,
and :data:`PLANS`, the checks each task runs.

The checks live in small modules by what they read (labels, repeated texts, the texts themselves,
the embeddings, label sets); import them from here. A plan maps each check's name to how the report
calls it on :class:`CheckInputs`, which computes what several checks read (the near-duplicate keys,
the embeddings per row, the similar text pairs) once.

>>> from nbtrain.data.checks import check_exact_duplicates, stack_splits  # doctest: +SKIP
>>> check_exact_duplicates(stack_splits(dataset)).message  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nbtrain.choices import TaskKind
from nbtrain.data.checks_dupes import (
    check_conflicting_labels,
    check_exact_duplicates,
    check_leakage,
    check_near_duplicates,
    check_semantic_duplicates,
    check_semantic_leakage,
)
from nbtrain.data.checks_labels import (
    check_class_balance,
    check_label_variants,
    check_missing_labels,
    check_rare_labels,
    check_size,
    check_unknown_labels,
)
from nbtrain.data.checks_model import check_label_errors, check_outliers
from nbtrain.data.checks_multilabel import (
    check_label_cardinality,
    check_label_frequency,
    check_label_pairs,
    check_label_set_errors,
    cooccurrence,
    set_aside_occurrences,
)
from nbtrain.data.checks_text import (
    check_empty_texts,
    check_text_noise,
    check_token_lengths,
    check_whitespace,
)
from nbtrain.data.dataset import RARE_PREFIX, REASON_UNKNOWN_LABEL, Dataset
from nbtrain.data.errors import DataError
from nbtrain.data.finding import IN_DATA, SET_ASIDE, Finding, Severity, stack_splits, training_rows
from nbtrain.data.neighbours import SimilarTexts, similar_texts
from nbtrain.data.normalise import text_keys

if TYPE_CHECKING:
    from nbtrain.data.report import CheckConfig

__all__ = [
    "PLANS",
    "CheckInputs",
    "Finding",
    "Severity",
    "check_class_balance",
    "check_conflicting_labels",
    "check_empty_texts",
    "check_exact_duplicates",
    "check_label_cardinality",
    "check_label_errors",
    "check_label_frequency",
    "check_label_pairs",
    "check_label_set_errors",
    "check_label_variants",
    "check_leakage",
    "check_missing_labels",
    "check_near_duplicates",
    "check_outliers",
    "check_rare_labels",
    "check_semantic_duplicates",
    "check_semantic_leakage",
    "check_size",
    "check_text_noise",
    "check_token_lengths",
    "check_unknown_labels",
    "check_whitespace",
    "cooccurrence",
    "per_row",
    "set_aside_occurrences",
    "stack_splits",
    "training_rows",
]


class CheckInputs:
    """What the checks read, each computed once when first needed: the stacked rows, the
    near-duplicate keys, the embeddings per row (from ``vectors``, one per unique text, set when an
    encoder was given) and their similar pairs. Several checks share each; none pays twice."""

    def __init__(
        self, dataset: Dataset, rows: pd.DataFrame, unique: list[str], lengths: np.ndarray, max_length: int, unit: str, config: CheckConfig
    ) -> None:
        self.dataset, self.rows, self.unique, self.lengths = dataset, rows, unique, lengths
        self.max_length, self.unit, self.config = max_length, unit, config
        self.task = dataset.task_handler
        self.vectors: np.ndarray | None = None

    @cached_property
    def training(self) -> pd.DataFrame:
        return training_rows(self.dataset)

    @cached_property
    def keys(self) -> pd.Series:
        return text_keys(self.rows["text"], punctuation=self.config.punctuation)

    @cached_property
    def train_names(self) -> pd.Series:
        return self.task.explode(self.dataset.train["label"])

    @cached_property
    def occurrences(self) -> pd.DataFrame:
        aside = self.dataset.set_aside_labels
        aside = aside if aside is not None else pd.DataFrame(columns=["split", "source", "row", "label", "reason"])
        return set_aside_occurrences(aside, self.rows, self.dataset.dropped)

    @property
    def unique_vectors(self) -> np.ndarray:
        if self.vectors is None:
            raise DataError("the model-based checks need an encoder")
        return self.vectors

    @cached_property
    def embeddings(self) -> np.ndarray:
        return per_row(self.rows, self.unique, self.unique_vectors)

    @cached_property
    def labelled(self) -> np.ndarray:
        """Training and validation rows: test labels are never corrected by a model's opinion."""
        return (self.rows["split"] != "test").to_numpy()

    @cached_property
    def similar(self) -> SimilarTexts:
        cfg = self.config
        return similar_texts(
            self.unique, self.unique_vectors, min_similarity=cfg.semantic_similarity, k=cfg.neighbours,
            exact_up_to=cfg.exact_search_up_to, seed=cfg.seed,
        )  # fmt: skip


Runner = Callable[[CheckInputs], Finding]


def with_set_aside_labels(rows: pd.DataFrame, dropped: pd.DataFrame) -> pd.DataFrame:
    """``rows`` and the rows set aside at load for their label (too rare, or never trained on):
    a one-row ``Negative`` beside ``negative`` is a variant, though the rare-label rule removed it.
    The set-aside rows say so in ``status``."""
    aside = dropped[dropped["reason"].str.startswith(RARE_PREFIX) | dropped["reason"].eq(REASON_UNKNOWN_LABEL)]
    if aside.empty:
        return rows
    kept = rows.assign(status=IN_DATA)
    return pd.concat([kept, aside.drop(columns="reason").assign(status=SET_ASIDE)], ignore_index=True)

_SIZE: dict[str, Runner] = {
    "size": lambda x: check_size(
        x.training, error_below=x.config.size_error_below, warning_below=x.config.size_warning_below,
        min_per_label=x.config.min_per_label, task=x.task,
    ),
}  # fmt: skip
_LABELS: dict[str, Runner] = {
    "class_balance": lambda x: check_class_balance(
        x.training, info_ratio=x.config.imbalance_info_ratio, warning_ratio=x.config.imbalance_warning_ratio, task=x.task
    ),
    "rare_labels": lambda x: check_rare_labels(x.dataset.dropped, x.train_names),
    "label_variants": lambda x: check_label_variants(with_set_aside_labels(x.rows, x.dataset.dropped), task=x.task),
    "unknown_labels": lambda x: check_unknown_labels(x.dataset.dropped, x.train_names),
    "missing_labels": lambda x: check_missing_labels(x.dataset.dropped),
}
_TEXTS: dict[str, Runner] = {
    "exact_duplicates": lambda x: check_exact_duplicates(x.rows),
    "near_duplicates": lambda x: check_near_duplicates(x.rows, keys=x.keys),
    "conflicting_labels": lambda x: check_conflicting_labels(x.rows, keys=x.keys),
    "leakage": lambda x: check_leakage(x.rows, x.dataset.dropped, keys=x.keys),
    "empty_texts": lambda x: check_empty_texts(x.rows, x.dataset.dropped, min_words=x.config.min_words),
    "text_noise": lambda x: check_text_noise(x.rows),
    "whitespace": lambda x: check_whitespace(x.rows),
    "token_lengths": lambda x: check_token_lengths(x.rows, x.lengths, x.max_length, unit=x.unit),
}
_EMBEDDINGS: dict[str, Runner] = {
    "outliers": lambda x: check_outliers(x.rows, x.embeddings, max_z=x.config.outlier_z, task=x.task),
    "semantic_duplicates": lambda x: check_semantic_duplicates(x.rows, x.similar, keys=x.keys),
    "semantic_leakage": lambda x: check_semantic_leakage(x.rows, x.similar, keys=x.keys),
}
#: The checks each task runs, in order: shared ones where the check is the same (counting labels
#: through the task), dedicated ones where label sets need their own.
PLANS: dict[TaskKind, dict[str, Runner]] = {
    "single_label": {
        **_SIZE, **_LABELS, **_TEXTS,
        "label_errors": lambda x: check_label_errors(
            x.rows[x.labelled], x.embeddings[x.labelled], min_margin=x.config.label_error_margin,
            folds=x.config.folds, C=x.config.C, seed=x.config.seed, max_fit_rows=x.config.max_fit_rows,
        ),
        **_EMBEDDINGS,
    },
    "multi_label": {
        **_SIZE,
        "label_cardinality": lambda x: check_label_cardinality(x.rows),
        "label_frequency": lambda x: check_label_frequency(x.rows),
        "label_pairs": lambda x: check_label_pairs(
            x.training, min_conditional=x.config.pair_min_conditional, min_support=x.config.pair_min_support
        ),
        **_LABELS,
        "rare_labels": lambda x: check_rare_labels(x.occurrences, x.train_names, task=x.task),
        "unknown_labels": lambda x: check_unknown_labels(x.occurrences, x.train_names, task=x.task),
        **_TEXTS,
        "label_errors": lambda x: check_label_set_errors(
            x.rows[x.labelled], x.embeddings[x.labelled], min_margin=x.config.label_error_margin,
            folds=x.config.folds, C=x.config.C, seed=x.config.seed, max_fit_rows=x.config.max_fit_rows,
        ),
        **_EMBEDDINGS,
    },
}  # fmt: skip


def per_row(rows: pd.DataFrame, unique: list[str], values: np.ndarray) -> np.ndarray:
    """Spread per-unique-text ``values`` back to one entry per row."""
    if len(values) != len(unique):
        raise DataError(f"the encoder returned {len(values)} results for {len(unique)} texts")
    return values[pd.Index(unique).get_indexer(pd.Index(rows["text"]))]
