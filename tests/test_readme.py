"""The README's quick start runs as written, on the bundled sample, with the real default model."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def quick_start() -> str:
    """The first Python block under "## Quick start"."""
    section = README.read_text(encoding="utf-8").split("## Quick start", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert found, "the README's quick start has no python block"
    return found.group(1)


def test_the_quick_start_names_only_files_the_test_can_stand_in_for():
    code = quick_start()
    assert '"messages.csv"' in code
    assert 'test="messages_test.csv"' in code


@pytest.mark.slow
def test_the_quick_start_runs_as_written(tmp_path, monkeypatch):
    import nbtrain

    code = quick_start()
    code = code.replace('"messages.csv"', repr(str(nbtrain.sample_path("train"))))
    code = code.replace('"messages_test.csv"', repr(str(nbtrain.sample_path("test"))))
    monkeypatch.chdir(tmp_path)  # run.save and export write relative folders
    printed = io.StringIO()
    scope: dict[str, object] = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md quick start", "exec"), scope)
    out = printed.getvalue()
    assert "514 train, 130 validation, 210 test rows" in out, "ds.summary() prints the sizes"
    assert "label_errors" in out or "duplicate" in out.lower(), "report.to_text() prints findings"
    assert (tmp_path / "runs" / "first" / "run.json").exists()
    assert (tmp_path / "my-model-st").is_dir()
    comparison = scope["run"].comparison.table()  # type: ignore[attr-defined]
    test_rows = comparison[(comparison["split"] == "test") & (comparison["measure"] == "macro_f1")]
    assert float(test_rows["difference"].iloc[0]) > 0.05, "training beats the tuned baseline on the sample"
