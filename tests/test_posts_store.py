"""Posts in the database (SQLite and PostgreSQL): a newer export replaces a post's metrics by
its key, an empty value never blanks a stored one (tags from one file and metrics from
another both survive), files of one batch merge where they agree and clash where they do
not, and the UTM content of web sessions is part of their key (migration 0006 keeps the
rows stored before it)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import text

from smmkpi import datasets as ds
from smmkpi import db, ingest, store
from smmkpi.ingest.files import ParsedFile

UTC = dt.UTC
T = dt.datetime(2026, 7, 16, 9, 30, tzinfo=UTC)


def posts(**columns: list) -> pl.DataFrame:
    """Posts frame: two posts, the given columns set, every other column empty."""
    n = len(next(iter(columns.values())))
    base = {"platform": ["tiktok", "x"][:n], "post_id": ["7401", "1816"][:n],
            "published_at": [T, T + dt.timedelta(hours=2)][:n]}
    spec = ds.get("posts")
    data = {c: columns.get(c, base.get(c, [None] * n)) for c in spec.names}
    return pl.DataFrame(data, schema=spec.schema)


def test_a_newer_export_replaces_metrics_and_keeps_tags(engine):
    tags = posts(utm_content=["july_drop", None], is_promo=[True, False],
                 campaign_id=["summer", None])
    assert store.write_frames(engine, {"posts": tags})["posts"].inserted == 2
    first = posts(impressions=[1000, 50], likes=[40, 2], title=["Drop", "Hi"])
    r = store.write_frames(engine, {"posts": first})["posts"]
    assert (r.inserted, r.updated, r.unchanged) == (0, 2, 0)
    newer = posts(impressions=[1500, 50], likes=[None, 2], title=["Drop", "Hi"])
    r = store.write_frames(engine, {"posts": newer})["posts"]
    # x's post is as stored (its empty columns keep the stored values): unchanged
    assert (r.inserted, r.updated, r.unchanged) == (0, 1, 1)
    got = store.read_dataset(engine, "posts").sort("platform")
    assert got["impressions"].to_list() == [1500, 50]  # replaced by the newer export
    assert got["likes"].to_list() == [40, 2]  # an empty value kept the stored one
    assert got["utm_content"].to_list() == ["july_drop", None]
    assert got["is_promo"].to_list() == [True, False]
    assert got["campaign_id"].to_list() == ["summer", None]
    assert got["title"].to_list() == ["Drop", "Hi"]
    assert got["published_at"].to_list() == [T, T + dt.timedelta(hours=2)]
    again = store.write_frames(engine, {"posts": newer})["posts"]
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def _parsed(name: str, frame: pl.DataFrame) -> ParsedFile:
    return ParsedFile(name=name, dataset="posts", frames={"posts": frame},
                      source_rows={"posts": pl.Series("row", range(2, 2 + frame.height))})


def test_files_of_a_batch_merge_where_they_agree():
    export = _parsed("tiktok.csv", posts(impressions=[1000, 50], title=["Drop", "Hi"]))
    tags = _parsed("tags.csv", posts(utm_content=["july_drop", None], is_promo=[True, None]))
    frames, problems = ingest.combine([export, tags])
    assert problems == []
    got = frames["posts"].sort("platform")
    assert got.height == 2
    assert got["impressions"].to_list() == [1000, 50]
    assert got["utm_content"].to_list() == ["july_drop", None]
    assert got["is_promo"].to_list() == [True, None]


def test_files_of_a_batch_that_disagree_clash():
    a = _parsed("a.csv", posts(impressions=[1000, 50]))
    b = _parsed("b.csv", posts(impressions=[999, 50]))
    _, problems = ingest.combine([a, b])
    assert len(problems) == 1
    p = problems[0]
    assert (p.file, p.row, p.column, p.value) == ("b.csv", 2, "platform, post_id", "tiktok, 7401")
    assert "a.csv row 2" in p.message


def test_session_content_is_part_of_the_key(engine):
    spec = ds.get("web_sessions")
    day = dt.date(2026, 7, 17)
    rows = pl.DataFrame({
        "date": [day, day], "source": ["tiktok.com", "tiktok.com"],
        "medium": ["social", "social"], "campaign": [None, None], "sessions": [30, 12],
        "engaged_sessions": [None, None], "conversions": [1, 0], "revenue": [40.0, 0.0],
        "content": [None, "july_drop"],
    }, schema=spec.schema)
    assert store.write_frames(engine, {"web_sessions": rows})["web_sessions"].inserted == 2
    got = store.read_dataset(engine, "web_sessions").sort("content", nulls_last=False)
    assert got["content"].to_list() == [None, "july_drop"]  # '' stored, null read
    assert got["sessions"].to_list() == [30, 12]


def test_migration_keeps_sessions_stored_before_it(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.migrate(engine, "0005")
    with engine.begin() as c:
        c.execute(text("INSERT INTO web_sessions (date, source, medium, campaign, sessions) "
                       "VALUES ('2026-01-01', 'google', 'organic', '', 5)"))
    db.migrate(engine)
    got = store.read_dataset(engine, "web_sessions")
    assert got.select("source", "sessions", "content").rows() == [("google", 5, None)]
    with engine.connect() as c:  # the rebuilt table's pages were reclaimed
        assert c.execute(text("PRAGMA freelist_count")).scalar() == 0
    engine.dispose()
