"""Helpers shared by the real-browser tests: Chromium flags, waiting for a Streamlit run to
finish, and a Streamlit server started on a free loopback port."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the app in `page` has finished its script run."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_timeout(400)
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')",
                           timeout=timeout_ms)


@contextlib.contextmanager
def streamlit_server(script: str, port: int, env: Mapping[str, str], secrets: Path,
                     log: Path) -> Iterator[str]:
    """`streamlit run script` on 127.0.0.1:port with only the given secrets file, logging to
    a file (a pipe nobody reads would block the server); yields the base URL and fails if
    the server did not start or died during the block."""
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / script),
             "--server.port", str(port), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--secrets.files", str(secrets)],
            cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start: " + log.read_text()[-4000:])
        yield base
        assert proc.poll() is None, "streamlit died: " + log.read_text()[-4000:]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
