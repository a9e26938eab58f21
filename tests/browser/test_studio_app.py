"""The packaged studio app (nbtrain/app/studio.ipynb) in Voilà: upload, load, data, report.

Files go in the way a person's do: clicking the upload button opens the browser's file chooser,
which Playwright answers. Voilà cannot run cells for the test, so Python state is read from the
page: the app's status line, the studio's tabs, the report header.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from textdata import make_texts

from ._lab import BrowserPage, expect, new_page, open_in_voila
from ._servers import start_voila, stop_server

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "src" / "nbtrain" / "app" / "studio.ipynb"
REPORT_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def app(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserPage]:
    """One Voilà server and page on a copy of the packaged app, shared by this module's tests.

    Each test sets every input it relies on, so the tests do not depend on each other's order.
    """
    home = tmp_path_factory.mktemp("voila-studio")
    shutil.copy(APP, home / APP.name)
    server = start_voila(home / APP.name, home)
    page = new_page(browser)
    page.page.set_viewport_size({"width": 1280, "height": 1000})
    try:
        assert open_in_voila(page, server, ready_selector=".nbt-load") == [], server.log_tail()
        yield page
    finally:
        page.close()
        stop_server(server)


@pytest.fixture(scope="module")
def csv_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A good training file (60 rows, 3 labels, the tiny model's words), a one-column file, and a
    multi-label JSON Lines file (every third row also ``urgent``, every tenth none of the labels)."""
    folder = tmp_path_factory.mktemp("uploads")
    good, bad, multi = folder / "tickets.csv", folder / "one_column.csv", folder / "tagged.jsonl"
    make_texts(20).to_csv(good, index=False)
    bad.write_text("text\nmy parcel is late\nrefund please\nthe app crashes\n")
    rows = make_texts(20).reset_index(drop=True)
    with multi.open("w", encoding="utf-8") as out:
        for i, row in rows.iterrows():
            labels = [] if i % 10 == 9 else [row["label"], *(["urgent"] if i % 3 == 0 else [])]
            out.write(json.dumps({"text": row["text"], "labels": labels}) + "\n")
    return {"good": good, "bad": bad, "multi": multi}


def upload(page: BrowserPage, role: str, path: Path) -> None:
    """Click the upload button and answer the file chooser it opens; wait until Python has it.

    The app echoes the chosen file's name from Python, so Load is not pressed before the file
    has reached the kernel (the button's "(1)" would not say so on a second upload).
    """
    with page.page.expect_file_chooser() as chooser:
        page.page.locator(f".nbt-upload-{role}").click()
    chooser.value.set_files(str(path))
    expect(page.page.locator(".nbt-upload-status")).to_contain_text(f"Chosen: {path.name}")


def load(page: BrowserPage, training_file: Path, model: str) -> None:
    upload(page, "train", training_file)
    page.page.locator(".nbt-model input").fill(model)
    page.page.locator(".nbt-load").click()


def test_a_one_column_file_shows_a_red_error_naming_the_file(
    app: BrowserPage, csv_files: dict[str, Path], browser_model: str, artifacts: Path
) -> None:
    load(app, csv_files["bad"], browser_model)
    error = app.page.locator(".nbt-upload-error")
    expect(error).to_contain_text("one_column.csv: found a single column")
    assert error.evaluate("e => getComputedStyle(e).color") == "rgb(185, 28, 28)"
    expect(app.page.locator(".nbt-upload-status")).not_to_contain_text("Traceback")
    expect(app.page.locator(".lm-TabBar-tab", has_text="Report")).to_have_count(0)
    app.screenshot(artifacts, "voila-studio-bad-file")


def test_a_good_file_opens_the_studio_with_its_data_and_report(
    app: BrowserPage,
    csv_files: dict[str, Path],
    browser_model: str,
    artifacts: Path,
    docs_image: Callable[[Path, str], None],
) -> None:
    load(app, csv_files["good"], browser_model)
    page = app.page
    expect(page.locator(".nbt-upload-status")).to_contain_text(
        "Loaded tickets.csv: 48 train, 12 validation rows"
    )
    expect(page.locator(".nbt-upload-error")).to_have_count(0)
    for title in ("Data", "Report", "Train", "Compare", "Try it"):
        expect(page.locator(".lm-TabBar-tab", has_text=title).first).to_be_visible()
    expect(page.get_by_text("48 rows, 3 labels").first).to_be_visible()
    page.locator(".vega-embed svg").first.wait_for(state="visible")
    app.screenshot(artifacts, "voila-studio-data")

    page.locator(".lm-TabBar-tab", has_text="Report").first.click()
    header = page.locator("h3", has_text="Data quality")
    expect(header).to_have_text(
        re.compile(r"^Data quality \d{1,3}/100$"), timeout=REPORT_TIMEOUT_MS
    )
    expect(page.get_by_text("48 train").first).to_be_visible()
    assert app.unexpected_console_errors() == []
    docs_image(app.screenshot(artifacts, "voila-studio-report"), "studio-voila.png")


def test_a_multi_label_file_opens_with_its_label_sets_in_the_data_and_the_report(
    app: BrowserPage, csv_files: dict[str, Path], browser_model: str, artifacts: Path
) -> None:
    load(app, csv_files["multi"], browser_model)
    page = app.page
    expect(page.locator(".nbt-upload-status")).to_contain_text("Loaded tagged.jsonl")
    expect(page.locator(".nbt-upload-error")).to_have_count(0)
    expect(page.get_by_text("4 labels").first).to_be_visible()
    page.locator(".lm-TabBar-tab", has_text="Report").first.click()
    expect(page.locator("h3", has_text="Data quality")).to_have_text(
        re.compile(r"^Data quality \d{1,3}/100$"), timeout=REPORT_TIMEOUT_MS
    )
    expect(page.get_by_text(re.compile(r"Labels per row: 0 labels: 6")).first).to_be_visible()
    expect(page.locator(".lm-TabBar-tab", has_text="Train").first).to_be_visible()
    assert app.unexpected_console_errors() == []
    app.screenshot(artifacts, "voila-studio-multilabel-report")
