"""Self-contained HTML pages of charts and tables, for sharing: no CDN, opens offline.

The Vega/Vega-Lite/vega-embed bundle comes from vl-convert and is written once per page, however
many charts the page holds; charts stay interactive (tooltips, brushes).
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from pathlib import Path

import altair as alt
import pandas as pd

Block = alt.TopLevelMixin | alt.HConcatChart | alt.LayerChart | alt.Chart | str

_STYLE = """
body { font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #111827; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 0.25rem 0.6rem; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #4b5563; }
"""


def vegalite_version() -> str:
    """The Vega-Lite version Altair writes specs for, as vl-convert names it (``"6.4"``).

    From Altair's public ``VEGALITE_VERSION``; a version vl-convert does not bundle fails here,
    naming both, rather than drawing a chart wrongly.
    """
    import vl_convert as vlc

    major, minor = alt.VEGALITE_VERSION.split(".")[:2]
    wanted = f"{major}.{minor}"
    available = vlc.get_vegalite_versions()
    if wanted not in available:
        raise RuntimeError(f"vl-convert bundles Vega-Lite {', '.join(available)}, not Altair's {wanted}: upgrade vl-convert-python")
    return wanted


def html_page(title: str, blocks: Sequence[tuple[str, Block]]) -> str:
    """A full HTML document: a title, then one section per (heading, chart or HTML snippet)."""
    import vl_convert as vlc

    parts = [f"<h1>{html.escape(title)}</h1>"]
    specs = []
    for i, (heading, block) in enumerate(blocks):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if isinstance(block, str):
            parts.append(block)
        else:
            parts.append(f'<div id="chart{i}"></div>')
            specs.append((f"chart{i}", block.to_dict()))
    calls = "\n".join(
        f"vegaEmbed('#{div}', {json.dumps(spec)}, {{actions: false}}).catch(console.error);" for div, spec in specs
    )
    bundle = ""
    if specs:
        # vl-convert's stub marks ``snippet`` required; at run time it is optional
        bundle = vlc.javascript_bundle(vl_version=vegalite_version())  # type: ignore[call-arg]
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>"
        f"<script>{bundle}</script></head><body>\n"
        + "\n".join(parts)
        + f"\n<script>{calls}</script>\n</body></html>\n"
    )


def write_html(path: str | os.PathLike[str], title: str, blocks: Sequence[tuple[str, Block]]) -> Path:
    """Write :func:`html_page` to ``path`` (folders created) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html_page(title, blocks), encoding="utf-8")
    return target


#: Cell styles written on each cell: notebook HTML widgets carry no stylesheet of nbtrain's, and
#: without padding the columns of a preview run together.
_CELL = "padding:2px 10px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top"
_NUM = "padding:2px 10px;border-bottom:1px solid #e5e7eb;text-align:right;font-variant-numeric:tabular-nums"


def table_html(frame: pd.DataFrame, float_format: str = "{:.3f}") -> str:
    """A DataFrame as a plain HTML table: padded cells, numbers right-aligned (never ``-0.000``),
    label sets joined.

    >>> table_html(pd.DataFrame({"label": [("a", "b")], "score": [-0.0001]})).count("<td")
    2
    """
    head = "".join(f"<th style='{_CELL}'>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            if isinstance(value, float):
                cells.append(f"<td class='num' style='{_NUM}'>{number(value, float_format)}</td>")
            elif isinstance(value, int) and not isinstance(value, bool):
                cells.append(f"<td class='num' style='{_NUM}'>{value}</td>")
            else:
                cells.append(f"<td style='{_CELL}'>{html.escape(cell_text(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table style='border-collapse:collapse'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def number(value: float, float_format: str = "{:.3f}") -> str:
    """A float as shown in tables: a value that rounds to zero shows no sign.

    >>> number(-0.0001), number(0.25), number(float("nan"))
    ('0.000', '0.250', 'n/a')
    """
    if value != value:
        return "n/a"
    text = float_format.format(value)
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def cell_text(value: object) -> str:
    """A cell as text: a tuple of labels as ``"a; b"`` (``"(no label)"`` when empty)."""
    from nbtrain.task import label_text

    return label_text(value)
