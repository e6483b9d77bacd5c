"""Audience and reputation KPIs, negative spikes and tables against hand-computed figures."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from smmkpi import datasets as ds
from smmkpi.config import get_settings
from smmkpi.kpis import audience as au
from smmkpi.workspace import Filters, FrameSource, Period, Workspace

D = dt.date
PERIOD = Period(D(2024, 3, 4), D(2024, 3, 10))  # Monday to Sunday
NO_FILTERS = Filters()
JAN1 = D(2024, 1, 1)


def social(rows: list[tuple]) -> pl.DataFrame:
    """social_daily rows; a row may leave out the last columns (missing, not 0)."""
    schema = ds.get("social_daily").schema
    full = [r + (None,) * (len(schema) - len(r)) for r in rows]
    return pl.DataFrame(full, schema=schema, orient="row")


def mentions(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ds.get("mentions").schema, orient="row")


# date, platform, campaign, impressions, reach, engagements, link_clicks, followers, posts,
# promo_posts, spend (, new_followers, page_views, unique_visitors: left out = missing)
SOCIAL = [
    (D(2024, 3, 3), "ig", None, 90, 50, 5, 1, 1000, 2, 2, 0.0, 5, 9, 7),  # the day before
    (D(2024, 3, 4), "ig", None, 1000, 400, 40, 10, 1010, 2, 0, 0.0, 12, 30, 20),
    # a campaign row repeating the account's follower count: must not be added up
    (D(2024, 3, 4), "ig", "c1", 500, 300, 30, 20, 1010, 1, 1, 50.0),
    (D(2024, 3, 5), "ig", None, 800, 400, 20, None, None, 1, 0, 0.0),  # clicks not reported
    (D(2024, 3, 10), "ig", None, 700, 300, 10, 5, 1040, 1, 1, 0.0, None, 15, 11),
    (D(2024, 3, 6), "fb", None, 200, 100, 10, 5, 500, 1, None, None),  # promo not reported
    (D(2024, 3, 8), "fb", "c1", 300, 200, 20, 15, None, 2, 1, 30.0),
    (D(2024, 3, 9), "fb", None, 100, 100, 0, 0, 520, 0, 0, 0.0, 3),
    (D(2024, 3, 11), "fb", None, 100, 50, 1, 1, 600, 1, 0, 0.0, 7, 40),  # after the period
]

MENTIONS = [
    (D(2024, 3, 3), "ig", 100, 100, 100),  # before the period
    (D(2024, 3, 4), "ig", 10, 5, 5),
    (D(2024, 3, 5), "fb", 2, 3, 15),
]


def workspace(
    soc: list[tuple] = SOCIAL,
    men: list[tuple] = MENTIONS,
    period: Period = PERIOD,
    filters: Filters = NO_FILTERS,
) -> Workspace:
    frames = {"social_daily": social(soc), "mentions": mentions(men)}
    return Workspace(FrameSource(frames, key="t"), period, filters=filters)


def kpi(ws: Workspace, kid: str) -> float | None:
    (k,) = [k for k in au.KPIS if k.id == kid]
    return k.compute(ws)


def test_catalog_entries() -> None:
    by_id = {k.id: k for k in au.KPIS}
    assert len(by_id) == len(au.KPIS)
    assert {
        "impressions",
        "reach",
        "engagements",
        "link_clicks",
        "frequency",
        "engagement_rate",
        "ctr",
        "follower_growth",
        "negative_share",
        "sentiment_score",
        "promo_share",
    } <= set(by_id)
    assert by_id["reach"].label == "Reach (sum of daily reach)"
    assert by_id["negative_share"].direction == "lower"
    assert by_id["promo_share"].direction == "lower"
    assert "reputation" in by_id["negative_share"].goals
    assert "awareness" in by_id["impressions"].goals
    assert all(k.area == "audience" for k in au.KPIS)
    assert all(set(k.goals) <= set(ds.GOALS) for k in au.KPIS)


def test_social_kpis_by_hand() -> None:
    ws = workspace()
    # impressions: ig 1000 + 500 + 800 + 700 = 3000, fb 200 + 300 + 100 = 600
    assert kpi(ws, "impressions") == 3600.0
    # reach: ig 400 + 300 + 400 + 300 = 1400, fb 100 + 200 + 100 = 400
    assert kpi(ws, "reach") == 1800.0
    assert kpi(ws, "frequency") == pytest.approx(3600 / 1800)
    # engagements: ig 40 + 30 + 20 + 10 = 100, fb 10 + 20 + 0 = 30
    assert kpi(ws, "engagement_rate") == pytest.approx(130 / 1800)
    assert kpi(ws, "engagements") == 130.0
    # link clicks: ig 10 + 20 + 5 (5 March not reported) = 35, fb 5 + 15 + 0 = 20
    assert kpi(ws, "link_clicks") == 55.0
    # ctr over rows reporting clicks (not ig 5 March, 800 impressions):
    # clicks 10 + 20 + 5 + 5 + 15 + 0 = 55, impressions 3600 - 800 = 2800
    assert kpi(ws, "ctr") == pytest.approx(55 / 2800)
    # promo share over rows reporting promo posts (not fb 6 March):
    # promo 0 + 1 + 0 + 1 + 1 + 0 = 3, posts 2 + 1 + 1 + 1 + 2 + 0 = 7
    assert kpi(ws, "promo_share") == pytest.approx(3 / 7)


def test_follower_growth_per_platform_without_adding_campaign_rows() -> None:
    ws = workspace()
    # ig: 1040 at the end (10 March) - 1000 at the end of 3 March = 40 (4 March is 1010 once,
    # not 2020 from the campaign row); fb: no count before the period, so its first count
    # (500 on 6 March) is the start; 520 on 9 March is the end (600 on 11 March is after)
    assert kpi(ws, "follower_growth") == 60.0
    hist = ws.history("social_daily")
    assert hist is not None
    table = au.follower_growth_by_platform(hist, PERIOD.start, PERIOD.end)
    assert table.rows() == [("fb", 500, 520, 20), ("ig", 1000, 1040, 40)]
    # the daily changes add up to the growth, over the period and over any part of it
    k = next(k for k in au.KPIS if k.id == "follower_growth")
    assert k.daily is not None
    daily = k.daily(ws)
    assert daily is not None
    assert dict(daily.iter_rows()) == {
        D(2024, 3, 4): 10.0,  # ig 1000 -> 1010
        D(2024, 3, 6): 0.0,  # fb's first count
        D(2024, 3, 9): 20.0,  # fb 500 -> 520
        D(2024, 3, 10): 30.0,  # ig 1010 (carried over 5-9 March) -> 1040
    }
    # 5-9 March: ig 1010 -> 1010 = 0; fb 500 -> 520 = 20
    part = workspace(period=Period(D(2024, 3, 5), D(2024, 3, 9)))
    assert kpi(part, "follower_growth") == 20.0


def test_follower_growth_missing_is_none() -> None:
    no_followers = [r[:7] + (None,) + r[8:] for r in SOCIAL]
    assert kpi(workspace(soc=no_followers), "follower_growth") is None
    # counts only on rows without a campaign: a campaign filter leaves none -> n/a
    only_account = [r if r[2] is None else r[:7] + (None,) + r[8:] for r in SOCIAL]
    filtered = workspace(soc=only_account, filters=Filters(campaigns=("c1",)))
    assert kpi(filtered, "follower_growth") is None
    assert kpi(filtered, "impressions") == 800.0  # the c1 rows: 500 + 300


def test_mentions_kpis_by_hand() -> None:
    ws = workspace()
    # in the period: positive 10 + 2 = 12, neutral 5 + 3 = 8, negative 5 + 15 = 20
    assert kpi(ws, "negative_mentions") == 20.0
    assert kpi(ws, "negative_share") == pytest.approx(20 / 40)
    assert kpi(ws, "sentiment_score") == pytest.approx(12 / 32)
    silent = workspace(men=[(D(2024, 3, 4), "ig", 0, 0, 0)])
    assert kpi(silent, "negative_share") is None
    assert kpi(silent, "sentiment_score") is None
    neutral_only = workspace(men=[(D(2024, 3, 4), "ig", 0, 4, 0)])
    assert kpi(neutral_only, "negative_share") == 0.0
    assert kpi(neutral_only, "sentiment_score") is None


def test_missing_or_zero_is_none() -> None:
    empty = Workspace(FrameSource({}, key="e"), PERIOD)
    assert all(k.compute(empty) is None for k in au.KPIS)
    zero = [(D(2024, 3, 4), "ig", None, 0, 0, 0, 0, None, 0, 0, 0.0)]
    ws = workspace(soc=zero)
    assert kpi(ws, "impressions") == 0.0
    for kid in ("frequency", "engagement_rate", "ctr", "promo_share"):
        assert kpi(ws, kid) is None
    unreported = [(D(2024, 3, 4), "ig", None, 100, None, None, None, None, None, None, None)]
    ws = workspace(soc=unreported)
    assert kpi(ws, "reach") is None
    assert kpi(ws, "frequency") is None


def test_new_followers_and_page_views_by_hand() -> None:
    """Sums of the followers gained and page views of the period's days (3 and 11 March
    are outside it); missing, not 0, where no row reports them."""
    ws = workspace()
    assert kpi(ws, "new_followers") == 12 + 3
    assert kpi(ws, "page_views") == 30 + 15
    table = au.audience_table(ws.frame("social_daily"), by=["platform"])
    got = {r["platform"]: (r["new_followers"], r["page_views"], r["unique_visitors"])
           for r in table.iter_rows(named=True)}
    assert got == {"fb": (3, None, None), "ig": (12, 45, 31)}
    unreported = [(D(2024, 3, 4), "ig", None, 100, 90, 4, 1, 1200, 1, 0, 0.0)]
    ws = workspace(soc=unreported)
    assert kpi(ws, "new_followers") is None and kpi(ws, "page_views") is None
    day = Period(D(2024, 3, 5), D(2024, 3, 5))  # rows without either: missing, not 0
    assert kpi(workspace(period=day), "new_followers") is None


def test_every_kpi_has_daily_figures_in_the_period() -> None:
    # (that they add up to the period value is checked for the whole catalog in
    # test_catalog.py)
    ws = workspace()
    for k in au.KPIS:
        assert k.daily is not None, k.id
        d = k.daily(ws)
        assert d is not None, k.id
        assert d.get_column("date").is_between(PERIOD.start, PERIOD.end).all(), k.id


def test_audience_by_platform() -> None:
    ws = workspace()
    frame, hist = ws.frame("social_daily"), ws.history("social_daily")
    assert frame is not None and hist is not None
    table = au.audience_by_platform(frame, hist, ws.start, ws.end)
    fb, ig = table.rows(named=True)
    assert (fb["platform"], fb["impressions"], fb["reach"]) == ("fb", 600, 400)
    assert fb["frequency"] == pytest.approx(1.5)
    assert fb["ctr"] == pytest.approx(20 / 600)
    assert fb["promo_share"] == pytest.approx(1 / 2)  # 6 March not reported: 1 of 2 + 0
    assert (fb["followers_end"], fb["follower_growth"]) == (520, 20)
    assert ig["frequency"] == pytest.approx(3000 / 1400)
    assert ig["ctr"] == pytest.approx(35 / 2200)
    assert ig["engagement_rate"] == pytest.approx(100 / 1400)
    assert (ig["followers_end"], ig["follower_growth"]) == (1040, 40)
    assert ig["spend"] == pytest.approx(50.0)
    assert au.audience_by_platform(frame).get_column("platform").to_list() == ["fb", "ig"]


def test_promo_share_weekly() -> None:
    # weeks count back from the period's end, Sunday 17 March: 26 Feb-3 March (2 of 2),
    # 4-10 March (3 of 7), 11-17 March (0 of 1)
    weeks = au.promo_share_series(social(SOCIAL), grain="week", end=D(2024, 3, 17))
    assert weeks.rows() == [
        (D(2024, 2, 26), 2, 2, 1.0),
        (D(2024, 3, 4), 7, 3, pytest.approx(3 / 7)),
        (D(2024, 3, 11), 1, 0, 0.0),
    ]


def test_mentions_daily_and_demand_research() -> None:
    daily = au.mentions_daily(mentions(MENTIONS), by_platform=True)
    row = daily.filter(pl.col("date") == D(2024, 3, 5)).row(0, named=True)
    assert row["platform"] == "fb" and row["mentions"] == 20
    assert row["negative_share"] == pytest.approx(0.75)
    assert row["sentiment_score"] == pytest.approx(2 / 17)

    t0 = dt.datetime(2024, 3, 5, 9, tzinfo=dt.UTC)
    conv = pl.DataFrame(
        [
            ("1", "x", t0, "question", None, None, None, None),
            ("2", "x", t0, "question", None, None, None, None),
            ("3", "x", t0, "suggestion", None, None, None, None),
            ("4", "y", t0, "suggestion", None, None, None, None),
            ("5", "z", t0, "praise", None, None, None, None),
        ],
        schema=ds.get("conversations").schema,
        orient="row",
    )
    assert au.demand_research(conv).rows() == [("x", 2, 1, 3), ("y", 0, 1, 1)]
    assert au.demand_research(None).height == 0


# --- negative spikes -------------------------------------------------------------------


def series(platform: str, values: list[int], start: D = JAN1) -> list[tuple]:
    return [(start + dt.timedelta(days=i), platform, 0, 0, v) for i, v in enumerate(values)]


def test_spike_exactly_at_threshold_is_not_a_spike() -> None:
    # previous 4 days 13 9 9 9: mean 10, deviations 3 -1 -1 -1, sample variance
    # (9 + 1 + 1 + 1) / 3 = 4, sd 2 -> threshold 10 + 3 * 2 = 16
    prior = [13, 9, 9, 9]
    m = mentions(series("a", prior + [16]) + series("b", prior + [17]))
    scan = au.negative_baseline(m, window=4, min_history=4)
    last = scan.filter(pl.col("date") == D(2024, 1, 5)).sort("platform")
    assert last.get_column("platform").to_list() == ["a", "all", "b"]
    assert last.get_column("threshold").to_list() == [16.0, 32.0, 16.0]
    assert last.get_column("baseline_std").to_list() == [2.0, 4.0, 2.0]
    spikes = au.negative_spikes(m, window=4, min_history=4)
    # a (16) is exactly at the threshold: not a spike; b (17) exceeds it.
    # all platforms: 26 18 18 18 -> mean 20, variance (36 + 4 + 4 + 4) / 3 = 16, sd 4 ->
    # threshold 32; 16 + 17 = 33 exceeds it
    assert spikes.select("date", "platform", "negative").rows() == [
        (D(2024, 1, 5), "all", 33),
        (D(2024, 1, 5), "b", 17),
    ]


def test_spike_with_the_default_28_day_window() -> None:
    # 28 previous days: 12 x 12, 12 x 8, 13, 9, 9, 9 -> mean 10; squared deviations
    # 12 * 4 + 12 * 4 + 9 + 1 + 1 + 1 = 108, sample variance 108 / 27 = 4, sd 2 -> 16
    prior = [12] * 12 + [8] * 12 + [13, 9, 9, 9]
    at = mentions(series("ig", prior + [16]))
    above = mentions(series("ig", prior + [17]))
    assert au.negative_spikes(at).height == 0
    spikes = au.negative_spikes(above)
    assert spikes.rows() == [(D(2024, 1, 29), "ig", 17, 10.0, 2.0, 16.0)]
    # a 29th earlier day does not enter the window: a huge day 29 days before changes nothing
    longer = mentions(series("ig", [1000] + prior + [17], start=D(2023, 12, 31)))
    assert au.negative_spikes(longer).rows() == spikes.rows()


def test_spike_needs_a_minimum_count_and_history() -> None:
    # flat history (sd 0): any day above the mean exceeds the threshold; 9 < min_count 10
    flat = mentions(series("ig", [1] * 20 + [9]))
    assert au.negative_spikes(flat).height == 0
    assert au.negative_spikes(flat, min_count=9).height == 1  # "at least": 9 >= 9
    # sigma scales the sd: 13 9 9 9 (mean 10, sd 2) then 15 exceeds 10 + 2 * 2, not 10 + 3 * 2
    m = mentions(series("ig", [13, 9, 9, 9, 15]))
    assert au.negative_spikes(m, window=4, min_history=4).height == 0
    assert au.negative_spikes(m, sigma=2.0, window=4, min_history=4).height == 1


def test_spike_history_rules() -> None:
    # only 13 previous days: not judged
    short = mentions(series("ig", [0] * 13 + [50]))
    scan = au.negative_baseline(short)
    assert scan.get_column("baseline_mean").null_count() == scan.height
    assert au.negative_spikes(short).height == 0
    # 14 previous days (min_history): judged
    assert au.negative_spikes(mentions(series("ig", [0] * 14 + [50]))).height == 1
    # missing days inside a series count as zero: 5 on 1 Jan, nothing until 16 Jan (20)
    gappy = mentions(series("ig", [5]) + series("ig", [20], start=D(2024, 1, 16)))
    scan = au.negative_baseline(gappy)
    day = scan.filter(pl.col("date") == D(2024, 1, 16)).row(0, named=True)
    assert day["prior_days"] == 15
    assert day["baseline_mean"] == pytest.approx(5 / 15)
    assert au.negative_spikes(gappy).get_column("date").to_list() == [D(2024, 1, 16)]


def test_spikes_limited_to_the_period_newest_first() -> None:
    values = [2] * 20 + [40] + [2] * 5 + [60]  # spikes on 21 Jan and 27 Jan
    m = mentions(series("ig", values))
    assert au.negative_spikes(m).get_column("date").to_list() == [D(2024, 1, 27), D(2024, 1, 21)]
    only = au.negative_spikes(m, start=D(2024, 1, 22), end=D(2024, 1, 31))
    assert only.get_column("date").to_list() == [D(2024, 1, 27)]
    # a single platform has no separate "all" series
    assert au.negative_spikes(m).get_column("platform").unique().to_list() == ["ig"]
    # the workspace helper uses the history before the period and the settings
    src = FrameSource({"mentions": m}, key="s")
    ws = Workspace(src, Period(D(2024, 1, 27), D(2024, 1, 27)))
    assert au.spikes_for(ws).get_column("date").to_list() == [D(2024, 1, 27)]
    strict = dataclasses.replace(get_settings(), spike_min_count=61)
    ws2 = Workspace(src, Period(D(2024, 1, 27), D(2024, 1, 27)), settings=strict)
    assert au.spikes_for(ws2).height == 0
    assert au.negative_spikes(None).height == 0


def test_stored_follower_counts_grouped_by_the_database_give_the_same_growth(
        engine, demo_frames) -> None:
    """Follower growth, its daily parts and the per-platform table from the counts the
    database groups per day, platform and campaign (`DbSource.followers`) equal those from
    every social row in memory (FrameSource), for the brand, a campaign and a platform,
    over several periods; the read holds a few rows per day, not every social row. Stored
    rows that no reader can use (a count beyond its bounds) are left out by both."""
    from smmkpi import store
    from smmkpi.workspace import DbSource

    rows = demo_frames["social_daily"]
    day = rows["date"].max()
    # two rows of the last day that only the bounds decide: a negative count (stored by
    # hand) must not win the day's largest count, nor an impossible one
    odd = rows.filter(pl.col("date") == day).head(1)
    store.write_frames(engine, {"social_daily": rows})
    from sqlalchemy import text
    with engine.begin() as c:
        c.execute(text("UPDATE social_daily SET followers = -5 WHERE date = :d AND "
                       "platform = :p AND campaign_id = ''"),
                  {"d": day, "p": odd["platform"][0]})
    stored = store.read_dataset(engine, "social_daily")
    grouped = DbSource(engine).followers(day)
    assert 0 < grouped.height <= stored.select("date", "platform").n_unique() < stored.height
    frames, db_source = FrameSource({"social_daily": stored}, "f"), DbSource(engine)
    k = next(k for k in au.KPIS if k.id == "follower_growth")
    campaign = stored.drop_nulls("campaign_id")["campaign_id"][0]
    platform = stored["platform"][0]
    for days in (6, 27, 89, 400):
        period = Period(day - dt.timedelta(days=days), day)
        for filters in (Filters(), Filters(campaigns=(campaign,)), Filters(platforms=(platform,))):
            a, b = Workspace(frames, period, filters), Workspace(db_source, period, filters)
            assert k.compute(a) == k.compute(b), (days, filters)
            da, db_ = k.daily(a), k.daily(b)
            assert (da is None) == (db_ is None)
            if da is not None:
                assert da.equals(db_)
            ta = au.audience_by_platform(a.frame("social_daily"), a.followers(), a.start, a.end)
            tb = au.audience_by_platform(b.frame("social_daily"), b.followers(), b.start, b.end)
            # (the spend sums may differ in the last bits: rows in another order)
            assert_frame_equal(ta, tb, check_exact=False)
            assert ta.select("platform", "followers_end", "follower_growth").equals(
                tb.select("platform", "followers_end", "follower_growth"))
    assert k.compute(Workspace(db_source, Period(day - dt.timedelta(days=27), day))) is not None
