"""Fixtures for the browser suite: headless Debian Chromium, JupyterLab and Voilà.

Why skip rather than fail: most contributors and the fast CI job have no browser, and the rest of
the test suite must not depend on one. CI's browser job sets NBTRAIN_REQUIRE_BROWSER=1 so that a
missing browser is a loud failure there instead of a silent skip.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ._lab import BrowserPage, new_page
from ._servers import Server, start_lab, start_voila, stop_server

# Debian's chromium (scripts/setup-browser.sh); NBTRAIN_CHROMIUM points elsewhere if needed.
CHROMIUM = Path(os.environ.get("NBTRAIN_CHROMIUM", "/usr/bin/chromium"))
# Flags that work as root with no network (see the browser-tests recipe).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
NOTEBOOKS = Path(__file__).parent / "notebooks"
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
DOCS_IMAGES = Path(__file__).parents[2] / "docs" / "images"
MAX_DOCS_IMAGE_BYTES = 300_000


def _missing_requirement() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (run scripts/setup-browser.sh)"
    for module in ("playwright.sync_api", "jupyterlab", "voila"):
        try:
            importlib.import_module(module)
        except ImportError as error:
            return f"{module} cannot be imported ({error}): pip install -e '.[browser]'"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session; skips (or fails, if required) without one."""
    missing = _missing_requirement()
    if missing:
        if os.environ.get("NBTRAIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"NBTRAIN_REQUIRE_BROWSER=1 but {missing}", pytrace=False)
        pytest.skip(missing)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/artifacts/ (gitignored): screenshots for people and CI uploads."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_model(tiny_model_dir: Path) -> str:
    """The model the notebooks and the app run on: the tiny BERT, or $NBTRAIN_BROWSER_MODEL.

    ``NBTRAIN_BROWSER_MODEL=default`` runs the same tests on the real model (minutes, not
    seconds), whose plots are worth showing: that is how the README's screenshots are made.
    """
    return os.environ.get("NBTRAIN_BROWSER_MODEL") or str(tiny_model_dir)


@pytest.fixture(scope="session")
def docs_image() -> Callable[[Path, str], None]:
    """Check a screenshot is small enough for docs/images/, and copy it there if asked to.

    ``NBTRAIN_DOCS_IMAGES=1`` asks; without it the committed images are left alone, so a test
    run never dirties the tree.
    """

    def publish(screenshot: Path, name: str) -> None:
        size = screenshot.stat().st_size
        assert size < MAX_DOCS_IMAGE_BYTES, f"{screenshot.name} is {size:,} bytes: crop it"
        if os.environ.get("NBTRAIN_DOCS_IMAGES") == "1":
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copy(screenshot, DOCS_IMAGES / name)

    return publish


@pytest.fixture(scope="session")
def notebooks() -> Path:
    """tests/browser/notebooks/: the notebooks the tests open."""
    return NOTEBOOKS


@pytest.fixture
def page(browser: Any) -> Iterator[BrowserPage]:
    """A fresh page in its own context; `.page` is Playwright's, `.console_errors` its log."""
    result = new_page(browser)
    yield result
    result.close()


@pytest.fixture(scope="session")
def lab(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """JupyterLab for the whole session, serving an empty tmp root (see `_lab.open_in_lab`)."""
    server = start_lab(tmp_path_factory.mktemp("lab-root"), tmp_path_factory.mktemp("lab-home"))
    yield server
    stop_server(server)


@pytest.fixture
def voila(browser: Any, tmp_path: Path) -> Iterator[Callable[[str], Server]]:
    """Start Voilà on a copy of tests/browser/notebooks/<name>; stopped after the test."""
    servers: list[Server] = []

    def start(name: str) -> Server:
        shutil.copy(NOTEBOOKS / name, tmp_path / name)
        servers.append(start_voila(tmp_path / name, tmp_path))
        return servers[-1]

    yield start
    for server in servers:
        stop_server(server)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Screenshot every page a failing test used, as tests/artifacts/FAILED-<test>-<n>.png."""
    report = yield
    if report.when == "call" and report.failed:
        funcargs = getattr(item, "funcargs", {})
        pages = [v for v in funcargs.values() if isinstance(v, BrowserPage)]
        for n, used in enumerate(pages):
            try:
                used.screenshot(ARTIFACTS, f"FAILED-{item.name}-{n}")
            except Exception as error:  # a crashed page must not hide the test's own failure
                report.sections.append(("screenshot", f"could not save: {error}"))
    return report
