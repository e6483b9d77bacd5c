"""Hostile text in a real browser: Markdown links and images, automatic links, HTML and
formula prefixes placed in every text column of every dataset, in an uploaded file's name
and in every URL parameter. On every page nothing may become a link or an image that
points outside, the browser may not fetch anything from outside, and no page may fail."""

from __future__ import annotations

import os

import polars as pl
import pytest
from browsertools import CHROMIUM, FLAGS, free_port, settle, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EVIL = "evil.example"
CORPUS = [
    f"[tp](https://{EVIL}/tp)",
    f"![img](https://{EVIL}/i.png)",
    f"https://{EVIL}/auto",
    f"www.{EVIL}",
    f"x@{EVIL}",
    f"<a href='https://{EVIL}/a'>a</a>",
    f"<img src=https://{EVIL}/i2.png>",
    f'=HYPERLINK("https://{EVIL}/f","f")',
]
# what a hostile value may not become anywhere in the DOM: a link or a source outside
SCAN = f"""() => {{
  const bad = [];
  for (const el of document.querySelectorAll('*')) {{
    for (const a of ['href', 'src', 'srcset', 'xlink:href', 'action', 'poster']) {{
      const v = el.getAttribute(a);
      if (v && v.toLowerCase().includes('{EVIL}')) bad.push(el.tagName + ' ' + a + '=' + v);
    }}
  }}
  return bad;
}}"""


def hostile(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Every text column of every dataset carries a corpus value in one row of seven
    (appended, so keys stay unique; enumerations such as kind or platform get the value
    itself in a few rows, which the KPIs then simply do not count)."""
    from smmkpi import datasets as ds

    out = {}
    for name, df in frames.items():
        spec = ds.get(name)
        idx = pl.int_range(pl.len())
        payload = pl.lit(pl.Series(CORPUS)).get(idx % len(CORPUS))
        cols = []
        for c in spec.columns:
            if df.schema[c.name] != pl.String:
                continue
            hit = (idx % 7) == 3
            new = pl.col(c.name).fill_null("") + " " + payload
            cols.append(pl.when(hit).then(new).otherwise(pl.col(c.name)).alias(c.name))
        out[name] = df.with_columns(cols) if cols else df
    return out


@pytest.fixture(scope="module")
def server(demo_frames, tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium): browser test skipped")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from smmkpi import db, store

    folder = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{folder / 'hostile.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, hostile(demo_frames), actor="test", action="demo")
    engine.dispose()
    env = {**os.environ, "SMMKPI_DATABASE_URL": url}
    with streamlit_server("app.py", free_port(), env, folder / "no-secrets.toml",
                          folder / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        fetched: list[str] = []
        page.route(f"**/*{EVIL}*/**", lambda route: (fetched.append(route.request.url),
                                                     route.abort()))
        page.fetched = fetched  # type: ignore[attr-defined]
        yield page
        browser.close()


def _check(page, what: str) -> None:
    settle(page)
    page.wait_for_timeout(500)
    bad = page.evaluate(SCAN)
    assert not bad, f"{what}: {bad[:5]}"
    assert not page.fetched, f"{what}: fetched {page.fetched[:3]}"
    boxes = page.locator('[data-testid="stException"]').all_inner_texts()
    assert not boxes, f"{what}: {boxes[:1]}"


@pytest.fixture(autouse=True)
def _fresh_record(request):
    if "browser_page" in request.fixturenames:
        request.getfixturevalue("browser_page").fetched.clear()


PAGES = ["", "targets", "goals", "content", "traffic", "journeys", "retention", "community",
         "reputation", "upload", "alerts", "admin"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_shows_hostile_data_as_text(server, browser_page, path):
    browser_page.goto(f"{server}/{path}?range=Last+90+days")
    _check(browser_page, path or "overview")


@pytest.mark.parametrize("path", PAGES)
def test_hostile_url_parameters_change_nothing(server, browser_page, path):
    from urllib.parse import urlencode

    params = {"range": CORPUS[0], "compare": CORPUS[5], "platform": CORPUS[2],
              "campaign": CORPUS[1], "journey_destination": CORPUS[0], "dates": CORPUS[6],
              "grain": CORPUS[3], CORPUS[4]: CORPUS[7]}
    browser_page.goto(f"{server}/{path}?{urlencode(params)}")
    _check(browser_page, f"{path or 'overview'} with hostile parameters")


def test_an_uploaded_file_with_a_hostile_name(server, browser_page):
    browser_page.goto(f"{server}/upload")
    settle(browser_page)
    body = b"date,platform,positive,neutral,negative\n2026-11-01,x,1,2,3\n"
    for name in (f"[tp](https://{EVIL}/tp).csv", f"https://{EVIL}/x.csv",
                 f"<img src=https://{EVIL}/i.png>.csv"):
        browser_page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": body}])
        _check(browser_page, f"upload named {name}")
