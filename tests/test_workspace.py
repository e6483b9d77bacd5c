"""The Workspace reads the same rows whichever path it takes."""

from polars.testing import assert_frame_equal

from smmkpi import store
from smmkpi.workspace import DbSource, Filters, FrameSource, Period, Workspace


def test_filtered_history_equals_the_sql_filtered_read(engine, demo_frames):
    """A whole-history read with filters is the unfiltered read filtered in memory; it must
    equal the read with the filters in the SQL WHERE (and the file source's filtering)."""
    store.write_frames(engine, {n: demo_frames[n] for n in ("conversations", "campaigns")})
    first = demo_frames["conversations"].drop_nulls("campaign_id").row(0, named=True)
    cid, platform = first["campaign_id"], first["platform"]
    filters = Filters(campaigns=(cid,), platforms=(platform, "linkedin"))
    period = Period(demo_frames["conversations"]["opened_at"].min().date(),
                    demo_frames["conversations"]["opened_at"].max().date())
    got = Workspace(DbSource(engine), period, filters).everything("conversations")
    want = store.read_dataset(engine, "conversations", campaigns=filters.campaigns,
                              platforms=filters.platforms)
    files = Workspace(FrameSource(demo_frames, "t"), period, filters).everything("conversations")
    assert got.height > 0
    key = "conversation_id"
    assert_frame_equal(got.sort(key), want.sort(key))
    assert_frame_equal(files.sort(key), want.sort(key))
    assert set(got["platform"]) <= {platform, "linkedin"} and set(got["campaign_id"]) == {cid}


def test_with_period_shares_results_but_not_the_period_memo():
    import datetime as dt

    src = FrameSource({}, "t")
    ws = Workspace(src, Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    ws.memo("x", lambda: 1)
    ws.shared_memo("orders", "sorted", lambda: "once")
    other = ws.with_period(Period(dt.date(2025, 12, 1), dt.date(2025, 12, 31)))
    assert other.shared_memo("orders", "sorted", lambda: "again") == "once"
    assert other.memo("x", lambda: 2) == 2  # period results are not shared
