"""Start and stop the Jupyter servers the browser tests drive.

Each server runs as `sys.executable -m ...` so its kernels are this venv's Python, in its own
process group so teardown also ends the kernels it spawned, with Jupyter's config, data and
runtime dirs under the test's tmp dir so a developer's ~/.jupyter cannot change what we test.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60.0
LAB_TOKEN = "nbtrain-browser-tests"


@dataclass
class Server:
    """A running server: `url` ends with '/', `log` is its captured stdout+stderr."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    token: str = ""
    root_dir: Path | None = None

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


def free_port() -> int:
    """Bind port 0 so the OS picks a free port; the servers are told `port_retries=0`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def isolated_env(home: Path) -> dict[str, str]:
    """Environment with Jupyter/IPython dirs under `home` and Lab's news toast switched off."""
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "IPYTHONDIR": home / "ipython",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    labconfig = dirs["JUPYTER_CONFIG_DIR"] / "labconfig"
    labconfig.mkdir(exist_ok=True)
    page_config = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    (labconfig / "page_config.json").write_text(json.dumps(page_config))
    return {**os.environ, **{key: str(path) for key, path in dirs.items()}}


def start_server(name: str, args: list[str], url: str, home: Path, token: str = "") -> Server:
    """Run `python -m <args>` and return once `<url>api/status` answers anything at all.

    Any HTTP status counts as up (Lab answers 403 without the token, Voilà 302 or 405).
    """
    env = isolated_env(home)
    log = home / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, url, process, log, token)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{server.log_tail()}")
        try:
            urllib.request.urlopen(url + "api/status", timeout=2).close()
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.25)
    stop_server(server)
    raise RuntimeError(f"{name} not up after {START_TIMEOUT_S:.0f} s:\n{server.log_tail()}")


def start_lab(root_dir: Path, home: Path) -> Server:
    """JupyterLab serving `root_dir`, with `window.jupyterapp` exposed for tests to drive."""
    port = free_port()
    args = [
        "jupyter", "lab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={LAB_TOKEN}", "--ServerApp.allow_root=True",
        f"--ServerApp.root_dir={root_dir}", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    server = start_server("lab", args, f"http://127.0.0.1:{port}/", home, LAB_TOKEN)
    server.root_dir = root_dir
    return server


def start_voila(notebook: Path, home: Path) -> Server:
    """Voilà rendering one notebook, with tracebacks shown so a failing cell is visible."""
    port = free_port()
    args = [
        "voila", str(notebook), "--no-browser",
        "--Voila.ip=127.0.0.1", f"--Voila.port={port}", "--Voila.port_retries=0",
        "--VoilaConfiguration.show_tracebacks=True",
    ]  # fmt: skip
    return start_server("voila", args, f"http://127.0.0.1:{port}/", home)


def stop_server(server: Server, grace_s: float = 10.0) -> None:
    """SIGTERM the server's process group (server and kernels), SIGKILL what is left."""
    try:
        pgid = os.getpgid(server.process.pid)
    except ProcessLookupError:
        return
    os.killpg(pgid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=grace_s)
    # Kernels left behind by a server that died or hung are in the same group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    server.process.wait(timeout=grace_s)
