"""The SQLModel tables match the dataset specs, and the migrations match the tables."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import BigInteger, Boolean, Date, Float, String
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from smmkpi import datasets as ds
from smmkpi.models import STORE_COLUMNS, TABLES

SQL_TYPES = {"str": String, "int": BigInteger, "float": Float, "date": Date,
             "bool": Boolean, "datetime": UTCDateTime}


@pytest.mark.parametrize("name", list(ds.DATASETS))
def test_table_matches_spec(name):
    spec = ds.get(name)
    table = TABLES[name].__table__
    # the imported columns, then those the store keeps beside them (orders' places)
    assert [c.name for c in table.columns] == [*spec.names, *STORE_COLUMNS.get(name, ())]
    for c in STORE_COLUMNS.get(name, ()):
        assert table.columns[c].nullable, (name, c)  # an import leaves them to the store
    assert tuple(c.name for c in table.primary_key.columns) == spec.key
    for col in spec.columns:
        sa_col = table.columns[col.name]
        sa_type = getattr(sa_col.type, "impl_instance", sa_col.type)  # AutoString wraps String
        want = SQL_TYPES[col.type]
        assert isinstance(sa_col.type, want) or isinstance(sa_type, want), (name, col.name)
        # required (or key) columns are NOT NULL; optional ones nullable (keys store '')
        assert sa_col.nullable == (not col.required and not col.key), (name, col.name)


def test_migrations_match_models(engine):
    """Alembic's autogenerate finds nothing to change after `migrate` (SQLite and PG)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


NEW_COUNTS = ("new_followers", "page_views", "unique_visitors")


def _social_columns(engine) -> list[str]:
    from sqlalchemy import inspect

    return [c["name"] for c in inspect(engine).get_columns("social_daily")]


def test_migration_0009_adds_empty_counts_and_keeps_stored_rows(engine, downgrade_to):
    """Migration 0009 (SQLite and PG): down to the revision before it, a row stored there,
    up again: the row keeps its figures and gets NULL (not 0) in the three new columns,
    which a LinkedIn export then fills without blanking the stored count; down again drops
    the columns and keeps the row."""
    import datetime as dt

    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from smmkpi import db, store
    from smmkpi.ingest import parse_file

    before = ScriptDirectory.from_config(db.alembic_config(engine)).get_revision(
        "0009").down_revision
    downgrade_to(before)
    assert not set(NEW_COUNTS) & set(_social_columns(engine))
    with engine.begin() as c:
        c.execute(text("INSERT INTO social_daily (date, platform, campaign_id, impressions, "
                       "followers) VALUES ('2026-11-02', 'linkedin', '', 300, 812)"))
    db.migrate(engine)
    assert _social_columns(engine)[-3:] == list(NEW_COUNTS)
    (row,) = store.read_dataset(engine, "social_daily").iter_rows(named=True)
    assert (row["impressions"], row["followers"]) == (300, 812)
    assert all(row[c] is None for c in NEW_COUNTS)

    data = Path(__file__).parent / "data" / "good" / "social"
    store.write_frames(engine, parse_file(data / "linkedin_followers.xlsx").frames)
    got = {r["date"]: r for r in store.read_dataset(engine, "social_daily").iter_rows(named=True)}
    nov2 = got[dt.date(2026, 11, 2)]
    assert (nov2["impressions"], nov2["followers"], nov2["new_followers"]) == (300, 812, 6)
    assert nov2["page_views"] is None

    downgrade_to(before)
    assert not set(NEW_COUNTS) & set(_social_columns(engine))
    with engine.connect() as c:
        n = c.execute(text("SELECT followers FROM social_daily WHERE date = '2026-11-02'"))
        assert n.scalar() == 812
    db.migrate(engine)  # back to head for the fixture's teardown


def test_migration_0017_puts_the_summaries_attributes_in_their_time_indexes(engine,
                                                                          downgrade_to):
    """On PostgreSQL the summaries' first- and last-order indexes carry the columns the
    Retention page's counts read (index-only scans); down to 0016 they are plain again.
    SQLite keeps plain indexes (no INCLUDE)."""
    from sqlalchemy import inspect

    from smmkpi import db

    def included() -> dict[str, list[str]]:
        return {ix["name"]: sorted(ix.get("dialect_options", {}).get("postgresql_include")
                                   or ix.get("include_columns") or [])
                for ix in inspect(engine).get_indexes("customer_summary")}

    pg = engine.dialect.name == "postgresql"
    want = {"ix_customer_summary_first_ordered_at": ["acquisition_channel",
                                                     "follows_on_social"],
            "ix_customer_summary_last_ordered_at": ["acquisition_channel", "customer_id",
                                                    "follows_on_social"]}
    assert included() == (want if pg else {k: [] for k in want})
    downgrade_to("0016")
    assert included() == {k: [] for k in want}
    db.migrate(engine)
    assert included() == (want if pg else {k: [] for k in want})
