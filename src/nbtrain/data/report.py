"""Run the data checks of a dataset's task and collect the findings into one :class:`DataReport`.

:data:`PLANS` names the checks each task runs: single labels and label sets share every check that
is the same for both (sizes and balance count labels through the task), and label sets add their
own (labels per row, label frequency by split, label pairs, per-label label errors). Model-free
checks always run; label errors, outliers and semantic duplicates need a :class:`TextEncoder` and
are skipped without one. The report embeds every unique text in a single ``encode`` call, so an
encoder that caches per text makes later plots and baselines free; nothing grows with the square
of the rows (see ``docs/data.md`` for what is bounded or approximate on large files).

>>> report = check(load("train.csv"), encoder)  # doctest: +SKIP
>>> report.score, [f.check for f in report.findings if f.severity == "error"]  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from nbtrain.choices import TaskKind
from nbtrain.data import checks as C
from nbtrain.data.dataset import Dataset
from nbtrain.data.errors import DataError
from nbtrain.data.finding import SEVERITIES, Finding, Severity, location, plural
from nbtrain.data.neighbours import SimilarTexts, similar_texts
from nbtrain.data.normalise import text_keys
from nbtrain.data.text_encoder import TextEncoder
from nbtrain.progress import Progress, resolve_progress
from nbtrain.task import label_text

MODEL_CHECKS = ("label_errors", "outliers", "semantic_duplicates", "semantic_leakage")
MULTI_LABEL_CHECKS = ("label_cardinality", "label_frequency", "label_pairs")
CHECKS = (
    "size", *MULTI_LABEL_CHECKS, "class_balance", "rare_labels", "label_variants", "unknown_labels",
    "missing_labels", "exact_duplicates", "near_duplicates", "conflicting_labels", "leakage", "empty_texts",
    "text_noise", "whitespace", "token_lengths", *MODEL_CHECKS,
)  # fmt: skip
# Score: start at 100 and subtract per finding; an error costs as much as three warnings.
PENALTY: dict[Severity, int] = {"error": 25, "warning": 8, "info": 2, "ok": 0}


@dataclass(frozen=True)
class CheckConfig:
    """Which checks run and their thresholds; validated on creation so a typo fails early.

    >>> CheckConfig(skip=("text_noise",), min_per_label=10).min_per_label
    10
    """

    skip: tuple[str, ...] = ()
    size_error_below: int = 250
    size_warning_below: int = 500
    min_per_label: int = 20
    imbalance_info_ratio: float = 1.5
    imbalance_warning_ratio: float = 3.0
    punctuation: bool = True
    min_words: int = 2
    max_length: int = 128
    label_error_margin: float = 0.5
    folds: int = 5
    C: float = 10.0
    outlier_z: float = 3.5
    seed: int = 0
    max_fit_rows: int = 10_000
    semantic_similarity: float = 0.95
    neighbours: int = 10
    exact_search_up_to: int = 10_000
    pair_min_conditional: float = 0.95
    pair_min_support: int = 10

    def __post_init__(self) -> None:
        unknown = sorted(set(self.skip) - set(CHECKS))
        if unknown:
            raise ValueError(f"unknown check(s) in skip: {unknown}; checks are {', '.join(CHECKS)}")
        if not 0 < self.size_error_below <= self.size_warning_below:
            raise ValueError("need 0 < size_error_below <= size_warning_below")
        if not 1 <= self.imbalance_info_ratio <= self.imbalance_warning_ratio:
            raise ValueError("need 1 <= imbalance_info_ratio <= imbalance_warning_ratio")
        if not 0 < self.label_error_margin <= 1:
            raise ValueError(f"label_error_margin must be in (0, 1], got {self.label_error_margin}")
        if self.folds < 2 or self.max_length < 1 or self.min_words < 1 or self.min_per_label < 1:
            raise ValueError("folds must be >= 2; max_length, min_words and min_per_label >= 1")
        if self.C <= 0 or self.outlier_z <= 0:
            raise ValueError("C and outlier_z must be positive")
        if not 0 < self.semantic_similarity <= 1 or not 0 < self.pair_min_conditional <= 1:
            raise ValueError("semantic_similarity and pair_min_conditional must be in (0, 1]")
        if min(self.max_fit_rows, self.neighbours, self.exact_search_up_to, self.pair_min_support) < 1:
            raise ValueError("max_fit_rows, neighbours, exact_search_up_to and pair_min_support must be >= 1")


@dataclass(frozen=True)
class DataReport:
    """The findings of all checks, worst first, with the numbers the charts need.

    ``score`` is 0-100: 100 minus 25 per error, 8 per warning and 2 per info, floored at 0.
    ``lengths`` has ``split``, ``row`` and ``length`` (in ``length_unit``: model tokens, or
    whitespace words when no encoder was given) for every text; ``label_counts`` has ``split``,
    ``label``, ``count`` (rows carrying the label). For label sets (``task`` "multi_label")
    ``labels_per_row`` has ``split``, ``labels``, ``rows`` and ``cooccurrence`` has ``label_a``,
    ``label_b``, ``rows`` (training rows carrying both); both are ``None`` for single labels.
    """

    score: int
    findings: tuple[Finding, ...]
    label_counts: pd.DataFrame
    lengths: pd.DataFrame
    max_length: int
    length_unit: str
    sizes: dict[str, int]
    skipped: tuple[str, ...] = field(default=())
    task: TaskKind = "single_label"
    labels_per_row: pd.DataFrame | None = None
    cooccurrence: pd.DataFrame | None = None

    def finding(self, check: str) -> Finding:
        """The finding of one check by name."""
        for f in self.findings:
            if f.check == check:
                return f
        raise KeyError(f"no finding for {check!r} (skipped or unknown)")

    def counts(self) -> dict[str, int]:
        """How many findings have each severity."""
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}

    def to_text(self, max_rows: int = 5) -> str:
        """The score, then each finding that is not ok, worst first: what, how many, which rows
        (the first ``max_rows``, by line in the file), what to do, and the fix to call."""
        lines = [f"Data quality {self.score}/100 ({', '.join(f'{n} {s}' for s, n in self.counts().items() if n)})"]
        for f in self.findings:
            if f.severity == "ok":
                continue
            lines += ["", f"{f.severity.upper()} {f.check}: {f.message}"]
            lines += [f"  {line}" for line in finding_rows_text(f, max_rows)]
            if f.advice:
                lines.append(f"  What to do: {f.advice}")
            if f.fix:
                lines.append(f"  Fix: nbtrain.fix(dataset, {f.fix!r})  (or the '{f.fix.replace('_', ' ')}' button in the report)")
        passed = [f.check for f in self.findings if f.severity == "ok"]
        if passed:
            lines += ["", f"Passed: {', '.join(passed)}."]
        if self.skipped:
            lines.append(describe_skipped(self))
        return "\n".join(lines)

    def to_dict(self, max_rows: int | None = 100) -> dict[str, object]:
        """JSON-ready data (what ``nbtrain check FILE --json`` prints); rows capped per finding."""
        return {
            "score": self.score,
            "task": self.task,
            "counts": self.counts(),
            "sizes": self.sizes,
            "skipped": list(self.skipped),
            "max_length": self.max_length,
            "length_unit": self.length_unit,
            "label_counts": self.label_counts.to_dict(orient="records"),
            "findings": [f.to_dict(max_rows) for f in self.findings],
        }

    def to_html(self, path: str | os.PathLike[str], max_rows: int = 200) -> Path:
        """Write a standalone HTML file (charts inline as SVG, no network needed) for sharing."""
        # The one upward import in nbtrain.data, kept lazy so the data package needs no Altair.
        from nbtrain.viz.report_html import render_report_html

        target = Path(path)
        target.write_text(render_report_html(self, max_rows=max_rows), encoding="utf-8")
        return target


def check(
    dataset: Dataset, encoder: TextEncoder | None = None, config: CheckConfig | None = None, *, progress: bool | Progress | None = False
) -> DataReport:
    """The data-quality report: the checks of the dataset's task that ``config`` does not skip,
    the model-based ones only with an ``encoder`` (e.g. ``nbtrain.Encoder()``). ``progress=True``
    says what it is doing.

    >>> report = nbtrain.check(nbtrain.load(nbtrain.sample_path()))
    >>> report.score <= 100
    True
    """
    config = config or CheckConfig()
    shown = resolve_progress(progress)
    if not isinstance(dataset, Dataset):
        raise DataError(f"check needs a Dataset (see nbtrain.load), got {type(dataset).__name__}")
    rows = C.stack_splits(dataset)
    unique = list(pd.unique(rows["text"]))
    if encoder is not None:
        lengths = _per_row(rows, unique, np.asarray(encoder.token_lengths(unique)))
        max_length, unit = int(encoder.max_length), "tokens"
    else:
        lengths = rows["text"].str.count(r"\S+").to_numpy()
        max_length, unit = config.max_length, "words"
    plan = {name: run for name, run in PLANS[dataset.task].items() if name not in config.skip}
    inputs = _Inputs(dataset, rows, unique, lengths, max_length, unit, config)
    wanted = [name for name in plan if name in MODEL_CHECKS]
    skipped = tuple(wanted) if encoder is None else ()
    if encoder is None:
        plan = {name: run for name, run in plan.items() if name not in MODEL_CHECKS}
    elif wanted:
        inputs.vectors = np.asarray(_encode(encoder, unique, shown), dtype=np.float32)
    with shown.phase(f"Checking {len(rows):,} rows"):
        findings = [run(inputs) for run in plan.values()]
    findings.sort(key=lambda f: SEVERITIES.index(f.severity))
    multi = dataset.task == "multi_label"
    return DataReport(
        score=max(0, 100 - sum(PENALTY[f.severity] for f in findings)),
        findings=tuple(findings),
        label_counts=dataset.label_counts(),
        lengths=rows[["split", "row"]].assign(length=lengths),
        max_length=max_length,
        length_unit=unit,
        sizes={name: len(frame) for name, frame in dataset.splits().items()},
        skipped=skipped,
        task=dataset.task,
        labels_per_row=labels_per_row(rows) if multi else None,
        cooccurrence=C.cooccurrence(inputs.training["label"]) if multi else None,
    )


def labels_per_row(rows: pd.DataFrame) -> pd.DataFrame:
    """How many rows of each split carry 0, 1, 2... labels: ``split``, ``labels``, ``rows``."""
    counted = rows.assign(labels=rows["label"].map(len)).groupby(["split", "labels"], sort=False).size()
    return counted.rename("rows").reset_index()


class _Inputs:
    """What the checks read, each computed once: the stacked rows, the near-duplicate keys, the
    embeddings of the unique texts (when an encoder was given) and their similar pairs."""

    def __init__(
        self, dataset: Dataset, rows: pd.DataFrame, unique: list[str], lengths: np.ndarray, max_length: int, unit: str, config: CheckConfig
    ) -> None:
        self.dataset, self.rows, self.unique, self.lengths = dataset, rows, unique, lengths
        self.max_length, self.unit, self.config = max_length, unit, config
        self.task = dataset.task_handler
        self.vectors: np.ndarray | None = None

    @cached_property
    def training(self) -> pd.DataFrame:
        return C.training_rows(self.dataset)

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
        return C.set_aside_occurrences(aside, self.rows, self.dataset.dropped)

    @property
    def unique_vectors(self) -> np.ndarray:
        if self.vectors is None:
            raise DataError("the model-based checks need an encoder")
        return self.vectors

    @cached_property
    def embeddings(self) -> np.ndarray:
        return _per_row(self.rows, self.unique, self.unique_vectors)

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


Runner = Callable[[_Inputs], Finding]

_SIZE: dict[str, Runner] = {
    "size": lambda x: C.check_size(
        x.training, error_below=x.config.size_error_below, warning_below=x.config.size_warning_below,
        min_per_label=x.config.min_per_label, task=x.task,
    ),
}  # fmt: skip
_LABELS: dict[str, Runner] = {
    "class_balance": lambda x: C.check_class_balance(
        x.training, info_ratio=x.config.imbalance_info_ratio, warning_ratio=x.config.imbalance_warning_ratio, task=x.task
    ),
    "rare_labels": lambda x: C.check_rare_labels(x.dataset.dropped, x.train_names),
    "label_variants": lambda x: C.check_label_variants(x.rows, task=x.task),
    "unknown_labels": lambda x: C.check_unknown_labels(x.dataset.dropped, x.train_names),
    "missing_labels": lambda x: C.check_missing_labels(x.dataset.dropped),
}
_TEXTS: dict[str, Runner] = {
    "exact_duplicates": lambda x: C.check_exact_duplicates(x.rows),
    "near_duplicates": lambda x: C.check_near_duplicates(x.rows, keys=x.keys),
    "conflicting_labels": lambda x: C.check_conflicting_labels(x.rows, keys=x.keys),
    "leakage": lambda x: C.check_leakage(x.rows, x.dataset.dropped, keys=x.keys),
    "empty_texts": lambda x: C.check_empty_texts(x.rows, x.dataset.dropped, min_words=x.config.min_words),
    "text_noise": lambda x: C.check_text_noise(x.rows),
    "whitespace": lambda x: C.check_whitespace(x.rows),
    "token_lengths": lambda x: C.check_token_lengths(x.rows, x.lengths, x.max_length, unit=x.unit),
}
_EMBEDDINGS: dict[str, Runner] = {
    "outliers": lambda x: C.check_outliers(x.rows, x.embeddings, max_z=x.config.outlier_z, task=x.task),
    "semantic_duplicates": lambda x: C.check_semantic_duplicates(x.rows, x.similar, keys=x.keys),
    "semantic_leakage": lambda x: C.check_semantic_leakage(x.rows, x.similar, keys=x.keys),
}
#: The checks each task runs, in order: shared ones where the check is the same (counting labels
#: through the task), dedicated ones where label sets need their own.
PLANS: dict[TaskKind, dict[str, Runner]] = {
    "single_label": {
        **_SIZE, **_LABELS, **_TEXTS,
        "label_errors": lambda x: C.check_label_errors(
            x.rows[x.labelled], x.embeddings[x.labelled], min_margin=x.config.label_error_margin,
            folds=x.config.folds, C=x.config.C, seed=x.config.seed, max_fit_rows=x.config.max_fit_rows,
        ),
        **_EMBEDDINGS,
    },
    "multi_label": {
        **_SIZE,
        "label_cardinality": lambda x: C.check_label_cardinality(x.rows),
        "label_frequency": lambda x: C.check_label_frequency(x.rows),
        "label_pairs": lambda x: C.check_label_pairs(
            x.training, min_conditional=x.config.pair_min_conditional, min_support=x.config.pair_min_support
        ),
        **_LABELS,
        "rare_labels": lambda x: C.check_rare_labels(x.occurrences, x.train_names, task=x.task),
        "unknown_labels": lambda x: C.check_unknown_labels(x.occurrences, x.train_names, task=x.task),
        **_TEXTS,
        "label_errors": lambda x: C.check_label_set_errors(
            x.rows[x.labelled], x.embeddings[x.labelled], min_margin=x.config.label_error_margin,
            folds=x.config.folds, C=x.config.C, seed=x.config.seed, max_fit_rows=x.config.max_fit_rows,
        ),
        **_EMBEDDINGS,
    },
}  # fmt: skip


def _encode(encoder: TextEncoder, texts: list[str], progress: Progress) -> np.ndarray:
    """Embed with progress when the encoder shows it (nbtrain's does; a protocol double may not)."""
    try:
        return np.asarray(encoder.encode(texts, progress=progress))  # type: ignore[call-arg]
    except TypeError:
        return np.asarray(encoder.encode(texts))


def _per_row(rows: pd.DataFrame, unique: list[str], values: np.ndarray) -> np.ndarray:
    """Spread per-unique-text ``values`` back to one entry per row."""
    if len(values) != len(unique):
        raise DataError(f"the encoder returned {len(values)} results for {len(unique)} texts")
    return values[pd.Index(unique).get_indexer(rows["text"])]


def finding_rows_text(finding: Finding, max_rows: int) -> list[str]:
    """The first rows of a finding as lines: where each is (split, file, line), its label and text."""
    if finding.count == 0 or max_rows <= 0:
        return []
    lines = []
    for row in finding.rows.head(max_rows).itertuples(index=False):
        text = str(row.text)
        text = text if len(text) <= 70 else text[:69] + "…"
        lines.append(f"{row.split}, {location(row.source, row.row)} [{label_text(row.label)}]: {text!r}")
    if finding.count > max_rows:
        lines.append(f"… and {finding.count - max_rows:,} more (all of them in report.finding({finding.check!r}).rows)")
    return lines


def describe_skipped(report: DataReport) -> str:
    """A sentence on the checks skipped for lack of an encoder, or ``""``."""
    if not report.skipped:
        return ""
    return f"{plural(len(report.skipped), 'check')} skipped without an encoder: {', '.join(report.skipped)}."
