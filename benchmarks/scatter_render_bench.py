"""Scatter explorer benchmark, in a real browser: cell run → both WebGL plots drawn, lasso → rows in Python.

JupyterLab on 127.0.0.1 and Debian's headless Chromium (WebGL through SwiftShader, on the CPU),
as in the browser tests. A notebook's first cell prepares the points (explorer_bench's labelled
clusters, projected with PCA), the second builds ``ScatterExplorer(left, right)``. The render
clock starts when the second cell is sent to the kernel and stops when both plots have painted
points (pixels of a colour other than the background on each plot's canvas). Then a lasso is
drawn on the baseline plot (Shift + drag, as a person does) and timed until the kernel holds the
selected rows, (and the trained plot's, linked).

    .venv/bin/python benchmarks/scatter_render_bench.py [--sizes 80000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# tests/ as a path entry, not a package: iterative-stratification installs a top-level "tests"
# package into site-packages, which shadows the repository's tests/ namespace.
sys.path.insert(0, str(ROOT / "tests"))

from browser._lab import LabNotebook, open_in_lab  # noqa: E402
from browser._servers import start_lab, stop_server  # noqa: E402
from browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PREPARE = """import sys
sys.path.insert(0, {benchmarks!r})
from explorer_bench import embeddings, frames
from nbtrain.embed.project import project_pair
base, trained, labels = embeddings({n}, seed={n})
left, right = frames({n}, {n}, project_pair(base, trained), labels)
import jscatter  # imported here, so the render time is the widget's, not matplotlib's first import"""

EXPLORE = """import time
built = time.time()
from nbtrain.widgets.scatter_explorer import ScatterExplorer
view = ScatterExplorer(left, right)
built = [built, time.time()]
view"""

# Each plot's largest canvas has painted pixels that are not the white background. regl-scatterplot
# draws with one shared WebGL context and copies each frame onto the plot's own 2-D canvas.
DRAWN = """(index) => {
    const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
    const plots = cell ? [...cell.querySelectorAll('.nbt-scatter-plots > .widget-vbox')] : [];
    const painted = plot => {
        const canvas = [...plot.querySelectorAll('canvas')].sort((a, b) => b.width * b.height - a.width * a.height)[0];
        const context = canvas && canvas.width > 100 ? canvas.getContext('2d') : null;
        if (!context) return false;
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 0; i < pixels.length; i += 4 * 7) {
            if (pixels[i + 3] > 0 && (pixels[i] < 230 || pixels[i + 1] < 230 || pixels[i + 2] < 230)) count += 1;
        }
        return count > 50;
    };
    return plots.length === 2 && plots.every(painted);
}"""

def notebook(n: int) -> dict[str, Any]:
    cells = [PREPARE.format(benchmarks=str(ROOT / "benchmarks"), n=n), EXPLORE]
    return {
        "cells": [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None} for s in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def run_cell(nb: LabNotebook, index: int, *, wait: bool = False) -> None:
    """Ask Lab to run cell `index`; return at once (the clock runs until the plots are drawn), or,
    with `wait`, once it has run (the kernel's status can still read idle just after the request)."""
    nb._call(
        "const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context?.path === path);"
        "panel.activate(); panel.content.activeCellIndex = args[0];"
        "const done = window.jupyterapp.commands.execute('notebook:run-cell');"
        "if (args[1]) await done;",
        index,
        wait,
    )


def lasso_seconds(nb: LabNotebook) -> tuple[float, int]:
    """Pick the lasso in the baseline plot's toolbar and draw most of a circle; seconds until Python has the rows.

    The path stops short of its start: a mouse-up within a few pixels of the mouse-down is a
    click, and a click selects the one nearest point instead.
    """
    plot = nb.cell_containing("ScatterExplorer(left").locator(".nbt-scatter-plots > .widget-vbox").first
    plot.scroll_into_view_if_needed()
    plot.locator('button[title="Activate lasso selection"]').click()
    box = plot.locator("canvas").first.bounding_box()
    assert box is not None
    cx, cy, r = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5, min(box["width"], box["height"]) * 0.15
    page = nb.page
    page.mouse.move(cx + r, cy)
    page.mouse.down()
    for step in range(1, 36):
        angle = 2 * math.pi * step / 40
        page.mouse.move(cx + r * math.cos(angle), cy + r * math.sin(angle))
        time.sleep(0.02)  # the lasso records a point at most every lasso_min_delay (10 ms)
    page.mouse.up()
    released = time.perf_counter()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        selected = int(nb.kernel_eval("print(len(view.selected))"))
        if selected > 0:
            return time.perf_counter() - released, selected
        time.sleep(0.05)
    raise AssertionError("no selection reached Python within 120 s")


def measure(browser: Any, lab: Any, folder: Path, n: int, repeats: int) -> dict[str, Any]:
    path = folder / f"scatter_{n}.ipynb"
    path.write_text(json.dumps(notebook(n)))
    nb = open_in_lab(browser, lab, path)
    try:
        nb.page.set_viewport_size({"width": 1400, "height": 1000})
        run_cell(nb, 0, wait=True)
        nb.wait_kernel_idle(timeout_ms=600_000)
        assert not nb.error_outputs(), nb.error_outputs()
        renders, python, kernel = [], [], []
        for _ in range(repeats):
            started, sent = time.perf_counter(), time.time()
            run_cell(nb, 1)
            nb.page.wait_for_function(DRAWN, arg=1, timeout=600_000, polling=100)
            renders.append(time.perf_counter() - started)
            nb.wait_kernel_idle(timeout_ms=600_000)
            assert not nb.error_outputs(), nb.error_outputs()
            start, end = nb.kernel_json("built")
            python.append(end - start)
            kernel.append(end - sent)
        lasso, selected = lasso_seconds(nb)
        linked = nb.kernel_json("[len(view.scatters['trained'].widget.selection), len(view.selected)]")
        errors = nb.unexpected_console_errors()
    finally:
        nb.close()
    return {"n": n, "render_s": renders, "python_s": python, "kernel_s": kernel, "lasso_s": lasso, "selected": selected, "linked": linked, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[80_000])
    parser.add_argument("--repeats", type=int, default=3, help="renders per size: the first (a fresh page) apart, the median of the rest")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: run scripts/setup-browser.sh", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    rows = []
    load_before = os.getloadavg()
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
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min) before {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}, after {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f}, on {os.cpu_count()} cores")
    print(
        "| points | cell run → both plots drawn s: first, then the median of the others "
        "| cell sent → widget built in the kernel s (of which building it) "
        "| lasso released → rows in Python s | rows selected (trained plot's, Python's) |"
    )
    print("|---|---|---|---|---|")
    for r in rows:
        later = statistics.median(r["render_s"][1:]) if len(r["render_s"]) > 1 else float("nan")
        kernel = ", ".join(f"{k:.1f} ({p:.1f})" for k, p in zip(r["kernel_s"], r["python_s"], strict=True))
        print(f"| {r['n']:,} | {r['render_s'][0]:.1f}, then {later:.1f} | {kernel} | {r['lasso_s']:.2f} | {r['linked'][0]:,}, {r['linked'][1]:,} |")
        if r["errors"]:
            print(f"console errors at n={r['n']}: {r['errors'][:3]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
