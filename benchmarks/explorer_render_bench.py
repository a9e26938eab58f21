"""Explorer benchmark, the browser side: from running the explorer cell to both plots drawn.

JupyterLab on 127.0.0.1 and Debian's headless Chromium, as in the browser tests. A notebook's
first cell prepares the points (explorer_bench's labelled clusters, projected with PCA; the time
of that projection is printed apart), the second builds ``EmbeddingExplorer(left, right)``. The
clock starts when the second cell is sent to the kernel and stops when both plots are drawn (every
point an SVG path, or, above the explorer's canvas threshold, the canvas painted); then a brush is dragged across one plot and timed until the other plot's
highlight follows and the kernel has the selected rows.

    .venv/bin/python benchmarks/explorer_render_bench.py [--sizes 1000 20000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser._lab import LabNotebook, drag, open_in_lab  # noqa: E402
from tests.browser._servers import start_lab, stop_server  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PREPARE = """import sys, time
sys.path.insert(0, {benchmarks!r})
from explorer_bench import embeddings, frames
from nbtrain.embed.project import project_pair
base, trained, labels = embeddings({n}, seed={n})
started = time.perf_counter()
projected = project_pair(base, trained)
projection_seconds = time.perf_counter() - started
left, right = frames({n}, {n}, projected, labels)"""

EXPLORE = """from nbtrain.widgets.explorer import EmbeddingExplorer
view = EmbeddingExplorer(left, right)
view"""

# Both plots of the cell drawn: every point as an SVG path (up to CANVAS_ABOVE points), or, on a
# canvas, any painted pixel (Vega paints a canvas scene in one synchronous pass).
DRAWN = """([index, n]) => {
    const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
    const plots = cell ? [...cell.querySelectorAll('.vega-embed')] : [];
    const drawn = plot => {
        const svg = plot.querySelector('svg.marks');
        if (svg) return svg.querySelectorAll('g.mark-symbol.role-mark path').length >= n;
        const canvas = plot.querySelector('canvas');
        if (!canvas || !canvas.width) return false;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < pixels.length; i += 4 * 31) if (pixels[i] > 0) return true;
        return false;
    };
    return plots.length === 2 && plots.every(drawn);
}"""


def notebook(n: int) -> dict:
    cells = [PREPARE.format(benchmarks=str(ROOT / "benchmarks"), n=n), EXPLORE]
    return {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None} for s in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def run_cell(nb: LabNotebook, index: int) -> None:
    """Ask Lab to run cell `index` and return at once (the clock runs until the plots are drawn)."""
    nb._call(
        "const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context?.path === path);"
        "panel.activate(); panel.content.activeCellIndex = args[0];"
        "window.jupyterapp.commands.execute('notebook:run-cell');",
        index,
    )


def measure(browser: object, lab: object, folder: Path, n: int, repeats: int) -> dict:
    path = folder / f"explorer_{n}.ipynb"
    path.write_text(json.dumps(notebook(n)))
    nb = open_in_lab(browser, lab, path)  # type: ignore[arg-type]
    try:
        run_cell(nb, 0)
        nb.wait_kernel_idle(timeout_ms=600_000)
        assert not nb.error_outputs(), nb.error_outputs()
        projection = float(nb.kernel_eval("print(projection_seconds)"))
        renders = []
        for _ in range(repeats):
            started = time.perf_counter()
            run_cell(nb, 1)
            nb.page.wait_for_function(DRAWN, arg=[1, n], timeout=600_000, polling=100)
            renders.append(time.perf_counter() - started)
            nb.wait_kernel_idle(timeout_ms=600_000)
            assert not nb.error_outputs(), nb.error_outputs()
        brush = brush_seconds(nb, n)
        renderer = "canvas" if nb.cell_containing("EmbeddingExplorer(left").locator(".vega-embed canvas").count() else "svg"
    finally:
        nb.close()
    return {"n": n, "renderer": renderer, "projection_s": projection, "render_s": renders, "brush_s": brush}


def brush_seconds(nb: LabNotebook, n: int) -> float:
    """Drag across the middle of the left plot; time until Python holds a non-empty selection."""
    plot = nb.cell_containing("EmbeddingExplorer(left").locator(".vega-embed svg.marks, .vega-embed canvas").first
    box = plot.bounding_box()
    assert box is not None
    started = time.perf_counter()
    drag(nb.page, (box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3), (box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if int(nb.kernel_eval("print(len(view.selected))")) > 0:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise AssertionError(f"no selection reached Python within 300 s at n={n}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--repeats", type=int, default=3, help="renders per size (the median is shown)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: run scripts/setup-browser.sh", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        root, home, drafts = Path(tmp) / "root", Path(tmp) / "home", Path(tmp) / "drafts"
        for folder in (root, home, drafts):
            folder.mkdir()
        lab = start_lab(root, home)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for n in args.sizes:
                print(f"n={n} ...", file=sys.stderr, flush=True)
                rows.append(measure(browser, lab, drafts, n, args.repeats))
        finally:
            browser.close()
            stop_server(lab)
    print("| points | renderer | PCA projection (both plots) s | cell run → both plots drawn s (median) | brush → rows in Python s |")
    print("|---|---|---|---|---|")
    for r in rows:
        median = statistics.median(r["render_s"])
        print(f"| {r['n']:,} | {r['renderer']} | {r['projection_s']:.2f} | {median:.1f} | {r['brush_s']:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
