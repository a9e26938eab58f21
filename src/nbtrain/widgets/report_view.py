"""The data report in a notebook: the score, each finding with its rows, and a button per fix.

A thin view over :func:`~nbtrain.data.report.build_report` and :mod:`nbtrain.data.clean`: a fix
button applies the fix to the current dataset, records its audit trail and re-runs the report, so
what the view shows is always the report of ``view.dataset``. The dataset passed in is never
modified; every earlier state can be rebuilt from the trails.
"""

from __future__ import annotations

import html

import altair as alt
import ipywidgets as widgets

from nbtrain.data.audit import AuditTrail
from nbtrain.data.clean import ALTERNATIVES, fix
from nbtrain.data.dataset import Dataset
from nbtrain.data.errors import DataError
from nbtrain.data.finding import Finding
from nbtrain.data.report import CheckConfig, DataReport, check, describe_skipped
from nbtrain.data.text_encoder import TextEncoder
from nbtrain.viz.html import table_html
from nbtrain.viz.report_charts import report_charts
from nbtrain.viz.report_html import severity_badge
from nbtrain.widgets.explorer import enable_offline_charts


class DataReportView(widgets.VBox):
    """An interactive data-quality report; ``.dataset`` is the current data, ``.audit`` the fixes.

    >>> view = DataReportView(nbtrain.load(nbtrain.sample_path()))  # doctest: +SKIP
    >>> view.fix_buttons["drop_exact_duplicates"].click()  # doctest: +SKIP
    >>> view.audit[-1].summary  # doctest: +SKIP
    'drop_exact_duplicates: 3 rows removed'
    """

    def __init__(
        self,
        dataset: Dataset,
        encoder: TextEncoder | None = None,
        config: CheckConfig | None = None,
        *,
        max_rows: int = 100,
    ) -> None:
        super().__init__()
        enable_offline_charts()
        self.dataset = dataset
        self.encoder = encoder
        self.config = config or CheckConfig()
        self.max_rows = max_rows
        # One button per fix offered, keyed by the fix's name in nbtrain.data.clean.
        self.fix_buttons: dict[str, widgets.Button] = {}
        self.charts: dict[str, alt.JupyterChart] = {}
        self.status = widgets.HTML()
        self.report: DataReport = check(dataset, encoder, self.config)
        self._render()

    @property
    def audit(self) -> tuple[AuditTrail, ...]:
        """The fixes and edits applied since loading (``dataset.history``)."""
        return self.dataset.history

    def apply(self, name: str) -> AuditTrail | None:
        """Apply the fix called ``name`` to the current dataset and re-run the report."""
        try:
            self.dataset = fix(self.dataset, name)
        except DataError as err:
            self.status.value = f"<span style='color:#b91c1c'>{html.escape(str(err))}</span>"
            return None
        trail = self.dataset.history[-1]
        self.report = check(self.dataset, self.encoder, self.config)
        self._render()
        self.status.value = (
            f"Applied {html.escape(trail.summary)}. The removed rows are in the dataset's dropped rows; "
            "<code>view.dataset.undo()</code> goes back."
        )
        return trail

    def _render(self) -> None:
        report = self.report
        with self.hold_sync():
            self.fix_buttons = {}
            problems = [self._finding_box(f) for f in report.findings if f.severity != "ok"]
            passed = [f for f in report.findings if f.severity == "ok"]
            self.children = [
                widgets.HTML(_header(report)),
                self.status,
                *problems,
                _passed(passed),
                self._charts(),
            ]

    def _charts(self) -> widgets.Box:
        self.charts = {name: alt.JupyterChart(chart) for name, chart in report_charts(self.report).items()}
        # The label-set charts wrap under the first two rather than widening the notebook.
        return widgets.HBox(list(self.charts.values()), layout=widgets.Layout(flex_flow="row wrap"))

    def _fix_button(self, name: str) -> widgets.Button:
        button = widgets.Button(description=name.replace("_", " "), tooltip=f"nbtrain.fix(dataset, {name!r})")
        button.layout.width = "auto"
        button.on_click(lambda _button: self.apply(name))
        self.fix_buttons[name] = button
        return button

    def _finding_box(self, finding: Finding) -> widgets.VBox:
        head = widgets.HTML(
            f"{severity_badge(finding.severity)} <b>{html.escape(finding.check)}</b> "
            f"({finding.count:,}): {html.escape(finding.message)}"
            f"<div style='color:#4b5563'>{html.escape(finding.advice)}</div>"
        )
        parts: list[widgets.Widget] = [head]
        fixes = [finding.fix, *ALTERNATIVES.get(finding.fix, ())] if finding.fix else []
        buttons = [self._fix_button(name) for name in fixes]
        if buttons:
            parts.append(widgets.HBox(buttons))
        if finding.count:
            shown = finding.rows.head(self.max_rows)
            note = f"<p>First {self.max_rows} of {finding.count:,} rows.</p>" if finding.count > self.max_rows else ""
            rows = widgets.Accordion(children=[widgets.HTML(note + table_html(shown))], titles=(f"{finding.count:,} rows",))
            rows.selected_index = None
            parts.append(rows)
        return widgets.VBox(parts, layout=widgets.Layout(border="1px solid #e5e7eb", padding="4px", margin="4px 0"))


def _header(report: DataReport) -> str:
    counts = ", ".join(f"{n} {severity}" for severity, n in report.counts().items() if n)
    sizes = ", ".join(f"{n:,} {split}" for split, n in report.sizes.items())
    skipped = describe_skipped(report)
    return (
        f"<h3 style='margin:0'>Data quality {report.score}/100</h3>"
        f"<div>{html.escape(counts)} &middot; {html.escape(sizes)} rows</div>"
        + (f"<div style='color:#4b5563'>{html.escape(skipped)}</div>" if skipped else "")
    )


def _passed(findings: list[Finding]) -> widgets.Accordion:
    items = "".join(f"<li><b>{html.escape(f.check)}</b>: {html.escape(f.message)}</li>" for f in findings)
    box = widgets.Accordion(children=[widgets.HTML(f"<ul>{items}</ul>")], titles=(f"{len(findings)} checks passed",))
    box.selected_index = None
    return box
