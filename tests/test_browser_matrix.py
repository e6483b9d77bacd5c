"""Every page in a real browser at a laptop's and a desktop's width, with no filter, with
each demo platform, with a campaign and with Year to date: no exception, no error box,
and no page still running after 60 s. (CI runs it on SQLite and again on PostgreSQL.)"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest
from browsertools import CHROMIUM, FLAGS, free_port, settle, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["", "targets", "goals", "content", "traffic", "journeys", "retention", "community",
         "reputation", "upload", "alerts", "admin"]
PLATFORMS = ["Facebook", "Instagram", "X", "LinkedIn", "TikTok", "YouTube"]


def _variants(campaign: str) -> list[tuple[int, dict[str, str]]]:
    return ([(1280, {}), (1440, {})]
            + [(1280, {"platform": p}) for p in PLATFORMS]
            + [(1280, {"campaign": campaign}), (1440, {"range": "Year to date"})])


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium): browser test skipped")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    env = {**os.environ, "SMMKPI_DATABASE_URL": demo_db}
    log = tmp_path_factory.mktemp("matrix") / "streamlit.log"
    with streamlit_server("app.py", free_port(), env, log.parent / "no-secrets.toml",
                          log) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _campaign_name(demo_frames) -> str:
    camps = demo_frames["campaigns"].sort("start_date", descending=True)
    return str(camps["name"][0])


@pytest.mark.parametrize("path", PAGES)
def test_page_in_every_selection_and_width(server, browser, demo_frames, path):
    failures = []
    pages = {}
    for width, query in _variants(_campaign_name(demo_frames)):
        page = pages.get(width)
        if page is None:
            page = pages[width] = browser.new_page(viewport={"width": width, "height": 900})
        url = f"{server}/{path}" + (f"?{urlencode(query)}" if query else "")
        page.goto(url)
        what = f"{path or 'overview'} {width}px {query or 'no filter'}"
        try:
            settle(page, timeout_ms=60_000)
        except Exception:  # noqa: BLE001 - a page that never finishes is the failure
            failures.append(f"{what}: still running after 60 s")
            continue
        boxes = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
        texts = boxes.all_inner_texts()
        if texts:
            failures.append(f"{what}: {texts[0][:200]}")
    for p in pages.values():
        p.close()
    assert not failures, failures
