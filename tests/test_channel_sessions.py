"""The web sessions per day, campaign, channel group and platform (`channels.channel_sessions`,
kept by the store in `channel_sessions`): every traffic and cost figure summed over them
equals the same figure over every session row, and the store keeps them right through every
write, the rebuild and migration 0016, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from smmkpi import store
from smmkpi.channels import (
    CHANNEL_SESSIONS_KEY,
    channel_sessions,
    sum_channel_sessions,
    with_channels,
)
from smmkpi.kpis import cost, traffic
from smmkpi.kpis.catalog import CATALOG
from smmkpi.workspace import (
    CHANNEL_READS,
    Filters,
    FrameSource,
    Period,
    Workspace,
    filter_sessions_by_platform,
)

D = dt.date(2026, 3, 2)


def _row(day: int, source: str, medium: str | None, campaign: str | None, sessions: int,
         engaged: int | None, conversions: int | None, revenue: float | None,
         content: str | None = None) -> dict:
    return {"date": D + dt.timedelta(days=day), "source": source, "medium": medium,
            "campaign": campaign, "sessions": sessions, "engaged_sessions": engaged,
            "conversions": conversions, "revenue": revenue, "content": content}


# several sources and contents of one channel group and campaign on a day, rows of one group
# that report conversions and rows that do not, two spellings of a campaign
HAND = pl.DataFrame([
    _row(0, "instagram", "social", "spring", 100, 60, 4, 200.0, "reel_1"),
    _row(0, "instagram", "social", "spring", 50, 30, 1, 50.0, "reel_2"),
    _row(0, "l.instagram.com", "referral", "spring", 10, 5, None, None),
    _row(0, "facebook", "paid", "spring", 40, None, 2, 80.0),
    _row(0, "google", "organic", None, 300, 200, 9, 900.0),
    _row(0, "bing", "organic", None, 30, 20, 1, 90.0),
    _row(1, "google", "cpc", "Spring", 70, 35, 3, 120.0),
    _row(1, "google", "cpc", "spring", 20, 10, None, None),
    _row(1, "newsletter", "email", "may_news", 25, 12, 1, 30.0),
    _row(1, None, None, None, 80, 40, 2, 60.0),
    _row(2, "tiktok", "social", "spring", 15, 9, 0, 0.0),
], schema={"date": pl.Date, "source": pl.String, "medium": pl.String, "campaign": pl.String,
           "sessions": pl.Int64, "engaged_sessions": pl.Int64, "conversions": pl.Int64,
           "revenue": pl.Float64, "content": pl.String})


def test_hand_example_sums_per_day_campaign_group_platform_and_reported():
    sums = channel_sessions(HAND)
    # day 0, spring, Organic Social, instagram: the two reels (both report every figure)
    # and the referral row (Organic Social by its source; no conversions or revenue) apart
    reels = sums.filter(pl.col("date") == D, pl.col("campaign") == "spring",
                        pl.col("channel_group") == "Organic Social")
    assert sorted(reels.select("reported", "sessions", "engaged_sessions", "conversions",
                               "revenue").rows()) == [(1, 10, 5, None, None),
                                                      (7, 150, 90, 5, 250.0)]
    assert reels["platform"].unique().to_list() == ["instagram"]
    # the two organic search engines are one row: 330 sessions, 10 conversions
    search = sums.filter(pl.col("channel_group") == "Organic Search")
    assert search.select("campaign", "platform", "sessions", "conversions", "revenue"
                         ).rows() == [(None, None, 330, 10, 990.0)]
    # two spellings of a campaign stay two campaigns, as in the rows
    paid = sums.filter(pl.col("channel_group") == "Paid Search").sort("campaign")
    assert paid.select("campaign", "sessions").rows() == [("Spring", 70), ("spring", 20)]
    assert sums["sessions"].sum() == HAND["sessions"].sum() == 740
    assert sums.height == 9
    totals = sum_channel_sessions(sums, "day")
    assert totals["campaign"].null_count() == totals.height
    day1 = totals.filter(pl.col("date") == D + dt.timedelta(days=1),
                         pl.col("channel_group") == "Paid Search").sort("reported")
    assert day1.select("reported", "sessions", "conversions").rows() == [(1, 20, None),
                                                                          (7, 70, 3)]
    per_campaign = sum_channel_sessions(sums, "campaign").sort("campaign", "reported",
                                                                nulls_last=False)
    assert per_campaign.select("campaign", "reported", "sessions", "conversions").rows() == [
        (None, 7, 410, 12), ("Spring", 7, 70, 3), ("may_news", 7, 25, 1),
        ("spring", 1, 30, None), ("spring", 6, 40, 2), ("spring", 7, 165, 5)]
    assert per_campaign["date"].null_count() == per_campaign.height


def _figures(web: pl.DataFrame, social: pl.DataFrame | None, ads: pl.DataFrame | None,
             known: list[str]) -> dict[str, pl.DataFrame]:
    """Every table the traffic and cost code builds from session rows (or their sums)."""
    costs = cost.campaign_cost(web, social, ads)
    return {
        "daily": traffic.traffic_daily(web, social),
        "by_channel_daily": traffic.sessions_by_channel_daily(web),
        "channel_table": traffic.channel_table(web, social),
        "funnel": traffic.social_funnel(web, social),
        "comparison": traffic.channel_comparison(web),
        "campaigns": traffic.campaign_traffic(web, None),
        "cost_by_channel": cost.cost_by_channel(web, social, ads),
        "campaign_cost": costs,
        "email": cost.email_sends(ads, web),
        "untracked": cost.untracked_campaigns(costs, web),
        "unknown": cost.unknown_utm_campaigns(web, known),
    }


def _assert_same(got: dict[str, pl.DataFrame], want: dict[str, pl.DataFrame]) -> None:
    for name, frame in want.items():
        assert_frame_equal(got[name], frame, check_exact=False, rel_tol=1e-9,
                           check_row_order=False), name


def test_every_traffic_and_cost_table_is_the_same_from_the_sums(demo_frames):
    """The demo's sessions of a month: each table from the sums (with and without the
    campaigns, as the KPIs read them) equals the table from every session row, with and
    without a platform filter."""
    lo, hi = dt.date(2026, 9, 1), dt.date(2026, 9, 30)

    def month(name: str) -> pl.DataFrame:
        df = demo_frames[name]
        col = "date"
        return df.filter(pl.col(col).is_between(lo, hi))

    web, social, ads = month("web_sessions"), month("social_daily"), month("ad_spend")
    known = sorted(set(demo_frames["campaigns"]["campaign_id"]))
    every_row = _figures(web, social, ads, known)
    assert every_row["daily"]["sessions"].sum() > 10_000
    assert every_row["campaigns"].height > 2 and every_row["funnel"].height > 2
    sums = channel_sessions(web)
    assert sums.height < web.height / 2
    _assert_same(_figures(sums, social, ads, known), every_row)
    summed = _figures(sum_channel_sessions(sums, "day"), social, ads, known)
    for name in ("daily", "by_channel_daily", "channel_table", "funnel", "comparison",
                 "cost_by_channel"):
        assert_frame_equal(summed[name], every_row[name], check_exact=False,
                           rel_tol=1e-9, check_row_order=False)
    assert_frame_equal(cost.campaign_cost(sum_channel_sessions(sums, "campaign"), social, ads),
                       every_row["campaign_cost"], check_exact=False, rel_tol=1e-9)
    filtered = filter_sessions_by_platform(web, ("instagram",))
    assert filtered.height < web.height
    assert_frame_equal(
        channel_sessions(filtered),
        filter_sessions_by_platform(sums, ("instagram",)).sort(list(CHANNEL_SESSIONS_KEY)),
        check_exact=False, rel_tol=1e-9)


@pytest.mark.parametrize("filters", [Filters(), Filters(platforms=("instagram", "tiktok")),
                                     Filters(campaigns=("spring",))])
def test_the_kpis_are_those_of_every_session_row(filters):
    """The traffic and cost KPIs of a workspace (now over the sums) equal each KPI's
    definition over every session row: the daily table of the rows, classified."""
    ws = Workspace(FrameSource({"web_sessions": HAND}, "hand"),
                   Period(D, D + dt.timedelta(days=2)), filters)
    rows = HAND if not filters.campaigns else HAND.filter(
        pl.col("campaign").is_in(list(filters.campaigns)))
    if filters.platforms:
        rows = filter_sessions_by_platform(rows, filters.platforms)
    classified = with_channels(rows)
    social = classified.filter(pl.col("channel_group").is_in(["Organic Social",
                                                               "Paid Social"]))
    want_sessions = int(classified["sessions"].sum())
    want_social = int(social["sessions"].sum())
    reporting = social.filter(pl.col("conversions").is_not_null())
    assert CATALOG["sessions"].compute(ws) == want_sessions
    assert CATALOG["social_sessions"].compute(ws) == want_social
    assert CATALOG["social_share_of_sessions"].compute(ws) == pytest.approx(
        want_social / want_sessions)
    assert CATALOG["social_conversion_rate"].compute(ws) == pytest.approx(
        reporting["conversions"].sum() / reporting["sessions"].sum())


def _stored(engine, **kw) -> pl.DataFrame:
    return store.read_channel_sessions(engine, None, None, **kw).sort(
        list(CHANNEL_SESSIONS_KEY), nulls_last=False)


def _of_every_row(engine) -> pl.DataFrame:
    web = store.read_dataset(engine, "web_sessions")
    return channel_sessions(web).sort(list(CHANNEL_SESSIONS_KEY), nulls_last=False)


def test_the_stored_sums_follow_every_write(engine, demo_frames):
    """`channel_sessions` (kept with each web-sessions import) equals the sums of every
    stored session row after each step: an import into an empty table, a second import of
    overlapping days with changed figures, new campaigns and figures that become empty, an
    unchanged re-import, `rebuild_summaries` and clearing; SQLite and PostgreSQL."""
    from sqlalchemy import text

    web = demo_frames["web_sessions"]
    days = web["date"].unique().sort()
    first = web.filter(pl.col("date") <= days[len(days) // 2])
    store.write_frames(engine, {"web_sessions": first})

    def check() -> None:
        assert_frame_equal(_stored(engine), _of_every_row(engine), check_exact=False,
                           rel_tol=1e-9)

    assert _stored(engine).height > 1000
    check()
    overlap = web.filter(pl.col("date") >= days[len(days) // 2 - 3])
    changed = overlap.with_columns(
        sessions=pl.col("sessions") + 3,
        conversions=pl.when(pl.col("date") == days[len(days) // 2 - 1]).then(None)
        .otherwise(pl.col("conversions")),
    )
    extra = overlap.head(60).with_columns(campaign=pl.lit("new_campaign")).unique(
        ["date", "source", "medium", "campaign", "content"])
    store.write_frames(engine, {"web_sessions": pl.concat([changed, extra])})
    check()
    assert _stored(engine).filter(pl.col("campaign") == "new_campaign").height > 0
    assert _stored(engine).filter(pl.col("reported") == 5).height > 0  # no conversions
    store.write_frames(engine, {"web_sessions": first.head(500)})
    check()
    with engine.begin() as conn:  # a stale table is put right by the rebuild
        conn.execute(text("DELETE FROM channel_sessions"))
    store.rebuild_summaries(engine)
    check()
    # the reads with filters and without the campaigns equal the same of the rows
    lo, hi = days[10], days[40]
    period = Period(lo, hi)
    frames = FrameSource({"web_sessions": store.read_dataset(engine, "web_sessions")}, "f")
    db = store.read_channel_sessions
    for f in (Filters(), Filters(platforms=("instagram",)), Filters(campaigns=("spring_sale",
                                                                               "new_campaign"))):
        for name, by in CHANNEL_READS.items():
            want = frames.read(name, period.start, period.end, f)
            got = db(engine, lo, hi, f.campaigns, f.platforms, by=by)
            assert_frame_equal(got.sort(list(CHANNEL_SESSIONS_KEY), nulls_last=False),
                               want.sort(list(CHANNEL_SESSIONS_KEY), nulls_last=False),
                               check_exact=False, rel_tol=1e-9)
    store.clear(engine, ["web_sessions"])
    assert _stored(engine).height == 0


def test_migration_0016_sums_the_stored_sessions(engine, demo_frames, downgrade_to):
    """Sessions stored (one with a count no reader uses), down to 0015 (the table gone),
    up again: the migration fills `channel_sessions` as the store keeps it; SQLite and
    PostgreSQL."""
    from sqlalchemy import inspect, text

    from smmkpi import db

    store.write_frames(engine, {"web_sessions": demo_frames["web_sessions"].head(4000)})
    with engine.begin() as conn:
        conn.execute(text("UPDATE web_sessions SET sessions = 9223372036854775807 WHERE "
                          "source = 'google' AND medium = 'organic'"))
    downgrade_to("0015")
    assert "channel_sessions" not in inspect(engine).get_table_names()
    db.migrate(engine)
    got = _stored(engine)
    assert got.height > 200
    assert_frame_equal(got, _of_every_row(engine), check_exact=False, rel_tol=1e-9)
