"""notebooks/correction.ipynb in JupyterLab: fix wrong labels where you see them, as a person does.

The explorer's relabel: a brush dragged on the baseline plot, a label chosen in the edit bar, the
Relabel button pressed; Python's ``explorer.dataset`` must have the new label on exactly the
brushed rows, and the plot must recolour them. The points sit on a grid and pixels are mapped to
data through the drawn points' own values, so the rows inside the brush are known independently
of the widget. The review queue's keyboard flow: keys pressed on the queue become decisions in
Python, the page shows "n of m reviewed", the decisions are saved, and JupyterLab's own one-key
shortcuts (``a`` inserts a cell, ``d d`` deletes one) do not fire while the queue has the focus.
The WebGL explorer (jupyter-scatter) gets the same relabel from a lasso drawn with its toolbar's
lasso tool.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from textdata import make_texts

from ._lab import LabNotebook, drag, expect, open_in_lab, wait_until_stable
from ._servers import Server
from .test_quickstart import fit_scale, with_parameters

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).parent / "notebooks" / "correction.ipynb"
# Brush region in data units, edges halfway between grid points (the grid's ids are 4 * y + x).
REGION = ((0.5, 2.5), (0.5, 1.5))
REGION_IDS = [5, 6]
BRUSHED_XY = [(1.0, 1.0), (2.0, 1.0)]


@pytest.fixture(scope="module")
def correction(
    browser: Any, lab: Server, browser_model: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabNotebook]:
    """The notebook open in Lab on the tiny model, every cell run once."""
    assert lab.root_dir is not None
    make_texts(20).to_csv(lab.root_dir / "correction.csv", index=False)
    path = with_parameters(
        NOTEBOOK,
        tmp_path_factory.mktemp("correction") / NOTEBOOK.name,
        f'MODEL = {browser_model!r}\nDATA = "correction.csv"\nSAVE_TO = "review.json"',
    )
    nb = open_in_lab(browser, lab, path)
    nb.page.set_viewport_size({"width": 1400, "height": 1000})
    nb.run_all_cells()
    yield nb
    nb.close()


def baseline_plot(nb: LabNotebook) -> Any:
    svg = nb.cell_containing("EmbeddingExplorer(points").locator(".vega-embed svg.marks").first
    svg.scroll_into_view_if_needed()
    return svg


def drawn(svg: Any) -> list[dict[str, Any]]:
    """Every drawn point: pixel centre from the plot's corner, its x and y, fill and aria-label."""
    return list(
        svg.evaluate(
            r"""svg => [...svg.querySelectorAll('g.mark-symbol.role-mark path')].map(p => {
            const origin = svg.getBoundingClientRect(), b = p.getBoundingClientRect();
            const label = p.getAttribute('aria-label');
            const value = key => parseFloat(label.match(new RegExp('(?:^|; )' + key + ': ([^;]+)'))[1].replace('\u2212', '-'));
            return {px: b.x - origin.x + b.width / 2, py: b.y - origin.y + b.height / 2,
                    x: value('x'), y: value('y'), fill: p.getAttribute('fill'), aria: label};
        })"""
        )
    )


def test_relabel_from_a_brush_changes_exactly_those_rows_and_recolours_them(correction: LabNotebook, artifacts: Path) -> None:
    nb = correction
    assert nb.error_outputs() == []
    svg = baseline_plot(nb)
    before = drawn(svg)
    assert len(before) == 12
    (ax, bx), (ay, by) = fit_scale(before, "px", "x"), fit_scale(before, "py", "y")
    (x0, x1), (y0, y1) = REGION
    origin = svg.bounding_box()
    assert origin is not None
    drag(nb.page, (origin["x"] + ax * x0 + bx, origin["y"] + ay * y0 + by), (origin["x"] + ax * x1 + bx, origin["y"] + ay * y1 + by))
    selected = wait_until_stable(lambda: nb.kernel_json("sorted(int(i) for i in explorer.selected['id'])"))
    grid = nb.kernel_json("explorer.baseline[['id', 'x', 'y']].to_dict('records')")
    inside = sorted(int(p["id"]) for p in grid if x0 <= p["x"] <= x1 and y0 <= p["y"] <= y1)
    assert selected == inside == REGION_IDS

    # the highlight follows the brush: the other ten points turn grey
    brushed = wait_until_stable(lambda: [p for p in drawn(baseline_plot(nb)) if p["fill"] != "lightgray"])
    assert sorted((p["x"], p["y"]) for p in brushed) == BRUSHED_XY

    old = nb.kernel_json("explorer.selected['label'].tolist()")
    labels = nb.kernel_json("list(ds.labels)")
    new_label = next(label for label in labels if label not in old)
    cell = nb.cell_containing("EmbeddingExplorer(points")
    cell.locator(".nbt-edit-bar select").select_option(label=new_label)
    cell.locator(".nbt-edit-bar button", has_text="Relabel").click()
    expect(cell.locator(".nbt-edit-bar .nbt-note")).to_contain_text("2 rows relabelled")

    changed = nb.kernel_json(
        "(lambda m: m.loc[m['label'] != m['label_before'], 'row'].tolist())"
        "(explorer.dataset.validation.merge(ds.validation, on=['source', 'row'], suffixes=('', '_before')))"
    )
    assert changed == nb.kernel_json(f"explorer.baseline.loc[{REGION_IDS}, 'row'].tolist()")
    assert nb.kernel_json("sorted(set(explorer.dataset.validation.set_index('row').loc[explorer.selected['row'], 'label']))") == [new_label]

    # the plot recolours: the brushed points now say and show the new label, the others are as they were
    def recoloured() -> list[dict[str, Any]]:
        now = drawn(baseline_plot(nb))
        moved = [p for p in now if (p["x"], p["y"]) in BRUSHED_XY]
        return now if all(f"label: {new_label}" in p["aria"] for p in moved) else []

    after = {(p["x"], p["y"]): p for p in wait_until_stable(recoloured)}
    colour_before = {(p["x"], p["y"]): p["fill"] for p in brushed}
    for key in BRUSHED_XY:
        assert after[key]["fill"] not in (colour_before[key], "lightgray")
    for point in before:
        key = (point["x"], point["y"])
        if key not in BRUSHED_XY:
            assert after[key]["aria"] == point["aria"]
            assert after[key]["fill"] == "lightgray"
    nb.screenshot(artifacts, "lab-correction-relabel")
    assert nb.unexpected_console_errors() == []


def queue_state(nb: LabNotebook) -> dict[str, Any]:
    return dict(nb.kernel_json("{'status': queue.status, 'position': queue.position, 'decisions': queue.decisions[:6], 'labels': queue.labels}"))


def test_review_queue_keys_become_decisions_in_python(correction: LabNotebook, artifacts: Path) -> None:
    nb = correction
    total = nb.kernel_json("len(queue.items)")
    assert total >= 5, "the tiny model should contradict at least five labels"
    root = nb.page.locator(".nbt-queue")
    status = root.locator(".nbt-q-status")
    expect(status).to_have_text(f"0 of {total} reviewed")
    cells = nb.page.locator(".jp-Notebook .jp-Cell").count()
    root.locator(".nbt-q-card").click()  # focus the queue, as a person would

    def press(key: str, done: int) -> dict[str, Any]:
        nb.page.keyboard.press(key)
        expect(status).to_have_text(f"{done} of {total} reviewed")
        return queue_state(nb)

    state = press("k", 1)
    assert state["decisions"][0] == "kept"
    assert state["position"] == 1
    suggested = nb.kernel_json("queue.items['suggested'].iloc[1]")
    state = press("a", 2)
    assert state["decisions"][1] == f"relabelled → {suggested}"
    second = state["labels"][1]
    given = nb.kernel_json("queue.items['label'].iloc[2]")
    state = press("2", 3)
    assert state["decisions"][2] == ("kept" if given == second else f"relabelled → {second}")
    state = press("u", 2)
    assert state["decisions"][2] == ""
    assert state["position"] == 2
    expect(root.locator(".nbt-q-where")).to_contain_text("#3")
    state = press("d", 3)
    state = press("d", 4)
    assert state["decisions"][2:4] == ["dropped", "dropped"]
    nb.page.keyboard.press("ArrowLeft")
    expect(root.locator(".nbt-q-where")).to_contain_text("#4")
    assert queue_state(nb)["position"] == 3

    assert nb.page.locator(".jp-Notebook .jp-Cell").count() == cells  # no "a" insert, no "d d" delete
    assert nb.kernel_json("len(queue.dataset.history)") == 4
    assert nb.kernel_json("len(__import__('json').load(open(SAVE_TO))['edits'])") == 4
    assert root.locator(".nbt-q-table tr.nbt-q-current").count() == 1
    nb.screenshot(artifacts, "lab-correction-queue")
    assert nb.error_outputs() == []
    assert nb.unexpected_console_errors() == []


def canvas_pixels(plot: Any) -> str:
    """A fingerprint of what the plot's canvas shows (the largest canvas: the points)."""
    return str(
        plot.evaluate(
            """plot => {
            const canvas = [...plot.querySelectorAll('canvas')].sort((a, b) => b.width * b.height - a.width * a.height)[0];
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let hash = 0;
            for (let i = 0; i < data.length; i += 4) hash = (hash * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2]) % 1000000007;
            return hash;
        }"""
        )
    )


def test_lasso_and_relabel_on_the_webgl_explorer(correction: LabNotebook, artifacts: Path) -> None:
    """A lasso over the left half of the baseline plot (grid x = 0 and 1) selects those rows in
    Python and in the linked plot; a relabel recolours the canvas and keeps the selection."""
    nb = correction
    cell = nb.cell_containing("ScatterExplorer(points")
    plot = cell.locator(".nbt-scatter-plots > .widget-vbox").first
    plot.scroll_into_view_if_needed()
    plot.locator('button[title="Activate lasso selection"]').click()
    box = plot.locator("canvas").first.bounding_box()
    assert box is not None
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    # the left half, inset; the path stops short of its start (a release where it began is a click)
    corners = [(0.04, 0.04), (0.46, 0.04), (0.46, 0.96), (0.04, 0.96), (0.04, 0.12)]
    nb.page.mouse.move(left + corners[0][0] * width, top + corners[0][1] * height)
    nb.page.mouse.down()
    for (fx0, fy0), (fx1, fy1) in itertools.pairwise(corners):
        for step in range(1, 11):
            t = step / 10
            nb.page.mouse.move(left + (fx0 + t * (fx1 - fx0)) * width, top + (fy0 + t * (fy1 - fy0)) * height)
            time.sleep(0.02)  # the lasso records a point at most every 10 ms
    nb.page.mouse.up()

    expected = nb.kernel_json("sorted(int(i) for i in points.index[points['x'] <= 1])")
    selected = wait_until_stable(lambda: nb.kernel_json("sorted(int(i) for i in scatter.selected.index)"))
    assert selected == expected == [0, 1, 4, 5, 8, 9]
    assert nb.kernel_json("sorted(int(i) for i in scatter.scatters['trained'].widget.selection)") == expected

    before = canvas_pixels(plot)
    new_label = nb.kernel_json("list(ds.labels)")[0]
    cell.locator(".nbt-edit-bar select").select_option(label=new_label)
    cell.locator(".nbt-edit-bar button", has_text="Relabel").click()
    expect(cell.locator(".nbt-edit-bar .nbt-note")).to_contain_text("relabelled")
    labels = nb.kernel_json("scatter.dataset.validation.set_index('row').loc[points['row'], 'label'].tolist()")
    original = nb.kernel_json("points['label'].tolist()")
    assert [labels[i] for i in expected] == [new_label] * len(expected)
    assert [labels[i] for i in range(len(labels)) if i not in expected] == [original[i] for i in range(len(labels)) if i not in expected]
    wait_until_stable(lambda: canvas_pixels(plot) != before)
    assert nb.kernel_json("sorted(int(i) for i in scatter.selected.index)") == expected
    nb.screenshot(artifacts, "lab-correction-scatter")
    assert nb.error_outputs() == []
    assert nb.unexpected_console_errors() == []
