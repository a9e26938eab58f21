"""Run the data checks of a dataset's task and collect the findings into one :class:`DataReport`.

:data:`~nbtrain.data.checks.PLANS` names the checks each task runs: single labels and label sets share every check that
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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nbtrain.choices import TaskKind
from nbtrain.data import checks as C
from nbtrain.data.dataset import Dataset
from nbtrain.data.errors import DataError
from nbtrain.data.finding import SEVERITIES, Finding, Severity, location, plural
from nbtrain.data.text_encoder import TextEncoder
from nbtrain.progress import Progress, resolve_progress
from nbtrain.task import label_text

#: The checks that read embeddings: they run only with an encoder.
MODEL_CHECKS = ("label_errors", "outliers", "semantic_duplicates", "semantic_leakage")
PLANS = C.PLANS
#: Every check of any task, in report order.
CHECKS = tuple(dict.fromkeys(name for plan in PLANS.values() for name in plan))
# Score: start at 100 and subtract per finding; an error costs as much as three warnings.
PENALTY: dict[Severity, int] = {"error": 25, "warning": 8, "info": 2, "ok": 0}


@dataclass(frozen=True)
class CheckConfig:
    """Which checks run and their thresholds; validated on creation so a typo fails early.

    The bounds keep large files fast: each label-error fold's classifier is fitted on at most
    ``max_fit_rows`` rows (every row still scored out of fold), and the semantic-duplicate search
    is exact up to ``exact_search_up_to`` unique texts, approximate above, keeping each text's
    ``neighbours`` nearest at cosine ``semantic_similarity`` or more. ``pair_min_conditional``
    and ``pair_min_support`` decide when one label (almost) always comes with another.

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
        lengths = C.per_row(rows, unique, np.asarray(encoder.token_lengths(unique)))
        max_length, unit = int(encoder.max_length), "tokens"
    else:
        lengths = rows["text"].str.count(r"\S+").to_numpy()
        max_length, unit = config.max_length, "words"
    plan = {name: run for name, run in C.PLANS[dataset.task].items() if name not in config.skip}
    inputs = C.CheckInputs(dataset, rows, unique, lengths, max_length, unit, config)
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


def _encode(encoder: TextEncoder, texts: list[str], progress: Progress) -> np.ndarray:
    """Embed with progress when the encoder shows it (nbtrain's does; a protocol double may not)."""
    try:
        return np.asarray(encoder.encode(texts, progress=progress))  # type: ignore[call-arg]
    except TypeError:
        return np.asarray(encoder.encode(texts))


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
