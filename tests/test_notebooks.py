"""The notebooks run top to bottom: on the tiny model (fast) and on the real default model (slow)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def execute(name: str, parameters: str, cwd: Path) -> nbformat.NotebookNode:
    """Run a notebook with its ``parameters`` cell replaced, papermill-style, in ``cwd``."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = parameters
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def text_of(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for v in out.get("data", {}).values())
    return "\n".join(parts)


def check_quickstart(nb: nbformat.NotebookNode, cwd: Path) -> None:
    import nbtrain

    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    text = text_of(nb)
    sample = nbtrain.load(nbtrain.sample_path())
    assert f"{len(sample.labels)} labels: {', '.join(sample.labels)}" in text
    assert "Removed 2 label(s)" in text
    assert "drop_exact_duplicates: " in text
    assert "What to do:" in text, "the report's findings say what to do"
    assert "application/vnd.jupyter.widget-view+json" in str(nb)
    run = cwd / "out" / "quickstart"
    assert (run / "model" / "nbtrain.json").is_file()
    assert (run / "run.json").is_file()
    assert (run / "report.html").is_file()
    assert (run / "exported" / "modules.json").is_file()


def test_quickstart_on_a_tiny_model(tmp_path, tiny_model_dir):
    nb = execute("quickstart.ipynb", f"MODEL = {str(tiny_model_dir)!r}\nEPOCHS = 1\nOUT = 'out/quickstart'", tmp_path)
    check_quickstart(nb, tmp_path)


@pytest.mark.slow
def test_quickstart_on_the_default_model(tmp_path):
    nb = execute("quickstart.ipynb", 'MODEL = "default"\nEPOCHS = 2\nOUT = "out/quickstart"', tmp_path)
    check_quickstart(nb, tmp_path)
