"""Stop must reach Python while a notebook cell waits for training (``await panel.wait_async()``).

A cell that blocks holds the kernel, so widget messages queue behind it unless the kernel gets to
handle them: ipykernel 7 does while a cell awaits. The notebook starts a
run far longer than the test, a second cell waits on it, and the test presses Stop in the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from ._lab import expect, open_in_lab
from ._servers import Server

pytestmark = pytest.mark.browser


def stop_probe(folder: Path, model: str) -> Path:
    cells = [
        new_code_cell(
            "import sys\n"
            f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
            "import nbtrain\n"
            "from textdata import make_texts\n"
            "from nbtrain.widgets import TrainPanel\n"
            "ds = nbtrain.load(make_texts(30))\n"
            f"config = nbtrain.TrainConfig(model={model!r}, epochs=50_000, patience=50_000, batch_size=8, device='cpu')\n"
            "panel = TrainPanel(lambda cb, stop: nbtrain.train(ds, config, callbacks=cb, stop=stop, progress=False))\n"
            "panel.start()\n"
            "panel"
        ),
        new_code_cell("run = await panel.wait_async()\nprint('waited:', run.result.stopped)"),
    ]
    path = folder / "stop_probe.ipynb"
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(new_notebook(cells=cells, metadata=kernel), path)
    return path


def test_stop_reaches_python_while_a_cell_waits(browser: Any, lab: Server, tiny_model_dir: Path, tmp_path: Path) -> None:
    nb = open_in_lab(browser, lab, stop_probe(tmp_path, str(tiny_model_dir)))
    try:
        nb._call("window.jupyterapp.commands.execute('notebook:run-all-cells'); return true;")
        panel = nb.page.locator(".nbt-train")
        expect(panel).to_have_attribute("data-status", "running", timeout=120_000)
        # The second cell is now awaiting panel.wait_async(); the first cell's panel still streams.
        stats = nb.page.locator(".nbt-stats")
        first = stats.inner_text()
        expect(stats).not_to_have_text(first, timeout=30_000)
        nb.page.locator(".nbt-stop").click()
        expect(panel).to_have_attribute("data-status", "done", timeout=120_000)
        nb.wait_kernel_idle()
        output = nb.cell_containing("panel.wait_async()").inner_text()
        assert "waited: stopped by the user" in output
        assert nb.error_outputs() == []
    finally:
        nb.close()
