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


def _stored(backend_engine, demo_frames):
    store.write_frames(backend_engine, demo_frames)
    return DbSource(backend_engine)


def test_sql_and_memory_give_the_same_rows_for_every_dataset_and_filter(engine, demo_frames):
    """Each dataset declares its filters once (`Dataset.conditions`); the SQL reader and the
    in-memory reader render them. Every dataset, every kind of period (none, a quarter, one
    day, an open end) and every filter combination gives the same rows both ways."""
    import datetime as dt
    import itertools

    from smmkpi import datasets as ds

    db_src = _stored(engine, demo_frames)
    file_src = FrameSource(demo_frames, "files")
    end = demo_frames["orders"]["ordered_at"].max().date()
    campaign = demo_frames["campaigns"]["campaign_id"][0]
    periods = [(None, None), (end - dt.timedelta(days=89), end), (end, end), (None, end)]
    filters = [Filters(), Filters(campaigns=(campaign,)), Filters(platforms=("instagram",)),
               Filters(campaigns=(campaign,), platforms=("instagram", "x"))]
    checked = 0
    for name in demo_frames:
        key = list(ds.get(name).key)
        for (start, stop), f in itertools.product(periods, filters):
            a = db_src.read(name, start, stop, f)
            b = file_src.read(name, start, stop, f)
            if a is None or b is None:
                assert a is None or a.height == 0, (name, start, stop, f)
                assert b is None or b.height == 0, (name, start, stop, f)
                continue
            assert_frame_equal(a.sort(key, nulls_last=True), b.sort(key, nulls_last=True),
                               check_exact=False)
            checked += a.height > 0
    assert checked > 40  # most combinations hold rows
