"""A training run as one standalone HTML page: what was trained, on what, and what it bought.

The page says which model and settings, when, on which data (sizes, labels, rows set aside, edits),
the baseline against the trained model per held-out split, both embeddings side by side, the
training curve, and, when given, the data-quality findings. It carries its own Vega bundle
(:func:`nbtrain.viz.html.html_page`), so it opens offline.
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from nbtrain.viz import charts, score_charts
from nbtrain.viz.html import Block, table_html, write_html

if TYPE_CHECKING:
    from nbtrain.journey import TrainingRun


def write_run_html(run: TrainingRun, path: str | os.PathLike[str], *, report: Any = None) -> Path:
    """Write the run's page to ``path`` and return it."""
    ds, cmp = run.dataset, run.comparison
    split = "test" if "test" in cmp.splits else "validation"
    base_points, trained_points = run.projections(None)
    shapes = ", test rows as triangles" if len(cmp.splits) > 1 else ""
    table = cmp.table()
    blocks: list[tuple[str, Block]] = [
        ("What was trained", _settings_html(run)),
        ("Data", "<pre>" + html.escape(ds.summary()) + "</pre>"),
        ("Baseline versus trained", _fits_html(run) + table_html(table)),
        (f"Scores on {split}", score_charts.metric_comparison(table, split)),
        (f"Embeddings of the held-out rows (PCA, aligned{shapes})", charts.embedding_comparison(base_points, trained_points)),
        ("Training", score_charts.training_curve(run.result.history, run.result.steps)),
    ]
    if len(ds.dropped):
        blocks.insert(2, ("Rows set aside", table_html(ds.dropped)))
    if report is not None:
        from nbtrain.viz.report_html import finding_html

        findings = "".join(finding_html(f, 50) for f in report.findings if f.severity != "ok")
        blocks.insert(2, (f"Data quality {report.score}/100", findings or "<p>Every check passed.</p>"))
    return write_html(path, "nbtrain training run", blocks)


def _settings_html(run: TrainingRun) -> str:
    summary = run.result.summary
    settings = pd.DataFrame(
        {"setting": list(run.config.to_dict()), "value": [str(v) for v in run.config.to_dict().values()]}
    )
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    stopped = f"; {summary.stopped}" if summary.stopped else ""
    return (
        f"<p>Base model <code>{html.escape(run.config.model)}</code> with LoRA adapters; written {html.escape(when)}. "
        f"Trained {summary.train_seconds:.0f} s on {html.escape(summary.device)} ({summary.steps:,} steps, "
        f"{summary.epochs_seen:g} epochs; kept round {summary.kept_epoch}{html.escape(stopped)}). "
        f"Data version <code>{run.dataset.version}</code>.</p>"
        "<details><summary>All settings</summary>" + table_html(settings) + "</details>"
    )


def _fits_html(run: TrainingRun) -> str:
    parts = [
        f"{name}: both heads fitted on the {s.fitted_on} rows (baseline {s.baseline_settings()})"
        for name, s in run.comparison.splits.items()
    ]
    return "<p class='note'>" + html.escape("; ".join(parts)) + ".</p>"
