"""The SQLModel tables match the dataset specs, and the migrations match the tables."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import BigInteger, Boolean, Date, Float, String
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

from smmkpi import datasets as ds
from smmkpi.models import TABLES

SQL_TYPES = {"str": String, "int": BigInteger, "float": Float, "date": Date,
             "bool": Boolean, "datetime": UTCDateTime}


@pytest.mark.parametrize("name", list(ds.DATASETS))
def test_table_matches_spec(name):
    spec = ds.get(name)
    table = TABLES[name].__table__
    assert [c.name for c in table.columns] == list(spec.names)
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
