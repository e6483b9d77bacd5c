"""Engines, schema migrations and the fast path from SQLModel `select()` to Polars.

Reading: a SQLModel/SQLAlchemy statement is compiled for the database's dialect with its
bound parameters (processed by the column types, e.g. UTC datetimes) and executed through
ADBC, which hands Arrow data to Polars without building Python objects per row (about 10x
faster than `pl.read_database` on an SQLAlchemy connection, 30x faster than ORM objects;
see benchmarks/io.py). Databases without an ADBC driver fall back to `pl.read_database`.
"""

from __future__ import annotations

import atexit
import contextlib
import queue
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable

from smmkpi.config import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | None = None) -> Engine:
    """An SQLAlchemy engine for `url` (default: SMMKPI_DATABASE_URL or the SQLite file
    under data/). It compiles statements and runs the Alembic migrations; rows travel
    through ADBC (see `connect`).

    SQLite: NullPool, so Python's sqlite3 holds no file handle between uses. The ADBC
    driver links its own copy of SQLite, and two copies of SQLite in one process must not
    hold the same file open at once (SQLite's "multiple copies" hazard: closing one
    copy's handle drops the other's POSIX locks; in WAL mode it deletes the other's
    shared-memory index, which showed here as "disk I/O error"). So SQLite runs in its
    default rollback-journal mode, Python's sqlite3 is used only by migrations (at start,
    before any reads), and every row read or written goes through ADBC.
    PostgreSQL: a pool sized for several concurrent viewers, with pre-ping.
    """
    url = url or get_settings().database_url
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        return create_engine(u, poolclass=NullPool, connect_args={"timeout": 30})
    if u.get_backend_name() == "postgresql":
        if u.drivername == "postgresql":
            u = u.set(drivername="postgresql+psycopg")
        return create_engine(u, pool_size=5, max_overflow=10, pool_pre_ping=True, pool_recycle=1800)
    return create_engine(u, pool_pre_ping=True)


def describe(engine: Engine) -> str:
    """The engine's URL without its password, for messages and the sidebar."""
    return engine.url.render_as_string(hide_password=True)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` with Alembic (idempotent; safe from several
    instances at once on PostgreSQL, where an advisory lock serializes them)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        before = _revision(conn)
        command.upgrade(cfg, revision)
        changed = _revision(conn) != before
    if changed and sqlite_file(engine) is not None:
        _compact(engine)


def _revision(conn: Any) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _compact(engine: Engine) -> None:
    """VACUUM an SQLite file that a migration left with free pages (a rebuilt table's old
    pages). SQLite does not journal free pages it reuses, so a rolled-back import would
    leave their old bytes changed; a file without free pages is restored byte for byte."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        if raw.execute("PRAGMA freelist_count").fetchone()[0]:
            raw.isolation_level = None  # VACUUM cannot run inside a transaction
            raw.execute("VACUUM")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def adbc_uri(engine: Engine) -> tuple[str, str] | None:
    """(driver, uri) for ADBC, or None when the database has no ADBC driver here."""
    u: URL = engine.url
    backend = u.get_backend_name()
    if backend == "sqlite":
        if not u.database or u.database == ":memory:":
            return None
        return "sqlite", u.database
    if backend == "postgresql":
        return "postgresql", u.set(drivername="postgresql").render_as_string(hide_password=False)
    return None


WRITE_WAIT_S = 120  # how long a write (or a read on SQLite) waits for another write
BUSY_TIMEOUT_MS = WRITE_WAIT_S * 1000
SQLITE_BATCH_OPTION = "adbc.sqlite.query.batch_rows"
_POOLS: dict[str, queue.LifoQueue[Any]] = {}
_POOL_SIZE = 4


def _open(engine: Engine, autocommit: bool) -> Any:
    target = adbc_uri(engine)
    if target is None:
        raise RuntimeError(f"no ADBC driver for {engine.dialect.name}")
    driver, uri = target
    if driver == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc

        conn = adbc.connect(uri, autocommit=autocommit)
        cur = conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.fetchall()
        if not autocommit:  # writers: staging tables in memory (1M orders: 2.5 s → 1.9 s)
            cur.execute("PRAGMA temp_store = MEMORY")
        cur.close()
        return conn
    import adbc_driver_postgresql.dbapi as adbc_pg

    return adbc_pg.connect(uri, autocommit=autocommit)


@contextlib.contextmanager
def reader(engine: Engine) -> Iterator[Any]:
    """A pooled ADBC connection in autocommit mode for reads (no transaction left open, so
    an idle pooled connection never holds a lock)."""
    key = engine.url.render_as_string(hide_password=False)
    pool = _POOLS.setdefault(key, queue.LifoQueue())
    try:
        conn = pool.get_nowait()
    except queue.Empty:
        conn = _open(engine, autocommit=True)
    ok = False
    try:
        yield conn
        ok = True
    finally:
        if ok and pool.qsize() < _POOL_SIZE:
            pool.put(conn)
        else:
            conn.close()


@contextlib.contextmanager
def writer(engine: Engine) -> Iterator[Any]:
    """A fresh ADBC connection with one transaction: committed when the block ends,
    rolled back (nothing stored) when it raises."""
    conn = _open(engine, autocommit=False)
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


def close_pools() -> None:
    """Close pooled reader connections (tests; before deleting a database file; exit)."""
    for pool in _POOLS.values():
        while not pool.empty():
            pool.get_nowait().close()


atexit.register(close_pools)  # close before the driver's module globals are torn down


def execute(cur: Any, engine: Engine, stmt: Executable) -> None:
    """Run a SQLModel/SQLAlchemy statement (insert, update, delete) on an ADBC cursor."""
    sql, params = compile_statement(engine, stmt)
    cur.execute(sql, params or None)


def compile_statement(engine: Engine, stmt: Executable) -> tuple[str, list[Any]]:
    """SQL text and positional parameters for `stmt`, as the engine's column types would
    bind them (e.g. aware datetimes converted to UTC text on SQLite)."""
    dialect = engine.dialect
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

        dialect = PGDialect_psycopg(paramstyle="numeric_dollar")
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    processors = compiled._bind_processors  # noqa: SLF001 - the types' own bind conversion
    names = compiled.positiontup or []
    values = [processors[n](params[n]) if n in processors else params[n] for n in names]
    return str(compiled), values


def read_frame(engine: Engine, stmt: Executable) -> pl.DataFrame:
    """Rows of a SQLModel/SQLAlchemy select as a Polars frame (types as the driver gives
    them; `store.normalize` casts them to the dataset specs)."""
    if adbc_uri(engine) is None:
        return pl.read_database(stmt, engine)  # type: ignore[arg-type]
    sql, params = compile_statement(engine, stmt)
    with reader(engine) as conn:
        cur = conn.cursor()
        try:
            if engine.dialect.name == "sqlite":
                # The SQLite driver infers each column's Arrow type from its first batch of
                # rows and fails when a later batch differs (a column empty for the first
                # thousand rows, then text). One batch for the whole result avoids that.
                cur.adbc_statement.set_options(**{SQLITE_BATCH_OPTION: "1000000000"})
            cur.execute(sql, params or None)
            table = cur.fetch_arrow_table()
        finally:
            cur.close()
    return pl.from_arrow(table)  # type: ignore[return-value]


_READS = 2  # reads of one large result at once, each on its own connection
_read_pool: Any = None


def read_frames(engine: Engine, stmts: list[Executable]) -> list[pl.DataFrame]:
    """`read_frame` of each statement, up to two at once on their own pooled connections
    (the drivers run the query and build the Arrow table without Python's lock, so a large
    read split in two takes about half the time on two cores; measured in
    docs/scaling.md). Results in the order of `stmts`."""
    global _read_pool
    if len(stmts) <= 1:
        return [read_frame(engine, s) for s in stmts]
    if _read_pool is None:
        import concurrent.futures

        _read_pool = concurrent.futures.ThreadPoolExecutor(_READS,
                                                           thread_name_prefix="smmkpi-read")
    return list(_read_pool.map(lambda s: read_frame(engine, s), stmts))


def sqlite_file(engine: Engine) -> Path | None:
    u = engine.url
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return Path(u.database)
    return None
