"""The studio app: the packaged notebook, its copy in notebooks/, and ``nbtrain studio``."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import nbformat
import pytest

from nbtrain.cli import main

ROOT = Path(__file__).resolve().parents[1]
PACKAGED = ROOT / "src" / "nbtrain" / "app" / "studio.ipynb"


def code_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_the_repo_notebook_runs_the_same_code_as_the_packaged_one():
    assert code_cells(ROOT / "notebooks" / "studio.ipynb") == code_cells(PACKAGED)
    [code] = code_cells(PACKAGED)
    assert code.endswith('os.chdir(os.environ.get("NBTRAIN_WORKDIR", "."))\nUploadApp()')


def test_the_packaged_notebook_is_found_where_the_cli_looks():
    assert Path(str(resources.files("nbtrain") / "app" / "studio.ipynb")).samefile(PACKAGED)


@pytest.mark.browser  # needs Voilà installed (the browser extra)
def test_studio_runs_voila_on_the_packaged_notebook_in_the_users_folder(monkeypatch, tmp_path):
    calls, envs = [], []
    monkeypatch.setattr(subprocess, "call", lambda command, env: calls.append(command) or envs.append(env) or 0)
    monkeypatch.chdir(tmp_path)
    assert main(["studio", "--port", "9123", "--no-browser"]) == 0
    [command] = calls
    assert envs[0]["NBTRAIN_WORKDIR"] == str(tmp_path)
    assert command[:3] == [sys.executable, "-m", "voila"]
    assert Path(command[3]).samefile(PACKAGED)
    assert command[4:] == ["--port=9123", "--no-browser"]


@pytest.mark.browser  # needs Voilà installed (the browser extra)
def test_studio_opens_a_browser_by_default(monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "call", lambda command, env: calls.append(command) or 0)
    main(["studio"])
    assert calls[0][4:] == ["--port=8866"]


def test_studio_without_voila_names_the_extra_to_install(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "voila" else real(name, *a)
    )
    monkeypatch.setattr(subprocess, "call", lambda command, env: pytest.fail("must not start anything"))
    assert main(["studio"]) == 2
    assert "pip install 'nbtrain[browser]'" in capsys.readouterr().err
