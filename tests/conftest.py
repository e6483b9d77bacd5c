"""Shared fixtures: databases (SQLite always, PostgreSQL when SMMKPI_TEST_POSTGRES_URL is
set), small frames and workspaces."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from smmkpi import db

PG_ENV = "SMMKPI_TEST_POSTGRES_URL"


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    db.migrate(engine)
    yield engine
    db.close_pools()
    engine.dispose()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """A fresh PostgreSQL database per test, dropped afterwards."""
    url = _pg_admin_url()
    if url is None:
        pytest.skip(f"{PG_ENV} is not set: PostgreSQL tests skipped (.ci/run sets it)")
    admin = create_engine(db.make_engine(url).url, isolation_level="AUTOCOMMIT")
    name = f"smmkpi_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = db.make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    try:
        db.migrate(engine)
        yield engine
    finally:
        db.close_pools()
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request) -> Engine:
    """Both backends: every test using it runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue("pg_engine" if request.param == "postgres" else "sqlite_engine")


@pytest.fixture(scope="session")
def demo_frames():
    """The demo data set as typed frames (generated once per test session)."""
    from smmkpi import demo

    return demo.generate()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, demo_frames) -> str:
    """A SQLite database URL holding the demo data (read-only for tests: do not write)."""
    from smmkpi import store

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, demo_frames, actor="test", action="demo")
    engine.dispose()
    return url


@pytest.fixture
def app_env(monkeypatch, demo_db):
    """Point the app at the demo database (settings are re-read)."""
    from smmkpi.config import get_settings

    monkeypatch.setenv("SMMKPI_DATABASE_URL", demo_db)
    get_settings.cache_clear()
    yield demo_db
    get_settings.cache_clear()
