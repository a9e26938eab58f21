"""Prove the browser harness on notebooks/brush_probe.ipynb, in JupyterLab and in Voilà.

The probe has what nbtrain's widgets need tested in a real browser: an offline `JupyterChart`
whose interval brush only a real mouse drag can set, and an ipywidgets button whose click must
reach Python. The brush tests map the drag to data coordinates independently of the chart, so
they check that Python receives exactly the points a person framed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._lab import (
    BrowserPage,
    LabNotebook,
    drag,
    expect,
    open_in_lab,
    open_in_voila,
    wait_until_stable,
)
from ._servers import Server

pytestmark = pytest.mark.browser

PROBE = "brush_probe.ipynb"
Rect = tuple[tuple[float, float], tuple[float, float]]
# Brush regions in data units, edges halfway between grid points: one grid step is 60 px,
# so pixel rounding cannot move a point across an edge.
REGION_A: Rect = ((0.5, 2.5), (0.5, 2.5))
REGION_B: Rect = ((4.5, 2.5), (3.5, 1.5))  # dragged right to left, bottom to top
PX_TOLERANCE = 2.0


@pytest.fixture(scope="module")
def probe(browser: Any, lab: Server, notebooks: Path) -> Iterator[LabNotebook]:
    """The probe open in Lab with all cells run once, shared by this module's Lab tests."""
    nb = open_in_lab(browser, lab, notebooks / PROBE)
    nb.run_all_cells()
    yield nb
    nb.close()


def points_inside(points: list[dict[str, float]], region: Rect) -> list[int]:
    """Ids of the points inside `region`, computed here and not by the notebook."""
    (x0, x1), (y0, y1) = (sorted(r) for r in region)
    return sorted(int(p["id"]) for p in points if x0 <= p["x"] <= x1 and y0 <= p["y"] <= y1)


def center(nb: LabNotebook, x: int, y: int) -> tuple[float, float]:
    """Page pixel at the centre of the point drawn for data (x, y), found by its aria-label."""
    box = nb.page.locator(f'.vega-embed svg.marks path[aria-label="x: {x}; y: {y}"]').bounding_box()
    assert box is not None, f"no point drawn at ({x}, {y})"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_brush(nb: LabNotebook, region: Rect) -> None:
    """Drag the brush over `region` (data units); wait until the value Python sees settles.

    Pixels come from two drawn points of known data value, i.e. from the chart's own scales,
    so the test does not depend on Vega's layout, padding or axis widths.
    """
    nb.page.locator(".vega-embed svg.marks").first.scroll_into_view_if_needed()
    (px0, py0), (px1, py1) = center(nb, 0, 0), center(nb, 5, 4)
    x_px, y_px = (px1 - px0) / 5, (py1 - py0) / 4  # pixels per data unit (y_px < 0)

    def to_px(x: float, y: float) -> tuple[float, float]:
        return px0 + x * x_px, py0 + y * y_px

    (x_start, x_end), (y_start, y_end) = region
    drag(nb.page, to_px(x_start, y_start), to_px(x_end, y_end))
    value = wait_until_stable(lambda: nb.kernel_json("chart.selections.brush.value"))
    for axis, dragged, scale in (("x", region[0], x_px), ("y", region[1], y_px)):
        tolerance = PX_TOLERANCE / abs(scale)
        assert sorted(value[axis]) == pytest.approx(sorted(dragged), abs=tolerance)


def test_lab_runs_cleanly_and_draws_the_chart(probe: LabNotebook, artifacts: Path) -> None:
    assert probe.error_outputs() == []
    probe.page.locator(".vega-embed svg.marks").first.wait_for(state="visible")
    assert probe.page.locator(".vega-embed svg.marks g.mark-symbol path").count() == 30
    assert probe.unexpected_console_errors() == []
    probe.screenshot(artifacts, "lab-probe-ran")


def test_lab_button_click_reaches_python(probe: LabNotebook) -> None:
    before = probe.kernel_json("clicks['count']")
    probe.page.locator(".probe-button").click()
    expect(probe.page.locator(".probe-clicks")).to_have_text(f"clicks: {before + 1}")
    assert probe.kernel_json("clicks['count']") == before + 1


def test_lab_brush_selects_exactly_the_dragged_points(probe: LabNotebook, artifacts: Path) -> None:
    points = probe.kernel_json("points.to_dict('records')")
    drag_brush(probe, REGION_A)
    received = probe.kernel_json("sorted(brushed().id.tolist())")
    assert received == points_inside(points, REGION_A) == [7, 8, 13, 14]
    probe.screenshot(artifacts, "lab-probe-brush-a")


def test_lab_brush_check_detects_a_wrong_region(probe: LabNotebook) -> None:
    """After the brush moves, the old region's points must not match: the check can fail."""
    points = probe.kernel_json("points.to_dict('records')")
    drag_brush(probe, REGION_B)
    received = probe.kernel_json("sorted(brushed().id.tolist())")
    assert received == points_inside(points, REGION_B) == [15, 16, 21, 22]
    assert received != points_inside(points, REGION_A)


def test_voila_renders_and_button_click_reaches_python(
    voila: Any, page: BrowserPage, artifacts: Path
) -> None:
    assert open_in_voila(page, voila(PROBE), ready_selector=".probe-button") == []
    page.page.locator(".vega-embed svg.marks").first.wait_for(state="visible")
    label = page.page.locator(".probe-clicks")
    expect(label).to_have_text("clicks: 0")
    page.page.locator(".probe-button").click()
    expect(label).to_have_text("clicks: 1")
    assert page.unexpected_console_errors() == []
    page.screenshot(artifacts, "voila-probe")
