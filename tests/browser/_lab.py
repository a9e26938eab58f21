"""Drive a notebook open in JupyterLab or Voilà from a test, and read Python state back.

Lab is started with `expose_app_in_browser`, so `window.jupyterapp` gives the tests Lab's own
commands and kernel connections: running cells and asking the kernel for a value go through the
same code paths as a person clicking, without depending on menu layout or CSS details.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ._servers import Server

if TYPE_CHECKING:  # imported for types only, so this module loads when playwright is absent
    from playwright.sync_api import Browser, Page

T = TypeVar("T")
TIMEOUT_MS = 30_000  # Playwright's 5 s default is too short for a notebook on 2 cores.

# JS expression: the open notebook panel whose path is `path` (a variable in the caller's scope).
_PANEL = "[...window.jupyterapp.shell.widgets('main')].find(w => w.context?.path === path)"

# Console errors known to be harmless; filtered by message so that anything new still fails.
HARMLESS_CONSOLE_ERRORS = (
    "The getter for the shared module",  # Voilà federated-module warning, seen intermittently
    # Voilà's page template links Font Awesome from a CDN (button icons); no network here.
    "cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free",
)


@dataclass
class BrowserPage:
    """A page in its own browser context, with the console errors it logged."""

    page: Page
    console_errors: list[str] = field(default_factory=list)

    def unexpected_console_errors(self) -> list[str]:
        """Console errors minus the known harmless ones."""
        return [m for m in self.console_errors if not any(k in m for k in HARMLESS_CONSOLE_ERRORS)]

    def screenshot(self, artifacts: Path, name: str) -> Path:
        """Save a PNG under tests/artifacts/ for a person (or a CI upload) to look at."""
        artifacts.mkdir(parents=True, exist_ok=True)
        path = artifacts / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.page.context.close()


def new_page(browser: Browser) -> BrowserPage:
    """A fresh context and page with the suite's timeout, recording console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    result = BrowserPage(context.new_page())
    errors = result.console_errors

    def record(message: Any) -> None:
        # The URL tells a failed CDN font apart from a failed request to our own server.
        if message.type == "error":
            errors.append(f"{message.text} [{message.location.get('url', '')}]")

    result.page.on("console", record)
    result.page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    return result


@dataclass
class LabNotebook(BrowserPage):
    """A notebook open in JupyterLab; `path` is relative to Lab's root dir."""

    path: str = ""

    def _call(self, body: str, *args: Any) -> Any:
        """Evaluate async JS `body` with `path` and `args` in scope."""
        return self.page.evaluate(f"async ([path, args]) => {{ {body} }}", [self.path, list(args)])

    def wait_kernel_idle(self, timeout_ms: float = TIMEOUT_MS) -> None:
        """Wait until the kernel reports 'idle' (it is 'busy' while cells run)."""
        self.page.wait_for_function(
            f"path => {_PANEL}?.sessionContext.session?.kernel?.status === 'idle'",
            arg=self.path,
            timeout=timeout_ms,
        )

    def run_all_cells(self) -> None:
        """Run every cell; returns once the last has finished (Lab's runAll promise resolves)."""
        ok = self._call(
            f"{_PANEL}.activate();"
            "return await window.jupyterapp.commands.execute('notebook:run-all-cells');"
        )
        self.wait_kernel_idle()
        assert ok, f"running {self.path} failed: {self.error_outputs()}"

    def error_outputs(self) -> list[str]:
        """'ename: evalue' of every error output in the notebook model, visible or not."""
        return list(
            self._call(
                f"""const errors = [];
            for (const cell of {_PANEL}.model.cells) {{
                for (const out of cell.toJSON().outputs ?? []) {{
                    if (out.output_type === 'error') errors.push(`${{out.ename}}: ${{out.evalue}}`);
                }}
            }}
            return errors;"""
            )
        )

    def cell_containing(self, source: str) -> Any:
        """The first cell whose source contains `source`, as a Playwright locator.

        Found through the notebook model, then by position: Lab 4's default windowing mode keeps
        every cell in the DOM, so the n-th `.jp-Cell` is the n-th cell.
        """
        index = self._call(
            f"return [...{_PANEL}.model.cells].findIndex(c => c.sharedModel.getSource().includes(args[0]));",
            source,
        )
        assert index >= 0, f"no cell of {self.path} contains {source!r}"
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def kernel_eval(self, code: str) -> str:
        """Run `code` in the notebook's kernel without adding a cell; return what it printed.

        An exception in `code` raises here with its name and message.
        """
        return str(
            self._call(
                f"""const kernel = {_PANEL}.sessionContext.session.kernel;
            const future = kernel.requestExecute({{ code: args[0], store_history: false }});
            let out = '';
            let error = null;
            future.onIOPub = msg => {{
                const c = msg.content;
                if (msg.header.msg_type === 'stream') out += c.text;
                if (msg.header.msg_type === 'error') error = `${{c.ename}}: ${{c.evalue}}`;
            }};
            await future.done;
            if (error) throw new Error(error);
            return out;""",
                code,
            )
        )

    def kernel_json(self, expression: str) -> Any:
        """The value of a Python `expression` in the notebook's kernel, sent back as JSON."""
        return json.loads(self.kernel_eval(f"import json\nprint(json.dumps({expression}))"))


def open_in_lab(browser: Browser, lab: Server, notebook: Path) -> LabNotebook:
    """Copy `notebook` into Lab's root, open it on a fresh workspace, wait for an idle kernel."""
    assert lab.root_dir is not None, "not a JupyterLab server"
    shutil.copy(notebook, lab.root_dir / notebook.name)
    base = new_page(browser)
    nb = LabNotebook(base.page, base.console_errors, path=notebook.name)
    nb.page.goto(f"{lab.url}lab/tree/{nb.path}?reset&token={lab.token}")
    nb.page.wait_for_function(
        f"path => window.jupyterapp && {_PANEL} !== undefined", arg=nb.path, timeout=60_000
    )
    # A notebook without a kernelspec opens Lab's kernel chooser and `ready` never resolves: fail
    # with that reason instead of waiting for ever (page.evaluate has no timeout of its own).
    ready = nb._call(
        f"return await Promise.race([{_PANEL}.sessionContext.ready.then(() => true),"
        " new Promise(done => setTimeout(() => done(false), 60000))]);"
    )
    assert ready, f"{nb.path}: no kernel started within 60 s (does it name a kernelspec?)"
    nb.wait_kernel_idle(timeout_ms=60_000)
    return nb


def open_in_voila(page: BrowserPage, voila: Server, ready_selector: str) -> list[str]:
    """Load Voilà's page; wait for `ready_selector` or an error; return the stderr outputs' text.

    Voilà shows a cell's traceback as a stderr output and stops running the notebook, so waiting
    for the ready element alone would turn an error into a 30 s timeout with no message.
    """
    stderr = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    page.page.goto(voila.url)
    page.page.locator(f"{ready_selector}, {stderr}").first.wait_for(timeout=60_000)
    return page.page.locator(stderr).all_inner_texts()


def expect(target: Any) -> Any:
    """Playwright's `expect`, imported on use so that test modules load without playwright."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Press, move in steps, release: Vega only sees a brush drag through real mouse events."""
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=12)
    page.mouse.up()


def wait_until_stable(read: Callable[[], T], timeout_s: float = 15.0, interval_s: float = 0.3) -> T:
    """Poll `read` until two reads in a row agree and are truthy.

    Selections stream to Python while the mouse moves, so one read can see a half-dragged brush.
    """
    deadline = time.monotonic() + timeout_s
    last = read()
    while time.monotonic() < deadline:
        time.sleep(interval_s)
        value = read()
        if value and value == last:
            return value
        last = value
    raise AssertionError(f"still changing or empty after {timeout_s} s: {last!r}")
