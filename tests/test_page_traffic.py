"""The Traffic page on the demo data: tiles equal the catalog, the channel table and the
charts hold the period's figures; an empty database gets empty states naming datasets."""

from __future__ import annotations

import datetime as dt
import json
import math
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
    assert row["cost_per_session"] == pytest.approx(spend / expected["Paid Social"])
    assert table[table["channel_group"] != "Paid Social"]["roas"].isna().all()  # shown "—"
    # one format per unit (money with its sign) and a CSV and an XLSX download per table
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["revenue"]["type_config"]["format"] == "$%,.0f"  # thousands: no cents
    assert config["cost_per_session"]["type_config"]["format"] == "$%,.2f"  # a few dollars
    assert config["share"]["type_config"]["format"] == "%.1f %%"
    pagetools.assert_downloads(at, ["traffic_channels", "traffic_funnel_table",
                                    "traffic_campaigns", "traffic_cost",
                                    "traffic_campaign_cost", "traffic_untracked"])


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
    assert len(figs) == 4  # channel mix, funnel, comparison, cost bubbles
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
    # the UTM audit knows every campaign, whichever platform it runs on: none of another
    # platform is listed as matching no campaign (youtube_howto_2026 was, under Instagram)
    unknown = next((d.value for d in at.dataframe if "likely_match" in d.value.columns
                    and "spend" not in d.value.columns), None)
    every = {c.strip().lower() for c in ws.everything("campaigns")["campaign_id"].to_list()}
    listed = set() if unknown is None else {c.strip().lower() for c in unknown["utm_campaign"]}
    assert not listed & every, listed & every


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
    # channel mix, funnel (sessions side only), comparison, cost bubbles (organic only)
    assert len(figures(at)) == 4
    assert "`ad_spend`" in text


# --- the cost comparison -------------------------------------------------------------------

COST_TILES = ["cost_per_conversion_social", "cost_per_conversion_paid_search",
              "paid_search_roas", "untracked_spend"]


def _table_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_cost_tiles_equal_the_catalog(page):
    at, ws, prev = page
    pagetools.assert_tiles(at, ws, prev, COST_TILES)


def test_cost_table_hand_computed_from_the_rows(page):
    """Paid Search: the period's ad_spend rows of that group over its sessions; Paid Social:
    social_daily's spend; Organic Search at zero media cost."""
    from smmkpi.channels import with_channels

    at, ws, _ = page
    t = _table_with(at, "cost_basis")
    rows = {r["channel_group"]: r for r in t.to_dict("records")}
    web = with_channels(ws.frame("web_sessions"))
    ps_sessions = web.filter(pl.col("channel_group") == "Paid Search")["sessions"].sum()
    ps_conv = web.filter(pl.col("channel_group") == "Paid Search")["conversions"].sum()
    ps_rev = web.filter(pl.col("channel_group") == "Paid Search")["revenue"].sum()
    ps_spend = ws.frame("ad_spend").filter(pl.col("channel") == "paid search")["spend"].sum()
    ps = rows["Paid Search"]
    assert ps["cost_basis"] == "media spend" and ps["sessions"] == ps_sessions
    assert ps["spend"] == pytest.approx(ps_spend)
    assert ps["cost_per_session"] == pytest.approx(ps_spend / ps_sessions)
    assert ps["cost_per_conversion"] == pytest.approx(ps_spend / ps_conv)
    assert ps["roas"] == pytest.approx(ps_rev / ps_spend)
    social = rows["Paid Social"]
    assert social["spend"] == pytest.approx(ws.frame("social_daily")["spend"].sum())
    seo = rows["Organic Search"]
    assert (seo["cost_basis"], seo["spend"], seo["cost_per_conversion"]) == (
        "no media cost", 0.0, 0.0)
    assert math.isnan(seo["roas"])  # undefined: shown "—"
    assert rows["Organic Social"]["cost_basis"] == "no media cost"
    # the comparison period's figures beside them
    prev_col = next(c for c in t.columns if c.startswith("cost_per_conversion_prev"))
    assert not math.isnan(rows["Paid Search"][prev_col])


def test_cost_bubbles_place_each_group(page):
    from smmkpi.channels import with_channels

    at, ws, _ = page
    fig = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("Cost per"))
    title = fig["layout"]["title"]["text"]
    assert "bubble size = sessions" in title and str(ws.period) in title
    points = {text: (x, y) for t in fig["data"] for text, x, y in zip(
        t["text"], t["x"], t["y"], strict=True)}
    web = with_channels(ws.frame("web_sessions"))
    seo = web.filter(pl.col("channel_group") == "Organic Search")
    assert points["Organic Search (no media cost)"] == pytest.approx(
        (0.0, seo["conversions"].sum() / seo["sessions"].sum()))
    ps = web.filter(pl.col("channel_group") == "Paid Search")
    spend = ws.frame("ad_spend").filter(pl.col("channel") == "paid search")["spend"].sum()
    assert points["Paid Search"] == pytest.approx(
        (spend / ps["conversions"].sum(), ps["conversions"].sum() / ps["sessions"].sum()))
    assert {t["name"] for t in fig["data"]} == {"Social", "Paid channels", "No media cost"}


def test_utm_audit_finds_the_untagged_campaign(page):
    """The demo's display_prospecting campaign spends without UTM tags."""

    at, ws, _ = page
    audit = _table_with(at, "likely_match_sessions")
    assert audit["campaign"].tolist() == ["display_prospecting"]
    spent = ws.frame("ad_spend").filter(pl.col("campaign") == "display_prospecting")
    assert audit["spend"].iloc[0] == pytest.approx(spent["spend"].sum())
    assert any("1 campaign spent" in w.value for w in at.warning)
    per = _table_with(at, "channels")
    assert set(per["campaign"]) >= {"search_brand", "search_generic", "display_remarketing",
                                    "display_prospecting"}


def test_campaign_filter_says_what_the_channel_comparison_compares(app_env):
    """With one campaign selected the comparison holds that campaign's sessions only: the
    channels it did not use read 0, and the page says so instead of showing bare zeros."""
    from smmkpi.channels import with_channels
    from smmkpi.kpis import traffic
    from smmkpi.workspace import Filters

    ws, _ = workspaces(app_env)
    camps = ws.everything("campaigns").filter(pl.col("campaign_id") == "autumn_traffic_2026")
    campaign, name = camps["campaign_id"][0], camps["name"][0]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["campaign"] = [name]  # the widget binds to the URL by its labels
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    only = ws.__class__(ws.source, ws.period, Filters(campaigns=(campaign,)))
    comp = traffic.channel_comparison(with_channels(only.frame("web_sessions")))
    unused = comp.filter(pl.col("sessions") == 0)["channel"].to_list()
    assert unused, "the demo campaign uses every channel: pick one that does not"
    captions = " ".join(c.value for c in at.caption)
    assert "only sessions tagged with the campaign count" in captions
    assert f"It brought no sessions through {', '.join(unused)}" in captions
