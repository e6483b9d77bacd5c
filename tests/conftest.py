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


@pytest.fixture
def downgrade_to(engine):
    """A function that takes `engine`'s schema down to an Alembic revision (one
    transaction), for the tests that a migration fills its tables from stored rows."""
    from alembic import command

    def run(revision: str) -> None:
        cfg = db.alembic_config(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)

    return run


@pytest.fixture(scope="session")
def demo_frames():
    """The demo data set as typed frames (generated once per test session)."""
    from smmkpi import demo_targets

    return demo_targets.generate()


APP_DB_ENV = "SMMKPI_TEST_APP_DATABASE"  # "postgres": the app tests' database is PostgreSQL


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, demo_frames) -> Iterator[str]:
    """A database URL holding the demo data (read-only for tests: do not write).

    SQLite by default; with SMMKPI_TEST_APP_DATABASE=postgres, a fresh PostgreSQL database
    made from SMMKPI_TEST_POSTGRES_URL for this test session and dropped at its end, so the
    page and browser tests run against the hosted setup too."""
    from smmkpi import store

    backend = os.environ.get(APP_DB_ENV, "sqlite").strip().lower() or "sqlite"
    if backend not in ("sqlite", "postgres"):
        pytest.fail(f"{APP_DB_ENV} must be sqlite or postgres, not {backend!r}")
    admin = name = None
    if backend == "postgres":
        pg = _pg_admin_url()
        if pg is None:
            pytest.fail(f"{APP_DB_ENV}=postgres needs {PG_ENV} (a server where tests may "
                        "create databases)")
        admin = create_engine(db.make_engine(pg).url, isolation_level="AUTOCOMMIT")
        name = f"smmkpi_demo_{uuid.uuid4().hex[:12]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, demo_frames, actor="test", action="demo")
    engine.dispose()
    try:
        yield url
    finally:
        if admin is not None:
            db.close_pools()
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _no_developer_secrets(tmp_path_factory):
    """Tests never read the checkout's .streamlit/secrets.toml (a developer who hosts the
    app has one with [auth], which would put every AppTest behind the login). Tests that
    need secrets point Streamlit at their own file (see tests/test_auth_pages.py)."""
    from streamlit.runtime.secrets import secrets_singleton
    from streamlit.testing.v1.util import patch_config_options

    none = tmp_path_factory.mktemp("no_secrets") / "secrets.toml"
    with patch_config_options({"secrets.files": [str(none)]}):
        secrets_singleton._reset()
        yield
    secrets_singleton._reset()


@pytest.fixture(autouse=True)
def _error_details_restored():
    """Hosted mode sets client.showErrorDetails for the process; tests put it back."""
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    yield
    config.set_option("client.showErrorDetails", before)


@pytest.fixture
def app_env(monkeypatch, demo_db):
    """Point the app at the demo database (settings are re-read)."""
    from smmkpi.config import get_settings

    monkeypatch.setenv("SMMKPI_DATABASE_URL", demo_db)
    get_settings.cache_clear()
    yield demo_db
    get_settings.cache_clear()
