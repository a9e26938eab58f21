"""Every data check in one place: pure ``check_*`` functions that each return one :class:`Finding`.

The checks live in small modules by what they read (labels, repeated texts, the texts themselves,
the embeddings, label sets); import them from here.

>>> from nbtrain.data.checks import check_exact_duplicates, stack_splits  # doctest: +SKIP
>>> check_exact_duplicates(stack_splits(dataset)).message  # doctest: +SKIP
"""

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
from nbtrain.data.finding import Finding, Severity, stack_splits, training_rows

__all__ = [
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
    "set_aside_occurrences",
    "stack_splits",
    "training_rows",
]
