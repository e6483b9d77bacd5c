"""The large-brand benchmark's bulk build (`benchmarks/pages.py`, scale XL) writes what the
store would hold after importing the same rows: its customer summaries, orders' places,
cohort cells, content sums, channel sums, conversation day counts and posts' content keys
equal those the store recomputes from the written rows (`rebuild-summaries`), on SQLite
and PostgreSQL."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal
from sqlalchemy import select

from smmkpi import db, store
from smmkpi.models import ChannelSessions, ContentSessions, ConversationDays

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))


def _table(engine, model) -> pl.DataFrame:
    t = model.__table__
    return db.read_frame(engine, select(t).order_by(*t.primary_key.columns))


def test_bulk_build_equals_what_the_store_recomputes(engine, demo_frames):
    import pages

    counts = {"orders": 3, "web_sessions": 2, "social_daily": 2, "conversations": 3,
              "posts": 2}
    url = engine.url.render_as_string(hide_password=False)
    sizes = pages.bulk_build(url, counts, chunk=2, frames=demo_frames)  # two chunks each
    assert sizes["orders"] == 3 * demo_frames["orders"].height
    assert sizes["customer_summary"] == 3 * demo_frames["orders"]["customer_id"].n_unique()
    built = store.read_summaries(engine)
    content, days = _table(engine, ContentSessions), _table(engine, ConversationDays)
    channels = _table(engine, ChannelSessions)
    keys = _post_keys(engine)
    assert keys["content_key"].null_count() < keys.height
    assert built["order_places"]["customer_seq"].null_count() == 0
    assert content.height and days.height and channels.height
    store.rebuild_summaries(engine)
    again = store.read_summaries(engine)
    assert_frame_equal(built["customer_summary"], again["customer_summary"])
    assert_frame_equal(built["order_places"], again["order_places"])
    # three copies' revenue as 3 x the demo's against a sum of three: the last bits only
    assert_frame_equal(built["cohort_cells"], again["cohort_cells"], check_exact=False,
                       rel_tol=1e-12)
    assert built["repeat_pairs"].height and built["repeat_days"].height
    assert_frame_equal(built["repeat_pairs"], again["repeat_pairs"])
    assert_frame_equal(built["repeat_days"], again["repeat_days"], check_exact=False,
                       rel_tol=1e-12)
    assert_frame_equal(content, _table(engine, ContentSessions), check_exact=False)
    assert_frame_equal(days, _table(engine, ConversationDays))
    assert_frame_equal(channels, _table(engine, ChannelSessions), check_exact=False)
    assert_frame_equal(keys, _post_keys(engine))
    db.close_pools()


def _post_keys(engine) -> pl.DataFrame:
    t = store.TABLES["posts"].__table__
    return db.read_frame(engine, select(t.c.platform, t.c.post_id, t.c.content_key)
                         .order_by(t.c.platform, t.c.post_id))
