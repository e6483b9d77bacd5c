"""Content KPIs and tables (smmkpi.kpis.content) against figures computed by hand: sums over
the posts published in the period, ratios of sums, the promotional share over flagged posts,
and the utm_content join of posts to web sessions (platform, latest post, a day of slack,
case, links, unmatched sessions, filters that never move a session)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from smmkpi import datasets as ds
from smmkpi.kpis import content as ct
from smmkpi.kpis.catalog import CATALOG
from smmkpi.workspace import Filters, FrameSource, Period, Workspace

D = dt.date
UTC = dt.UTC


def ts(day: int, hour: int = 9, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def frame(name: str, rows: list[dict]) -> pl.DataFrame:
    spec = ds.get(name)
    return pl.DataFrame([{c: r.get(c) for c in spec.names} for r in rows], schema=spec.schema)


# Five posts in March 2026 (and one in February):
# - ig1 (instagram, 2 Mar, reel, promo): 1000 impressions, 100 engagements, tag "spring_reel"
# - fb1 (facebook, 3 Mar, link, not promo): 400 impressions, 20 engagements, link with
#   utm_content=Spring_Reel (the same value: the two posts share it across platforms)
# - x1 (x, 5 Mar, no flag): 300 impressions, no engagements reported, tag "x_thread"
# - tt1 (tiktok, 10 Mar, video, promo): no impressions, 50 engagements, no tag
# - ig2 (instagram, 20 Mar, image, not promo): 200 impressions, 30 engagements, tag
#   "spring_reel" again (a later post reusing the value on the same platform)
# - old (instagram, 20 Feb): outside the period, tag "winter"
POSTS = frame("posts", [
    dict(platform="instagram", post_id="ig1", published_at=ts(2), format="reel",
         utm_content="spring_reel", is_promo=True, impressions=1000, reach=800,
         engagements=100, link_clicks=30, campaign_id="spring",
         url="https://www.instagram.com/reel/AAA/"),
    dict(platform="facebook", post_id="fb1", published_at=ts(3, 23), format="link",
         is_promo=False, impressions=400, reach=350, engagements=20, link_clicks=40,
         url="https://www.facebook.com/1/posts/2?utm_source=fb&utm_content=Spring%5FReel"),
    dict(platform="x", post_id="x1", published_at=ts(5), utm_content=" x_thread ",
         impressions=300, link_clicks=5, url="javascript:alert(1)"),
    dict(platform="tiktok", post_id="tt1", published_at=ts(10), format="video",
         is_promo=True, engagements=50, video_views=5000,
         url="https://evil.example/tiktok.com/video/1"),
    dict(platform="instagram", post_id="ig2", published_at=ts(20), format="image",
         utm_content="spring_reel", is_promo=False, impressions=200, reach=190,
         engagements=30, link_clicks=10),
    dict(platform="instagram", post_id="old", published_at=ts(20, month=2),
         utm_content="winter", impressions=999, engagements=99),
])


def session(day: D, source: str, content: str | None, n: int, conv: int | None = None,
            rev: float | None = None, medium: str = "social", campaign: str | None = None
            ) -> dict:
    return dict(date=day, source=source, medium=medium, campaign=campaign, content=content,
                sessions=n, conversions=conv, revenue=rev)


SESSIONS = frame("web_sessions", [
    session(D(2026, 3, 2), "instagram", "spring_reel", 50, 2, 80.0),  # ig1
    session(D(2026, 3, 3), "l.facebook.com", "SPRING_REEL ", 20, 1, 30.0),  # fb1 (platform)
    session(D(2026, 3, 3), "newsletter", "spring_reel", 7, 0, 0.0, medium="email"),  # ig1/fb1?
    session(D(2026, 3, 21), "instagram", "spring_reel", 11, 1, 25.0),  # ig2 (latest ig)
    session(D(2026, 3, 19), "instagram", "spring_reel", 4, None, None),  # ig2: day of slack
    session(D(2026, 3, 6), "t.co", "x_thread", 9, 0, 0.0),  # x1
    session(D(2026, 4, 2), "instagram", "spring_reel", 3, 0, 0.0),  # ig2, after the period
    session(D(2026, 2, 27), "instagram", "spring_reel", 5, 0, 0.0),  # before every post
    session(D(2026, 3, 8), "instagram", "nobody_has_this", 6, 0, 0.0),  # unmatched
    session(D(2026, 3, 8), "google", None, 500, 10, 900.0, medium="organic"),  # untagged
])
MARCH = Period(D(2026, 3, 1), D(2026, 3, 31))


def ws(filters: Filters | None = None, period: Period = MARCH, sessions: bool = True
       ) -> Workspace:
    frames = {"posts": POSTS, **({"web_sessions": SESSIONS} if sessions else {})}
    return Workspace(FrameSource(frames, key="t"), period, filters or Filters())


def kpi(kid: str, w: Workspace) -> float | None:
    return CATALOG[kid].compute(w)


def test_content_values():
    got = POSTS.select("post_id", ct.content_value()).rows()
    assert got == [("ig1", "spring_reel"), ("fb1", "Spring_Reel"), ("x1", "x_thread"),
                   ("tt1", None), ("ig2", "spring_reel"), ("old", "winter")]
    text = pl.DataFrame({"utm_content": [None, ""], "url": [None, None],
                         "title": ["Shop: https://s.example/?a=1&utm_content=drop+1%21 now",
                                   "utm_content=none (no query)"]},
                        schema={"utm_content": pl.String, "url": pl.String, "title": pl.String})
    assert text.select(ct.content_value()).to_series().to_list() == ["drop 1!", None]


def test_each_session_goes_to_one_post():
    att = {r["post_id"]: r for r in ct.attribute(POSTS, SESSIONS).iter_rows(named=True)}
    # ig1: 2 Mar instagram 50, plus the newsletter's 7 on 3 Mar (no platform: the latest
    # post with the value by then is fb1 (3 Mar 23:00, from 2 Mar with the day of slack)
    assert att["ig1"]["sessions"] == 50
    assert att["fb1"]["sessions"] == 20 + 7
    # ig2: 19 Mar (the day before it) + 21 Mar + 2 Apr; conversions where reported
    assert (att["ig2"]["sessions"], att["ig2"]["conversions"], att["ig2"]["revenue"]) == (
        4 + 11 + 3, 1, 25.0)
    assert att["x1"]["sessions"] == 9
    assert "tt1" not in att and "old" not in att
    # 5 (before every post) + 6 (no post has the value) are matched to nobody
    total = SESSIONS.filter(pl.col("content").is_not_null())["sessions"].sum()
    assert att and sum(r["sessions"] for r in att.values()) == total - 5 - 6


def test_kpis_by_hand():
    w = ws()
    assert kpi("posts_published", w) == 5
    assert kpi("post_impressions", w) == 1000 + 400 + 300 + 200
    assert kpi("post_reach", w) == 800 + 350 + 190
    assert kpi("post_engagements", w) == 100 + 20 + 50 + 30
    assert kpi("post_link_clicks", w) == 30 + 40 + 5 + 10
    assert kpi("post_video_views", w) == 5000
    # over the posts reporting both: ig1, fb1, ig2 (x1 has no engagements, tt1 no impressions)
    assert kpi("post_engagement_rate", w) == pytest.approx((100 + 20 + 30) / (1000 + 400 + 200))
    # flagged posts: ig1 (promo), fb1, tt1 (promo), ig2: 2 of 4
    assert kpi("promo_post_share", w) == pytest.approx(0.5)
    assert kpi("post_sessions", w) == 50 + 27 + 18 + 9
    assert kpi("post_conversions", w) == 2 + 1 + 1 + 0  # ig1, fb1, ig2, x1
    assert kpi("post_revenue", w) == pytest.approx(80.0 + 30.0 + 25.0)


def test_missing_is_not_zero():
    no_web = ws(sessions=False)
    assert kpi("post_sessions", no_web) is None and kpi("post_revenue", no_web) is None
    assert kpi("post_impressions", no_web) == 1900
    empty = ws(period=Period(D(2026, 6, 1), D(2026, 6, 30)))
    assert kpi("posts_published", empty) == 0.0
    assert kpi("post_impressions", empty) is None
    assert kpi("post_engagement_rate", empty) is None
    only_tt = ws(filters=Filters(platforms=("tiktok",)))
    assert kpi("post_impressions", only_tt) is None  # TikTok's posts report none here
    assert kpi("post_engagement_rate", only_tt) is None
    assert kpi("post_sessions", only_tt) is None  # tt1 has no content value
    x = ws(filters=Filters(platforms=("x",)))
    assert kpi("promo_post_share", x) is None  # no flag known


def test_filters_never_move_a_session():
    """On Facebook alone fb1 keeps its 27 sessions, and a campaign filter (posts of the
    spring campaign) keeps ig1's 50 although those sessions have no campaign."""
    assert kpi("post_sessions", ws(filters=Filters(platforms=("facebook",)))) == 27
    assert kpi("post_sessions", ws(filters=Filters(campaigns=("spring",)))) == 50
    assert kpi("posts_published", ws(filters=Filters(campaigns=("spring",)))) == 1


def test_unmatched_sessions():
    got = ct.unmatched_sessions(ws())
    assert got.rows() == [("nobody_has_this", 6)]


def test_tables():
    posts = ct.period_posts(ws())
    assert posts is not None
    table = ct.posts_table(posts)
    assert table["post_id"].to_list() == ["ig2", "tt1", "x1", "fb1", "ig1"]  # newest first
    links = dict(table.select("post_id", "link").iter_rows())
    assert links["ig1"] == "https://www.instagram.com/reel/AAA/"
    assert links["x1"] is None and links["tt1"] is None and links["ig2"] is None
    rates = dict(table.select("post_id", "engagement_rate").iter_rows())
    assert rates["ig1"] == pytest.approx(0.1) and rates["tt1"] is None
    by_platform = {r["platform"]: r for r in ct.by_group(posts, "platform").iter_rows(named=True)}
    ig = by_platform["instagram"]
    assert (ig["posts"], ig["posts_rated"]) == (2, 2)
    assert ig["engagement_rate_median"] == pytest.approx((0.1 + 0.15) / 2)
    assert ig["engagement_rate"] == pytest.approx(130 / 1200)
    assert ig["impressions_median"] == pytest.approx(600.0)
    assert by_platform["tiktok"]["posts_rated"] == 0
    by_format = {r["format"]: r["posts"] for r in ct.by_group(posts, "format").iter_rows(
        named=True)}
    assert by_format == {"reel": 1, "link": 1, "video": 1, "image": 1, "unknown": 1}


def test_best_times_in_the_viewers_time_zone():
    posts = ct.period_posts(ws())
    cells = ct.best_times(posts, "America/New_York", min_posts=1)
    assert cells.height == 168
    rated = cells.filter(pl.col("posts") > 0)
    # ig1 Mon 2 Mar 09:00 UTC = 04:00 New York; fb1 Tue 23:00 UTC = 18:00; ig2 Fri 20 Mar
    # 09:00 UTC = 05:00 (daylight saving time from 8 March)
    assert rated.select("weekday_name", "hour", "posts").rows() == [
        ("Mon", 4, 1), ("Tue", 18, 1), ("Fri", 5, 1)]
    assert rated["median_engagement_rate"].to_list() == pytest.approx([0.1, 0.05, 0.15])
    assert not ct.best_times(posts, "UTC")["enough"].any()  # fewer than 3 in every cell


def test_promo_comparison_and_share_over_time():
    posts = ct.period_posts(ws())
    cmp = {r["group"]: r for r in ct.promo_comparison(posts).iter_rows(named=True)}
    promo, other = cmp["Promotional"], cmp["Other"]
    assert (promo["posts"], other["posts"]) == (2, 2)
    assert promo["engagement_rate"] == pytest.approx(100 / 1000)  # tt1 has no impressions
    assert other["engagement_rate"] == pytest.approx(50 / 600)
    assert (promo["sessions"], other["sessions"]) == (50, 27 + 18)
    assert other["median_link_clicks"] == pytest.approx(25.0)
    weekly = ct.promo_share_over_time(posts, "week", D(2026, 3, 31))
    # 7-day blocks counted back from 31 March: 25-31, 18-24, 11-17, 4-10 Mar, 25 Feb-3 Mar
    assert weekly.rows() == [(D(2026, 2, 25), 2, 1, 0.5), (D(2026, 3, 4), 1, 1, 1.0),
                             (D(2026, 3, 18), 1, 0, 0.0)]


def test_top_posts_for_the_website():
    posts = ct.period_posts(ws())
    top = ct.top_for_website(posts, 3)
    assert top["post_id"].to_list() == ["ig1", "fb1", "ig2"]


def test_every_day_figure_adds_up():
    w = ws()
    for kid in ("posts_published", "post_impressions", "post_sessions", "post_revenue"):
        k = CATALOG[kid]
        daily = k.daily(w)
        assert daily is not None
        assert daily["num"].sum() == pytest.approx(k.compute(w))
    er = CATALOG["post_engagement_rate"].daily(w)
    assert er["num"].sum() / er["den"].sum() == pytest.approx(150 / 1600)


def test_sessions_without_any_content_value_are_missing_not_zero():
    untagged = SESSIONS.with_columns(pl.lit(None, dtype=pl.String).alias("content"))
    w = Workspace(FrameSource({"posts": POSTS, "web_sessions": untagged}, key="u"), MARCH)
    assert kpi("post_sessions", w) is None and kpi("post_revenue", w) is None
    posts = ct.period_posts(w)
    assert posts["sessions"].null_count() == posts.height


def test_hand_example_matches_the_same_grouped_by_day_content_and_source():
    grouped = ct.content_sessions(SESSIONS)
    assert grouped.height < SESSIONS.height or SESSIONS.height <= 1
    by = ["platform", "post_id"]
    assert ct.attribute(POSTS, grouped).sort(by).equals(
        ct.attribute(POSTS, SESSIONS).sort(by))


def test_the_database_groups_the_sessions_as_the_frames_do(engine, demo_frames):
    """`store.read_content_sessions` (SQL GROUP BY) against `content_sessions` of the whole
    demo table, on SQLite and PostgreSQL; then every post's website figures from either
    against those from every session row (the definition before grouping)."""
    from polars.testing import assert_frame_equal

    from smmkpi import store

    store.write_frames(engine, {k: demo_frames[k] for k in ("web_sessions", "posts")},
                       actor="test", action="test")
    web = store.read_dataset(engine, "web_sessions")
    keys = ["date", "content", "source"]
    from_db = store.read_content_sessions(engine).sort(keys)
    from_frame = ct.content_sessions(web).sort(keys)
    assert from_db.height == from_frame.height > 100
    assert_frame_equal(from_db, from_frame, check_exact=False, rel_tol=1e-9)
    posts = store.read_dataset(engine, "posts")
    every_row = ct.attribute(posts, web).sort("platform", "post_id")
    assert every_row.height > 50 and every_row["sessions"].sum() > 1000
    assert_frame_equal(ct.attribute(posts, from_db).sort("platform", "post_id"), every_row,
                       check_exact=False, rel_tol=1e-9)


def _stored_content_sums(engine) -> pl.DataFrame:
    from smmkpi import store

    return store.read_content_sessions(engine).sort("date", "content", "source")


def _content_sums_of_every_row(engine) -> pl.DataFrame:
    from smmkpi import store

    web = store.read_dataset(engine, "web_sessions")
    if web is None or web.height == 0:
        return pl.DataFrame(schema=store.CONTENT_SESSIONS_SCHEMA)
    return ct.content_sessions(web).sort("date", "content", "source")


def test_the_stored_content_sums_follow_every_write(engine, demo_frames):
    """`content_sessions` (kept by the store with each web-sessions import) equals the
    grouping of every stored session row after each step: an import into an empty table
    (PostgreSQL: straight COPY), a second import of overlapping days with changed figures,
    new content values and a row whose figures become null, an unchanged re-import,
    `rebuild_summaries` and clearing the sessions; SQLite and PostgreSQL."""
    from polars.testing import assert_frame_equal
    from sqlalchemy import text

    from smmkpi import store

    web = demo_frames["web_sessions"]
    days = web["date"].unique().sort()
    first = web.filter(pl.col("date") <= days[len(days) // 2])
    store.write_frames(engine, {"web_sessions": first})
    assert _stored_content_sums(engine).height > 20

    def check() -> None:
        assert_frame_equal(_stored_content_sums(engine), _content_sums_of_every_row(engine),
                           check_exact=False, rel_tol=1e-9)

    check()
    # the second half, from a few days before the end of the first: those days change
    overlap = web.filter(pl.col("date") >= days[len(days) // 2 - 3])
    changed = overlap.with_columns(
        sessions=pl.col("sessions") + 7,
        revenue=pl.when(pl.col("date") == days[len(days) // 2 - 1]).then(None)
        .otherwise(pl.col("revenue")),
    )
    extra = overlap.head(40).with_columns(content=pl.lit("new_post_link")).unique(
        ["date", "source", "medium", "campaign", "content"])
    store.write_frames(engine, {"web_sessions": pl.concat([changed, extra])})
    check()
    sums = _stored_content_sums(engine)
    assert sums.filter(pl.col("content") == "new_post_link").height > 0
    store.write_frames(engine, {"web_sessions": first.head(500)})  # unchanged rows
    check()
    with engine.begin() as conn:  # a stale table is put right by the rebuild
        conn.execute(text("DELETE FROM content_sessions"))
    assert _stored_content_sums(engine).height == 0
    store.rebuild_summaries(engine)
    check()
    store.clear(engine, ["web_sessions"])
    assert _stored_content_sums(engine).height == 0
    check()


def test_migration_0010_sums_the_stored_sessions(engine, demo_frames, downgrade_to):
    """Sessions stored, down to 0009 (the table gone, the sessions kept), up again: the
    migration fills `content_sessions` from the stored rows; SQLite and PostgreSQL."""
    from polars.testing import assert_frame_equal
    from sqlalchemy import inspect

    from smmkpi import db, store

    store.write_frames(engine, {"web_sessions": demo_frames["web_sessions"].head(3000)})
    downgrade_to("0009")
    assert "content_sessions" not in inspect(engine).get_table_names()
    db.migrate(engine)
    sums = _stored_content_sums(engine)
    assert sums.height > 20
    assert_frame_equal(sums, _content_sums_of_every_row(engine), check_exact=False,
                       rel_tol=1e-9)


def _random_posts_and_sessions(seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Posts sharing a few content values across platforms and days (several on one day,
    some only in a link or the text, mixed case and blanks) and sessions of those values
    from social sources of those platforms, of a platform without posts, and from
    non-social sources, before, among and after the posts."""
    import random

    rng = random.Random(seed)
    values = ["spring", "Summer", "fall_drop", "winter", "gift", "x_only"]
    platforms = ["instagram", "facebook", "x", "tiktok", "youtube"]  # no youtube sessions
    posts = []
    for i in range(160):
        v = rng.choice(values)
        day = D(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 120))
        at = dt.datetime.combine(day, dt.time(rng.choice([0, 9, 9, 23])), tzinfo=UTC)
        where = rng.randrange(4)
        posts.append(dict(
            platform=rng.choice(platforms), post_id=f"p{i:03d}", published_at=at,
            utm_content=(f" {v.upper()} " if where == 0 else v if where == 1 else None),
            url=(f"https://www.instagram.com/p/{i}/?utm_content={v}" if where == 2 else None),
            title=(f"new! utm_content={v}" if where == 3 else "no tag"),
            impressions=rng.randrange(1, 999)))
    posts.append(dict(platform="x", post_id="untagged", published_at=ts(15, month=2)))
    sources = ["instagram", "l.instagram.com", "facebook", "t.co", "tiktok", "linkedin",
               "google", "newsletter"]
    web = {}
    for _ in range(900):
        day = D(2025, 12, 20) + dt.timedelta(days=rng.randrange(0, 150))
        src = rng.choice(sources)
        content = rng.choice(values + ["nobody_has_it", "Spring ", "GIFT"])
        web[(day, src, content)] = dict(
            date=day, source=src, medium="social" if src not in ("google", "newsletter")
            else "organic", campaign="c", content=content, sessions=rng.randrange(1, 50),
            engaged_sessions=rng.randrange(0, 5), conversions=rng.randrange(0, 3),
            revenue=float(rng.randrange(0, 200)))
    return frame("posts", posts), frame("web_sessions", list(web.values()))


def test_the_database_matches_the_periods_posts_as_every_post_does(engine):
    """Matching a period's posts to sessions from the database (each post's stored content
    key, the period's posts, the sessions from the day before and the first posts of
    each value read by index) gives every figure of every post of the period that matching
    every post with every session gives, with the unmatched sessions, for periods of a
    day, weeks, months, before and after the posts; SQLite and PostgreSQL."""
    from polars.testing import assert_frame_equal

    from smmkpi import db, store
    from smmkpi.workspace import DbSource

    posts, web = _random_posts_and_sessions(13)
    store.write_frames(engine, {"posts": posts, "web_sessions": web})
    stored, frames = DbSource(engine), FrameSource({"posts": posts, "web_sessions": web}, "f")
    periods = [(D(2026, 1, 1), D(2026, 1, 1)), (D(2026, 1, 10), D(2026, 1, 24)),
               (D(2026, 2, 1), D(2026, 2, 28)), (D(2026, 3, 15), D(2026, 4, 30)),
               (D(2025, 12, 1), D(2026, 6, 1)), (D(2026, 4, 28), D(2026, 5, 20)),
               (D(2025, 11, 1), D(2025, 11, 30))]
    cols = ["platform", "post_id", "sessions", "engaged_sessions", "conversions", "revenue"]
    matched = unmatched = days = 0
    for a, b in periods:
        ws_d, ws_f = Workspace(stored, Period(a, b)), Workspace(frames, Period(a, b))
        got, want = ct.period_posts(ws_d), ct.period_posts(ws_f)
        if want is None:
            assert got is None
            continue
        assert_frame_equal(got.select(cols).sort("platform", "post_id"),
                           want.select(cols).sort("platform", "post_id"), check_exact=False)
        matched += int(want["sessions"].fill_null(0).sum())
        assert_frame_equal(ct.unmatched_sessions(ws_d), ct.unmatched_sessions(ws_f))
        unmatched += ct.unmatched_sessions(ws_f).height
        # the daily sums the KPIs read: counted by the database against the period's posts
        for f in (Filters(), Filters(platforms=("instagram", "tiktok"))):
            counted = ct._content_daily(Workspace(stored, Period(a, b), f))
            summed = ct._content_daily(Workspace(frames, Period(a, b), f))
            assert summed is not None and counted is not None
            assert_frame_equal(counted, summed, check_exact=False)
            days += summed.height
        # with a filter from the period's rows, without one from the content sums
        social = Filters(platforms=("instagram",))
        assert_frame_equal(
            ct.unmatched_sessions(Workspace(stored, Period(a, b), social)),
            ct.unmatched_sessions(Workspace(frames, Period(a, b), social)))
        for kpi in ct.KPIS:
            assert kpi.compute(ws_d) == pytest.approx(kpi.compute(ws_f)), (kpi.id, a, b)
    assert matched > 1000  # most periods' posts brought sessions
    assert unmatched > 3  # and some sessions carry a value no post has
    assert days > 20
    db.close_pools()


def test_each_posts_key_follows_every_write(engine):
    """The content key the store keeps on each post (`channels.post_content_key`) equals
    the key of the post's stored row after an import into an empty table, a re-import
    that changes values and one that leaves them empty (merged with the stored ones), and
    after the keys are cleared by hand and rebuilt."""
    from sqlalchemy import text

    from smmkpi import db, store
    from smmkpi.channels import post_content_key

    def check() -> None:
        got = db.read_frame(engine, text(
            "SELECT platform, post_id, content_key FROM posts ORDER BY platform, post_id"))
        want = store.read_dataset(engine, "posts").select(
            "platform", "post_id", post_content_key()).sort("platform", "post_id")
        assert got.rows() == want.rows()

    posts, _ = _random_posts_and_sessions(5)
    store.write_frames(engine, {"posts": posts})
    check()
    changed = posts.head(40).with_columns(utm_content=pl.lit("Renamed "),
                                         url=pl.lit(None, pl.String))
    emptied = posts.slice(40, 40).with_columns(utm_content=pl.lit(None, pl.String))
    store.write_frames(engine, {"posts": pl.concat([changed, emptied])})
    check()
    with engine.begin() as conn:
        conn.execute(text("UPDATE posts SET content_key = NULL"))
    store.rebuild_summaries(engine)
    check()
    db.close_pools()


def test_migration_0013_keys_the_stored_posts(engine, downgrade_to):
    """Posts stored, down to 0012 (the key column gone), up again: the migration gives
    every stored post its key, as the store would; SQLite and PostgreSQL."""
    from sqlalchemy import inspect, text

    from smmkpi import db, store
    from smmkpi.channels import post_content_key

    posts, _ = _random_posts_and_sessions(8)
    store.write_frames(engine, {"posts": posts})
    downgrade_to("0012")
    assert "content_key" not in {c["name"] for c in inspect(engine).get_columns("posts")}
    db.migrate(engine)
    got = db.read_frame(engine, text(
        "SELECT platform, post_id, content_key FROM posts ORDER BY platform, post_id"))
    want = posts.select("platform", "post_id", post_content_key()).sort("platform", "post_id")
    assert got.rows() == want.rows()
    assert got["content_key"].null_count() < got.height // 2
    db.close_pools()


def test_a_later_post_on_another_platform_takes_the_sessions_after_it(engine):
    """By hand: the period's only post of a value (Instagram, 10 March) takes the sessions
    of that value from 9 March on, until a later post of the value on any platform
    (YouTube, 5 April) takes those from a source without posts of its own (a search
    engine, LinkedIn); Instagram's sessions stay with Instagram's latest post. The same
    from the database as from every post in memory; SQLite and PostgreSQL."""
    from smmkpi import db, store
    from smmkpi.workspace import DbSource

    posts = frame("posts", [
        dict(platform="instagram", post_id="a", published_at=ts(10), utm_content="k"),
        dict(platform="youtube", post_id="b", published_at=ts(5, month=4), utm_content="k"),
        dict(platform="instagram", post_id="c", published_at=ts(20, month=4),
             utm_content="K"),
    ])
    web = frame("web_sessions", [
        dict(date=D(2026, 3, 8), source="google", medium="organic", content="k", sessions=1),
        dict(date=D(2026, 3, 9), source="google", medium="organic", content="k", sessions=2),
        dict(date=D(2026, 4, 10), source="google", medium="organic", content="k", sessions=4),
        dict(date=D(2026, 4, 12), source="linkedin", medium="social", content="k",
             sessions=8),
        dict(date=D(2026, 4, 12), source="instagram", medium="social", content="k",
             sessions=16),
    ])
    store.write_frames(engine, {"posts": posts, "web_sessions": web})
    period = Period(D(2026, 3, 1), D(2026, 3, 31))
    for src in (DbSource(engine), FrameSource({"posts": posts, "web_sessions": web}, "f")):
        got = ct.period_posts(Workspace(src, period))
        assert got.select("post_id", "sessions").rows() == [("a", 2 + 16)]
    db.close_pools()
