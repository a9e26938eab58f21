"""Save any chart as PNG, SVG or a standalone HTML page, offline.

PNG and SVG are rendered by vl-convert (Vega in Rust, no browser, no network); HTML is
:func:`nbtrain.viz.html.html_page`, which carries its own Vega bundle, so the chart stays
interactive (tooltips, brush) when the file is opened without a connection.
"""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt

from nbtrain.viz.html import html_page, vegalite_version

FORMATS = ("png", "svg", "html")


def save_chart(chart: alt.TopLevelMixin, path: str | os.PathLike[str], *, scale: float = 2.0) -> Path:
    """Write ``chart`` to ``path``, the format taken from the suffix (``.png``, ``.svg``, ``.html``).

    ``scale`` multiplies the PNG's pixels (2 gives sharp images on slides and high-density
    screens). Folders are created; the path is returned.

    >>> import altair as alt
    >>> save_chart(alt.Chart().mark_point(), "chart.pdf")
    Traceback (most recent call last):
    ...
    ValueError: cannot save a chart as '.pdf': use .png, .svg or .html
    """
    target = Path(path)
    kind = target.suffix.lower().lstrip(".")
    kind = "html" if kind == "htm" else kind
    if kind not in FORMATS:
        raise ValueError(f"cannot save a chart as {target.suffix!r}: use .png, .svg or .html")
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "html":
        target.write_text(html_page(target.stem, [("", chart)]), encoding="utf-8")
        return target
    import vl_convert as vlc

    spec, version = chart.to_dict(), vegalite_version()
    if kind == "png":
        target.write_bytes(vlc.vegalite_to_png(spec, vl_version=version, scale=scale))
    else:
        target.write_text(vlc.vegalite_to_svg(spec, vl_version=version), encoding="utf-8")
    return target
