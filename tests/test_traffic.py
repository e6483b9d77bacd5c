"""Traffic KPIs and tables, checked against figures computed by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from smmkpi import datasets as ds
from smmkpi.channels import with_channels
from smmkpi.kpis import traffic as tr
from smmkpi.kpis.base import KPI
from smmkpi.workspace import Filters, FrameSource, Period, Workspace

D = dt.date
MAY1, MAY2, MAY3 = D(2024, 5, 1), D(2024, 5, 2), D(2024, 5, 3)

# Channel groups (GA4 rules): l.facebook.com/referral -> Organic Social (facebook),
# google/organic -> Organic Search, Facebook/CPC -> Paid Social (facebook),
# t.co/referral -> Organic Social (x), (direct)/(none) -> Direct, newsletter/email -> Email,
# instagram/social -> Organic Social (instagram), partner.com/referral -> Referral.
WEB = pl.DataFrame(
    {
        "date": [MAY1, MAY1, MAY2, MAY2, MAY2, MAY3, MAY3, MAY3],
        "source": ["l.facebook.com", "google", "Facebook", "t.co", "(direct)", "newsletter",
                   "instagram", "partner.com"],
        "medium": ["referral", "organic", "CPC", "referral", "(none)", "email", "social",
                   "referral"],
        "campaign": [None, None, "spring", "spring", None, "(not set)", "Autumn", None],
        "sessions": [100, 200, 50, 30, 120, 40, 20, 10],
        "engaged_sessions": [60, 150, 20, None, 80, 30, 10, 5],
        "conversions": [2, 8, 3, None, 5, 4, 1, 0],
        "revenue": [100.0, 400.0, 150.0, None, 300.0, 200.0, 50.0, 0.0],
        "content": [None] * 8,
    },
    schema=ds.WEB_SESSIONS.schema,
)
SOCIAL = pl.DataFrame(
    {
        "date": [MAY1, MAY2, MAY2, MAY3],
        "platform": ["facebook", "facebook", "x", "instagram"],
        "campaign_id": [None, "spring", "spring", "Autumn"],
        "impressions": [10_000, 5_000, 2_000, 3_000],
        "reach": [8_000, 4_000, 1_500, 2_500],
        "engagements": [300, 100, 50, 90],
        "link_clicks": [150, 80, 40, 50],
        "followers": [1_000, 1_010, 500, 700],
        "posts": [1, 1, 1, 2],
        "promo_posts": [0, 1, 1, 1],
        "spend": [None, 60.0, 20.0, 20.0],
        **dict.fromkeys(("new_followers", "page_views", "unique_visitors"), [None] * 4),
    },
    schema=ds.SOCIAL_DAILY.schema,
)
CAMPAIGNS = pl.DataFrame(
    {
        "campaign_id": ["Spring", "autumn", "winter"],
        "name": ["Spring sale", "Autumn push", "Winter"],
        "goal": ["sales_spike", "traffic", "awareness"],
        "platform": ["facebook", "instagram", None],
        "start_date": [D(2024, 4, 1), D(2024, 5, 1), D(2024, 5, 1)],
        "end_date": [None, None, None],
        "budget": [1_000.0, None, None],
        "owner": [None, None, None],
    },
    schema=ds.CAMPAIGNS.schema,
)


def _ws(frames: dict[str, pl.DataFrame], filters: Filters | None = None) -> Workspace:
    return Workspace(FrameSource(frames, key="t"), Period(MAY1, MAY3),
                     filters=filters or Filters())


def _kpi(kpi_id: str) -> KPI:
    return next(k for k in tr.KPIS if k.id == kpi_id)


def test_registry() -> None:
    ids = [k.id for k in tr.KPIS]
    assert ids == ["sessions", "social_sessions", "social_share_of_sessions",
                   "social_to_site_rate", "social_conversion_rate", "cost_per_social_session",
                   "social_roas"]
    assert all(k.area == "traffic" and k.daily is not None for k in tr.KPIS)
    assert all(set(k.goals) <= set(ds.GOALS) for k in tr.KPIS)
    assert _kpi("cost_per_social_session").direction == "lower"
    assert [k.id for k in tr.KPIS if k.additive] == ["sessions", "social_sessions"]


# Totals: sessions 100+200+50+30+120+40+20+10 = 570.
# Social sessions: 100 (l.facebook.com) + 50 (Facebook CPC) + 30 (t.co) + 20 (instagram) = 200.
# Link clicks 150+80+40+50 = 320; spend 60+20+20 = 100 (the null counts as no spend).
# Social conversions over rows reporting them: 2+3+1 = 6 in 100+50+20 = 170 sessions
# (t.co reports none). Social revenue 100+150+50 = 300.
EXPECTED = {
    "sessions": 570.0,
    "social_sessions": 200.0,
    "social_share_of_sessions": 200 / 570,
    "social_to_site_rate": 200 / 320,
    "social_conversion_rate": 6 / 170,
    "cost_per_social_session": 100 / 200,
    "social_roas": 300 / 100,
}


@pytest.mark.parametrize("kpi_id", list(EXPECTED))
def test_kpi_values(kpi_id: str) -> None:
    ws = _ws({"web_sessions": WEB, "social_daily": SOCIAL})
    assert _kpi(kpi_id).compute(ws) == pytest.approx(EXPECTED[kpi_id])


def test_daily_figures_by_hand() -> None:
    ws = _ws({"web_sessions": WEB, "social_daily": SOCIAL})
    # every traffic KPI has a row for each of the three days (that they add up to the
    # period value is checked for the whole catalog in test_catalog.py)
    for k in tr.KPIS:
        d = k.daily(ws)  # type: ignore[misc]
        assert d is not None and d.get_column("date").to_list() == [MAY1, MAY2, MAY3], k.id
    # social sessions per day: May 1 100; May 2 50+30 = 80; May 3 20.
    # link clicks per day: 150; 80+40 = 120; 50.
    d = _kpi("social_to_site_rate").daily(ws)  # type: ignore[misc]
    assert d.rows() == [(MAY1, 100.0, 150.0), (MAY2, 80.0, 120.0), (MAY3, 20.0, 50.0)]
    # spend per day: May 1 not reported -> 0; May 2 60+20 = 80; May 3 20.
    d = _kpi("cost_per_social_session").daily(ws)  # type: ignore[misc]
    assert d.rows() == [(MAY1, 0.0, 100.0), (MAY2, 80.0, 80.0), (MAY3, 20.0, 20.0)]


def test_period_subset_recomputes_from_sums() -> None:
    ws = Workspace(FrameSource({"web_sessions": WEB, "social_daily": SOCIAL}, key="t"),
                   Period(MAY2, MAY2))
    # May 2: sessions 50+30+120 = 200; social 80; clicks 120; conversions 3 in 50 sessions.
    assert _kpi("sessions").compute(ws) == 200
    assert _kpi("social_share_of_sessions").compute(ws) == pytest.approx(80 / 200)
    assert _kpi("social_to_site_rate").compute(ws) == pytest.approx(80 / 120)
    assert _kpi("social_conversion_rate").compute(ws) == pytest.approx(3 / 50)
    # Summed, not averaged: May 1-3 gives 200 / 320 = 0.625, while the mean of the daily
    # rates would be (100/150 + 80/120 + 20/50) / 3 = 0.578.
    ws3 = _ws({"web_sessions": WEB, "social_daily": SOCIAL})
    assert _kpi("social_to_site_rate").compute(ws3) == pytest.approx(0.625)


def test_absent_data_is_none_never_zero() -> None:
    only_web = _ws({"web_sessions": WEB})
    for kpi_id in ("social_to_site_rate", "cost_per_social_session", "social_roas"):
        assert _kpi(kpi_id).compute(only_web) is None
        assert _kpi(kpi_id).daily(only_web) is None  # type: ignore[misc]
    assert _kpi("sessions").compute(only_web) == 570
    nothing = _ws({"social_daily": SOCIAL})
    assert all(k.compute(nothing) is None for k in tr.KPIS)
    # Spend never reported: cost and ROAS are n/a, not 0 / infinite.
    no_spend = _ws({"web_sessions": WEB,
                    "social_daily": SOCIAL.with_columns(spend=pl.lit(None, pl.Float64))})
    assert _kpi("cost_per_social_session").compute(no_spend) is None
    assert _kpi("social_roas").compute(no_spend) is None
    # No social session at all: share is 0 (a real zero), the conversion rate n/a.
    no_social = _ws({"web_sessions": WEB.filter(pl.col("source") == "google")})
    assert _kpi("social_share_of_sessions").compute(no_social) == 0.0
    assert _kpi("social_conversion_rate").compute(no_social) is None


def test_platform_filter_applies_to_both_sides() -> None:
    ws = _ws({"web_sessions": WEB, "social_daily": SOCIAL}, Filters(platforms=("x",)))
    # Social sessions from x only: t.co 30; x link clicks 40; sessions keep the non-social
    # rows: 200+120+40+10 = 370 + 30 = 400.
    assert _kpi("social_sessions").compute(ws) == 30
    assert _kpi("sessions").compute(ws) == 400
    assert _kpi("social_to_site_rate").compute(ws) == pytest.approx(30 / 40)
    assert _kpi("cost_per_social_session").compute(ws) == pytest.approx(20 / 30)


def test_channel_table() -> None:
    t = tr.channel_table(WEB, SOCIAL)
    assert t.columns == ["channel_group", "sessions", "share", "engaged_sessions",
                         "engaged_rate", "conversions", "conversion_rate", "revenue",
                         "revenue_per_session", "spend", "cost_per_session", "roas"]
    rows = {r["channel_group"]: r for r in t.to_dicts()}
    # Largest first: Organic Search 200, Organic Social 150, Direct 120, Paid Social 50,
    # Email 40, Referral 10.
    assert t["channel_group"].to_list() == ["Organic Search", "Organic Social", "Direct",
                                            "Paid Social", "Email", "Referral"]
    assert t["sessions"].sum() == 570
    org = rows["Organic Social"]  # 100 + 30 + 20 = 150 sessions
    assert org["sessions"] == 150 and org["share"] == pytest.approx(150 / 570)
    # engaged 60 (+ t.co null) + 10 = 70 over 100 + 20 = 120 reporting sessions
    assert org["engaged_sessions"] == 70 and org["engaged_rate"] == pytest.approx(70 / 120)
    assert org["conversions"] == 3 and org["conversion_rate"] == pytest.approx(3 / 120)
    assert org["revenue"] == 150.0 and org["revenue_per_session"] == pytest.approx(150 / 120)
    assert org["spend"] is None and org["roas"] is None
    paid = rows["Paid Social"]  # all social spend, 100, goes to Paid Social
    assert paid["spend"] == 100.0
    assert paid["cost_per_session"] == pytest.approx(100 / 50)
    assert paid["roas"] == pytest.approx(150 / 100)
    assert rows["Referral"]["conversion_rate"] == 0.0
    # Without social_daily: no spend anywhere.
    assert tr.channel_table(WEB)["spend"].null_count() == 6


def test_sessions_by_channel_daily_is_a_full_grid() -> None:
    t = tr.sessions_by_channel_daily(WEB)
    assert t.height == 3 * 6  # 3 days x 6 groups with sessions
    assert t["sessions"].sum() == 570
    may2 = t.filter(pl.col("date") == MAY2)
    # GA4 order: Direct, Paid Social, Organic Social, Organic Search, Referral, Email.
    assert may2["channel_group"].to_list() == ["Direct", "Paid Social", "Organic Social",
                                               "Organic Search", "Referral", "Email"]
    assert may2["sessions"].to_list() == [120, 50, 30, 0, 0, 0]
    assert tr.sessions_by_channel_daily(WEB.clear()).height == 0


def test_social_funnel() -> None:
    f = tr.social_funnel(WEB, SOCIAL)
    rows = {r["platform"]: r for r in f.to_dicts()}
    assert f["platform"].to_list() == ["facebook", "x", "instagram"]  # by sessions 150, 30, 20
    fb = rows["facebook"]
    # impressions 10000+5000, clicks 150+80, sessions 100+50, conversions 2+3
    assert (fb["impressions"], fb["link_clicks"], fb["sessions"], fb["conversions"]) == (
        15_000, 230, 150, 5)
    assert fb["ctr"] == pytest.approx(230 / 15_000)
    assert fb["social_to_site_rate"] == pytest.approx(150 / 230)
    assert fb["social_conversion_rate"] == pytest.approx(5 / 150)
    x = rows["x"]  # t.co reports no conversions: rate n/a, not 0
    assert x["social_to_site_rate"] == pytest.approx(30 / 40)
    assert x["conversions"] is None and x["social_conversion_rate"] is None
    assert rows["instagram"]["social_to_site_rate"] == pytest.approx(20 / 50)
    # Funnel sessions add up to the social_sessions KPI.
    assert f["sessions"].sum() == 200


def test_social_funnel_unmatched_platforms_and_other() -> None:
    web = pl.concat([WEB, pl.DataFrame(
        {"date": [MAY1, MAY1], "source": ["reddit", "newsletter"],
         "medium": ["referral", "social"], "campaign": [None, None], "sessions": [7, 3],
         "engaged_sessions": [None, None], "conversions": [None, None],
         "revenue": [None, None], "content": [None, None]}, schema=ds.WEB_SESSIONS.schema)])
    social = SOCIAL.with_columns(platform=pl.col("platform").replace({"x": "Twitter"}))
    f = tr.social_funnel(web, social)
    rows = {r["platform"]: r for r in f.to_dicts()}
    assert rows["x"]["link_clicks"] == 40  # "Twitter" normalized to x
    assert rows["reddit"]["sessions"] == 7 and rows["reddit"]["link_clicks"] is None
    assert rows["other"]["sessions"] == 3  # medium social from a non-platform source
    assert f["sessions"].sum() == 210
    no_social = tr.social_funnel(WEB, None)
    assert no_social["link_clicks"].null_count() == no_social.height == 3


def test_channel_comparison() -> None:
    c = tr.channel_comparison(WEB)
    assert c["channel"].to_list() == list(tr.COMPARED_CHANNELS)
    rows = {r["channel"]: r for r in c.to_dicts()}
    soc = rows["Social"]  # Organic + Paid Social: 200 sessions
    assert soc["sessions"] == 200
    # conversions 2+3+1 = 6 over 170 reporting sessions; revenue 300 / 170
    assert soc["conversion_rate"] == pytest.approx(6 / 170)
    assert soc["revenue_per_session"] == pytest.approx(300 / 170)
    # engaged 60+20+10 = 90 over 100+50+20 = 170
    assert soc["engaged_rate"] == pytest.approx(90 / 170)
    assert rows["Email"]["conversion_rate"] == pytest.approx(4 / 40)
    assert rows["Direct"]["revenue_per_session"] == pytest.approx(300 / 120)
    assert rows["Paid Search"]["sessions"] == 0
    assert rows["Paid Search"]["conversion_rate"] is None


def test_campaign_traffic() -> None:
    t = tr.campaign_traffic(WEB, CAMPAIGNS)
    # UTM "spring" matches campaign_id "Spring" (case ignored); "Autumn" matches "autumn";
    # "(not set)" and empty campaigns are not campaigns; "winter" has no sessions.
    assert t["campaign"].to_list() == ["Spring", "autumn", "winter"]
    rows = {r["campaign"]: r for r in t.to_dicts()}
    spring = rows["Spring"]  # Facebook CPC 50 + t.co 30, both social
    assert (spring["name"], spring["goal"], spring["sessions"], spring["social_sessions"]) == (
        "Spring sale", "sales_spike", 80, 80)
    assert spring["social_share"] == 1.0
    assert spring["conversions"] == 3 and spring["conversion_rate"] == pytest.approx(3 / 50)
    assert spring["revenue"] == 150.0
    assert rows["autumn"]["sessions"] == 20 and rows["autumn"]["goal"] == "traffic"
    winter = rows["winter"]
    assert winter["sessions"] == 0 and winter["social_share"] is None
    # Without a campaign list the UTM values stand alone.
    bare = tr.campaign_traffic(WEB)
    assert bare["campaign"].to_list() == ["spring", "Autumn"]
    assert bare["name"].null_count() == 2


def test_tables_accept_a_classified_frame() -> None:
    classified = with_channels(WEB)
    assert tr.channel_table(classified, SOCIAL).equals(tr.channel_table(WEB, SOCIAL))
    assert tr.social_funnel(classified, SOCIAL).equals(tr.social_funnel(WEB, SOCIAL))
    assert tr.channel_comparison(classified).equals(tr.channel_comparison(WEB))
    assert tr.campaign_traffic(classified, CAMPAIGNS).equals(tr.campaign_traffic(WEB, CAMPAIGNS))
    assert tr.sessions_by_channel_daily(classified).equals(tr.sessions_by_channel_daily(WEB))
    # The given columns are trusted: a frame marked all Direct stays Direct.
    marked = classified.with_columns(channel_group=pl.lit("Direct"))
    assert tr.channel_table(marked)["channel_group"].to_list() == ["Direct"]
