"""notebooks/quickstart.ipynb in JupyterLab on the tiny model: the journey as a person clicks it.

Run-all must leave no error output and draw the widgets; the train panel's Start button must
start a run whose progress streams into the page; a brush dragged on the comparison's trained
plot must select, in Python, exactly the rows inside the range Python received. Pixels are mapped
to data through the drawn points' own values (their aria-labels), so the test checks Vega's
scales and the Python filter independently of the chart's layout.

``NBTRAIN_BROWSER_MODEL=default NBTRAIN_DOCS_IMAGES=1`` runs them on the real model and copies the
comparison screenshot to docs/images/quickstart-lab.png and the live training panel's to
docs/images/train-panel.png (``-k "not start_button"`` skips the second training run, minutes on
the real model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from ._lab import LabNotebook, drag, expect, open_in_lab, wait_until_stable
from ._servers import Server

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "notebooks" / "quickstart.ipynb"
TRAIN_TIMEOUT_MS = 180_000
Box = tuple[float, float, float, float]  # left, top, right, bottom: pixels from the plot corner
HALF_BOX = (45.0, 35.0)  # half the brush's width and height in pixels
PX_TOLERANCE = 2.0


def with_parameters(source: Path, target: Path, parameters: str) -> Path:
    """Copy a notebook with its ``parameters`` cell replaced, as papermill would."""
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = parameters
    nbformat.write(nb, target)
    return target


@pytest.fixture(scope="module")
def quickstart(
    browser: Any, lab: Server, browser_model: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabNotebook]:
    """The quickstart open in Lab with every cell run once, shared by this module's tests."""
    path = with_parameters(
        QUICKSTART,
        tmp_path_factory.mktemp("quickstart") / QUICKSTART.name,
        f"MODEL = {browser_model!r}\nEPOCHS = 2\nOUT = 'out/quickstart'",
    )
    nb = open_in_lab(browser, lab, path)
    nb.page.set_viewport_size({"width": 1400, "height": 1000})
    nb.run_all_cells()
    yield nb
    nb.close()


def test_run_all_has_no_errors_and_draws_the_widgets(
    quickstart: LabNotebook, artifacts: Path
) -> None:
    assert quickstart.error_outputs() == []
    expect(quickstart.page.locator(".nbt-train")).to_have_attribute("data-status", "done")
    charts = quickstart.page.locator(".vega-embed svg")
    charts.first.wait_for(state="attached")
    assert charts.count() >= 4  # data view, report, and the two explorer plots at least
    assert quickstart.unexpected_console_errors() == []
    quickstart.screenshot(artifacts, "lab-quickstart-ran")


def test_start_button_streams_progress_until_done(
    quickstart: LabNotebook, artifacts: Path, docs_image: Callable[[Path, str], None]
) -> None:
    page = quickstart.page
    panel = page.locator(".nbt-train")
    panel.scroll_into_view_if_needed()
    before = page.locator(".nbt-stats").inner_text()
    # Record every state the panel passes through: a final check alone would miss the streaming.
    page.evaluate(
        """() => {
        const root = document.querySelector('.nbt-train');
        const fill = root.querySelector('.nbt-fill');
        const stats = root.querySelector('.nbt-stats');
        window.nbtSeen = [];
        new MutationObserver(() => window.nbtSeen.push(
            {status: root.dataset.status, width: parseFloat(fill.style.width), stats: stats.textContent}
        )).observe(root, {attributes: true, childList: true, subtree: true, characterData: true});
    }"""
    )
    page.locator(".nbt-start").click()
    page.wait_for_function(
        "() => window.nbtSeen.some(s => s.status === 'running')", timeout=TRAIN_TIMEOUT_MS
    )
    expect(panel).to_have_attribute("data-status", "done", timeout=TRAIN_TIMEOUT_MS)
    seen = page.evaluate("window.nbtSeen")
    assert any(0 < s["width"] < 100 for s in seen if s["status"] == "running"), seen
    assert seen[-1]["width"] == 100
    assert len({s["stats"] for s in seen}) > 2
    after = page.locator(".nbt-stats").inner_text()
    assert after != before  # speed and elapsed time differ from the first run's
    assert quickstart.kernel_json(
        "[panel.status, panel.error is None, panel.step == panel.total_steps > 0]"
    ) == [
        "done",
        True,
        True,
    ]
    quickstart.screenshot(artifacts, "lab-quickstart-trained-again")
    shot = artifacts / "train-panel.png"
    panel.screenshot(path=str(shot))
    docs_image(shot, "train-panel.png")


def explorer_plot(nb: LabNotebook, name: str) -> Any:
    """The SVG of the comparison view's ``name`` plot ("baseline" or "trained")."""
    plots = nb.cell_containing("view = nbtrain.explore(run)").locator(".vega-embed svg.marks")
    svg = plots.nth(["baseline", "trained"].index(name))
    svg.scroll_into_view_if_needed()
    return svg


def drawn_points(svg: Any) -> list[dict[str, float]]:
    """Each drawn point's centre in pixels from the plot's top left, and the x, y it states.

    Relative to the plot, so a scroll between reading the points and dragging cannot shift them.
    """
    return list(
        svg.evaluate(
            r"""svg => [...svg.querySelectorAll('g.mark-symbol.role-mark path')].map(p => {
            const origin = svg.getBoundingClientRect();
            const b = p.getBoundingClientRect();
            const box = {x: b.x - origin.x, y: b.y - origin.y, width: b.width, height: b.height};
            const label = p.getAttribute('aria-label');
            const value = key => parseFloat(
                label.match(new RegExp('(?:^|; )' + key + ': ([^;]+)'))[1].replace('\u2212', '-'));
            return {px: box.x + box.width / 2, py: box.y + box.height / 2, x: value('x'), y: value('y')};
        })"""
        )
    )


def fit_scale(points: list[dict[str, float]], pixel: str, data: str) -> tuple[float, float]:
    """Least-squares ``pixel = a * data + b`` over the drawn points: the plot's own linear scale."""
    n = len(points)
    mean_d = sum(p[data] for p in points) / n
    mean_p = sum(p[pixel] for p in points) / n
    cov = sum((p[data] - mean_d) * (p[pixel] - mean_p) for p in points)
    var = sum((p[data] - mean_d) ** 2 for p in points)
    a = cov / var
    return a, mean_p - a * mean_d


def count_inside(points: list[dict[str, float]], box: Box) -> int:
    left, top, right, bottom = box
    return sum(left <= p["px"] <= right and top <= p["py"] <= bottom for p in points)


def pick_boxes(points: list[dict[str, float]]) -> tuple[Box, Box]:
    """Two disjoint brush boxes inside the cloud of points, each around the densest spot it can get.

    Disjoint so the second drag starts outside the first brush (a drag inside it would move it).
    """
    hw, hh = HALF_BOX
    lo_x, hi_x = min(p["px"] for p in points) + hw, max(p["px"] for p in points) - hw
    lo_y, hi_y = min(p["py"] for p in points) + hh, max(p["py"] for p in points) - hh
    centres = [
        (p["px"], p["py"]) for p in points if lo_x <= p["px"] <= hi_x and lo_y <= p["py"] <= hi_y
    ]

    def box(x: float, y: float) -> Box:
        return (x - hw, y - hh, x + hw, y + hh)

    first = max((box(*c) for c in centres), key=lambda b: count_inside(points, b))
    fx, fy = (first[0] + first[2]) / 2, (first[1] + first[3]) / 2
    apart = [c for c in centres if abs(c[0] - fx) > 2 * hw + 10 or abs(c[1] - fy) > 2 * hh + 10]
    assert apart, "the points are too close together for two separate brushes"
    second = max((box(*c) for c in apart), key=lambda b: count_inside(points, b))
    return first, second


def brush(nb: LabNotebook, name: str, box: Box) -> dict[str, list[float]]:
    """Drag ``box`` on the ``name`` plot; return the brush value Python settled on.

    The value must be the data range of the dragged pixels, to within ``PX_TOLERANCE`` pixels.
    """
    svg = explorer_plot(nb, name)
    points = drawn_points(svg)
    (ax, bx), (ay, by) = fit_scale(points, "px", "x"), fit_scale(points, "py", "y")
    left, top, right, bottom = box
    read = f"view.charts[{name!r}].selections.brush.value"
    before = nb.kernel_json(read)
    origin = svg.bounding_box()
    assert origin is not None
    x0, y0 = origin["x"], origin["y"]
    drag(nb.page, (x0 + left, y0 + top), (x0 + right, y0 + bottom))

    def changed() -> Any:
        # Two equal reads of the previous brush must not count as the new one settling.
        now = nb.kernel_json(read)
        return now if now != before else None

    value: dict[str, list[float]] = wait_until_stable(changed)
    dragged = {
        "x": sorted(((left - bx) / ax, (right - bx) / ax)),
        "y": sorted(((top - by) / ay, (bottom - by) / ay)),
    }
    for axis, scale in (("x", ax), ("y", ay)):
        assert sorted(value[axis]) == pytest.approx(dragged[axis], abs=PX_TOLERANCE / abs(scale))
    return value


def ids_inside(rows: list[dict[str, float]], value: dict[str, list[float]]) -> list[int]:
    """Ids of the rows whose x and y lie in the brush range (inclusive), computed by the test."""
    (x0, x1), (y0, y1) = sorted(value["x"]), sorted(value["y"])
    return sorted(int(r["id"]) for r in rows if x0 <= r["x"] <= x1 and y0 <= r["y"] <= y1)


def selected_ids(nb: LabNotebook) -> list[int]:
    return list(nb.kernel_json("sorted(int(i) for i in view.selected['id'])"))


def trained_rows(nb: LabNotebook) -> list[dict[str, float]]:
    return list(nb.kernel_json("view.trained[['id', 'x', 'y']].to_dict('records')"))


def test_brush_on_the_trained_plot_selects_exactly_the_rows_inside(
    quickstart: LabNotebook, artifacts: Path, docs_image: Callable[[Path, str], None]
) -> None:
    first, _ = pick_boxes(drawn_points(explorer_plot(quickstart, "trained")))
    value = brush(quickstart, "trained", first)
    expected = ids_inside(trained_rows(quickstart), value)
    assert expected, f"the brush {value} holds no rows"
    assert selected_ids(quickstart) == expected
    note = quickstart.page.locator(".nbt-note", has_text="selected")
    expect(note).to_contain_text(f"{len(expected)} selected")
    shot = save_comparison(quickstart, artifacts / "lab-quickstart-comparison.png")
    docs_image(shot, "quickstart-lab.png")


def test_brush_check_tells_two_regions_apart(quickstart: LabNotebook) -> None:
    """A second, disjoint brush replaces the selection: the check can see a wrong selection.

    The second box is dragged first: the previous test left a brush on the first box, and a
    drag that starts inside a brush moves it instead of drawing a new one.
    """
    first, second = pick_boxes(drawn_points(explorer_plot(quickstart, "trained")))
    rows = trained_rows(quickstart)
    second_ids = ids_inside(rows, brush(quickstart, "trained", second))
    assert second_ids, "the second brush holds no rows"
    assert selected_ids(quickstart) == second_ids
    first_ids = ids_inside(rows, brush(quickstart, "trained", first))
    assert selected_ids(quickstart) == first_ids
    assert not set(first_ids) & set(second_ids)


def save_comparison(nb: LabNotebook, path: Path) -> Path:
    """Screenshot the explorer's controls, both plots and the selection count, nothing else."""
    plots = explorer_plot(nb, "baseline").locator(
        "xpath=ancestor::div[contains(@class, 'widget-hbox')][1]"
    )
    explorer = plots.locator("xpath=..")
    explorer.evaluate("e => e.scrollIntoView({block: 'start'})")
    top, bottom = explorer.bounding_box(), plots.bounding_box()
    assert top is not None
    assert bottom is not None
    height = bottom["y"] + bottom["height"] - top["y"] + 60
    clip = {"x": top["x"], "y": top["y"], "width": top["width"], "height": height}
    path.parent.mkdir(parents=True, exist_ok=True)
    nb.page.screenshot(path=str(path), clip=clip)
    return path
