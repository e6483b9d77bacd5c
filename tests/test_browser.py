"""Real-browser smoke test: Playwright drives Debian's Chromium through every page of the
app served on the demo data, looking for exception or error boxes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]')

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium): browser test skipped")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    port = _free_port()
    env = {**os.environ, "SMMKPI_DATABASE_URL": demo_db}
    log = tmp_path_factory.mktemp("browser") / "streamlit.log"
    no_secrets = log.parent / "no-secrets.toml"  # a developer's own secrets stay out
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.headless", "true", "--server.address", "127.0.0.1",
         "--secrets.files", str(no_secrets)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
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
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1440, "height": 1000})
        yield pg
        browser.close()


def settle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=90_000)
    page.wait_for_timeout(400)
    page.wait_for_selector(IDLE, timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')",
                           timeout=90_000)


def test_a_shared_link_to_a_page_on_a_fresh_server(server, page):
    """The first visit of a fresh process goes straight to a page URL (a shared link): the
    page must still run under app.py (wide layout, sidebar, selection from the URL), not
    as a lone file of Streamlit's legacy pages/ mode."""
    page.goto(server + "/traffic?range=Last+90+days")
    settle(page)
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]',
                           timeout=90_000)
    settle(page)
    assert page.locator("h1").first.inner_text() == "Traffic"
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "(90 days)" in sidebar
    labels = page.eval_on_selector_all(
        'a[data-testid*="NavLink"]', "els => els.map(e => e.innerText.trim().split('\\n').pop())")
    assert "Overview" in labels and "overview" not in labels  # not the legacy file names


def test_every_page_renders_without_error(server, page):
    page.goto(server + "/")
    settle(page)
    links = page.eval_on_selector_all('a[data-testid*="NavLink"]',
                                      "els => els.map(e => e.getAttribute('href'))")
    paths = ["/"] + [h for h in dict.fromkeys(links) if h and h.strip("/")]
    seen_titles = []
    for path in paths:
        page.goto(server + "/" + path.split("/")[-1] if path != "/" else server + "/")
        settle(page)
        errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
        assert errors.count() == 0, f"{path}: {errors.all_inner_texts()[:1]}"
        seen_titles.append(page.locator("h1").first.inner_text())
    assert "Overview" in seen_titles
    # each page appears once in the navigation (DESIGN §7: legacy pages/ discovery is off)
    labels = page.eval_on_selector_all('a[data-testid*="NavLink"]',
                                       "els => els.map(e => e.innerText.trim())")
    assert len(labels) == len(set(labels))


def test_changing_the_range_updates_the_url(server, page):
    page.goto(server + "/")
    settle(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Last 90 days").click()
    settle(page)
    assert "range=Last+90+days" in page.url or "range=Last%2090%20days" in page.url
    assert "(90 days)" in page.locator('[data-testid="stSidebar"]').inner_text()
