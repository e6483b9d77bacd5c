"""The Traffic page on the demo data: tiles equal the catalog, the channel table and the
charts hold the period's figures; an empty database gets empty states naming datasets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pagetools
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/traffic.py"
TILES = [
    "sessions", "social_sessions", "social_share_of_sessions", "social_to_site_rate",
    "social_conversion_rate", "cost_per_social_session", "social_roas",
]


def open_page() -> AppTest:
    return pagetools.open_page(PAGE)


workspaces = pagetools.default_workspaces


figures = pagetools.figures


@pytest.fixture(scope="module")
def page(demo_db):
    """One run of the page on the demo data, shared by the checks below."""
    with pagetools.demo_settings(demo_db):
        yield open_page(), *workspaces(demo_db)


def test_tiles_equal_the_catalog_with_comparison(page):
    at, ws, prev = page
    pagetools.assert_tiles(at, ws, prev, TILES)


def test_channel_table_lists_every_group_with_its_sessions(page):
    from smmkpi.channels import with_channels

    at, ws, _ = page
    table = at.dataframe[0].value
    # independent of channel_table: group the classified period rows directly
    expected = dict(
        with_channels(ws.frame("web_sessions")).group_by("channel_group")
        .agg(pl.col("sessions").sum()).iter_rows()
    )
    got = dict(zip(table["channel_group"], table["sessions"], strict=True))
    assert got == expected
    assert {"Organic Social", "Paid Social", "Organic Search", "Paid Search", "Email",
            "Direct", "Referral"} <= set(got)
    # shares are shown in percent and add up to 100
    assert table["share"].sum() == pytest.approx(100.0)
    # spend is known for Paid Social only: its cost per session is spend / sessions
    spend = ws.frame("social_daily")["spend"].sum()
    row = table[table["channel_group"] == "Paid Social"].iloc[0]
    from smmkpi import formatting

    assert row["cost_per_session"] == formatting.money(spend / expected["Paid Social"])
    assert set(table[table["channel_group"] != "Paid Social"]["roas"]) == {"—"}


def test_stacked_chart_holds_each_groups_sessions(page):
    from smmkpi.channels import SOCIAL_GROUPS, with_channels

    at, ws, _ = page
    mix = figures(at)[0]
    per_trace = {t["name"]: sum(t["y"]) for t in mix["data"]}
    expected = dict(
        with_channels(ws.frame("web_sessions")).group_by("channel_group")
        .agg(pl.col("sessions").sum()).iter_rows()
    )
    assert per_trace == expected
    # social groups first, i.e. at the bottom of the stack
    assert {t["name"] for t in mix["data"][:2]} == set(SOCIAL_GROUPS)
    assert "sessions per day" in mix["layout"]["title"]["text"]


def test_funnel_and_comparison_charts(page):
    at, ws, _ = page
    figs = figures(at)
    assert len(figs) == 3
    funnel, comparison = figs[1], figs[2]
    assert [t["type"] for t in funnel["data"]] == ["bar"] * 4
    # the link clicks panel sums to the period's social link clicks
    clicks = ws.frame("social_daily")["link_clicks"].sum()
    assert sum(funnel["data"][1]["x"]) == clicks
    assert comparison["data"][0]["y"] == ["Social", "Paid Search", "Organic Search", "Email",
                                          "Direct", "Referral"]


def test_weekly_chart_for_a_long_period(app_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["range"] = "Year to date"
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    mix = figures(at)[0]
    assert "sessions per week" in mix["layout"]["title"]["text"]
    dates = sorted(mix["data"][0]["x"])
    # weeks are 7 days apart
    d = [dt.date.fromisoformat(x[:10]) for x in dates]
    assert {(b - a).days for a, b in zip(d, d[1:], strict=False)} == {7}


def test_empty_database_names_the_missing_dataset(monkeypatch, tmp_path):
    from smmkpi.config import get_settings

    monkeypatch.setenv("SMMKPI_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        at = open_page()
    finally:
        get_settings.cache_clear()
    text = " ".join(i.value for i in at.info)
    assert "`web_sessions`" in text and "`social_daily`" in text
    assert "python -m smmkpi import" in text
    assert not at.get("plotly_chart")


def test_by_week_counts_back_from_the_end():
    from smmkpi.kpis.traffic import by_week

    # 1-10 Jan 2026, end 10 Jan: weeks 4-10 Jan (7 days) and 28 Dec-3 Jan (1-3 Jan: 3 days)
    days = pl.date_range(dt.date(2026, 1, 1), dt.date(2026, 1, 10), eager=True)
    daily = pl.DataFrame({"date": days, "channel_group": ["Email"] * 10,
                          "sessions": list(range(1, 11))})
    out = by_week(daily, dt.date(2026, 1, 10), ["channel_group"], ["sessions"])
    assert out.rows() == [
        (dt.date(2025, 12, 28), "Email", 1 + 2 + 3, 3),
        (dt.date(2026, 1, 4), "Email", 4 + 5 + 6 + 7 + 8 + 9 + 10, 7),
    ]


def test_tiles_follow_the_platform_filter(app_env):
    from smmkpi import formatting
    from smmkpi.kpis.catalog import CATALOG
    from smmkpi.workspace import Filters

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["platform"] = ["Instagram"]
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    ws, _ = workspaces(app_env)
    only = ws.__class__(ws.source, ws.period, Filters(platforms=("instagram",)))
    shown = {m.label: m.value for m in at.metric}
    for kid in ("social_sessions", "social_to_site_rate", "cost_per_social_session"):
        k = CATALOG[kid]
        assert k.compute(only) != k.compute(ws)
        assert shown[k.label] == formatting.value(k.compute(only), k.unit)
    funnel = figures(at)[1]
    assert funnel["data"][0]["y"] == ["Instagram"]


def test_sessions_without_social_or_campaigns(monkeypatch, tmp_path, demo_frames):
    """Only web_sessions stored: the page still shows sessions, names the missing datasets,
    and the spend-based tiles and columns are n/a or absent, never 0."""
    from smmkpi import db, store
    from smmkpi.config import get_settings

    url = f"sqlite:///{tmp_path / 'sessions_only.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, {"web_sessions": demo_frames["web_sessions"]}, actor="test",
                       action="test")
    engine.dispose()
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        at = open_page()
    finally:
        get_settings.cache_clear()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Social to site rate"] == "n/a"
    assert shown["Cost per social session"] == "n/a"
    assert shown["Sessions"] != "n/a"
    text = " ".join(i.value for i in at.info)
    assert "`social_daily`" in text and "`campaigns`" in text
    table = at.dataframe[0].value
    assert "roas" not in table.columns and "cost_per_session" not in table.columns
    assert len(figures(at)) == 3  # channel mix, funnel (sessions side only), comparison
