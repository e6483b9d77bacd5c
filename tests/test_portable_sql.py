"""The SQL the app sends while importing orders (into empty and into stored tables),
rebuilding the summaries, serving the retention figures, importing conversations and reading
the waiting ones stays within what a distributed
PostgreSQL-compatible engine (Citus) runs across shards (docs/scaling.md): no window
functions, recursive CTEs, row locks, table samples or grouping sets, and every join of a
customer table on customer_id, the distribution column of the customer tables. Checked on
the statements as sent (captured at the ADBC cursor), on PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from adbc_driver_manager import dbapi

from smmkpi import datasets as ds
from smmkpi import store
from smmkpi.kpis import retention as r
from smmkpi.workspace import DbSource, Period, Workspace

UTC = dt.UTC

# constructs Citus runs in single-shard queries only, or not at all
CROSS_SHARD_UNSUPPORTED = [
    r"\bOVER\s*\(", r"\bWITH\s+RECURSIVE\b", r"\bFOR\s+(UPDATE|SHARE)\b", r"\bTABLESAMPLE\b",
    r"\bGROUPING\s+SETS\b", r"\bROLLUP\s*\(", r"\bCUBE\s*\(", r"\bLOCK\s+TABLE\b",
]
# a join of a customer table, and its ON clause (up to the next clause)
CUSTOMER_JOIN = re.compile(
    r"\b(LEFT\s+(OUTER\s+)?)?JOIN\s+(customer_summary|customers)\b.*?\bON\s+(.*?)"
    r"(?=\bWHERE\b|\bJOIN\b|\bGROUP\b|\bORDER\b|$)", re.IGNORECASE | re.DOTALL)


def _orders(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ds.get("orders").schema, orient="row")


def test_the_sql_stays_within_a_distributed_engine(engine, monkeypatch):
    sent: list[str] = []
    real = dbapi.Cursor.execute

    def record(self, operation, parameters=None, **kw):  # type: ignore[no-untyped-def]
        sent.append(str(operation))
        return real(self, operation, parameters, **kw)

    monkeypatch.setattr(dbapi.Cursor, "execute", record)
    at = [dt.datetime(2024, m, d, 10, tzinfo=UTC) for m in (1, 2, 3) for d in (3, 17)]
    first = _orders([(f"o{i}", f"C{i % 3}", t, 10.0 + i, "email") for i, t in enumerate(at)])
    customers = pl.DataFrame({"customer_id": ["C0", "C1"], "acquisition_channel": ["x", None],
                              "follows_on_social": [True, False], "first_seen": [None, None]},
                             schema=ds.get("customers").schema)
    store.write_frames(engine, {"orders": first, "customers": customers})
    store.write_frames(engine, {"orders": _orders(
        [("o1", "C2", at[1], 99.0, None), ("n1", "C9", at[-1], 5.0, None)])})
    store.rebuild_summaries(engine)
    ws = Workspace(DbSource(engine), Period(dt.date(2024, 3, 1), dt.date(2024, 3, 31)))
    assert r.repeat_kpis(r.period_history(ws), ws.start, ws.end)["orders"] == 3
    r.repeat_kpis_by(r.period_history(ws, attributes=True), None, ws.start, ws.end,
                     "acquisition_channel")
    assert r.cohorts_long(ws, grain="week").height
    # the repeat figures counted by the database, and posts matched to sessions by their
    # stored content keys
    ws.source.counts_splits = True  # off by default on SQLite
    assert r.KPIS[2].compute(ws) == 3  # customers
    # ... and the Retention page's splits, the running cohort and the days to second order
    assert r.split(ws, "acquisition_channel")["group"].to_list()
    assert r.split(ws, "channel")["group"].to_list()
    assert r.cohorts_long(ws, grain="month").height
    r.second_order_days(ws)
    # ... per day, with the customers counted on rows: no grouping per customer
    assert any("repeat_pairs" in s for s in sent)  # the figures, from the kept counts
    counted = [s for s in sent if "previous_ordered_at" in s and s.lstrip().startswith("SELECT")]
    assert len(counted) >= 2  # the split by the customers' attributes, the running cohort
    assert not any(re.search(r"GROUP BY[^()]*customer_id", s) for s in counted), counted
    assert any(re.search(r"JOIN customer_summary", s) for s in counted), counted
    from smmkpi.kpis import content as ct

    posts = pl.DataFrame(
        [("instagram", "p1", at[4], "tag"), ("x", "p2", at[1], "tag")],
        schema={"platform": pl.String, "post_id": pl.String,
                "published_at": pl.Datetime("us", "UTC"), "utm_content": pl.String},
        orient="row").with_columns(
        pl.lit(None, dtype=t).alias(n) for n, t in ds.get("posts").schema.items()
        if n not in ("platform", "post_id", "published_at", "utm_content")).select(
        ds.get("posts").names)
    web = pl.DataFrame({"date": [at[4].date()], "source": ["instagram"],
                        "medium": ["social"], "campaign": ["c"], "content": ["Tag"],
                        "sessions": [5]}).with_columns(
        pl.lit(None, dtype=t).alias(n) for n, t in ds.get("web_sessions").schema.items()
        if n not in ("date", "source", "medium", "campaign", "content", "sessions")).select(
        ds.get("web_sessions").names)
    store.write_frames(engine, {"posts": posts, "web_sessions": web})
    store.write_frames(engine, {"posts": posts.with_columns(utm_content=pl.lit("Tag"))})
    ws = Workspace(DbSource(engine), Period(dt.date(2024, 3, 1), dt.date(2024, 3, 31)))
    assert ct.period_posts(ws).select("post_id", "sessions").rows() == [("p1", 5)]
    assert any("content_key" in s for s in sent)
    # the conversations' day counts kept by an import, and the waiting read from them
    from smmkpi.kpis import care

    conv = pl.DataFrame(
        [("v1", "x", at[0], "question", None, None, None, None),
         ("v2", "x", at[1], "complaint", None, at[2], at[3], "spring")],
        schema=ds.get("conversations").schema, orient="row")
    store.write_frames(engine, {"conversations": conv})
    store.write_frames(engine, {"conversations": conv.with_columns(opened_at=pl.lit(at[2]))})
    waiting, _ = store.read_waiting_conversations(engine, at[-1].date(), at[-1],
                                                  care.NEEDS_REPLY)
    assert waiting["conversation_id"].to_list() == ["v1"]
    assert any("conversation_days" in s for s in sent)

    assert any("customer_summary" in s for s in sent)  # the capture saw the summaries' SQL
    # the orders' places: set from a staged table joined on order_id, the distribution
    # column of orders (a join of orders with the customer summaries would be across shards)
    place_updates = [s for s in sent if re.match(r"\s*UPDATE\s+orders\b", s, re.IGNORECASE)]
    assert place_updates
    for sql in place_updates:
        assert re.search(r"\bWHERE\s+\S+\.order_id\s*=\s*orders\.order_id\b", sql), sql
        assert not re.search(r"\b(customer_summary|customers)\b", sql), sql
    for sql in sent:
        for pattern in CROSS_SHARD_UNSUPPORTED:
            assert not re.search(pattern, sql, re.IGNORECASE), (pattern, sql)
        for m in CUSTOMER_JOIN.finditer(sql):
            on = m.group(4)
            assert re.match(r"\s*\S+\.customer_id\s*=\s*\S+\.customer_id\b", on), sql
            if m.group(1):  # outer joins between distributed tables: on that column only
                assert re.fullmatch(r"\s*\S+\.customer_id\s*=\s*\S+\.customer_id\s*",
                                    on), sql
