"""The Reputation & audience page on the demo data (AppTest): tiles equal the catalog, the
demo's negative spike (x, 2026-09-15) is listed and marked for a 90-day range, the promo
chart carries the guide from the settings, the demand table, the LinkedIn Page's new
followers and page views, and empty states."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pagetools
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from smmkpi import datasets as ds
from smmkpi import db, formatting, periods, store
from smmkpi.config import get_settings
from smmkpi.kpis import audience
from smmkpi.kpis.catalog import CATALOG
from smmkpi.workspace import DbSource, Filters, Period, Workspace

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/reputation.py"
KPIS = ["negative_share", "sentiment_score", "negative_mentions", "impressions", "reach",
        "engagements", "link_clicks", "frequency", "engagement_rate", "ctr", "follower_growth",
        "promo_share", "new_followers", "page_views", "questions", "suggestions"]


def open_page(query: dict | None = None) -> AppTest:
    return pagetools.open_page(PAGE, query, no_errors=True)


def workspace(url: str, period: str | Period = "last_28") -> Workspace:
    src = DbSource(db.make_engine(url))
    if isinstance(period, str):
        period = periods.preset_period(period, periods.anchor_day(src.bounds()[1]))
    return Workspace(src, period, Filters(), settings=get_settings())


def figure(at: AppTest, title_part: str) -> dict:
    """The chart whose title holds `title_part` (a long title's period, set below it in
    smaller type, counts as ', period'), without its annotation markers."""
    for spec in pagetools.figures(at):
        title = spec["layout"]["title"]["text"].replace("<br><sup>", ", ").replace("</sup>", "")
        if title_part in title:
            return spec
    raise AssertionError(f"no chart titled with {title_part!r}")


def frame_by_column(at: AppTest, column: str) -> pl.DataFrame:
    hits = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(hits) == 1, [list(d.value.columns) for d in at.dataframe]
    return pl.from_pandas(hits[0])


def test_tiles_equal_the_catalog(app_env):
    at = open_page()
    ws = workspace(app_env)
    prev = ws.with_period(ws.period.previous())
    shown = {m.label: m for m in at.metric}
    assert len(shown) == len(KPIS)
    for kid in KPIS:
        k = CATALOG[kid]
        value, before = k.compute(ws), k.compute(prev)
        assert shown[k.label].value == formatting.value(value, k.unit), kid
        assert shown[k.label].delta == formatting.change(value, before, k.unit), kid
    assert "Reach (sum of daily reach)" in shown


def test_the_demo_spike_shows_for_90_days(app_env):
    at = open_page({"range": "Last 90 days"})
    warn = " ".join(w.value for w in at.warning)
    assert "Negative spike on 1 day" in warn and "Tue 15 Sep 2026" in warn and "X" in warn
    listed = frame_by_column(at, "baseline_mean")
    x = listed.filter(pl.col("platform") == "X")
    assert x["date"].dt.date().to_list() == [dt.date(2026, 9, 15)]
    # the same figures as the library's rule, with the settings' sigma and minimum
    ws = workspace(app_env, "last_90")
    spikes = audience.spikes_for(ws).filter(pl.col("platform") == "x")
    assert x["negative"].to_list() == spikes["negative"].to_list()
    assert x["threshold"].to_list() == pytest.approx(spikes["threshold"].to_list())
    # marked on the chart: a marker above the 2026-09-15 bar
    spec = figure(at, "Mentions by sentiment, per day")
    mark = next(t for t in spec["data"] if t["name"] == "Negative spike")
    assert mark["x"] == ["2026-09-15"]
    bars = {t["name"]: t for t in spec["data"] if t["type"] == "bar"}
    i = bars["Negative"]["x"].index("2026-09-15")
    total = sum(bars[s]["y"][i] for s in ("Positive", "Neutral", "Negative"))
    assert mark["y"][0] > total
    daily = ws.frame("mentions").filter(pl.col("date") == dt.date(2026, 9, 15))
    assert bars["Negative"]["y"][i] == daily["negative"].sum()


def test_no_spike_in_the_last_28_days(app_env):
    at = open_page()
    assert not [w for w in at.warning if "Negative spike" in w.value]
    spec = figure(at, "Mentions by sentiment")
    assert not [t for t in spec["data"] if t["name"] == "Negative spike"]


def test_promo_guide_follows_the_setting(app_env, monkeypatch):
    """With the guide at 10 %, the platforms over it in the period are named and drawn."""
    monkeypatch.setenv("SMMKPI_PROMO_SHARE_MAX", "0.1")
    get_settings.cache_clear()
    at = open_page()
    ws = workspace(app_env)
    per = audience.audience_by_platform(ws.frame("social_daily"))
    over = per.filter(pl.col("promo_share") > 0.1)
    assert 0 < over.height < per.height
    warn = " ".join(w.value for w in at.warning)
    assert "Over the 10 % guide" in warn
    labels = dict(audience.PLATFORM_LABELS)
    for p in per["platform"]:
        assert (labels[p] in warn) == (p in over["platform"].to_list()), p
    spec = figure(at, "Promotional posts")
    band = [s for s in spec["layout"]["shapes"] if s["type"] == "rect"]
    assert band and band[0]["y0"] == pytest.approx(0.1)
    shown = {t["name"] for t in spec["data"] if t.get("visible", True) is True}
    assert shown == {labels[p] for p in over["platform"]} | {"All platforms"}


def test_overpromotion_story_in_the_demo(app_env):
    """Facebook posts ~45 % promotional from 2025-10-27 to 2025-12-14."""
    at = open_page({"range": "Custom", "dates": ["2025-10-27", "2025-12-14"]})
    warn = " ".join(w.value for w in at.warning)
    assert "Over the 20 % guide" in warn and "Facebook" in warn
    ws = workspace(app_env, Period(dt.date(2025, 10, 27), dt.date(2025, 12, 14)))
    spec = figure(at, "Promotional posts")
    fb = next(t for t in spec["data"] if t["name"] == "Facebook")
    weekly = audience.promo_share_series(
        ws.frame("social_daily").filter(pl.col("platform") == "facebook"), "week",
        end=ws.end)
    assert fb["y"] == pytest.approx(weekly["promo_share"].to_list())
    assert len(fb["y"]) == 7  # 49 days = seven 7-day blocks


def test_demand_research_table(app_env):
    at = open_page()
    ws = workspace(app_env)
    table = frame_by_column(at, "suggestions")
    conv = ws.frame("conversations")
    for row in table.iter_rows(named=True):
        pid = next(k for k, v in audience.PLATFORM_LABELS.items() if v == row["Platform"])
        mine = conv.filter(pl.col("platform") == pid)
        assert row["questions"] == mine.filter(pl.col("kind") == "question").height
        assert row["suggestions"] == mine.filter(pl.col("kind") == "suggestion").height
    totals = table["total"].to_list()
    assert totals == sorted(totals, reverse=True)


def test_page_followers_and_visitors_charts(app_env):
    """The demo's LinkedIn Page figures: per-day charts whose bars add up to the tiles."""
    at = open_page()
    ws = workspace(app_env)
    for kid, unit in (("new_followers", "followers"), ("page_views", "views")):
        spec = figure(at, f"{CATALOG[kid].label} per day, {unit}, ")
        assert sum(spec["data"][0]["y"]) == CATALOG[kid].compute(ws), kid
        assert len(spec["data"][0]["x"]) == 28


def test_page_followers_and_visitors_say_which_exports_give_them(tmp_path, monkeypatch,
                                                                  demo_frames):
    """Follower counts but no followers gained or page views (the LinkedIn exports not
    imported): the section says so and where LinkedIn exports them, without their tiles."""
    url = f"sqlite:///{tmp_path / 'counts.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    social = demo_frames["social_daily"].with_columns(
        pl.lit(None, dtype=pl.Int64).alias(c) for c in ("new_followers", "page_views",
                                                          "unique_visitors"))
    store.write_frames(engine, {"social_daily": social}, actor="test")
    engine.dispose()
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        at = open_page()
        infos = [i.value for i in at.info]
        assert any(i.startswith("No new followers or page views for this selection") and
                   "Page admin view, Analytics, **Followers**, Export" in i and
                   "**Visitors**" in i for i in infos), infos
        labels = {m.label for m in at.metric}
        assert "Follower growth" in labels
        assert not {"New followers", "Page views"} & labels
    finally:
        get_settings.cache_clear()


def test_empty_database_names_every_missing_dataset(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    db.migrate(db.make_engine(url))
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        at = open_page()
        text = " ".join(i.value for i in at.info)
        for d in ("`mentions`", "`social_daily`", "`conversations`"):
            assert d in text
        assert not at.metric
    finally:
        get_settings.cache_clear()


def test_partial_data_gets_an_empty_state_per_section(tmp_path, monkeypatch, demo_frames):
    """Only conversations stored: sentiment and audience say what is missing, demand
    research still shows."""
    url = f"sqlite:///{tmp_path / 'part.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, {"conversations": demo_frames["conversations"]}, actor="test")
    engine.dispose()
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        at = open_page()
        infos = [i.value for i in at.info]
        assert any("`mentions`" in i and "Sentiment" in i for i in infos)
        assert any("`social_daily`" in i for i in infos)
        assert not any("`conversations`" in i for i in infos)
        assert {m.label for m in at.metric} == {"Questions", "Suggestions"}
    finally:
        get_settings.cache_clear()


# --- library helpers added for the page --------------------------------------------------


def test_platform_label():
    df = pl.DataFrame({"platform": ["tiktok", "x", "all", "mastodon", None]})
    got = df.select(audience.platform_label()).to_series().to_list()
    assert got == ["TikTok", "X", "All platforms", "Mastodon", None]


def test_promo_share_series_by_platform():
    d = dt.date(2026, 10, 31)
    social = pl.DataFrame({
        "date": [d, d, d - dt.timedelta(days=7)],
        "platform": ["x", "facebook", "x"],
        "posts": [4, 10, 5],
        "promo_posts": [1, 5, None],
    })
    spec = ds.get("social_daily").empty_frame()
    social = pl.concat([spec, social], how="diagonal_relaxed").select(spec.columns)
    out = audience.promo_share_series(social, "week", by=["platform"], end=d)
    # x's earlier week has no promo count: no ratio (absent data is not zero)
    assert out.rows() == [
        (dt.date(2026, 10, 18), "x", 0, 0, None),
        (dt.date(2026, 10, 25), "facebook", 10, 5, 0.5),  # 5 / 10
        (dt.date(2026, 10, 25), "x", 4, 1, 0.25),  # 1 / 4
    ]


def test_campaign_filter_keeps_follower_totals_missing(app_env):
    """Follower counts sit on rows without a campaign: with a campaign filter follower
    growth is n/a everywhere (never a made-up 0) and a single platform gets no total row."""
    at = open_page({"campaign": ["Social care hours"], "range": "Last 90 days"})
    shown = {m.label: m.value for m in at.metric}
    assert shown["Follower growth"] == "n/a"
    table = frame_by_column(at, "followers_end")
    assert table["Platform"].to_list() == ["X"]
    assert table["follower_growth"].is_null().all()
    assert any("campaign filter does not narrow them" in c.value for c in at.caption)


def test_audience_and_demand_tables_carry_their_formats_and_downloads(app_env, monkeypatch):
    files = pagetools.Downloads().install(monkeypatch)
    at = open_page()
    ws = workspace(app_env)
    audience_table = next(d for d in at.dataframe if "followers_end" in d.value.columns)
    fmt = pagetools.formats(audience_table)
    assert fmt["follower_growth"] == "%+,d"  # +5,415, not +5415
    assert fmt["impressions"] == fmt["reach"] == fmt["followers_end"] == "%,d"
    assert fmt["engagement_rate"] == fmt["ctr"] == fmt["promo_share"] == "%.1f %%"
    assert fmt["frequency"] == "%,.2f"
    demand = next(d for d in at.dataframe if "suggestions" in d.value.columns)
    assert set(pagetools.formats(demand).values()) == {None, "%,d"}
    pagetools.assert_downloads(at, ["audience_by_platform", "demand_table"])
    report = pagetools.csv_frame(
        files.get(f"reputation_audience_by_platform_{ws.start}_{ws.end}.csv"))
    assert report.columns == ["Platform", "Impressions", "Reach", "Frequency",
                              "Engagement rate (%)", "CTR (%)", "Promotional posts (%)",
                              "Followers (end)", "Follower growth", "New followers",
                              "Page views"]
    # the LinkedIn Page's figures: LinkedIn's and the all-platforms total, n/a elsewhere
    by = dict(zip(report["Platform"], report["Page views"], strict=True))
    want = int(CATALOG["page_views"].compute(ws))
    assert by["LinkedIn"] == by["All platforms"] == f"{want:,}".replace(",", "")
    assert {v for p, v in by.items() if p not in ("LinkedIn", "All platforms")} == {None}
    assert all("." not in v for v in report["Impressions"])
    assert all(len(v.split(".")[-1]) <= 1 for v in report["Engagement rate (%)"])
