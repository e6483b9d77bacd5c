"""The Content page on the demo data (AppTest): tiles equal the catalog with their change,
the posts table holds the period's posts newest first with safe links only, the charts
carry the page's figures, the best-time heatmap is in the display time zone, filters apply,
and an empty database gets an empty state that names the exports to upload."""

from __future__ import annotations

import json

import pagetools
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from smmkpi import db
from smmkpi.config import get_settings
from smmkpi.kpis import content as ct
from smmkpi.kpis.catalog import CATALOG
from smmkpi.workspace import Filters

PAGE = "pages/content.py"
TILES = ["posts_published", "post_impressions", "post_reach", "post_engagements",
         "post_engagement_rate", "post_link_clicks", "post_video_views", "promo_post_share",
         "post_sessions", "post_conversions", "post_revenue"]


def open_page(query: dict | None = None) -> AppTest:
    return pagetools.open_page(PAGE, query, no_errors=True)


def frame_by_column(at: AppTest, column: str) -> pl.DataFrame:
    hits = [d.value for d in at.dataframe if column in d.value.columns]
    assert hits, [list(d.value.columns) for d in at.dataframe]
    return pl.from_pandas(hits[0])


def figure(at: AppTest, title_part: str) -> dict:
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        if title_part in spec["layout"]["title"]["text"]:
            return spec
    raise AssertionError(f"no chart titled with {title_part!r}")


def test_tiles_equal_the_catalog_with_comparison(app_env):
    at = open_page()
    ws, prev = pagetools.default_workspaces(app_env)
    pagetools.assert_tiles(at, ws, prev, TILES)
    shown = {m.label: m.value for m in at.metric}
    # the demo's posts are social_daily's: the two promotional shares agree
    assert CATALOG["promo_post_share"].compute(ws) == pytest.approx(
        CATALOG["promo_share"].compute(ws))
    assert shown["Posts published"] == f"{ws.frame('posts').height:,}"
    text = " ".join(c.value for c in at.caption)
    assert "Promotional posts share" in text and "from the same posts the two agree" in text


def test_the_posts_table(app_env):
    at = open_page()
    ws, _ = pagetools.default_workspaces(app_env)
    table = frame_by_column(at, "Link")
    posts = ws.frame("posts")
    assert table.height == posts.height
    assert table["Published (UTC)"].is_sorted(descending=True)
    assert set(table["Platform"]) <= {"Facebook", "Instagram", "X", "LinkedIn", "TikTok",
                                      "YouTube"}
    assert set(table["Format"]) <= {"Text", "Image", "Video", "Reel", "Story", "Carousel",
                                    "Link", "Live", "Other"}
    links = table["Link"].drop_nulls()
    assert links.len() and links.str.starts_with("https://").all()
    # the sessions column holds what the join gives, by hand for the newest tagged post
    full = ct.period_posts(ws).sort("published_at", descending=True)
    assert table["sessions"].fill_null(-1).to_list() == full["sessions"].fill_null(-1).to_list()
    assert table["impressions"].sum() == posts["impressions"].sum()
    # every table of the page as CSV and XLSX (the posts: every post, not the shown ones)
    pagetools.assert_downloads(at, ["posts_table", "by_format_table", "by_platform_table",
                                    "promo_table", "top_table"])


def test_charts_carry_the_figures(app_env):
    at = open_page()
    ws, _ = pagetools.default_workspaces(app_env)
    posts = ct.period_posts(ws)
    spec = figure(at, "by format")
    bar = spec["data"][0]
    per = ct.by_group(posts, "format").filter(pl.col("posts_rated") > 0)
    assert bar["y"] == pytest.approx(per["engagement_rate_median"].to_list())
    assert all("posts" in t for t in bar["text"])
    assert "2026-10-04 – 2026-10-31" in spec["layout"]["title"]["text"]
    top = figure(at, "the 10 posts that brought the most")
    want = ct.top_for_website(posts, 10)["sessions"].to_list()
    assert top["data"][0]["x"] == pytest.approx(want)
    promo = figure(at, "Promotional posts, % per week")
    assert any(a["text"].startswith("Guide: at most 20") for a in promo["layout"]["annotations"])


def test_best_time_heatmap_in_the_display_time_zone(app_env, monkeypatch):
    monkeypatch.setenv("SMMKPI_DISPLAY_TZ", "Asia/Tokyo")
    get_settings.cache_clear()
    at = open_page({"range": "Last 90 days"})
    spec = figure(at, "by weekday and hour (Asia/Tokyo)")
    ws, _ = pagetools.default_workspaces(app_env)
    from smmkpi import periods

    period = periods.preset_period("last_90", ws.end)
    cells = ct.best_times(ct.period_posts(ws.with_period(period)), "Asia/Tokyo")
    grey, rated = spec["data"]
    for r in cells.filter(pl.col("posts") > 0).iter_rows(named=True):
        i, j = r["weekday"] - 1, r["hour"]
        if r["enough"]:
            assert rated["z"][i][j] == pytest.approx(r["median_engagement_rate"])
            assert grey["z"][i][j] is None
        else:
            assert grey["z"][i][j] == 1 and rated["z"][i][j] is None
    assert cells["enough"].any() and (~cells["enough"] & (cells["posts"] > 0)).any()


def test_platform_filter_narrows_everything(app_env):
    at = open_page({"platform": ["TikTok"]})
    ws, _ = pagetools.default_workspaces(app_env)
    tiktok = ws.__class__(ws.source, ws.period, Filters(platforms=("tiktok",)))
    shown = {m.label: m.value for m in at.metric}
    from smmkpi import formatting

    for kid in ("posts_published", "post_impressions", "post_sessions"):
        k = CATALOG[kid]
        assert shown[k.label] == formatting.value(k.compute(tiktok), k.unit), kid
    assert set(frame_by_column(at, "Link")["Platform"]) == {"TikTok"}


def test_empty_database_names_the_exports(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    db.migrate(db.make_engine(url))
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        at = open_page()
        text = " ".join(i.value for i in at.info)
        assert "`posts`" in text and "Upload" in text
        for export in ("By Tweet", "Post data", "Meta Business Suite", "All posts",
                       "Table data.csv", "TikTok Studio", "Session manual ad content"):
            assert export in text, export
        assert not at.metric
    finally:
        get_settings.cache_clear()
