"""The data report as one standalone HTML page: score, findings with their rows, and the charts.

Built on :func:`nbtrain.viz.html.html_page`, so the page carries its own Vega bundle and opens
offline. Findings are ``<details>`` elements: the message and advice show, the rows unfold.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from nbtrain.viz.html import Block, html_page, table_html
from nbtrain.viz.report_charts import report_charts

if TYPE_CHECKING:
    from nbtrain.data.finding import Finding
    from nbtrain.data.report import DataReport

CHART_TITLES = {"labels": "Label frequency", "lengths": "Text length", "labels_per_row": "Labels per row", "cooccurrence": "Labels together"}
SEVERITY_COLOURS = {"error": "#b91c1c", "warning": "#b45309", "info": "#1d4ed8", "ok": "#15803d"}
_STYLE = (
    "<style>details{margin:.4rem 0;padding:.4rem .6rem;border:1px solid #e5e7eb;border-radius:6px}"
    "summary{cursor:pointer}.sev{display:inline-block;min-width:4.5rem;font-weight:600}"
    ".advice{color:#4b5563;margin:.3rem 0}</style>"
)


def severity_badge(severity: str) -> str:
    """The severity as a coloured label."""
    colour = SEVERITY_COLOURS.get(severity, "#374151")
    return f"<span class='sev' style='color:{colour}'>{html.escape(severity.upper())}</span>"


def finding_html(finding: Finding, max_rows: int = 200) -> str:
    """One finding as a ``<details>``: badge, check name and message; advice and rows inside."""
    shown = finding.rows.head(max_rows)
    more = f"<p class='note'>First {max_rows} of {finding.count:,} rows.</p>" if finding.count > max_rows else ""
    table = table_html(shown) if len(shown) else ""
    fix = f"<p class='note'>Fix: <code>nbtrain.data.clean.{finding.fix}(dataset)</code></p>" if finding.fix else ""
    return (
        f"<details><summary>{severity_badge(finding.severity)} <b>{html.escape(finding.check)}</b> "
        f"({finding.count:,}) {html.escape(finding.message)}</summary>"
        f"<p class='advice'>{html.escape(finding.advice)}</p>{fix}{more}{table}</details>"
    )


def render_report_html(report: DataReport, max_rows: int = 200) -> str:
    """The whole report page as an HTML string."""
    counts = ", ".join(f"{n} {severity}" for severity, n in report.counts().items() if n)
    sizes = ", ".join(f"{n:,} {split}" for split, n in report.sizes.items())
    head = f"{_STYLE}<p><b style='font-size:2rem'>{report.score}</b>/100 &nbsp; {html.escape(counts)}</p><p class='note'>{html.escape(sizes)} rows.</p>"
    if report.skipped:
        head += f"<p class='note'>Skipped without an encoder: {html.escape(', '.join(report.skipped))}.</p>"
    blocks: list[tuple[str, Block]] = [
        ("Score", head),
        ("Findings", "".join(finding_html(f, max_rows) for f in report.findings)),
    ]
    blocks += [(CHART_TITLES[name], chart) for name, chart in report_charts(report).items()]
    return html_page("Data quality report", blocks)
