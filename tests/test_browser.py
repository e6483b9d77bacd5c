"""Real-browser smoke test: Playwright drives Debian's Chromium through every page of the
app served on the demo data, looking for exception or error boxes."""

from __future__ import annotations

import os

import pytest
from browsertools import CHROMIUM, FLAGS, free_port, settle, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium): browser test skipped")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    env = {**os.environ, "SMMKPI_DATABASE_URL": demo_db}
    log = tmp_path_factory.mktemp("browser") / "streamlit.log"
    no_secrets = log.parent / "no-secrets.toml"  # a developer's own secrets stay out
    with streamlit_server("app.py", free_port(), env, no_secrets, log) as base:
        yield base


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1440, "height": 1000})
        yield pg
        browser.close()


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
    # each page appears once in the navigation (no legacy pages/ list: docs/architecture.md)
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


def test_the_content_page_in_a_browser(server, page):
    """The Content page draws its tiles, posts table and charts (the best-time heatmap
    among them), and its post links lead only to the platforms' own sites."""
    page.goto(server + "/content?range=Last+90+days")
    settle(page)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
    assert page.locator("h1").first.inner_text() == "Content"
    errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()[:1]
    assert page.locator('[data-testid="stMetric"]').count() == 11
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    titles = page.eval_on_selector_all(".js-plotly-plot .gtitle",
                                       "els => els.map(e => e.textContent)")
    assert any("by weekday and hour" in t for t in titles), titles
    assert len(titles) >= 6, titles
    assert page.locator('[data-testid="stDataFrame"]').count() >= 4
