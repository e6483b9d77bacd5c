"""Cost per channel group, per campaign and the UTM audit (smmkpi.kpis.cost), against
figures computed by hand on a small data set."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from smmkpi import datasets as ds
from smmkpi.kpis import cost
from smmkpi.kpis.catalog import CATALOG
from smmkpi.workspace import FrameSource, Period, Workspace

D1, D2 = dt.date(2026, 11, 1), dt.date(2026, 11, 2)


def frame(name: str, rows: list[tuple]) -> pl.DataFrame:
    width = len(ds.get(name).names)  # columns the rows leave out (web_sessions.content) empty
    rows = [r + (None,) * (width - len(r)) for r in rows]
    return pl.DataFrame(rows, schema=ds.get(name).schema, orient="row")


WEB = frame("web_sessions", [
    # date, source, medium, campaign, sessions, engaged, conversions, revenue
    (D1, "google", "cpc", "brand search", 1000, 600, 40, 4000.0),
    (D2, "google", "cpc", "Brand Search ", 500, 300, 10, 1000.0),
    (D2, "google", "cpc", "brand_serach", 20, 10, 0, 0.0),  # a typo in the UTM tag
    (D1, "google", "organic", None, 2000, 1200, 30, 2500.0),
    (D1, "l.facebook.com", "referral", None, 400, 200, 4, 200.0),
    (D1, "facebook", "paid_social", "spring-sale", 300, 100, 6, 450.0),
    (D2, "newsletter", "email", "nov_newsletter", 250, 180, 5, 300.0),
])
AD = frame("ad_spend", [
    # date, channel, campaign, spend, impressions, clicks, conversions, value, currency, opens
    (D1, "paid search", "Brand search", 600.0, 10000, 800, 30.0, 3000.0, "USD", None),
    (D2, "paid search", "Brand search", 400.0, 8000, 600, 20.0, 2000.0, "USD", None),
    (D1, "display", "Display remarketing", 150.0, 50000, 90, None, None, "USD", None),
    (D2, "paid search", "Spring_Sale", 50.0, 900, 40, 1.0, 60.0, "USD", None),
])
SOCIAL = frame("social_daily", [
    # date, platform, campaign_id, impressions, reach, engagements, link_clicks, followers,
    # posts, promo_posts, spend
    (D1, "facebook", "spring-sale", 9000, 5000, 300, 250, None, 1, 1, 120.0),
    (D2, "facebook", "spring-sale", 8000, 4000, 250, 200, None, 1, 1, 80.0),
    (D1, "instagram", None, 3000, 2000, 90, 40, None, 2, 0, 30.0),  # spend outside campaigns
])
CAMPAIGNS = frame("campaigns", [
    ("spring-sale", "Spring sale", "sales_spike", "facebook", D1, D2, 500.0, "Ann"),
])


def test_cost_by_channel_group_hand_computed():
    t = cost.cost_by_channel(WEB, SOCIAL, AD)
    rows = {r["channel_group"]: r for r in t.iter_rows(named=True)}
    assert t["channel_group"].to_list() == [
        "Paid Search", "Paid Social", "Display", "Organic Search", "Organic Social", "Email"]
    ps = rows["Paid Search"]  # 600 + 400 + 50 spent; 1000 + 500 + 20 sessions
    assert (ps["cost_basis"], ps["spend"], ps["sessions"], ps["conversions"], ps["revenue"]) == (
        "media spend", 1050.0, 1520, 50, 5000.0)
    assert ps["cost_per_session"] == pytest.approx(1050 / 1520)
    assert ps["cost_per_conversion"] == pytest.approx(21.0)
    assert ps["roas"] == pytest.approx(5000 / 1050)
    assert ps["conversion_rate"] == pytest.approx(50 / 1520)
    social = rows["Paid Social"]  # social_daily's 120 + 80 + 30
    assert (social["spend"], social["sessions"]) == (230.0, 300)
    assert social["cost_per_session"] == pytest.approx(230 / 300)
    assert social["cost_per_conversion"] == pytest.approx(230 / 6)
    assert social["roas"] == pytest.approx(450 / 230)
    display = rows["Display"]  # spends, no sessions: no cost per session, never 0
    assert display["spend"] == 150.0 and display["sessions"] == 0
    assert display["cost_per_session"] is None and display["roas"] is None
    for organic in ("Organic Search", "Organic Social"):  # zero media cost, labelled so
        r = rows[organic]
        assert (r["cost_basis"], r["spend"], r["cost_per_session"], r["cost_per_conversion"],
                r["roas"]) == ("no media cost", 0.0, 0.0, 0.0, None)
    assert rows["Organic Search"]["revenue"] == 2500.0
    email = rows["Email"]  # paid channel without cost in the data: no figure, not zero
    assert (email["cost_basis"], email["spend"], email["cost_per_session"]) == (
        "no cost data", None, None)


def test_with_previous_joins_the_comparison():
    now = cost.cost_by_channel(WEB, SOCIAL, AD)
    prev = cost.cost_by_channel(WEB.filter(pl.col("date") == D1), None,
                                AD.filter(pl.col("date") == D1))
    out = cost.with_previous(now, prev, "channel_group", ["spend", "roas"])
    r = out.filter(pl.col("channel_group") == "Paid Search").row(0, named=True)
    assert r["spend_prev"] == 600.0 and r["roas_prev"] == pytest.approx(4000 / 600)
    assert out.filter(pl.col("channel_group") == "Paid Social")["spend_prev"].item() is None
    none = cost.with_previous(now, None, "channel_group", ["spend"])
    assert none["spend_prev"].null_count() == none.height


def test_campaign_cost_hand_computed():
    c = cost.campaign_cost(WEB, SOCIAL, AD)
    assert c.select("campaign", "channels", "spend", "sessions", "tracked").rows() == [
        ("Brand search", "Paid Search", 1000.0, 1500, True),  # 'Brand Search ' matches
        ("spring-sale", "Paid Social", 200.0, 300, True),
        ("Display remarketing", "Display", 150.0, 0, False),
        ("Spring_Sale", "Paid Search", 50.0, 0, False),
    ]
    brand = c.row(0, named=True)
    assert brand["revenue"] == 5000.0 and brand["roas"] == pytest.approx(5.0)
    assert brand["cost_per_session"] == pytest.approx(1000 / 1500)
    assert brand["cost_per_conversion"] == pytest.approx(1000 / 50)
    assert cost.unassigned_spend(SOCIAL, AD) == 30.0


def test_a_campaign_on_two_channels_lists_both():
    two = pl.concat([AD, frame("ad_spend", [
        (D1, "display", "Brand search", 2000.0, None, None, None, None, "USD", None)])])
    c = cost.campaign_cost(WEB, SOCIAL, two).row(0, named=True)
    assert (c["campaign"], c["channels"], c["spend"]) == ("Brand search",
                                                           "Display, Paid Search", 3000.0)


def test_utm_audit_finds_untracked_spend_and_unknown_tags():
    costs = cost.campaign_cost(WEB, SOCIAL, AD)
    untracked = cost.untracked_campaigns(costs, WEB)
    assert untracked.rows() == [
        ("Display remarketing", "Display", 150.0, None, None),
        # spends as Spring_Sale, tagged spring-sale: the likely match, with its sessions
        ("Spring_Sale", "Paid Search", 50.0, "spring-sale", 300),
    ]
    known = [*CAMPAIGNS["campaign_id"], *costs["campaign"]]
    unknown = cost.unknown_utm_campaigns(WEB, known)
    assert unknown.rows() == [
        ("nov_newsletter", 250, 300.0, None),
        ("brand_serach", 20, 0.0, "Brand search"),  # a typo: the likely match
    ]


def test_loose_matches():
    assert cost.loose_key("Spring_Sale") == cost.loose_key(" spring-sale") == "springsale"
    cands = {cost.loose_key(n): n for n in ("Brand search", "Black Friday")}
    assert cost._closest("brand_serach", cands) == "Brand search"
    assert cost._closest("summer", cands) is None
    assert cost._closest("---", cands) is None


@pytest.fixture
def ws() -> Workspace:
    src = FrameSource({"web_sessions": WEB, "ad_spend": AD, "social_daily": SOCIAL,
                       "campaigns": CAMPAIGNS}, key="cost-test")
    return Workspace(src, Period(D1, D2))


def test_catalog_kpis_hand_computed(ws):
    want = {
        "paid_search_spend": 1050.0,
        "cost_per_session_paid_search": 1050 / 1520,
        "cost_per_conversion_paid_search": 1050 / 50,
        "paid_search_roas": 5000 / 1050,
        "display_spend": 150.0,
        "cost_per_session_display": None,  # no Display sessions
        "paid_shopping_spend": None,  # no Paid Shopping rows: not reported, not 0
        "spend": 230.0,  # social spend
        "cost_per_conversion_social": 230 / (4 + 6),  # organic and paid social conversions
        "untracked_spend": 150.0 + 50.0,
    }
    for kid, value in want.items():
        got = CATALOG[kid].compute(ws)
        assert got == (None if value is None else pytest.approx(value)), kid


def test_kpis_by_day(ws):
    one = ws.with_period(Period(D2, D2))
    assert CATALOG["paid_search_spend"].compute(one) == 450.0
    assert CATALOG["cost_per_session_paid_search"].compute(one) == pytest.approx(450 / 520)
    # on 1 Nov Spring_Sale had not spent yet; Display remarketing spent without sessions
    assert CATALOG["untracked_spend"].compute(ws.with_period(Period(D1, D1))) == 150.0
    d = CATALOG["cost_per_session_paid_search"].daily(ws)
    assert d.rows() == [(D1, 600.0, 1000.0), (D2, 450.0, 520.0)]


def test_without_ad_spend_the_paid_group_kpis_are_missing(ws):
    src = FrameSource({"web_sessions": WEB, "social_daily": SOCIAL}, key="no-ads")
    w = Workspace(src, Period(D1, D2))
    for kid in ("paid_search_spend", "cost_per_session_paid_search", "paid_search_roas",
                "cost_per_conversion_paid_search"):
        assert CATALOG[kid].compute(w) is None, kid
    assert CATALOG["untracked_spend"].compute(w) == 0.0  # spring-sale is tracked
    assert CATALOG["cost_per_conversion_social"].compute(w) == pytest.approx(23.0)


@pytest.mark.parametrize("group", cost.PAID_GROUPS)
def test_every_paid_group_has_its_four_kpis(group):
    s = cost.slug(group)
    for kid in (f"{s}_spend", f"cost_per_session_{s}", f"cost_per_conversion_{s}",
                f"{s}_roas"):
        assert kid in CATALOG


def test_email_sends_beside_their_sessions_hand_computed():
    import datetime as dt

    import polars as pl

    from smmkpi import datasets as ds
    from smmkpi.kpis import cost

    d = dt.date(2026, 11, 2)
    spend = pl.DataFrame({
        "date": [d, d + dt.timedelta(days=7), d], "channel": ["Email", "Email", "Paid Search"],
        "campaign": ["Nov newsletter", "Nov newsletter", "brand"],
        "spend": [0.0, 0.0, 10.0], "impressions": [1000, 500, 99], "clicks": [60, 30, 9],
        "conversions": [None, None, 1.0], "conversion_value": [None, None, 5.0],
        "currency": [None, None, None], "opens": [400, 200, None],
    })
    spend = spend.select([pl.col(c).cast(t) for c, t in ds.get("ad_spend").schema.items()])
    web = pl.DataFrame({"date": [d, d], "source": ["newsletter", "google"],
                        "medium": ["email", "cpc"], "campaign": ["nov newsletter", "brand"],
                        "sessions": [72, 5], "engaged_sessions": [40, 2],
                        "conversions": [3, 0], "revenue": [90.0, 0.0]})
    out = cost.email_sends(spend, web).row(0, named=True)
    assert out["campaign"] == "Nov newsletter" and out["sends"] == 2
    assert (out["recipients"], out["opens"], out["clicks"]) == (1500, 600, 90)
    assert out["open_rate"] == pytest.approx(600 / 1500)
    assert out["click_rate"] == pytest.approx(90 / 1500)
    assert (out["sessions"], out["conversions"], out["revenue"]) == (72, 3, 90.0)
    assert out["sessions_per_click"] == pytest.approx(72 / 90)
    assert cost.email_sends(None, web).height == 0


def test_likely_matches_for_the_unknown_campaigns_with_the_most_sessions(monkeypatch):
    """A long tail of unknown UTM campaigns is listed whole, but only the first
    LIKELY_MATCH_ROWS (by sessions) get a likely match looked up."""
    monkeypatch.setattr(cost, "LIKELY_MATCH_ROWS", 1)
    known = [*CAMPAIGNS["campaign_id"], *cost.campaign_cost(WEB, SOCIAL, AD)["campaign"]]
    web = WEB.with_columns(
        pl.when(pl.col("campaign") == "nov_newsletter").then(pl.lit("brand_serach"))
        .when(pl.col("campaign") == "brand_serach").then(pl.lit("brand_serch"))
        .otherwise(pl.col("campaign")).alias("campaign"))
    # brand_serach (250 sessions) is looked up, brand_serch (20) is listed without one
    assert cost.unknown_utm_campaigns(web, known).rows() == [
        ("brand_serach", 250, 300.0, "Brand search"), ("brand_serch", 20, 0.0, None)]
