"""Bulk writes and reads on SQLite and PostgreSQL: round trip, upsert counts, all or
nothing, date filters alike for rows written by ADBC and by SQLModel statements."""

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import insert

from smmkpi import store
from smmkpi.models import Order
from smmkpi.workspace import DbSource, Filters

UTC = dt.UTC


def orders(n: int = 3) -> pl.DataFrame:
    base = [
        ("o1", "c1", dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC), 10.0, None),
        ("o2", "c1", dt.datetime(2026, 1, 2, 23, 59, 59, 500000, tzinfo=UTC), 20.5, "Email"),
        ("o3", "c2", dt.datetime(2026, 1, 3, 0, 0, tzinfo=UTC), 5.25, "Organic Social"),
    ]
    return pl.DataFrame(base[:n], schema=store.ds.get("orders").schema, orient="row")


def social() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "date": [dt.date(2026, 1, 1), dt.date(2026, 1, 1), dt.date(2026, 1, 2)],
            "platform": ["x", "x", "instagram"],
            "campaign_id": [None, "c1", None],
            "impressions": [100, 50, 70],
            "reach": [80, None, 60],
            "engagements": [5, 2, 3],
            "link_clicks": [2, 1, 0],
            "followers": [1000, None, 500],
            "posts": [1, 1, 2],
            "promo_posts": [0, 1, 1],
            "spend": [None, 12.5, None],
            "new_followers": [None, None, 4], "page_views": [None, None, 30],
            "unique_visitors": [None, None, None],
        },
        schema=store.ds.get("social_daily").schema,
    )


def customers() -> pl.DataFrame:
    return pl.DataFrame(
        {"customer_id": ["c1", "c2"], "acquisition_channel": ["Email", None],
         "follows_on_social": [True, None], "first_seen": [dt.date(2025, 12, 1), None]},
        schema=store.ds.get("customers").schema,
    )


def test_round_trip_keeps_values_and_types(engine):
    frames = {"orders": orders(), "social_daily": social(), "customers": customers()}
    res = store.write_frames(engine, frames)
    assert {n: (r.inserted, r.updated, r.unchanged) for n, r in res.items()} == {
        "orders": (3, 0, 0), "social_daily": (3, 0, 0), "customers": (2, 0, 0)}
    for name, df in frames.items():
        got = store.read_dataset(engine, name)
        key = list(store.ds.get(name).key)
        assert_frame_equal(got.sort(key, nulls_last=True), df.sort(key, nulls_last=True))


def test_reimport_is_idempotent_and_upserts_by_key(engine):
    store.write_frames(engine, {"orders": orders()})
    v1 = store.data_version(engine)
    again = store.write_frames(engine, {"orders": orders()})["orders"]
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    changed = orders().with_columns(
        pl.when(pl.col("order_id") == "o2").then(99.0).otherwise(pl.col("revenue"))
        .alias("revenue"))
    extra = pl.DataFrame([("o4", "c3", dt.datetime(2026, 1, 5, tzinfo=UTC), 1.0, None)],
                         schema=changed.schema, orient="row")
    r = store.write_frames(engine, {"orders": pl.concat([changed, extra])})["orders"]
    assert (r.inserted, r.updated, r.unchanged) == (1, 1, 2)
    got = store.read_dataset(engine, "orders").sort("order_id")
    assert got["revenue"].to_list() == [10.0, 99.0, 5.25, 1.0]
    assert store.data_version(engine) == v1 + 2
    log = store.audit_log(engine)
    assert log.height == 3 and log["inserted"].to_list() == [1, 0, 3]


def test_failed_import_stores_nothing(engine):
    store.write_frames(engine, {"orders": orders(2)})
    before = {n: store.read_dataset(engine, n) for n in ("orders", "customers")}
    version = store.data_version(engine)
    bad = pl.concat([orders(), orders(1)])  # o1 twice: refused before the database
    with pytest.raises(store.StoreError, match="repeats"):
        store.write_frames(engine, {"customers": customers(), "orders": bad})
    # a failure inside the database (NULL in a NOT NULL column sneaked past the check):
    # the first dataset's rows are rolled back with it
    broken = orders().with_columns(pl.lit(None, dtype=pl.String).alias("customer_id"))
    with pytest.raises(store.StoreError, match="nothing was stored"):
        _write_unchecked(engine, {"customers": customers(), "orders": broken})
    for n, df in before.items():
        assert_frame_equal(store.read_dataset(engine, n), df)
    assert store.data_version(engine) == version


def _write_unchecked(engine, frames, monkeypatch=None):
    """write_frames without the pre-database check, to force a database-side failure."""
    original = store.check_frame
    store.check_frame = lambda name, df: df.select(store.ds.get(name).names)
    try:
        store.write_frames(engine, frames)
    finally:
        store.check_frame = original


def test_date_filter_same_for_adbc_and_orm_rows(engine):
    """Rows written by the bulk path and by a SQLModel insert filter alike (a known trap:
    on SQLite the two paths must store timestamps in the same text format)."""
    store.write_frames(engine, {"orders": orders()})
    store.run_statements(engine, [insert(Order).values(
        order_id="orm", customer_id="c9", ordered_at=dt.datetime(2026, 1, 2, 5, tzinfo=UTC),
        revenue=1.0)], actor="test", action="test")
    day2 = store.read_dataset(engine, "orders", dt.date(2026, 1, 2), dt.date(2026, 1, 2))
    assert sorted(day2["order_id"].to_list()) == ["o2", "orm"]
    # the last microsecond of a day stays in that day; midnight starts the next
    day3 = store.read_dataset(engine, "orders", dt.date(2026, 1, 3), None)
    assert day3["order_id"].to_list() == ["o3"]


def test_filters_pushed_into_sql(engine):
    store.write_frames(engine, {"social_daily": social()})
    got = store.read_dataset(engine, "social_daily", dt.date(2026, 1, 1), dt.date(2026, 1, 1),
                             campaigns=["c1"], platforms=["x"])
    assert got.height == 1 and got["campaign_id"].to_list() == ["c1"]


def test_long_run_of_nulls_then_values(engine):
    """ADBC infers SQLite column types from the first rows: a column empty for thousands of
    rows and then filled must still come back whole and typed."""
    n = 5000
    df = pl.DataFrame({
        "order_id": [f"o{i:05d}" for i in range(n)],
        "customer_id": ["c"] * n,
        "ordered_at": [dt.datetime(2026, 1, 1, tzinfo=UTC)] * n,
        "revenue": [1.0] * n,
        "channel": [None] * (n - 1) + ["Email"],
    }, schema=store.ds.get("orders").schema)
    store.write_frames(engine, {"orders": df})
    got = store.read_dataset(engine, "orders").sort("order_id")
    assert got["channel"].to_list()[-2:] == [None, "Email"]


def test_db_source_reports_available_and_bounds(engine):
    src = DbSource(engine)
    assert src.available() == frozenset() and src.bounds() == (None, None)
    store.write_frames(engine, {"orders": orders(), "social_daily": social()})
    src = DbSource(engine)
    assert src.available() == {"orders", "social_daily"}
    assert src.bounds() == (dt.date(2026, 1, 1), dt.date(2026, 1, 3))
    assert src.read("customers", None, None, Filters()) is None


def test_clear_removes_rows_and_bumps_version(engine):
    store.write_frames(engine, {"orders": orders()})
    v = store.data_version(engine)
    store.clear(engine, ["orders"])
    assert store.read_dataset(engine, "orders").height == 0
    assert store.data_version(engine) == v + 1


def test_audit_log_times_are_utc(engine):
    before = dt.datetime.now(UTC).replace(microsecond=0)
    store.write_frames(engine, {"orders": orders()}, actor="ann", detail="a.csv")
    log = store.audit_log(engine)
    assert log.schema["at"] == pl.Datetime("us", "UTC")
    entry = log.row(0, named=True)
    assert (entry["actor"], entry["action"], entry["dataset"], entry["inserted"],
            entry["detail"]) == ("ann", "import", "orders", 3, "a.csv")
    assert before <= entry["at"] <= dt.datetime.now(UTC)


def test_user_roles_round_trip_audited(engine):
    assert store.role_overrides(engine) == {} and store.read_roles(engine).height == 0
    v = store.data_version(engine)
    start = dt.datetime.now(UTC).replace(microsecond=0)
    store.put_role(engine, "vic@example.com", "editor", actor="ann@example.com",
                   detail="vic: no rule → editor", replaces=False)
    store.put_role(engine, "@example.com", "viewer", actor="ann@example.com",
                   detail="@example.com: no rule → viewer", replaces=False)
    store.put_role(engine, "vic@example.com", "admin", actor="bob@example.com",
                   detail="vic: editor → admin", replaces=True)
    assert store.role_overrides(engine) == {"vic@example.com": "admin",
                                            "@example.com": "viewer"}
    rows = store.read_roles(engine)
    assert rows["principal"].to_list() == ["@example.com", "vic@example.com"]
    assert rows["updated_by"].to_list() == ["ann@example.com", "bob@example.com"]
    assert rows.schema["updated_at"] == pl.Datetime("us", "UTC")
    assert all(start <= t <= dt.datetime.now(UTC) for t in rows["updated_at"])
    store.delete_role(engine, "@example.com", actor="ann@example.com",
                      detail="@example.com: viewer → rule removed")
    assert store.role_overrides(engine) == {"vic@example.com": "admin"}
    assert store.data_version(engine) == v + 4
    log = store.audit_log(engine)
    assert set(log["action"]) == {"roles_edit"} and set(log["dataset"]) == {"user_roles"}
    assert log.select("inserted", "updated", "deleted").rows() == [
        (0, 0, 1), (0, 1, 0), (1, 0, 0), (1, 0, 0)]
    assert log["detail"][0] == "@example.com: viewer → rule removed"


def _many_orders(n: int) -> pl.DataFrame:
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    return pl.DataFrame({
        "order_id": [f"o{i}" for i in range(n)],
        "customer_id": [f"c{i % 997}" for i in range(n)],
        "ordered_at": [start + dt.timedelta(minutes=i) for i in range(n)],
        "revenue": [float(i % 50) for i in range(n)],
        "channel": [None] * n,
    }, schema=store.ds.get("orders").schema)


def test_two_imports_at_once_wait_for_each_other_and_count_what_happened(engine):
    """The same file imported twice at once into a non-empty table: one import inserts the
    rows, the other finds them unchanged (on SQLite the second used to fail at once with
    "database is locked", on PostgreSQL both reported every row inserted)."""
    import threading

    store.write_frames(engine, {"orders": _many_orders(10)}, actor="seed")
    frame = _many_orders(60_000)
    results: list = []
    errors: list = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            results.append(store.write_frames(engine, {"orders": frame}, actor="t")["orders"])
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(r.inserted for r in results) == [0, 60_000 - 10]
    assert sorted(r.unchanged for r in results) == [10, 60_000]
    log = store.audit_log(engine).filter(pl.col("actor") == "t")
    assert log.get_column("inserted").sum() == 60_000 - 10
    assert store.read_dataset(engine, "orders").height == 60_000


def test_a_write_that_waits_too_long_says_the_database_is_busy(engine, monkeypatch):
    from smmkpi import db

    monkeypatch.setattr(store, "WRITE_WAIT_S", 1)
    if engine.dialect.name == "sqlite":
        monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 1000)
    with db.writer(engine) as conn:  # another write holds the lock
        cur = conn.cursor()
        store._take_write_lock(cur, engine, dt.datetime.now(UTC))
        with pytest.raises(store.StoreBusy, match="busy"):
            store.write_frames(engine, {"orders": orders()}, actor="t")
        cur.close()


# ---------------------------------------------------------------- values no reader handles


def _insert_unusable(engine) -> None:
    """Rows as an import before the range checks (or a hand edit) left them: timestamps in
    the years 10000 and 0, an infinite revenue, a date in the year 10000 in a key column,
    a count of 2^63 - 1, written with SQL straight into the tables."""
    from sqlalchemy import text

    pg = engine.dialect.name == "postgresql"
    late = "'10000-01-01 04:00:00+00'" if pg else "'+10000-01-01 04:00:00.000000'"
    early = "'0001-12-31 23:30:00+00 BC'" if pg else "'0000-12-31 23:30:00.000000'"
    good = "'2026-01-05 10:00:00+00'" if pg else "'2026-01-05 10:00:00.000000'"
    inf = "'Infinity'::float8" if pg else "9e999"
    day = "'10000-01-01'" if pg else "'+10000-01-01'"
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO orders (order_id, customer_id, ordered_at, revenue, channel) VALUES "
            f"('late', 'c1', {late}, 10, NULL), ('early', 'c1', {early}, 20, NULL), "
            f"('inf', 'c2', {good}, {inf}, NULL), ('ok', 'c2', {good}, 5, NULL)"
        ))
        c.execute(text(
            "INSERT INTO mentions (date, platform, positive, neutral, negative) VALUES "
            f"({day}, 'x', 1, 2, 3), ('2026-01-05', 'x', 4, 5, 6)"
        ))
        c.execute(text(
            "INSERT INTO web_sessions (date, source, medium, campaign, sessions) VALUES "
            "('2026-01-05', 'google', 'cpc', '', 9223372036854775807), "
            "('2026-01-05', 'x', 'social', '', 7)"
        ))


def test_stored_values_no_reader_handles_read_as_missing_with_one_warning(
    engine, monkeypatch, caplog
):
    """Values outside the years 1900-2200 or a column's bounds, stored before the checks
    (or by hand), are read as missing: read_dataset, bounds and the report never raise,
    and one warning per dataset names the rows."""
    import logging

    monkeypatch.setattr(store, "_WARNED", set())
    _insert_unusable(engine)
    with caplog.at_level(logging.WARNING, logger="smmkpi.store"):
        got = store.read_dataset(engine, "orders").sort("order_id")
        store.read_dataset(engine, "orders")  # the same finding again: no second warning
        mentions = store.read_dataset(engine, "mentions").sort("date", nulls_last=True)
        web = store.read_dataset(engine, "web_sessions").sort("source")
    assert got["order_id"].to_list() == ["early", "inf", "late", "ok"]
    assert got["ordered_at"].to_list() == [
        None, dt.datetime(2026, 1, 5, 10, tzinfo=UTC), None, dt.datetime(2026, 1, 5, 10,
                                                                         tzinfo=UTC)]
    assert got["revenue"].to_list() == [20.0, None, 10.0, 5.0]
    assert mentions["date"].to_list() == [dt.date(2026, 1, 5), None]
    assert web["sessions"].to_list() == [None, 7]
    warnings = [r.getMessage() for r in caplog.records if r.name == "smmkpi.store"]
    assert len(warnings) == 3, warnings
    orders_warning = next(w for w in warnings if w.startswith("orders:"))
    assert "ordered_at (2)" in orders_warning and "revenue (1)" in orders_warning
    assert "early" in orders_warning and "Import those rows again" in orders_warning
    assert store.bounds(engine) == (dt.date(2026, 1, 5), dt.date(2026, 1, 5))


def test_report_survives_values_no_reader_handles(engine, monkeypatch, capsys):
    """`python -m smmkpi report` on such a database prints the report (it used to exit
    with "Invalid isoformat string: '+10000-01-'" on SQLite, OverflowError on PostgreSQL)."""
    import json

    from smmkpi.__main__ import main

    monkeypatch.setattr(store, "_WARNED", set())
    _insert_unusable(engine)
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--database", url, "report", "--format", "json"]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert json.loads(out.out)
