"""Bulk reads and writes of dataset frames against the database.

Writes are all-or-nothing: every frame of one import is staged through ADBC (Arrow, no
Python objects per row) into temporary tables and upserted by the dataset's key in ONE
transaction, which also bumps the data version and writes the audit log. Re-importing the
same rows changes nothing (they are counted as unchanged and not rewritten). For a dataset
with `merge_empty` (posts, social_daily) an empty value never replaces a stored one.

Small edits (targets, the Admin page's user roles) run as SQLModel statements in one
transaction with the same version bump and audit row (`run_statements`); the statements
for targets and roles are built here too.

Reads push the period and filters into the SQL WHERE of a SQLModel `select()` and return
frames normalized to the dataset specs, whichever driver and path wrote the rows; the user
roles and the audit log are read here as well, their timestamps in UTC.

Stored formats (the one place that knows them): on SQLite dates are `YYYY-MM-DD` text and
timestamps `YYYY-MM-DD HH:MM:SS.ffffff` UTC text, exactly what SQLAlchemy writes, so date
filters compare like with like for rows written by ADBC or by the ORM; an optional key text
(a brand-wide target's campaign) is stored as ''.

Reading survives whatever is stored: a date or timestamp outside the years
`Settings.year_min` ... `year_max` (1900-2200; rows written before ingest refused them, or by
hand), stored text that is no date, and a number that is not finite or outside its column's
bounds (`datasets.Column.bounds`) are read as missing, and a warning (once per dataset and
process) names the dataset, the columns, how many values and the keys of a few rows, so the
rows can be found and imported again with correct values.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import (
    BigInteger,
    Date,
    Engine,
    Float,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)

from smmkpi import datasets as ds
from smmkpi import db
from smmkpi import summaries as sm
from smmkpi.channels import (
    CHANNEL_GROUPINGS,
    CHANNEL_SESSIONS_SCHEMA,
    SOCIAL_GROUPS,
    channel_sessions,
    post_content_key,
)
from smmkpi.config import get_settings
from smmkpi.models import (
    ORDER_PLACES,
    STORE_COLUMNS,
    TABLES,
    AppSetting,
    AuditEntry,
    ChannelSessions,
    CohortCell,
    ContentSessions,
    ConversationDays,
    CustomerSummary,
    DataVersion,
    KpiTarget,
    RepeatDay,
    RepeatPair,
    UserRole,
)

log = logging.getLogger(__name__)

SQLITE_TS = "%Y-%m-%d %H:%M:%S%.6f"
SQLITE_TS_READ = "%Y-%m-%d %H:%M:%S%.f"
ROLES_ACTION = "roles_edit"  # the audit action of a role change
Progress = Callable[[float, str], None]


class StoreError(Exception):
    """A write was refused or failed; nothing was stored."""


class StoreBusy(StoreError):
    """Another write held the database longer than the wait allowed; nothing was stored
    (try again: not a problem with the input)."""


WRITE_WAIT_S = db.WRITE_WAIT_S  # how long a write waits for another one to finish


def _take_write_lock(cur: Any, engine: Engine, now: dt.datetime) -> None:
    """The first statement of every write: bump the data version. It takes the write lock
    at once (SQLite's RESERVED lock, PostgreSQL's row lock on data_version), so writes run
    one after another and every count a write makes inside its transaction is final.
    Reading first and writing later would let two SQLite writers both hold a read lock and
    fail at once with "database is locked" instead of waiting; on PostgreSQL both imports
    would count the table before the other's rows arrived."""
    if engine.dialect.name == "postgresql":
        cur.execute(f"SET LOCAL lock_timeout = '{WRITE_WAIT_S * 1000}ms'")
    db.execute(cur, engine, version_bump(now))


def _busy(e: BaseException) -> bool:
    text = str(e).lower()
    return ("database is locked" in text or "lock timeout" in text or "55p03" in text
            or "canceling statement due to lock timeout" in text)


def _refused(e: Exception, what: str) -> StoreError:
    if _busy(e):
        return StoreBusy(f"another import or edit kept the database busy for more than "
                         f"{WRITE_WAIT_S} s; nothing was stored. Try again when it is done.")
    return StoreError(f"the database refused the {what}, nothing was stored: {e}")


@dataclass(frozen=True)
class WriteResult:
    dataset: str
    inserted: int
    updated: int
    unchanged: int

    @property
    def rows(self) -> int:
        return self.inserted + self.updated + self.unchanged


# ---------------------------------------------------------------------------- reading


def select_dataset(
    name: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    campaigns: Sequence[str] = (),
    platforms: Sequence[str] = (),
) -> Any:
    """The SQLModel select for one dataset's rows in a period with filters."""
    spec = ds.get(name)
    model = TABLES[name]
    cols = [getattr(model, c) for c in spec.names]
    conds = _dataset_conditions(name, start, end, campaigns, platforms)
    stmt = select(*cols)
    if conds:
        stmt = stmt.where(and_(*conds))
    return stmt


def _dataset_conditions(name: str, start: dt.date | None, end: dt.date | None,
                        campaigns: Sequence[str], platforms: Sequence[str]) -> list[Any]:
    """`select_dataset`'s row conditions in SQL (`Dataset.conditions`)."""
    model = TABLES[name]
    return [_sql_condition(getattr(model, c.column), c)
            for c in ds.get(name).conditions(start, end, campaigns, platforms)]


def _sql_condition(col: Any, c: ds.Condition) -> Any:
    """A dataset's row condition (`Dataset.conditions`) in SQL."""
    if c.op == "ge":
        return col >= c.value
    if c.op == "lt":
        return col < c.value
    if c.op == "le":
        return col <= c.value
    if c.op == "in":
        return col.in_(list(c.value))
    if c.op == "null_or_ge":
        return or_(col.is_(None), col >= c.value)
    raise ValueError(f"unknown condition {c.op!r}")


def read_dataset(
    engine: Engine,
    name: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    campaigns: Sequence[str] = (),
    platforms: Sequence[str] = (),
) -> pl.DataFrame:
    """Typed rows of a dataset (spec columns and dtypes) in a period, filters applied. A
    period of `SPLIT_DAYS` days or more of a dataset read by one date column is read as two
    halves at once (`db.read_frames`: two connections fetch and convert on two cores, as
    the retention window is), the earlier half first."""
    spec = ds.get(name)
    if (start is not None and end is not None and spec.date_column is not None
            and (end - start).days + 1 >= SPLIT_DAYS):
        mid = start + dt.timedelta(days=(end - start).days // 2)
        halves = db.read_frames(engine, [
            select_dataset(name, start, mid, campaigns, platforms),
            select_dataset(name, mid + dt.timedelta(days=1), end, campaigns, platforms)])
        return normalize(pl.concat(halves, how="vertical_relaxed", rechunk=False), name)
    stmt = select_dataset(name, start, end, campaigns, platforms)
    return normalize(db.read_frame(engine, stmt), name)


SPLIT_DAYS = 28  # periods at least this long are read in two halves at once (read_dataset)


def normalize(df: pl.DataFrame, name: str) -> pl.DataFrame:
    """Cast whatever a driver returned to the dataset's spec types (one place for this).

    Never raises on stored values: a date or timestamp that is unreadable or outside the
    years `year_min` ... `year_max` of the settings, and a number that is not finite or
    outside its column's bounds, becomes null, with one warning per dataset and process
    (`warn_unusable`) that names the columns, the count and a few rows' keys."""
    spec = ds.get(name)
    exprs: list[pl.Expr] = []
    for c in spec.columns:
        col = pl.col(c.name)
        have = df.schema.get(c.name)
        if have is None:
            exprs.append(pl.lit(None, dtype=c.dtype).alias(c.name))
            continue
        if c.type == "datetime":
            col = _utc(col, have)
        elif c.type == "date":
            col = _date(col, have)
        elif c.type == "bool" and have == pl.String:
            col = col.str.to_lowercase().is_in(["1", "true"]).or_(None).cast(pl.Boolean)
        else:
            col = col.cast(c.dtype, strict=c.type not in ("int", "float"))
        if c.name in spec.optional_key_strings:
            col = pl.when(col == "").then(None).otherwise(col)
        exprs.append(col.alias(c.name))
    out = df.select(exprs)
    usable = _usable(spec)
    if not usable:
        return out
    bad = {n: df[n].is_not_null() & ~ok(out[n]).fill_null(False) for n, ok in usable.items()
           if n in df.columns}
    counts = {n: int(m.sum()) for n, m in bad.items()}
    if not any(counts.values()):
        return out
    warn_unusable(name, df, bad, counts)
    return out.with_columns(
        pl.when(~bad[n]).then(pl.col(n)).alias(n) for n, k in counts.items() if k
    )


def _date(col: pl.Expr, have: pl.DataType) -> pl.Expr:
    """A stored date as a Polars date: SQLite returns the text we wrote, PostgreSQL a date;
    anything unreadable becomes null."""
    return (col.str.to_date("%Y-%m-%d", strict=False) if have == pl.String
            else col.cast(pl.Date, strict=False))


def _usable(spec: ds.Dataset) -> dict[str, Callable[[pl.Series], pl.Series]]:
    """Per column that can hold what no reader handles: the test of a typed value that
    says it is usable (dates and timestamps within the settings' years, finite numbers
    within the column's bounds)."""
    settings = get_settings()
    first, past = dt.date(settings.year_min, 1, 1), dt.date(settings.year_max + 1, 1, 1)
    tests: dict[str, Callable[[pl.Series], pl.Series]] = {}
    for c in spec.columns:
        if c.type == "date":
            tests[c.name] = lambda s: (s >= first) & (s < past)
        elif c.type == "datetime":
            lo, hi = ds.utc_midnight(first), ds.utc_midnight(past)
            tests[c.name] = lambda s, lo=lo, hi=hi: (s >= lo) & (s < hi)
        elif c.type in ("int", "float"):
            low, high = c.bounds if c.bounds is not None else (-float("inf"), float("inf"))
            if c.type == "int":
                tests[c.name] = lambda s, low=low, high=high: s.is_between(low, high)
            else:  # NaN and infinities are never between
                tests[c.name] = lambda s, low=low, high=high: s.is_finite() & s.is_between(
                    low, high
                )
    return tests


_WARNED: set[str] = set()  # datasets warned about in this process
_WARNED_LOCK = threading.Lock()


def warn_unusable(
    name: str, df: pl.DataFrame, bad: Mapping[str, pl.Series], counts: Mapping[str, int]
) -> None:
    """Log, once per dataset and process, that stored values were read as missing: which
    columns, how many, and the keys of up to three such rows (as stored, as text)."""
    with _WARNED_LOCK:
        if name in _WARNED:
            return
        _WARNED.add(name)
    settings = get_settings()
    any_bad = pl.select(pl.any_horizontal(*[m for m in bad.values()])).to_series()
    key = [k for k in ds.get(name).key if k in df.columns]
    examples = (
        df.filter(any_bad).head(3).select(pl.col(k).cast(pl.String) for k in key).rows()
        if key
        else []
    )
    columns = ", ".join(f"{n} ({k:,})" for n, k in counts.items() if k)
    keys = "; ".join(", ".join("" if v is None else v for v in row) for row in examples)
    log.warning(
        "%s: stored values that cannot be used were read as missing: %s (dates outside "
        "%d-%d, or numbers infinite or beyond the column's bounds); e.g. the rows with key "
        "(%s) = %s. Import those rows again with corrected values.",
        name, columns, settings.year_min, settings.year_max, ", ".join(key), keys,
    )


def _utc(col: pl.Expr, have: pl.DataType) -> pl.Expr:
    """A stored timestamp column, as the driver returned it (`have`: SQLite's text or a
    datetime with or without a time zone), as UTC microseconds."""
    if have == pl.String:
        # the one SQLite text format (ours and SQLAlchemy's); explicit: 15x faster. Text in
        # another form (written by hand, a year beyond 9999) is null, see `normalize`
        return col.str.to_datetime(
            SQLITE_TS_READ, time_unit="us", time_zone="UTC", strict=False
        )
    if isinstance(have, pl.Datetime):
        return (
            col.dt.replace_time_zone("UTC")
            if have.time_zone is None
            else col.dt.convert_time_zone("UTC")
        ).dt.cast_time_unit("us")
    return col.cast(pl.Datetime("us", "UTC"))


def available(engine: Engine) -> frozenset[str]:
    """Datasets with at least one stored row."""
    out = set()
    for name, model in TABLES.items():
        key = getattr(model, ds.get(name).key[0])
        if db.read_frame(engine, select(key).limit(1)).height:
            out.add(name)
    return frozenset(out)


def _as_date(v: Any) -> dt.date | None:
    """A stored date or timestamp as a date; None for none and for text that is no date."""
    if v is None:
        return None
    if isinstance(v, str):  # SQLite returns the stored text
        try:
            return dt.date.fromisoformat(v[:10])
        except ValueError:
            return None
    return v.date() if isinstance(v, dt.datetime) else v  # type: ignore[no-any-return]


_SQLITE_TIMESTAMP = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"  # text that starts with a date


def _in_years(engine: Engine, col: Any, lo: Any, hi: Any) -> list[Any]:
    """SQL conditions for a stored date or timestamp in [lo, hi) (the settings' years) that
    every reader handles: on SQLite, text that starts with a four-digit year, as we write it."""
    conds = [col >= lo, col < hi]
    if engine.dialect.name == "sqlite":
        conds.append(func.glob(_SQLITE_TIMESTAMP, col))
    return conds


def bounds(engine: Engine) -> tuple[dt.date | None, dt.date | None]:
    """First and last day with data over the time-based datasets (uses their indexes).
    Stored values outside the settings' years are left out (see `normalize`)."""
    lows: list[dt.date] = []
    highs: list[dt.date] = []
    settings = get_settings()
    first, past = dt.date(settings.year_min, 1, 1), dt.date(settings.year_max + 1, 1, 1)
    for name, model in TABLES.items():
        col_name = ds.get(name).date_column
        if col_name is None:
            continue
        col = getattr(model, col_name)
        is_ts = ds.get(name).column(col_name).type == "datetime"
        lo, hi = (ds.utc_midnight(first), ds.utc_midnight(past)) if is_ts else (first, past)
        conds = _in_years(engine, col, lo, hi)
        # the first and the last row by the date index (MIN/MAX with these conditions
        # would scan the index range: 0.6 s on 5M orders on SQLite)
        for order, acc in ((col.asc(), lows), (col.desc(), highs)):
            df = db.read_frame(engine, select(col).where(and_(*conds)).order_by(order).limit(1))
            v = _as_date(df.item()) if df.height else None
            if v is not None:
                acc.append(v)
    return (min(lows) if lows else None, max(highs) if highs else None)


def data_version(engine: Engine) -> int:
    """A number that changes with every write (part of every cache key)."""
    df = db.read_frame(engine, select(DataVersion.version).where(DataVersion.id == 1))  # type: ignore[arg-type]
    return int(df.item()) if df.height else 0


def audit_log(engine: Engine, limit: int = 200) -> pl.DataFrame:
    """The latest audit entries, newest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)  # type: ignore[union-attr]
    df = db.read_frame(engine, stmt)
    if df.height:
        df = df.with_columns(_utc(pl.col("at"), df.schema["at"]))
    return df


# ---------------------------------------------------------------------------- user roles


def read_roles(engine: Engine) -> pl.DataFrame:
    """The roles admins set on the Admin page (table `user_roles`) by principal: principal,
    role, updated_by and updated_at (UTC)."""
    df = db.read_frame(engine, select(UserRole).order_by(UserRole.principal))
    if df.height:
        df = df.with_columns(_utc(pl.col("updated_at"), df.schema["updated_at"]))
    return df


def role_overrides(engine: Engine) -> dict[str, str]:
    """The Admin page's rules: {email or @domain: role or 'none'}."""
    df = db.read_frame(engine, select(UserRole.principal, UserRole.role))
    return dict(zip(df["principal"].to_list(), df["role"].to_list(), strict=True))


def put_role(engine: Engine, principal: str, role: str, *, actor: str, detail: str,
             replaces: bool) -> None:
    """Store the rule for a principal (replacing its rule when `replaces`), with the version
    bump and an audit row (action `roles_edit`) in one transaction."""
    now = dt.datetime.now(dt.UTC)
    run_statements(
        engine,
        [delete(UserRole).where(UserRole.principal == principal),  # type: ignore[arg-type]
         insert(UserRole).values(principal=principal, role=role, updated_by=actor,
                                 updated_at=now)],
        actor=actor, action=ROLES_ACTION, dataset="user_roles", inserted=int(not replaces),
        updated=int(replaces), detail=detail,
    )


SETTINGS_ACTION = "settings_edit"


def setting_overrides(engine: Engine) -> dict[str, str]:
    """The settings admins changed on the Admin page: {setting: value as typed}."""
    df = db.read_frame(engine, select(AppSetting.key, AppSetting.value))
    return dict(zip(df["key"].to_list(), df["value"].to_list(), strict=True))


def put_settings(engine: Engine, values: Mapping[str, str | None], *, actor: str,
                 detail: str) -> None:
    """Store changed settings (None: back to the environment's default) with the version
    bump and one audit row (action `settings_edit`), all in one transaction."""
    now = dt.datetime.now(dt.UTC)
    stmts: list[Any] = []
    for key, value in values.items():
        stmts.append(delete(AppSetting).where(AppSetting.key == key))  # type: ignore[arg-type]
        if value is not None:
            stmts.append(insert(AppSetting).values(key=key, value=value, updated_by=actor,
                                                   updated_at=now))
    run_statements(engine, stmts, actor=actor, action=SETTINGS_ACTION, dataset="app_settings",
                   updated=sum(v is not None for v in values.values()),
                   deleted=sum(v is None for v in values.values()), detail=detail)


def delete_role(engine: Engine, principal: str, *, actor: str, detail: str) -> None:
    """Delete the rule for a principal, with the version bump and an audit row."""
    run_statements(
        engine, [delete(UserRole).where(UserRole.principal == principal)],  # type: ignore[arg-type]
        actor=actor, action=ROLES_ACTION, dataset="user_roles", deleted=1, detail=detail,
    )


# ---------------------------------------------------------------------------- writing


def check_frame(name: str, df: pl.DataFrame) -> pl.DataFrame:
    """The frame in spec column order and types; refuses missing columns, nulls in required
    columns and duplicate keys (ingest reports these per row before this point)."""
    spec = ds.get(name)
    missing = [c for c in spec.names if c not in df.columns]
    if missing:
        raise StoreError(f"{name}: missing columns {', '.join(missing)}")
    try:
        out = df.select([pl.col(c.name).cast(c.dtype) for c in spec.columns])
    except pl.exceptions.PolarsError as e:
        raise StoreError(f"{name}: columns do not match the spec types: {e}") from None
    for c in spec.columns:
        if c.required and out.get_column(c.name).null_count():
            raise StoreError(f"{name}: column {c.name!r} has empty values but is required")
    key = list(spec.key)
    keyed = out.with_columns([pl.col(k).fill_null("") for k in spec.optional_key_strings])
    if keyed.select(key).is_duplicated().any():
        raise StoreError(f"{name}: the key ({', '.join(key)}) repeats within the rows")
    return out


def _to_storage(df: pl.DataFrame, name: str, dialect: str) -> Any:
    """An Arrow table in the stored formats for this dialect."""
    spec = ds.get(name)
    exprs: list[pl.Expr] = []
    for c in spec.columns:
        col = pl.col(c.name)
        if c.name in spec.optional_key_strings:
            col = col.fill_null("")
        if dialect == "sqlite":
            if c.type == "date":
                col = col.dt.strftime("%Y-%m-%d")
            elif c.type == "datetime":
                col = col.dt.convert_time_zone("UTC").dt.strftime(SQLITE_TS)
            elif c.type == "bool":
                col = col.cast(pl.Int64)
        exprs.append(col.alias(c.name))
    for n in STORE_COLUMNS.get(name, ()):  # kept by the store, when the frame carries them
        if n in df.columns:
            col = pl.col(n)
            if dialect == "sqlite" and isinstance(df.schema[n], pl.Datetime):
                col = col.dt.convert_time_zone("UTC").dt.strftime(SQLITE_TS)
            exprs.append(col)
    return df.select(exprs).to_arrow()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _same(a: str, b: str, dialect: str) -> str:
    return f"{a} IS {b}" if dialect == "sqlite" else f"{a} IS NOT DISTINCT FROM {b}"


def write_frames(
    engine: Engine,
    frames: Mapping[str, pl.DataFrame],
    *,
    actor: str = "cli",
    action: str = "import",
    detail: str | None = None,
    progress: Progress | None = None,
    chunk_rows: int = 250_000,
) -> dict[str, WriteResult]:
    """Upsert every frame by its dataset key, all in one transaction (all or nothing).

    Returns inserted/updated/unchanged counts per dataset. Raises StoreError (nothing
    stored) on frames that do not fit their spec or on any database error.
    """
    checked = {name: check_frame(name, df) for name, df in frames.items() if df.height}
    dialect = engine.dialect.name
    total = sum(df.height for df in checked.values()) or 1
    done = 0
    results: dict[str, WriteResult] = {}
    if db.adbc_uri(engine) is None:
        raise StoreError(f"bulk writes need an ADBC driver; none for {dialect}")
    now = dt.datetime.now(dt.UTC)
    try:
        with db.writer(engine) as conn:
            cur = conn.cursor()
            _take_write_lock(cur, engine, now)
            for name, df in checked.items():
                existing = _stored_rows(cur, name, dialect)
                # key order: the primary-key b-tree grows at its end instead of at random
                df = df.sort(list(ds.get(name).key), nulls_last=False)
                summary = None
                if name == "orders" and existing == 0:
                    # into an empty table: the summaries from these rows alone, and each
                    # order's place in its customer's history written with the row
                    summary = sm.customer_rows(df, _attributes(cur, engine, None))
                    df = sm.with_places(df)
                if name == "posts":  # each post's content value as compared, on its row
                    df = df.with_columns(post_content_key())
                arrow = _to_storage(df, name, dialect)

                def send(target: str, *, temporary: bool, first_mode: str,
                         name: str = name, arrow: Any = arrow) -> None:
                    nonlocal done
                    for i, offset in enumerate(range(0, arrow.num_rows, chunk_rows)):
                        part = arrow.slice(offset, chunk_rows)
                        cur.adbc_ingest(target, part, mode=first_mode if i == 0 else "append",
                                        temporary=temporary)
                        done += part.num_rows
                        if progress:
                            progress(0.9 * done / total, f"{name}: {done:,} of {total:,} rows")

                if existing == 0 and dialect == "postgresql":
                    # nothing to upsert against: COPY straight into the table (the rows'
                    # keys are unique, checked above). Not on SQLite, where the driver's
                    # row-by-row append is slower than staging + one INSERT ... SELECT.
                    send(name, temporary=False, first_mode="append")
                    results[name] = WriteResult(name, df.height, 0, 0)
                    if name == "web_sessions":
                        _sum_content_sessions(cur, None)
                        _sum_channel_sessions(cur, engine, None)
                    if name == "conversations":
                        _count_conversation_days(cur, dialect, touched=False)
                else:
                    stage = f"smmkpi_stage_{name}"
                    send(stage, temporary=True, first_mode="create")
                    _analyze_staged(cur, stage, dialect)
                    if name == "conversations":
                        _conversation_days_before(cur, stage, dialect)
                    rebuild = name == "orders" and existing and _summaries_missing(cur)
                    touched = (_summaries_before(cur, engine, stage)
                               if name == "orders" and existing and not rebuild else None)
                    results[name] = _upsert(cur, name, stage, dialect, df.height, existing,
                                            extra=[c for c in STORE_COLUMNS.get(name, ())
                                                   if c in df.columns])
                    if touched is not None:
                        if progress:
                            progress(0.9, "orders: updating the customer summaries")
                        _summaries_after(cur, engine, stage, touched)
                    if name == "posts":  # an update merges: the key of the merged row
                        _update_content_keys(cur, engine, stage)
                    if rebuild:  # orders stored before the summaries existed (0007)
                        _summaries_from_frame(cur, engine, _all_orders(cur, engine))
                    if name == "web_sessions":
                        _sum_content_sessions(cur, stage)
                        _sum_channel_sessions(cur, engine, stage)
                    if name == "conversations":
                        _count_conversation_days(cur, dialect, touched=True)
                    cur.execute(f"DROP TABLE {_q(stage)}")
                if name == "orders" and existing == 0:
                    if progress:
                        progress(0.9, "orders: building the customer summaries")
                    _summaries_from_frame(cur, engine, df, summary)
            if "customers" in checked:  # after the orders, whichever came first
                _copy_attributes(cur, engine, checked["customers"])
            if dialect == "postgresql":
                _analyze_grown(cur, results)
            if progress:
                progress(0.95, "recording the import")
            _record(cur, engine, results, actor, action, detail, now)
            cur.close()
    except StoreError:
        raise
    except Exception as e:
        raise _refused(e, "import") from e
    if progress:
        progress(1.0, "done")
    return results


def _stored_rows(cur: Any, name: str, dialect: str) -> int:
    """The table's rows before the write: counted on SQLite (the index rule of `_upsert`
    compares the batch with it); on PostgreSQL only whether there are any (1 or 0), because
    only emptiness matters there and COUNT(*) of 50M orders takes seconds."""
    if dialect == "sqlite":
        cur.execute(f"SELECT COUNT(*) FROM {_q(name)}")
    else:
        cur.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {_q(name)} LIMIT 1) t")
    return int(cur.fetchone()[0])


def _analyze_grown(cur: Any, results: Mapping[str, WriteResult]) -> None:
    """PostgreSQL: refresh the planner's statistics of tables an import grew by a tenth or
    more (at least 10k rows), and of the summaries with the orders. Without them a freshly
    loaded table looks empty to the planner, which then joins the period's orders with the
    customer summary row by row (3 s instead of 1 s for 600k orders); autovacuum would get
    there too, but only minutes later."""
    for r in results.values():
        if r.inserted < 10_000:
            continue
        # the planner's own estimate of the rows (negative or 0 before any ANALYZE)
        cur.execute(f"SELECT reltuples FROM pg_class WHERE oid = '{_q(r.dataset)}'::regclass")
        estimate = float(cur.fetchone()[0] or 0)
        if estimate <= 0 or r.inserted * 10 >= estimate:
            for t in (r.dataset, *_SUMMARIES_OF.get(r.dataset, ())):
                cur.execute(f"ANALYZE {_q(t)}")


def _analyze_staged(cur: Any, table: str, dialect: str) -> None:
    """PostgreSQL: statistics of a temporary table just filled. Autovacuum never analyzes
    temporary tables, so the planner guesses their size from their pages and, at scale XL,
    joined 9.5k touched customers with all 16.6M customers (and summaries, and the days of
    a day's web sessions with every session) by a hash over the whole table, 0.5-1.0 s
    each, instead of looking them up by key."""
    if dialect == "postgresql":
        cur.execute(f"ANALYZE {_q(table)}")


def _drop_indexes(cur: Any, name: str, dialect: str, rows: int) -> list[Any]:
    """On SQLite, drop the table's secondary indexes before a batch of at least 50k rows
    (rebuilt afterwards by `_create_indexes`): one sort per index instead of a random
    b-tree update per row (1M orders: 1.6 s instead of 3 to 5 s). Returns what was dropped."""
    if dialect != "sqlite" or rows < 50_000:
        return []
    indexes = list(TABLES[name].__table__.indexes)  # type: ignore[attr-defined]
    for ix in indexes:
        cur.execute(f"DROP INDEX {_q(ix.name)}")
    return indexes


def _create_indexes(cur: Any, indexes: list[Any], dialect: str) -> None:
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex

    for ix in indexes:
        cur.execute(str(CreateIndex(ix).compile(dialect=sqlite.dialect())))


def _row_match(name: str, dialect: str) -> tuple[str, str]:
    """SQL conditions between a stored row `t` and a staged row `s` of a dataset: same key,
    and same key and values (what the upsert would store is what is stored)."""
    spec = ds.get(name)
    key = [_q(k) for k in spec.key]
    vals = [_q(c) for c in spec.names if c not in spec.key]
    key_eq = " AND ".join(f"t.{k} = s.{k}" for k in key)
    # merge_empty: an empty staged value keeps the stored one (Dataset.merge_empty)
    new = {v: f"COALESCE(s.{v}, t.{v})" if spec.merge_empty else f"s.{v}" for v in vals}
    all_eq = " AND ".join([key_eq] + [_same(f"t.{v}", new[v], dialect) for v in vals])
    return key_eq, all_eq


def _upsert(cur: Any, name: str, stage: str, dialect: str, n: int, existing: int, *,
            extra: Sequence[str] = ()) -> WriteResult:
    """Upsert the staged rows into the dataset's table; count inserted, updated and
    unchanged rows. Unchanged rows are not rewritten; a batch at least as large as the
    stored table rebuilds the secondary indexes after the insert (SQLite). `extra`: staged
    columns the store keeps (`models.STORE_COLUMNS`), inserted with the rows."""
    spec = ds.get(name)
    table = _q(name)
    key = [_q(k) for k in spec.key]
    vals = [_q(c) for c in spec.names if c not in spec.key]
    cols = ", ".join(_q(c) for c in [*spec.names, *extra])
    key_eq, all_eq = _row_match(name, dialect)
    if existing == 0:
        inserted, unchanged = n, 0
    else:
        cur.execute(f"SELECT COUNT(*) FROM {_q(stage)} s WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {table} t WHERE {key_eq})")
        inserted = int(cur.fetchone()[0])
        cur.execute(f"SELECT COUNT(*) FROM {_q(stage)} s WHERE EXISTS "
                    f"(SELECT 1 FROM {table} t WHERE {all_eq})")
        unchanged = int(cur.fetchone()[0])
    to_write = n - unchanged
    if to_write == 0:
        return WriteResult(name, 0, 0, unchanged)
    dropped = _drop_indexes(cur, name, dialect, to_write) if to_write >= existing else []
    sets = ", ".join(f"{v} = COALESCE(excluded.{v}, {table}.{v})" if spec.merge_empty
                     else f"{v} = excluded.{v}" for v in vals)
    skip_same = "true" if existing == 0 else f"NOT EXISTS (SELECT 1 FROM {table} t WHERE {all_eq})"
    cur.execute(
        f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {_q(stage)} s WHERE {skip_same} "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
    )
    _create_indexes(cur, dropped, dialect)
    return WriteResult(name, inserted, n - inserted - unchanged, unchanged)


def _record(
    cur: Any,
    engine: Engine,
    results: Mapping[str, WriteResult],
    actor: str,
    action: str,
    detail: str | None,
    now: dt.datetime,
) -> None:
    """One audit row per dataset, inside the transaction (the version was bumped first)."""
    for r in results.values():
        db.execute(cur, engine, insert(AuditEntry).values(
            at=now, actor=actor, action=action, dataset=r.dataset, inserted=r.inserted,
            updated=r.updated, unchanged=r.unchanged, deleted=0, detail=detail,
        ))


def version_bump(now: dt.datetime | None = None) -> Any:
    """The statement that marks stored data as changed (run it inside each write)."""
    return (
        update(DataVersion)
        .where(DataVersion.id == 1)  # type: ignore[arg-type]
        .values(version=DataVersion.version + 1, updated_at=now or dt.datetime.now(dt.UTC))
    )


def run_statements(engine: Engine, stmts: Sequence[Any], *, actor: str, action: str,
                   dataset: str | None = None, inserted: int = 0, updated: int = 0,
                   deleted: int = 0, detail: str | None = None) -> None:
    """Run SQLModel insert/update/delete statements in one transaction with the version
    bump and an audit row (small edits such as targets; bulk data uses write_frames)."""
    now = dt.datetime.now(dt.UTC)
    try:
        with db.writer(engine) as conn:
            cur = conn.cursor()
            _take_write_lock(cur, engine, now)
            for stmt in stmts:
                db.execute(cur, engine, stmt)
            db.execute(cur, engine, insert(AuditEntry).values(
                at=now, actor=actor, action=action, dataset=dataset, inserted=inserted,
                updated=updated, unchanged=0, deleted=deleted, detail=detail,
            ))
            cur.close()
    except Exception as e:
        raise _refused(e, "change") from e


def target_statements(
    deletes: Iterable[Sequence[Any]],
    updates: Iterable[tuple[Sequence[Any], float]],
    inserts: Iterable[Sequence[Any]],
) -> list[Any]:
    """Statements on `kpi_targets`, in this order: delete targets by key (campaign_id, kpi,
    period_start, period_end), set a new target on keys, insert rows (key and target).
    A brand-wide campaign (None or '') is stored as ''."""
    stmts: list[Any] = [delete(KpiTarget).where(_target_key(key)) for key in deletes]
    stmts += [update(KpiTarget).where(_target_key(key)).values(target=target)
              for key, target in updates]
    stmts += [insert(KpiTarget).values(campaign_id=cid or "", kpi=kpi, period_start=start,
                                       period_end=end, target=target)
              for cid, kpi, start, end, target in inserts]
    return stmts


def _target_key(key: Sequence[Any]) -> Any:
    cid, kpi, start, end = key
    return and_(KpiTarget.campaign_id == (cid or ""), KpiTarget.kpi == kpi,  # type: ignore[arg-type]
                KpiTarget.period_start == start, KpiTarget.period_end == end)  # type: ignore[arg-type]


def clear(engine: Engine, names: Sequence[str] | None = None, *, actor: str = "cli") -> None:
    """Delete every row of the named datasets (all by default) in one transaction."""
    names = list(names or TABLES)
    stmts = [delete(TABLES[n]) for n in names]
    if "orders" in names:  # the summaries of no orders are empty
        stmts += [delete(CustomerSummary), delete(CohortCell), delete(RepeatDay),
                  delete(RepeatPair)]
    if "web_sessions" in names:
        stmts += [delete(ContentSessions), delete(ChannelSessions)]
    if "conversations" in names:
        stmts.append(delete(ConversationDays))
    if "customers" in names and "orders" not in names:  # no customer has attributes any more
        stmts.append(update(CustomerSummary).values(acquisition_channel=None,
                                                    follows_on_social=None))
    run_statements(engine, stmts, actor=actor, action="clear", detail=", ".join(names))


# ---------------------------------------------------------------------------- annotations
# Edited one at a time on the Alerts page (bulk: the `annotations` dataset's import).
ANNOTATIONS_ACTION = "annotations_edit"


def put_annotation(engine: Engine, row: Mapping[str, Any], *, actor: str,
                   replaces: tuple[dt.date, str] | None = None) -> None:
    """Store one annotation (date, title, end_date, campaign_id, platform, note), replacing
    the one with key `replaces` (or its own key), with the version bump and an audit row."""
    key = replaces or (row["date"], row["title"])
    model = TABLES["annotations"]
    stmts = [delete(model).where(and_(model.date == key[0], model.title == key[1])),  # type: ignore[attr-defined]
             insert(model).values(**{c: row.get(c) for c in ds.get("annotations").names})]
    if replaces and replaces != (row["date"], row["title"]):  # the new key may be taken
        stmts.insert(0, delete(model).where(and_(model.date == row["date"],  # type: ignore[attr-defined]
                                                 model.title == row["title"])))  # type: ignore[attr-defined]
    run_statements(engine, stmts, actor=actor, action=ANNOTATIONS_ACTION,
                   dataset="annotations", inserted=int(replaces is None),
                   updated=int(replaces is not None),
                   detail=f"{row['date']} {row['title']}")


def delete_annotation(engine: Engine, day: dt.date, title: str, *, actor: str) -> None:
    model = TABLES["annotations"]
    run_statements(engine, [delete(model).where(and_(model.date == day,  # type: ignore[attr-defined]
                                                     model.title == title))],  # type: ignore[attr-defined]
                   actor=actor, action=ANNOTATIONS_ACTION, dataset="annotations", deleted=1,
                   detail=f"{day} {title}")


# ---------------------------------------------------------------------------- alerts, digests
# Rules and subscriptions are edited on the Alerts page (version bump and audit row, like
# every edit). What `alerts run` and `digests run` record (events, deliveries, sends, the
# lock) is bookkeeping: written in small transactions of its own, without a version bump,
# so an hourly run does not empty every page's cache.
NOTIFY_ACTION = "alerts_edit"
REFUSED_ACTION = "import_refused"  # an import that was refused (audit row, no data change)


def _read_model(engine: Engine, model: Any, *where: Any, order: Any = None,
                limit: int | None = None) -> pl.DataFrame:
    """Rows of a bookkeeping table: timestamps as UTC, booleans as booleans."""
    stmt = select(model)
    if where:
        stmt = stmt.where(and_(*where))
    if order is not None:
        stmt = stmt.order_by(order)
    if limit is not None:
        stmt = stmt.limit(limit)
    df = db.read_frame(engine, stmt)
    cols = model.__table__.columns
    exprs = []
    for c in cols:
        if c.name not in df.columns:
            continue
        kind = type(c.type).__name__
        if kind == "UTCDateTime":
            exprs.append(_utc(pl.col(c.name), df.schema[c.name]).alias(c.name))
        elif kind == "Boolean":
            exprs.append(pl.col(c.name).cast(pl.Boolean).alias(c.name))
        elif kind == "Date" and df.schema[c.name] == pl.String:
            exprs.append(pl.col(c.name).str.to_date("%Y-%m-%d", strict=False).alias(c.name))
    return df.with_columns(exprs) if exprs and df.height else df


def read_rows(engine: Engine, kind: str) -> pl.DataFrame:
    """The alert rules (`kind` "rules") or digest subscriptions ("subscriptions"), by id."""
    from smmkpi.models import AlertRule, DigestSubscription

    model = {"rules": AlertRule, "subscriptions": DigestSubscription}[kind]
    return _read_model(engine, model, order=model.id)


def put_notify_row(engine: Engine, kind: str, values: Mapping[str, Any], *, actor: str,
                   row_id: int | None = None, detail: str) -> None:
    """Insert (row_id None) or update an alert rule or subscription, audited."""
    from smmkpi.models import AlertRule, DigestSubscription

    model = {"rules": AlertRule, "subscriptions": DigestSubscription}[kind]
    now = dt.datetime.now(dt.UTC)
    vals = {**values, "updated_by": actor, "updated_at": now}
    stmt = (insert(model).values(**vals) if row_id is None else
            update(model).where(model.id == row_id).values(**vals))  # type: ignore[arg-type]
    run_statements(engine, [stmt], actor=actor, action=NOTIFY_ACTION, dataset=model.__tablename__,
                   inserted=int(row_id is None), updated=int(row_id is not None), detail=detail)


def delete_notify_row(engine: Engine, kind: str, row_id: int, *, actor: str, detail: str) -> None:
    from smmkpi.models import AlertRule, DigestSubscription

    model = {"rules": AlertRule, "subscriptions": DigestSubscription}[kind]
    run_statements(engine, [delete(model).where(model.id == row_id)],  # type: ignore[arg-type]
                   actor=actor, action=NOTIFY_ACTION, dataset=model.__tablename__, deleted=1,
                   detail=detail)


def _bookkeeping(engine: Engine, stmts: Sequence[Any]) -> None:
    """Run statements in one transaction without a version bump or audit row."""
    with db.writer(engine) as conn:
        cur = conn.cursor()
        if engine.dialect.name == "postgresql":
            cur.execute(f"SET LOCAL lock_timeout = '{WRITE_WAIT_S * 1000}ms'")
        for stmt in stmts:
            db.execute(cur, engine, stmt)
        cur.close()


def record_refusal(engine: Engine, *, actor: str, detail: str) -> None:
    """Note a refused import in the audit log (no data changed, no version bump): the
    "failed or refused import" alert reads these."""
    _bookkeeping(engine, [insert(AuditEntry).values(
        at=dt.datetime.now(dt.UTC), actor=actor, action=REFUSED_ACTION, dataset=None,
        inserted=0, updated=0, unchanged=0, deleted=0, detail=detail[:2000])])


def refusals(engine: Engine, since: dt.datetime) -> pl.DataFrame:
    """Refused imports recorded at or after `since`, oldest first."""
    return _read_model(engine, AuditEntry, AuditEntry.action == REFUSED_ACTION,  # type: ignore[arg-type]
                       AuditEntry.at >= since, order=AuditEntry.id)  # type: ignore[arg-type]


def acquire_lock(engine: Engine, name: str, holder: str, ttl: dt.timedelta) -> bool:
    """Take the named lease for `ttl` unless another holder has it unexpired. The UPDATE
    takes the row's write lock (PostgreSQL) or the database's (SQLite), so of two
    instances asking at once exactly one gets it."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from smmkpi.models import SchedulerLock as L

    now = dt.datetime.now(dt.UTC)
    ins = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with db.writer(engine) as conn:
        cur = conn.cursor()
        db.execute(cur, engine, ins(L).values(name=name, holder="", expires_at=now - ttl)
                   .on_conflict_do_nothing(index_elements=["name"]))
        db.execute(cur, engine, update(L).where(
            and_(L.name == name, or_(L.expires_at < now, L.holder == holder)))  # type: ignore[arg-type]
            .values(holder=holder, expires_at=now + ttl))
        sql, params = db.compile_statement(engine, select(L.holder).where(L.name == name))  # type: ignore[arg-type]
        cur.execute(sql, params)
        got = cur.fetchone()
        cur.close()
    return bool(got) and got[0] == holder


def release_lock(engine: Engine, name: str, holder: str) -> None:
    from smmkpi.models import SchedulerLock as L

    _bookkeeping(engine, [update(L).where(and_(L.name == name, L.holder == holder))  # type: ignore[arg-type]
                          .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))])


def known_occurrences(engine: Engine, rule_id: int) -> set[str]:
    from smmkpi.models import AlertEvent

    df = db.read_frame(engine, select(AlertEvent.occurrence).where(AlertEvent.rule_id == rule_id))  # type: ignore[arg-type]
    return set(df["occurrence"].to_list()) if df.height else set()


def add_events(engine: Engine, rule_id: int, events: Sequence[Mapping[str, str]],
               recipients: Sequence[tuple[str, str]]) -> None:
    """Record new events of a rule (keys `occurrence`, `subject`, `body`, `figure`,
    `threshold`, `link`) and a pending delivery per (channel, recipient) for each, in one
    transaction: recorded once, sent until sent."""
    from sqlalchemy import literal

    from smmkpi.models import AlertDelivery, AlertEvent

    now = dt.datetime.now(dt.UTC)
    stmts: list[Any] = []
    for e in events:
        stmts.append(insert(AlertEvent).values(rule_id=rule_id, fired_at=now, **e))
        for channel, to in recipients:
            pick = select(AlertEvent.id, literal(channel), literal(to), literal("pending"),
                          literal(0)).where(and_(AlertEvent.rule_id == rule_id,  # type: ignore[arg-type]
                                                 AlertEvent.occurrence == e["occurrence"]))  # type: ignore[arg-type]
            stmts.append(insert(AlertDelivery).from_select(
                ["event_id", "channel", "recipient", "status", "attempts"], pick))
    if stmts:
        _bookkeeping(engine, stmts)


def undelivered(engine: Engine) -> pl.DataFrame:
    """Deliveries not sent yet (pending or failed), oldest first, with their event."""
    from smmkpi.models import AlertDelivery as D
    from smmkpi.models import AlertEvent as E

    stmt = (select(D.id, D.channel, D.recipient, D.status, D.attempts, E.subject, E.body,
                   E.figure, E.threshold, E.link, E.rule_id, E.occurrence)
            .join(E, E.id == D.event_id).where(D.status != "sent").order_by(D.id))  # type: ignore[arg-type]
    return db.read_frame(engine, stmt)


def mark_delivery(engine: Engine, delivery_id: int, error: str | None) -> None:
    """Record one attempt: sent (error None) or failed with the reason."""
    from smmkpi.models import AlertDelivery as D

    now = dt.datetime.now(dt.UTC)
    vals: dict[str, Any] = {"attempts": D.attempts + 1, "last_attempt_at": now}
    vals.update({"status": "sent", "sent_at": now, "last_error": None} if error is None else
                {"status": "failed", "last_error": error[:1000]})
    _bookkeeping(engine, [update(D).where(D.id == delivery_id).values(**vals)])  # type: ignore[arg-type]


def alert_log(engine: Engine, limit: int = 200) -> pl.DataFrame:
    """The latest deliveries with their events, newest first (the Alerts page's log)."""
    from smmkpi.models import AlertDelivery as D
    from smmkpi.models import AlertEvent as E

    stmt = (select(E.fired_at, E.rule_id, E.subject, E.figure, E.threshold, D.channel,
                   D.recipient, D.status, D.attempts, D.sent_at, D.last_error)
            .join(E, E.id == D.event_id).order_by(D.id.desc()).limit(limit))  # type: ignore[union-attr]
    df = db.read_frame(engine, stmt)
    if df.height:
        df = df.with_columns(_utc(pl.col(c), df.schema[c]).alias(c) for c in ("fired_at",
                                                                             "sent_at"))
    return df


def digest_send(engine: Engine, subscription_id: int, start: dt.date,
                end: dt.date) -> dict[str, Any] | None:
    """The recorded send of a subscription's period, or None."""
    from smmkpi.models import DigestSend as S

    df = _read_model(engine, S, S.subscription_id == subscription_id,  # type: ignore[arg-type]
                     S.period_start == start, S.period_end == end)  # type: ignore[arg-type]
    return df.row(0, named=True) if df.height else None


def open_digest(engine: Engine, subscription_id: int, start: dt.date, end: dt.date) -> None:
    """Record that a subscription's period is due (pending until sent)."""
    from smmkpi.models import DigestSend as S

    _bookkeeping(engine, [insert(S).values(subscription_id=subscription_id, period_start=start,
                                           period_end=end, status="pending", attempts=0,
                                           created_at=dt.datetime.now(dt.UTC))])


def mark_digest(engine: Engine, subscription_id: int, start: dt.date, end: dt.date,
                error: str | None) -> None:
    from smmkpi.models import DigestSend as S

    now = dt.datetime.now(dt.UTC)
    vals: dict[str, Any] = {"attempts": S.attempts + 1}
    vals.update({"status": "sent", "sent_at": now, "last_error": None} if error is None else
                {"status": "failed", "last_error": error[:1000]})
    _bookkeeping(engine, [update(S).where(and_(
        S.subscription_id == subscription_id, S.period_start == start,  # type: ignore[arg-type]
        S.period_end == end)).values(**vals)])  # type: ignore[arg-type]


def digest_log(engine: Engine, limit: int = 100) -> pl.DataFrame:
    """The latest digest sends, newest first."""
    from smmkpi.models import DigestSend as S

    return _read_model(engine, S, order=S.id.desc(), limit=limit)  # type: ignore[union-attr]


def unsent_digests(engine: Engine) -> pl.DataFrame:
    """Digest periods recorded but not sent (pending or failed): retried on the next run."""
    from smmkpi.models import DigestSend as S

    return _read_model(engine, S, S.status != "sent", order=S.id)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- summaries
# customer_summary and cohort_cells (smmkpi.summaries), kept in each import's transaction:
# an import into an empty orders table builds them from the imported frame; any other
# import re-reads the orders of the customers it touched (by the customer index) and
# recomputes the cohort cells of the periods it touched (by the date index). Never from
# the whole order history, except by `rebuild_summaries`.

SUMMARY_TABLES = ("customer_summary", "cohort_cells", "repeat_days", "repeat_pairs")
CONTENT_TABLE = "content_sessions"  # the web sessions' content sums (models.ContentSessions)
CHANNEL_TABLE = "channel_sessions"  # the web sessions per channel group (models.ChannelSessions)
CONVERSATION_TABLE = "conversation_days"  # conversations counted per day (models.ConversationDays)
_SUMMARIES_OF = {"orders": SUMMARY_TABLES, "web_sessions": (CONTENT_TABLE, CHANNEL_TABLE),
                 "conversations": (CONVERSATION_TABLE,)}
_TOUCHED = "smmkpi_touched"
_ORDER_COLS = ("order_id", "customer_id", "ordered_at", "revenue", "channel")


def _fetch(cur: Any, engine: Engine, stmt: Any) -> pl.DataFrame:
    """Rows of a select run on an open ADBC cursor (inside a write's transaction)."""
    sql, params = db.compile_statement(engine, stmt)
    if engine.dialect.name == "sqlite":  # one batch: see db.read_frame
        cur.adbc_statement.set_options(**{db.SQLITE_BATCH_OPTION: "1000000000"})
    cur.execute(sql, params or None)
    return pl.from_arrow(cur.fetch_arrow_table())  # type: ignore[return-value]


def _orders_read(df: pl.DataFrame) -> pl.DataFrame:
    """Order rows as read (any driver) in the orders spec's types, UTC timestamps."""
    return normalize(df, "orders").select(_ORDER_COLS)


def _summary_storage(df: pl.DataFrame, dialect: str) -> Any:
    """A summary frame as Arrow in the stored formats (SQLite: timestamps as text)."""
    if dialect == "sqlite":
        df = df.with_columns(
            [pl.col(c).dt.convert_time_zone("UTC").dt.strftime(SQLITE_TS)
             for c, t in df.schema.items() if isinstance(t, pl.Datetime)]
            + [pl.col(c).cast(pl.Int64) for c, t in df.schema.items() if t == pl.Boolean]
            + [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in df.schema.items() if t == pl.Date])
    return df.to_arrow()


def _put(cur: Any, table: str, df: pl.DataFrame, dialect: str) -> None:
    if df.height:
        cur.adbc_ingest(table, _summary_storage(df, dialect), mode="append")


def _ts_bound(day: dt.date) -> dt.datetime:
    return ds.utc_midnight(day)


def _order_table() -> Any:
    return TABLES["orders"].__table__  # type: ignore[attr-defined]


def _summary_table() -> Any:
    return CustomerSummary.__table__  # type: ignore[attr-defined]


def _touched_ids() -> Any:
    from sqlalchemy import column, table

    return select(table(_TOUCHED, column("customer_id")).c.customer_id)


def _contributions(orders: pl.DataFrame, cohorts: pl.DataFrame) -> pl.DataFrame:
    """The cohort cells of both grains that `orders` (every order of some customers) add,
    with those customers' cohorts (customer_id, cohort_month, cohort_week)."""
    rows = orders.select("customer_id", "ordered_at", "revenue").join(
        cohorts.select(pl.col("customer_id").cast(pl.String),
                       pl.col("cohort_month", "cohort_week").cast(pl.Int32)),
        on="customer_id")
    return pl.concat([sm.cell_rows(rows, g) for g in sm.GRAINS])


def _apply_cells(cur: Any, engine: Engine, old: pl.DataFrame, new: pl.DataFrame) -> None:
    """cohort_cells += new - old. A customer is in one cohort and counts once per period,
    so the touched customers' cells (`_contributions` before and after the import) are
    exactly what changed: the other customers' share of every cell stays as stored. The
    table is small (one row per cohort and later period), so it is read and rewritten.
    Revenue is a sum of floats: a cell whose rows did not change keeps its stored value
    exactly (the difference is 0.0); a changed one can differ from a fresh sum in the last
    bits (about 1e-15 relative), as any two orders of summation do."""
    key = ["grain", "cohort", "period"]
    delta = (
        pl.concat([new, old.with_columns(-pl.col("customers"), -pl.col("revenue"))])
        .group_by(key).agg(pl.col("customers").sum(), pl.col("revenue").sum())
        .filter((pl.col("customers") != 0) | (pl.col("revenue") != 0))
    )
    if not delta.height:
        return
    c = CohortCell.__table__  # type: ignore[attr-defined]
    stored = _fetch(cur, engine, select(c)).select(
        pl.col(n).cast(t) for n, t in sm.CELL_SCHEMA.items())
    cells = (
        stored.join(delta, on=key, how="full", coalesce=True, suffix="_d")
        .with_columns(
            customers=pl.col("customers").fill_null(0) + pl.col("customers_d").fill_null(0),
            revenue=pl.when(pl.col("revenue_d").is_null()).then(pl.col("revenue"))
            .when(pl.col("revenue").is_null()).then(pl.col("revenue_d"))
            .otherwise(pl.col("revenue") + pl.col("revenue_d")),
        )
        .filter(pl.col("customers") > 0)
        .select(list(sm.CELL_SCHEMA))
        .sort(key)
    )
    db.execute(cur, engine, delete(c))
    _put(cur, "cohort_cells", cells, engine.dialect.name)


def _summaries_from_frame(cur: Any, engine: Engine, orders: pl.DataFrame,
                          summary: pl.DataFrame | None = None) -> None:
    """Build the summaries from scratch out of `orders`, every stored order. With
    `summary` (theirs, computed before the rows were written with their places), only
    the tables; otherwise `orders` carries the stored places (`_all_orders`), and those
    that differ are set."""
    dialect = engine.dialect.name
    for t in SUMMARY_TABLES:
        cur.execute(f"DELETE FROM {_q(t)}")
    places = summary is None
    if summary is None:
        summary = sm.customer_rows(orders, _attributes(cur, engine, None))
    _put(cur, "customer_summary", summary, dialect)
    _put(cur, "cohort_cells", _contributions(orders, summary), dialect)
    placed = sm.with_places(orders) if places else orders
    for table, rows in _repeat_contributions(placed).items():
        _put(cur, table, rows, dialect)
    if places:
        _update_places(cur, engine, orders, placed)


_PLACES_STAGE = "smmkpi_places"


def _repeat_contributions(placed: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The `repeat_days` and `repeat_pairs` rows that `placed` (every order of some
    customers, with their places) make up."""
    return {"repeat_days": sm.repeat_day_rows(placed), "repeat_pairs": sm.pair_rows(placed)}


_REPEAT_KEYS = {"repeat_days": ("day",), "repeat_pairs": ("kind", "day", "since")}
_REPEAT_STAGE = "smmkpi_repeat_delta"


def _apply_repeat(cur: Any, engine: Engine, old: dict[str, pl.DataFrame],
                  new: dict[str, pl.DataFrame]) -> None:
    """repeat_days and repeat_pairs += new - old (`_repeat_contributions` of the touched
    customers' orders before and after the import): the other customers' orders keep
    their share of every row. The difference is staged and added by one `INSERT ... ON
    CONFLICT DO UPDATE` per table (SQLite and PostgreSQL), then the rows it emptied are
    deleted. Revenue is a sum of floats, as in `_apply_cells`."""
    dialect = engine.dialect.name
    for table, key in _REPEAT_KEYS.items():
        counts = [c for c, t in new[table].schema.items() if c not in key]
        delta = (
            pl.concat([new[table], old[table].with_columns(-pl.col(c) for c in counts)])
            .group_by(key).agg(pl.col(c).sum() for c in counts)
            .filter(pl.any_horizontal(pl.col(c) != 0 for c in counts))
        )
        if not delta.height:
            continue
        cur.adbc_ingest(_REPEAT_STAGE, _summary_storage(delta, dialect), mode="create",
                        temporary=True)
        cols = ", ".join((*key, *counts))
        sets = ", ".join(f"{c} = {_q(table)}.{c} + excluded.{c}" for c in counts)
        # "WHERE true": SQLite's parser needs it before ON CONFLICT after a SELECT
        cur.execute(f"INSERT INTO {_q(table)} ({cols}) SELECT {cols} FROM {_REPEAT_STAGE} "
                    f"WHERE true ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}")
        match = " AND ".join(f"d.{k} = {_q(table)}.{k}" for k in key)
        cur.execute(f"DELETE FROM {_q(table)} WHERE orders = 0 AND EXISTS "
                    f"(SELECT 1 FROM {_REPEAT_STAGE} d WHERE {match})")
        cur.execute(f"DROP TABLE {_REPEAT_STAGE}")


def _update_places(cur: Any, engine: Engine, stored: pl.DataFrame,
                   placed: pl.DataFrame | None = None) -> None:
    """Set the places (`models.ORDER_PLACES`) of the orders in `stored` (every order of
    some customers, with their stored places) where they differ from what those orders
    give (`placed`, else `summaries.with_places` of them): one `UPDATE ... FROM` a staged
    table, joined on the key."""
    new = (placed if placed is not None
           else sm.with_places(stored.select("order_id", "customer_id", "ordered_at")))
    changed = new.filter(
        pl.any_horizontal(pl.col(c).ne_missing(stored.get_column(c)) for c in ORDER_PLACES))
    if not changed.height:
        return
    dialect = engine.dialect.name
    cur.adbc_ingest(_PLACES_STAGE, _summary_storage(
        changed.select("order_id", *ORDER_PLACES), dialect), mode="create", temporary=True)
    cur.execute(f"CREATE INDEX {_PLACES_STAGE}_id ON {_PLACES_STAGE} (order_id)")
    _analyze_staged(cur, _PLACES_STAGE, dialect)
    sets = ", ".join(f"{c} = p.{c}" for c in ORDER_PLACES)
    cur.execute(f"UPDATE orders SET {sets} FROM {_PLACES_STAGE} p "
                "WHERE p.order_id = orders.order_id")
    cur.execute(f"DROP TABLE {_PLACES_STAGE}")


_KEYS_STAGE = "smmkpi_post_keys"


def _update_content_keys(cur: Any, engine: Engine, stage: str | None) -> None:
    """Set the content key (`models.POST_KEYS`) of the stored posts of `stage` (every post
    when None) where it differs from what their stored row gives (`post_content_key`: an
    upsert merges a re-imported post's empty values with the stored ones, so the key is
    the merged row's): one `UPDATE ... FROM` a staged table, joined on the key."""
    join = ("" if stage is None else
            f" JOIN {_q(stage)} s ON s.platform = p.platform AND s.post_id = p.post_id")
    if engine.dialect.name == "sqlite":
        cur.adbc_statement.set_options(**{db.SQLITE_BATCH_OPTION: "1000000000"})
    cur.execute("SELECT p.platform, p.post_id, p.utm_content, p.url, p.title, p.content_key "
                f"FROM posts p{join}")
    stored = pl.from_arrow(cur.fetch_arrow_table())
    assert isinstance(stored, pl.DataFrame)
    stored = stored.with_columns(pl.col(c).cast(pl.String) for c in stored.columns)
    changed = stored.with_columns(post_content_key().alias("new")).filter(
        pl.col("new").ne_missing(pl.col("content_key"))).select(
        "platform", "post_id", content_key="new")
    if not changed.height:
        return
    dialect = engine.dialect.name
    cur.adbc_ingest(_KEYS_STAGE, changed.to_arrow(), mode="create", temporary=True)
    cur.execute(f"CREATE INDEX {_KEYS_STAGE}_id ON {_KEYS_STAGE} (platform, post_id)")
    _analyze_staged(cur, _KEYS_STAGE, dialect)
    cur.execute(f"UPDATE posts SET content_key = k.content_key FROM {_KEYS_STAGE} k "
                "WHERE k.platform = posts.platform AND k.post_id = posts.post_id")
    cur.execute(f"DROP TABLE {_KEYS_STAGE}")


def _attributes(cur: Any, engine: Engine, ids: Any | None) -> pl.DataFrame:
    """customer_id, acquisition_channel, follows_on_social of the stored customers (those
    whose id is in the subquery `ids`, or all)."""
    cu = TABLES["customers"].__table__  # type: ignore[attr-defined]
    stmt = select(cu.c.customer_id, cu.c.acquisition_channel, cu.c.follows_on_social)
    if ids is not None:
        stmt = stmt.where(cu.c.customer_id.in_(ids))
    return _typed_attributes(_fetch(cur, engine, stmt))


def _copy_attributes(cur: Any, engine: Engine, customers: pl.DataFrame) -> None:
    """After a customers import: their acquisition channel and follower status into their
    summaries (a customer without orders has none; one gets it with their first order)."""
    stage = "smmkpi_attributes"
    rows = customers.select(pl.col("customer_id").cast(pl.String),
                            pl.col("acquisition_channel").cast(pl.String),
                            pl.col("follows_on_social").cast(pl.Boolean))
    cur.adbc_ingest(stage, _summary_storage(rows, engine.dialect.name), mode="create",
                    temporary=True)
    # one join (UPDATE ... FROM: PostgreSQL, SQLite 3.33+) instead of a subquery per summary
    # row and column (2M customers: over 2.5 minutes on PostgreSQL); the index lets either
    # side of the join find the other by key
    cur.execute(f"CREATE INDEX {stage}_id ON {stage} (customer_id)")
    _analyze_staged(cur, stage, engine.dialect.name)
    sets = ", ".join(f"{c} = a.{c}" for c in sm.ATTRIBUTES)
    cur.execute(f"UPDATE customer_summary SET {sets} FROM {stage} a "
                f"WHERE a.customer_id = customer_summary.customer_id")
    cur.execute(f"DROP TABLE {stage}")


def _with_places(cur: Any, engine: Engine, *where: Any) -> pl.DataFrame:
    """Stored orders (`_ORDER_COLS`) with their stored places (`models.ORDER_PLACES`)."""
    o = _order_table()
    df = _fetch(cur, engine, select(*(o.c[c] for c in (*_ORDER_COLS, *ORDER_PLACES)))
                .where(*where))
    return _orders_read(df).hstack(_places_read(df))


_PLACE_TIMES = ORDER_PLACES[1:]  # first_ordered_at and the two previous orders' times


def _places_read(df: pl.DataFrame) -> pl.DataFrame:
    """The `models.ORDER_PLACES` columns of a read, typed (Int16, UTC timestamps)."""
    return df.select(pl.col("customer_seq").cast(pl.Int16),
                     *(_utc(pl.col(c), df.schema[c]) for c in _PLACE_TIMES))


def _touched_orders(cur: Any, engine: Engine) -> pl.DataFrame:
    """Every stored order of the touched customers (by the customer index), with their
    stored places."""
    return _with_places(cur, engine, _order_table().c.customer_id.in_(_touched_ids()))


# the touched customers' cohort cells and repeat rows, and their stored orders with places
Before = tuple[pl.DataFrame, dict[str, pl.DataFrame], pl.DataFrame]


def _summaries_before(cur: Any, engine: Engine, stage: str) -> Before | None:
    """Before an orders upsert: the customers it touches into a temporary table: those of
    the imported rows that are new or differ from the stored ones, and the stored owners of
    those order ids (rows re-imported unchanged touch nobody). Returns the cohort cells and
    the repeat rows (`_repeat_contributions`) their stored orders make up now, or None when
    the import touches no customer."""
    key_eq, all_eq = _row_match("orders", engine.dialect.name)
    st = _q(stage)
    cur.execute(
        f"SELECT s.customer_id FROM {st} s WHERE NOT EXISTS "
        f"(SELECT 1 FROM orders t WHERE {all_eq}) "
        f"UNION SELECT t.customer_id FROM orders t JOIN {st} s ON {key_eq} WHERE NOT ({all_eq})")
    ids = pl.from_arrow(cur.fetch_arrow_table()).to_series().cast(pl.String)  # type: ignore[union-attr]
    if ids.len() == 0:
        return None
    cur.adbc_ingest(_TOUCHED, pl.DataFrame({"customer_id": ids}).to_arrow(), mode="create",
                    temporary=True)
    _analyze_staged(cur, _TOUCHED, engine.dialect.name)
    s = _summary_table()
    cohorts = _fetch(cur, engine, select(s.c.customer_id, s.c.cohort_month, s.c.cohort_week)
                     .where(s.c.customer_id.in_(_touched_ids())))
    orders = _touched_orders(cur, engine)
    return _contributions(orders, cohorts), _repeat_contributions(orders), orders


def _orders_after(cur: Any, engine: Engine, stage: str, before: pl.DataFrame) -> pl.DataFrame:
    """The touched customers' stored orders after the upsert of `stage`, with their stored
    places, without reading them again: their orders before it (`before`) but those the
    stage holds, plus the staged rows of the touched customers (read from the temporary
    table), each with the places its id had before (the upsert keeps a stored row's places
    and writes none for a new one). Every staged row of a touched customer replaced the
    stored one, or was the same; a staged row that moved an order to another customer
    touched both."""
    from sqlalchemy import column, table

    s = table(stage, *(column(c) for c in _ORDER_COLS))
    staged = _orders_read(_fetch(cur, engine, select(*(s.c[c] for c in _ORDER_COLS))
                                 .where(s.c.customer_id.in_(_touched_ids()))))
    places = before.select("order_id", *ORDER_PLACES)
    kept = before.filter(~pl.col("order_id").is_in(staged.get_column("order_id").implode()))
    return pl.concat([kept, staged.join(places, on="order_id", how="left")
                      .select(kept.columns)])


def _summaries_after(cur: Any, engine: Engine, stage: str, before: Before) -> None:
    """After an orders upsert of `stage`: the touched customers' summaries from all their
    orders (`_orders_after`), and the cohort cells and repeat rows changed by the difference
    of their orders' rows."""
    old_cells, old_repeat, old_orders = before
    s = _summary_table()
    orders = _orders_after(cur, engine, stage, old_orders)
    summary = sm.customer_rows(orders, _attributes(cur, engine, _touched_ids()))
    db.execute(cur, engine, delete(s).where(s.c.customer_id.in_(_touched_ids())))
    _put(cur, "customer_summary", summary, engine.dialect.name)
    _apply_cells(cur, engine, old_cells, _contributions(orders, summary))
    placed = sm.with_places(orders)
    _apply_repeat(cur, engine, old_repeat, _repeat_contributions(placed))
    _update_places(cur, engine, orders, placed)
    cur.execute(f"DROP TABLE {_q(_TOUCHED)}")


def _summaries_missing(cur: Any) -> bool:
    """Orders are stored but no summary: the database was migrated to 0007 with orders
    in it, and nothing has built the summaries yet."""
    cur.execute("SELECT (SELECT 1 FROM orders LIMIT 1), (SELECT 1 FROM customer_summary LIMIT 1)")
    have_orders, have_summary = cur.fetchone()
    return have_orders is not None and have_summary is None


def _sum_content_sessions(cur: Any, stage: str | None) -> None:
    """Keep `content_sessions` after a web-sessions write: the days of the staged rows
    (`stage`; every day when None) summed again from their stored rows, by the database
    (the table's key starts with the date: a range read per day). Sums are NULL where every
    row summed is, as `sum_or_null` has it."""
    t = _q(CONTENT_TABLE)
    days = None if stage is None else f"date IN (SELECT DISTINCT date FROM {_q(stage)})"
    cur.execute(f"DELETE FROM {t}" + ("" if days is None else f" WHERE {days}"))
    cur.execute(
        f"INSERT INTO {t} (date, content, source, sessions, engaged_sessions, conversions, "
        "revenue) SELECT date, content, source, SUM(sessions), SUM(engaged_sessions), "
        "SUM(conversions), SUM(revenue) FROM web_sessions WHERE content IS NOT NULL AND "
        f"content <> ''{'' if days is None else ' AND ' + days} GROUP BY date, content, source")


CHANNEL_DAYS = 31  # days of web sessions summed at once when every day is (bounded memory)


def _sum_channel_sessions(cur: Any, engine: Engine, stage: str | None) -> None:
    """Keep `channel_sessions` after a web-sessions write: the days of the staged rows
    (`stage`; every stored day when None), `CHANNEL_DAYS` days at a time, read back from
    their stored rows, typed as a page reads them (`normalize`), summed by
    `channels.channel_sessions` and written in place of those days' rows. The channel group
    is Google's rules in Polars, so the rows come to the app: an import reads back the days
    it wrote, and memory stays a month of rows whatever the table's size."""
    w = TABLES["web_sessions"].__table__.c  # type: ignore[attr-defined]
    kept = ChannelSessions.__table__.c  # type: ignore[attr-defined]
    cols = [w[c] for c in ("date", "source", "medium", "campaign", "sessions",
                           "engaged_sessions", "conversions", "revenue")]
    if stage is None:
        db.execute(cur, engine, delete(ChannelSessions))
    cur.execute(f"SELECT DISTINCT date FROM {_q(stage or 'web_sessions')}")
    days = sorted(d for d in (_stored_day(r[0]) for r in cur.fetchall()) if d is not None)
    for i in range(0, len(days), CHANNEL_DAYS):
        chunk = days[i:i + CHANNEL_DAYS]
        if stage is not None:
            db.execute(cur, engine, delete(ChannelSessions).where(kept["date"].in_(chunk)))
        rows = normalize(_fetch(cur, engine, select(*cols).where(w["date"].in_(chunk))),
                         "web_sessions").filter(pl.col("date").is_not_null())
        if rows.height:
            _put(cur, CHANNEL_TABLE, channel_sessions(rows).with_columns(
                pl.col("campaign", "platform").fill_null(""),
                pl.col("reported").cast(pl.Int32)), engine.dialect.name)  # an INTEGER


def _stored_day(v: Any) -> dt.date | None:
    """A stored date as read by a cursor (SQLite: text)."""
    if v is None or isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


_TOUCHED_DAYS = "smmkpi_conversation_days"


def _readable(col: str, dialect: str) -> str:
    """SQL: the stored timestamp `col` is present and one every reader handles (on SQLite,
    text that starts with a date, `_SQLITE_TIMESTAMP` as `_in_years` checks; on PostgreSQL
    a typed column)."""
    if dialect == "sqlite":
        return f"({col} IS NOT NULL AND glob('{_SQLITE_TIMESTAMP}', {col}))"
    return f"({col} IS NOT NULL)"


def _day(col: str, dialect: str) -> str:
    """SQL: the UTC date of a stored timestamp, in the type a date column is stored in (on
    PostgreSQL at UTC: a cast alone takes the date in the session's time zone)."""
    return (f"substr({col}, 1, 10)" if dialect == "sqlite"
            else f"CAST({col} AT TIME ZONE 'UTC' AS DATE)")


def _conversation_days_before(cur: Any, stage: str, dialect: str) -> None:
    """Before a conversations upsert: the days it touches (temporary table
    `_TOUCHED_DAYS`), those of the staged rows and those the staged ids were opened on
    before (a conversation re-imported with another opening time leaves its old day)."""
    st, c = _q(stage), _q("conversations")
    cur.execute(
        f"CREATE TEMPORARY TABLE {_q(_TOUCHED_DAYS)} AS "
        f"SELECT DISTINCT {_day('opened_at', dialect)} AS d FROM {st} "
        f"WHERE {_readable('opened_at', dialect)} UNION "
        f"SELECT DISTINCT {_day('opened_at', dialect)} AS d FROM {c} "
        f"WHERE {_readable('opened_at', dialect)} AND conversation_id IN "
        f"(SELECT conversation_id FROM {st})")


def _count_conversation_days(cur: Any, dialect: str, touched: bool) -> None:
    """Keep `conversation_days` after a conversations write: the days in `_TOUCHED_DAYS`
    (`touched`; else every day) counted again from their stored rows, by the database
    (the opening time's index finds the rows of those days)."""
    t, days = _q(CONVERSATION_TABLE), _q(_TOUCHED_DAYS)
    where = _readable("opened_at", dialect)
    if touched:
        cur.execute(f"SELECT MIN(d), MAX(d) FROM {days}")
        lo, hi = cur.fetchone()
        cur.execute(f"DELETE FROM {t} WHERE date IN (SELECT d FROM {days})")
        if lo is None:
            cur.execute(f"DROP TABLE {days}")
            return
        lo, hi = (dt.date.fromisoformat(str(v)[:10]) for v in (lo, hi))
        where += (f" AND opened_at >= '{lo.isoformat()}'"
                  f" AND opened_at < '{(hi + dt.timedelta(days=1)).isoformat()}'"
                  f" AND {_day('opened_at', dialect)} IN (SELECT d FROM {days})")
    else:
        cur.execute(f"DELETE FROM {t}")
    day, responded = _day("opened_at", dialect), _readable("first_response_at", dialect)
    cur.execute(
        f"INSERT INTO {t} (date, platform, campaign, kind, conversations, responses, "
        "unreadable_responses, resolved_unanswered) "
        f"SELECT {day}, platform, COALESCE(campaign_id, ''), kind, COUNT(*), "
        f"SUM(CASE WHEN {responded} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN first_response_at IS NOT NULL AND NOT {responded} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {_readable('resolved_at', dialect)} AND NOT {responded} "
        "THEN 1 ELSE 0 END) "
        f"FROM {_q('conversations')} WHERE {where} "
        f"GROUP BY {day}, platform, COALESCE(campaign_id, ''), kind")
    if touched:
        cur.execute(f"DROP TABLE {days}")


def _all_orders(cur: Any, engine: Engine) -> pl.DataFrame:
    return _with_places(cur, engine)


def ensure_summaries(engine: Engine) -> bool:
    """Build the summaries if orders are stored without them (the first use of a database
    migrated to 0007 with orders in it); True if they were built. Cheap otherwise."""
    with db.reader(engine) as conn:
        cur = conn.cursor()
        try:
            missing = _summaries_missing(cur)
        finally:
            cur.close()
    if missing:
        log.warning("building the customer summaries from the stored orders (once)")
        rebuild_summaries(engine, actor="migration")
    return missing


def rebuild_summaries(engine: Engine, *, actor: str = "cli") -> int:
    """Recompute the summaries from every stored order, the content sums from every web
    session, the conversations' day counts from every conversation and the posts' content
    keys from every post, in one transaction
    (with the version bump and an audit row); returns the number of customers summarized.
    Reads the whole order history: a repair tool (or the first run after migration 0007),
    not something pages or imports do."""
    now = dt.datetime.now(dt.UTC)
    try:
        with db.writer(engine) as conn:
            cur = conn.cursor()
            _take_write_lock(cur, engine, now)
            orders = _all_orders(cur, engine)
            _summaries_from_frame(cur, engine, orders)
            _sum_content_sessions(cur, None)
            _sum_channel_sessions(cur, engine, None)
            _count_conversation_days(cur, engine.dialect.name, touched=False)
            _update_content_keys(cur, engine, None)
            if engine.dialect.name == "postgresql":  # every row is new to the planner
                for t in (*SUMMARY_TABLES, CONTENT_TABLE, CHANNEL_TABLE, CONVERSATION_TABLE):
                    cur.execute(f"ANALYZE {_q(t)}")
            n = orders["customer_id"].n_unique() if orders.height else 0
            db.execute(cur, engine, insert(AuditEntry).values(
                at=now, actor=actor, action="rebuild_summaries", dataset="orders",
                inserted=n, updated=0, unchanged=0, deleted=0, detail=None))
            cur.close()
    except Exception as e:
        raise _refused(e, "rebuild") from e
    return n


def read_summaries(engine: Engine) -> dict[str, pl.DataFrame]:
    """The summary tables and the orders' places (order_id and `models.ORDER_PLACES`),
    sorted by their keys, in the types of `smmkpi.summaries` (for
    checks against a recomputation)."""
    s = _summary_table()
    c = CohortCell.__table__  # type: ignore[attr-defined]
    summary = db.read_frame(engine, select(s).order_by(s.c.customer_id))
    cells = db.read_frame(engine, select(c).order_by(c.c.grain, c.c.cohort, c.c.period))
    summary = summary.with_columns(
        _utc(pl.col(n), summary.schema[n])
        for n in ("first_ordered_at", "second_ordered_at", "last_ordered_at"))
    o = _order_table()
    places = db.read_frame(engine, select(o.c.order_id, *(o.c[c] for c in ORDER_PLACES))
                           .order_by(o.c.order_id))
    d, p = RepeatDay.__table__, RepeatPair.__table__  # type: ignore[attr-defined]
    days = db.read_frame(engine, select(d).order_by(d.c.day))
    pairs = db.read_frame(engine, select(p).order_by(p.c.kind, p.c.day, p.c.since))
    return {
        "customer_summary": summary.select(
            pl.col(n).cast(t) for n, t in sm.SUMMARY_SCHEMA.items()),
        "cohort_cells": cells.select(pl.col(n).cast(t) for n, t in sm.CELL_SCHEMA.items()),
        "repeat_days": days.with_columns(_date(pl.col("day"), days.schema["day"])).select(
            pl.col(n).cast(t) for n, t in sm.REPEAT_DAY_SCHEMA.items()),
        "repeat_pairs": pairs.with_columns(
            _date(pl.col(n), pairs.schema[n]) for n in ("day", "since")).select(
            pl.col(n).cast(t) for n, t in sm.PAIR_SCHEMA.items()),
        "order_places": places.select(pl.col("order_id").cast(pl.String)).hstack(
            _places_read(places)),
    }


# ---------------------------------------------------------------------------- summary reads


def _window_parts(first: dt.date, end: dt.date) -> list[Any]:
    """The selects of a window's orders (`read_window`): the orders of [first, end] that
    have a place in a customer's history, with it: customer_id, ordered_at, revenue,
    channel, seq (0: the customer's first-ever order, 1: the second, 2: a later one),
    first_ordered_at (the customer's first order). One range of `orders` by its date index:
    the store keeps each order's place on its row (`models.ORDER_PLACES`), so no join with
    the summaries (no order id either: nothing needs it once seq is known, and it is the
    widest column). A window of 28 days or more in two halves, read at once
    (db.read_frames: two connections fetch and convert on two cores)."""
    o = _order_table()

    def part(a: dt.date, b: dt.date) -> Any:
        return (
            select(*(o.c[c] for c in _ORDER_COLS if c != "order_id"),
                   o.c.customer_seq.label("seq"), o.c.first_ordered_at)
            .where(and_(*_window_conditions(o, a, b), o.c.customer_seq.is_not(None)))
        )

    days = (end - first).days
    if days < 28:
        return [part(first, end)]
    mid = first + dt.timedelta(days=days // 2)
    return [part(first, mid), part(mid + dt.timedelta(days=1), end)]


def _first_orders_select(since: dt.date, before: dt.date) -> Any:
    s = _summary_table()
    return (
        select(s.c.customer_id, s.c.first_ordered_at, s.c.first_revenue, s.c.first_channel,
               s.c.acquisition_channel, s.c.follows_on_social)
        .where(s.c.first_ordered_at >= _ts_bound(since),
               s.c.first_ordered_at < _ts_bound(before))
    )


def _attributes_select(first: dt.date) -> Any:
    s = _summary_table()
    return (select(s.c.customer_id, s.c.acquisition_channel, s.c.follows_on_social)
            .where(s.c.last_ordered_at >= ds.utc_midnight(first)))


def _typed_attributes(df: pl.DataFrame) -> pl.DataFrame:
    """customer_id, acquisition_channel, follows_on_social as read, in their types."""
    return df.select(pl.col("customer_id", "acquisition_channel").cast(pl.String),
                     pl.col("follows_on_social").cast(pl.Boolean))


def read_window(engine: Engine, first: dt.date, end: dt.date, since: dt.date, *,
                attributes: bool = False) -> dict[str, pl.DataFrame]:
    """What a window of the retention figures reads, all at once (`db.read_frames`):
    "orders", the placed orders of [first, end] (`_window_parts`); "firsts", the
    customers whose first order is in [since, first) by the summary's index
    (customer_id, first_ordered_at, first_revenue, first_channel, acquisition_channel,
    follows_on_social); with `attributes`, "attributes", `read_window_attributes` of
    `first`."""
    parts = _window_parts(first, end)
    stmts = [*parts, _first_orders_select(since, first)]
    if attributes:
        stmts.append(_attributes_select(first))
    frames = db.read_frames(engine, stmts)
    n = len(parts)
    out = {"orders": _with_summary_types(pl.concat(frames[:n], how="vertical_relaxed"),
                                         orders=True),
           "firsts": _with_summary_types(frames[n], orders=False)}
    if attributes:
        out["attributes"] = _typed_attributes(frames[n + 1])
    return out


def read_window_attributes(engine: Engine, first: dt.date) -> pl.DataFrame:
    """customer_id, acquisition_channel, follows_on_social of every customer with an order
    on or after `first` (their summary's last order is then on or after it: a range of its
    index), for the splits of a window's customers by them."""
    return _typed_attributes(db.read_frame(engine, _attributes_select(first)))


REPEAT_DAYS_SCHEMA = {"date": pl.Date, "orders": pl.Int64, "revenue": pl.Float64,
                      "returning_revenue": pl.Float64, "second_orders": pl.Int64,
                      "channel_orders": pl.Int64}
REPEAT_CUSTOMERS_SCHEMA = {"customers": pl.Int64, "repeat_customers": pl.Int64,
                           "returning_customers": pl.Int64}
SECOND_ORDER_DAYS_SCHEMA = {"days": pl.Int64, "customers": pl.Int64}


def _utc_day(col: Any, dialect: str) -> Any:
    """SQL expression: the UTC date of a stored timestamp (SQLite: the text's first ten
    characters; PostgreSQL: the instant at UTC, whatever the session's time zone)."""
    if dialect == "sqlite":
        return func.substr(col, 1, 10)
    return cast(func.timezone("UTC", col), Date)


def read_repeat_figures(engine: Engine, start: dt.date, end: dt.date) -> dict[str, pl.DataFrame]:
    """What the repeat-sales figures of [start, end] count, from the rows the store keeps
    for them (`repeat_days`, `repeat_pairs`: `smmkpi.summaries`), in three reads at once of
    at most a row per day, and per day and earlier day, of the period, whatever the number
    of orders:

    - "days" (`REPEAT_DAYS_SCHEMA`): per day with orders, the orders, their revenue, the
      revenue of orders that are not a customer's first-ever, the second orders, and the
      orders with a channel;
    - "customers" (`REPEAT_CUSTOMERS_SCHEMA`, one row): the distinct customers with an
      order in the period, those with two or more, and those with one that is not their
      first-ever, as sums of the kept counts (below);
    - "second" (`SECOND_ORDER_DAYS_SCHEMA`): how many customers whose second order is in
      the period took how many calendar days (UTC) from the first to it.

    With S the period's start and every count over the orders of the period (days from S
    to the end), and an order's previous order in the period when its day is on or after S:
    - customers: their first order in the period is the one whose previous order is
      before S, or that has none: the orders less the *pairs*, the orders whose previous
      order's day is on or after S;
    - repeat customers: a customer with k orders in the period has k - 1 of them whose
      previous order is in the period, and k - 2 (at least 0) whose previous two are; the
      difference (the pairs less the orders whose previous-but-one is on or after S) is 1
      for k >= 2 and 0 for k = 1;
    - returning customers: those whose first order in the period is not their first-ever
      (the orders that are not first-ever, less the pairs: an order whose previous one is
      in the period is not first-ever), plus those whose first-ever and second orders are
      both in the period (the second orders whose first order's day is on or after S).

    Only orders with a place count (a customer and a readable time, as a window reads
    them, `_window_parts`); a revenue no reader uses (beyond the column's bounds, not
    finite) counts as missing, as `normalize` reads it, when the store keeps the rows (an import, or
    `rebuild-summaries` after a change by hand)."""
    d, p = RepeatDay.__table__, RepeatPair.__table__  # type: ignore[attr-defined]
    days = select(d).where(d.c.day >= start, d.c.day <= end)
    in_period = [p.c.day >= start, p.c.day <= end]
    pairs = (select(p.c.kind, func.sum(p.c.orders).label("orders"))
             .where(*in_period, p.c.since >= start, p.c.kind.in_(("previous", "previous2")))
             .group_by(p.c.kind))
    second = select(p.c.day, p.c.since, p.c.orders).where(*in_period, p.c.kind == "first")
    rd, rp, rs = db.read_frames(engine, [days, pairs, second])
    rd = rd.with_columns(_date(pl.col("day"), rd.schema["day"])).filter(
        pl.col("day").is_not_null())
    kept = {k: int(n) for k, n in zip(rp["kind"].cast(pl.String).to_list(),
                                      rp["orders"].to_list(), strict=True)}
    rs = rs.with_columns(_date(pl.col(n), rs.schema[n]) for n in ("day", "since"))
    orders = int(rd["orders"].sum()) if rd.height else 0
    later = orders - (int(rd["first_orders"].sum()) if rd.height else 0)
    pairs_n, middles = kept.get("previous", 0), kept.get("previous2", 0)
    new_second = int(rs.filter(pl.col("since") >= start)["orders"].sum()) if rs.height else 0
    gaps = rs.select(days=pl.col("day").cast(pl.Int32) - pl.col("since").cast(pl.Int32),
                     customers="orders").group_by("days").agg(pl.col("customers").sum())
    return {
        "days": rd.select(date="day", orders="orders", revenue="revenue",
                          returning_revenue="returning_revenue",
                          second_orders="second_orders", channel_orders="channel_orders")
        .select(pl.col(n).cast(t) for n, t in REPEAT_DAYS_SCHEMA.items())
        .with_columns(pl.col("revenue", "returning_revenue").fill_null(0.0)).sort("date"),
        "customers": pl.DataFrame(
            {"customers": [orders - pairs_n], "repeat_customers": [pairs_n - middles],
             "returning_customers": [later - pairs_n + new_second]},
            schema=REPEAT_CUSTOMERS_SCHEMA),
        "second": gaps.select(pl.col(n).cast(t) for n, t in SECOND_ORDER_DAYS_SCHEMA.items())
        .sort("days"),
    }


REPEAT_SPLIT_SCHEMA = {"second_day": pl.Date, "first_day": pl.Date, "shown": pl.Int64,
                       "orders": pl.Int64, "revenue": pl.Float64,
                       "returning_revenue": pl.Float64, "customers": pl.Int64,
                       "pairs": pl.Int64, "middles": pl.Int64, "returning_later": pl.Int64,
                       "returning_new": pl.Int64}
SPLIT_CUSTOMERS_SCHEMA = {"group": pl.String, "customers": pl.Int64,
                          "repeat_customers": pl.Int64, "returning_customers": pl.Int64}
CUSTOMER_GROUPS = ("acquisition_channel", "follows_on_social")  # kept on the summaries


def _add_months(day: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months after `day`'s."""
    y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def _usable_revenue(o: Any) -> Any:
    """SQL: an order's revenue where a reader would use it (within the column's bounds;
    not finite is beyond them), else NULL, as `normalize` reads it."""
    bounds = ds.get("orders").column("revenue").bounds
    assert bounds is not None  # every number column has bounds (datasets.py)
    low, high = bounds
    return case((and_(o.c.revenue >= low, o.c.revenue <= high), o.c.revenue))


def read_repeat_split(engine: Engine, start: dt.date, end: dt.date, by: str,
                      months: tuple[dt.date, dt.date], ks: Sequence[int] = (1, 3),
                      no_channel: str = "unknown") -> dict[str, pl.DataFrame]:
    """What the repeat-sales figures of [start, end] split by the customers' attributes
    (`by` = "customer") or by the orders' own channel (`by` = "channel") count, counted by
    the database as `read_repeat_figures` counts the whole (no order is held in the app).
    `months` are the first days of the first and last retention months (`kpis.retention`),
    `ks` the months back of their cohorts. For "customer" the orders are joined with their
    summaries (on `customer_id`) and grouped by both attributes the summaries keep
    (`CUSTOMER_GROUPS`: the acquisition channel, and the follower status as "true",
    "false" or null), so one statement serves the split by either (a customer's orders
    all lie in one group, so the counts add up over the other attribute). For "channel"
    the group is the order's channel, `no_channel` where it has none (the orders through
    no channel and through one of that name are one group). Frames:

    - "cells" (the group columns, `REPEAT_SPLIT_SCHEMA` and for "customer"
      `m{k}_retained`): per group, and for the period's second orders per day and day of
      the customer's first order, the period's orders, revenue, returning revenue, the
      row counts of `read_repeat_figures` (customers, pairs, middles, returning_later,
      returning_new; meaningful for "customer" only), `shown` (the period's orders and the
      orders of the retention months by customers of a cohort k months before) and, for
      "customer", `m{k}_retained`: the orders of a retention month m by customers of
      cohort m − k that are their first in m (the customers who came back in m);
    - "customers" (`SPLIT_CUSTOMERS_SCHEMA` plus `m{k}_retained`; for "channel" only):
      per channel the customers with an order through it in the period, those with two or
      more, those with one that is not their first-ever, and the cohort customers with an
      order through it in their retention month (a grouping per channel and customer);
    - "cohorts": per group ("customer") or once ("channel"), the customers of the cohorts
      k months before the retention months (`m{k}_cohort_customers`), from the summaries'
      first orders."""
    if by not in ("customer", "channel"):
        raise ValueError(f"cannot split repeat figures by {by!r}")
    o, s = _order_table(), _summary_table()
    dialect = engine.dialect.name
    lo_month, hi_month = months
    where = [*_window_conditions(o, min(start, lo_month), end), o.c.customer_seq.is_not(None)]
    revenue = _usable_revenue(o)
    seq, prev, prev2 = o.c.customer_seq, o.c.previous_ordered_at, o.c.previous2_ordered_at
    since = _ts_bound(start)
    in_period = o.c.ordered_at >= since
    first_in = and_(in_period, or_(prev.is_(None), prev < since))
    n_months = ((hi_month.year - lo_month.year) * 12 + hi_month.month - lo_month.month) + 1
    retention = [_add_months(lo_month, i) for i in range(n_months)]

    def in_month(col: Any, m: dt.date) -> Any:
        return and_(col >= _ts_bound(m), col < _ts_bound(_add_months(m, 1)))

    def back(k: int, *, new: bool) -> Any:  # an order of cohort m - k in a retention month m
        return or_(*(and_(in_month(o.c.ordered_at, m),
                          in_month(o.c.first_ordered_at, _add_months(m, -k)),
                          *([prev < _ts_bound(m)] if new else [])) for m in retention))

    def count(cond: Any, name: str) -> Any:
        return func.sum(case((cond, 1), else_=0)).label(name)

    customer = by == "customer"
    if customer:
        groups = [s.c[g].label(g) for g in CUSTOMER_GROUPS]
        keys: list[Any] = [s.c[g] for g in CUSTOMER_GROUPS]
        # the summaries of customers with an order in the range only: their last order
        # is in it or later (a range of the last-order index), not every summary
        source: Any = o.join(s, and_(s.c.customer_id == o.c.customer_id,
                                     s.c.last_ordered_at >= _ts_bound(min(start, lo_month))))
    else:
        channel = func.coalesce(o.c.channel, literal(no_channel, String))
        groups, keys, source = [channel.label("group")], [channel], o
    second = and_(in_period, seq == 1)
    second_day = case((second, _utc_day(o.c.ordered_at, dialect)))
    first_day = case((second, _utc_day(o.c.first_ordered_at, dialect)))
    back_any = or_(*(back(k, new=False) for k in ks))
    cells = (
        select(*groups, second_day.label("second_day"), first_day.label("first_day"),
               count(or_(in_period, back_any), "shown"), count(in_period, "orders"),
               func.sum(case((in_period, revenue))).label("revenue"),
               func.sum(case((and_(in_period, seq >= 1), revenue))).label("returning_revenue"),
               count(first_in, "customers"), count(and_(in_period, prev >= since), "pairs"),
               count(and_(in_period, prev2 >= since), "middles"),
               count(and_(first_in, seq >= 1), "returning_later"),
               count(and_(second, o.c.first_ordered_at >= since), "returning_new"),
               *(count(back(k, new=True), f"m{k}_retained") for k in ks if customer))
        .select_from(source).where(*where).group_by(*keys, second_day, first_day)
    )
    sizes = [count(and_(s.c.first_ordered_at >= _ts_bound(_add_months(lo_month, -k)),
                        s.c.first_ordered_at < _ts_bound(_add_months(hi_month, 1 - k))),
                   f"m{k}_cohort_customers") for k in ks]
    span = [s.c.first_ordered_at >= _ts_bound(_add_months(lo_month, -max(ks))),
            s.c.first_ordered_at < _ts_bound(hi_month)]
    cohorts = (select(*(s.c[g] for g in CUSTOMER_GROUPS), *sizes).where(*span)
               .group_by(*(s.c[g] for g in CUSTOMER_GROUPS))
               if customer else select(*sizes).where(*span))
    stmts = [cells, cohorts]
    if not customer:
        per = (
            select(channel.label("channel"), o.c.customer_id,
                   count(in_period, "n"), func.max(case((in_period, seq))).label("max_seq"),
                   *(func.max(case((back(k, new=False), 1), else_=0)).label(f"b{k}") for k in ks))
            .where(*where).group_by(channel, o.c.customer_id).subquery("per_customer")
        )
        stmts.append(
            select(per.c.channel.label("group"), count(per.c.n >= 1, "customers"),
                   count(per.c.n >= 2, "repeat_customers"),
                   count(per.c.max_seq >= 1, "returning_customers"),
                   *(func.sum(per.c[f"b{k}"]).label(f"m{k}_retained") for k in ks))
            .group_by(per.c.channel))
    frames = db.read_frames(engine, stmts)
    # the group columns as text (SQLite's 0/1 and PostgreSQL's boolean follower status as
    # "true"/"false")
    names = list(CUSTOMER_GROUPS) if customer else ["group"]
    typed = [pl.col(n).cast(pl.Boolean).cast(pl.String) if n == "follows_on_social"
             else pl.col(n).cast(pl.String) for n in names]
    c = frames[0]
    c = c.with_columns(*typed, _date(pl.col("second_day"), c.schema["second_day"]),
                       _date(pl.col("first_day"), c.schema["first_day"]))
    out = {"cells": c.select(
        *names, *(pl.col(n).cast(t) for n, t in REPEAT_SPLIT_SCHEMA.items()),
        *(pl.col(f"m{k}_retained").cast(pl.Int64) for k in ks if customer))}
    h = frames[1]
    sized = [pl.col(f"m{k}_cohort_customers").cast(pl.Int64).fill_null(0) for k in ks]
    out["cohorts"] = h.select(*typed, *sized) if customer else h.select(*sized)
    if not customer:
        p = frames[2]
        out["customers"] = p.select(
            *typed, *(pl.col(n).cast(pl.Int64).fill_null(0) for n in
                      [*list(SPLIT_CUSTOMERS_SCHEMA)[1:], *(f"m{k}_retained" for k in ks)]))
    return out


COHORT_RECENT_SCHEMA = {"first_day": pl.Date, "customers": pl.Int64, "revenue": pl.Float64}


def read_cohort_recent(engine: Engine, first: dt.date, end: dt.date) -> pl.DataFrame:
    """Per day (UTC) of the customers' first orders, the customers with an order in
    [first, end] and those orders' revenue (`COHORT_RECENT_SCHEMA`): the cohort cells of
    the month or week still running, counted by the database in one range of the orders'
    time index. A customer counts on the order whose previous one is before `first` (or
    that has none), so no grouping per customer; only orders with a place count, and an
    unusable revenue counts as missing, as in `read_repeat_figures`."""
    o = _order_table()
    revenue = _usable_revenue(o)
    prev = o.c.previous_ordered_at
    day = _utc_day(o.c.first_ordered_at, engine.dialect.name)
    stmt = (
        select(day.label("first_day"),
               func.sum(case((or_(prev.is_(None), prev < _ts_bound(first)), 1), else_=0))
               .label("customers"), func.sum(revenue).label("revenue"))
        .where(*_window_conditions(o, first, end), o.c.customer_seq.is_not(None))
        .group_by(day)
    )
    df = db.read_frame(engine, stmt)
    return df.with_columns(_date(pl.col("first_day"), df.schema["first_day"])).select(
        pl.col(n).cast(t) for n, t in COHORT_RECENT_SCHEMA.items()).filter(
        pl.col("first_day").is_not_null())


def read_followers(engine: Engine, end: dt.date,
                   campaigns: Sequence[str] = ()) -> pl.DataFrame:
    """date, platform, followers: per day and platform the largest usable follower count
    reported up to `end` (on the rows of `campaigns` when given), grouped by the database:
    what follower growth reads (`Workspace.followers`), a row per day and platform instead
    of every social row of the whole history. A count outside the column's bounds is left
    out, as `normalize` would null it; a day that is no readable date is dropped."""
    t = TABLES["social_daily"].__table__  # type: ignore[attr-defined]
    low, high = ds.get("social_daily").column("followers").bounds or ds.COUNTS
    stmt = (
        select(t.c.date, t.c.platform, func.max(t.c.followers).label("followers"))
        .where(t.c.followers.is_not(None), t.c.followers >= low, t.c.followers <= high,
               *_dataset_conditions("social_daily", None, end, campaigns, ()))
        .group_by(t.c.date, t.c.platform)
    )
    df = normalize(db.read_frame(engine, stmt), "social_daily")
    return df.select("date", "platform", "followers").filter(pl.col("date").is_not_null())


POST_KEY_SCHEMA = {"platform": pl.String, "post_id": pl.String, "content_key": pl.String,
                   "published_at": pl.Datetime("us", "UTC")}
POST_KEY_BOUNDS_SCHEMA = {"content_key": pl.String, "platform": pl.String,
                          "earliest": pl.Datetime("us", "UTC"),
                          "next": pl.Datetime("us", "UTC")}


def read_post_keys(engine: Engine, start: dt.date, end: dt.date) -> pl.DataFrame:
    """platform, post_id, content_key, published_at (`POST_KEY_SCHEMA`) of the posts
    published in [start, end] that have a content value (their stored key,
    `models.POST_KEYS`): a range of the publish-time index, four columns."""
    p = TABLES["posts"].__table__  # type: ignore[attr-defined]
    period = [_sql_condition(p.c.published_at, c) for c in ds.get("posts").conditions(start, end)]
    df = db.read_frame(engine, select(p.c.platform, p.c.post_id, p.c.content_key,
                                      p.c.published_at)
                       .where(*period, p.c.content_key.is_not(None)))
    return df.select(pl.col("platform", "post_id", "content_key").cast(pl.String),
                     _utc(pl.col("published_at"), df.schema["published_at"]))


def read_post_days(engine: Engine, start: dt.date, end: dt.date, platforms: Sequence[str],
                   metrics: Sequence[str]) -> pl.DataFrame:
    """Per UTC day published in [start, end] (posts of `platforms` when given), summed by
    the database: `posts`, `promo_posts` (flagged as promotional), `flagged_posts` (with a
    known flag), each of `metrics` (NULL where no post reports it), and `er_num` /
    `er_den`, the engagements and impressions of the posts reporting both, as
    `kpis.content` sums the period's posts; a value no reader uses (beyond the column's
    bounds) counts as not reported, as `normalize` reads it. Sorted by day."""
    p = TABLES["posts"].__table__  # type: ignore[attr-defined]
    spec = ds.get("posts")
    conds = [_sql_condition(p.c[c.column], c)
             for c in spec.conditions(start, end, (), tuple(platforms))]

    def usable(name: str) -> Any:
        lo, hi = spec.column(name).bounds or (0, 10**12)
        col = p.c[name]
        return case((and_(col >= lo, col <= hi), col))

    day = _utc_day(p.c.published_at, engine.dialect.name)
    both = and_(usable("engagements").is_not(None), usable("impressions").is_not(None))
    stmt = (select(
        day.label("date"), func.count().label("posts"),
        func.sum(case((p.c.is_promo == true(), 1), else_=0)).label("promo_posts"),
        func.count(p.c.is_promo).label("flagged_posts"),
        *(cast(func.sum(usable(m)), BigInteger).label(m) for m in metrics),
        # 0 where no post reports both, as a sum over none is in Polars
        cast(func.coalesce(func.sum(case((both, p.c.engagements))), 0), Float).label("er_num"),
        cast(func.coalesce(func.sum(case((both, p.c.impressions))), 0), Float).label("er_den"))
        .where(*conds).group_by(day).order_by(day))
    df = db.read_frame(engine, stmt)
    return df.select(
        _date(pl.col("date"), df.schema["date"]).alias("date"),
        *(pl.col(n).cast(pl.Int64) for n in ("posts", "promo_posts", "flagged_posts")),
        *(pl.col(m).cast(pl.Int64) for m in metrics),
        pl.col("er_num", "er_den").cast(pl.Float64))


def read_post_key_bounds(engine: Engine, start: dt.date, end: dt.date,
                         platforms: Sequence[str]) -> pl.DataFrame:
    """For every content key of the posts published in [start, end] and every platform of
    `platforms`: the publish time of the earliest post of that key on that platform and of
    the first one after `end` (null where there is none), and per key a row with a null
    platform and earliest, whose `next` is the first post after `end` on any platform
    (`POST_KEY_BOUNDS_SCHEMA`). Probes of the indexes on (content_key, platform,
    published_at) and (content_key, published_at), not a read of every post of the key:
    what `kpis.content.attribution` needs of the posts outside the
    period (whether a session's platform has a post of its value by the session's day, and
    where the period's last post of a value stops taking its sessions)."""
    p = TABLES["posts"].__table__  # type: ignore[attr-defined]
    names = sorted(set(platforms))
    if not names:
        return pl.DataFrame(schema=POST_KEY_BOUNDS_SCHEMA)
    period = [_sql_condition(p.c.published_at, c) for c in ds.get("posts").conditions(start, end)]
    keys = select(p.c.content_key.label("k")).where(
        *period, p.c.content_key.is_not(None)).distinct().subquery("period_keys")
    plats = union_all(*(select(literal(n, String).label("pl")) for n in names)).subquery(
        "platforms")
    o = p.alias("o")
    after = ds.utc_midnight(end + dt.timedelta(days=1))

    def first(*where: Any) -> Any:  # MIN over an index prefix: one probe
        return (select(func.min(o.c.published_at))
                .where(o.c.content_key == keys.c.k, o.c.platform == plats.c.pl, *where)
                .scalar_subquery())

    stmt = select(keys.c.k.label("content_key"), plats.c.pl.label("platform"),
                  first().label("earliest"), first(o.c.published_at >= after).label("next")
                  ).select_from(keys.join(plats, true()))
    anywhere = select(  # the first post of the key after `end` on any platform
        keys.c.k.label("content_key"), literal(None, String).label("platform"),
        literal(None, p.c.published_at.type).label("earliest"),
        select(func.min(o.c.published_at))
        .where(o.c.content_key == keys.c.k, o.c.published_at >= after)
        .scalar_subquery().label("next"))
    pairs, keyed = db.read_frames(engine, [stmt, anywhere])
    pairs = pairs.filter(pl.col("earliest").is_not_null())
    keyed = keyed.filter(pl.col("next").is_not_null())
    return pl.concat([
        df.select(pl.col("content_key", "platform").cast(pl.String),
                  *(_utc(pl.col(c), df.schema[c]) for c in ("earliest", "next")))
        for df in (pairs, keyed)
    ])


def read_content_keys(engine: Engine, keys: Sequence[str]) -> set[str]:
    """Which of `keys` (content values as compared) some stored post has, by the index on
    the posts' content keys (in chunks of a few hundred)."""
    p = TABLES["posts"].__table__  # type: ignore[attr-defined]
    wanted = sorted(set(keys))
    found: set[str] = set()
    for i in range(0, len(wanted), 500):
        df = db.read_frame(engine, select(p.c.content_key).where(
            p.c.content_key.in_(wanted[i:i + 500])).distinct())
        found.update(df.get_column("content_key").cast(pl.String).to_list())
    return found


CONTENT_SESSIONS_SCHEMA = {"date": pl.Date, "content": pl.String, "source": pl.String,
                           "sessions": pl.Int64, "engaged_sessions": pl.Int64,
                           "conversions": pl.Int64, "revenue": pl.Float64}


def read_content_sessions(engine: Engine, first: dt.date | None = None,
                          last: dt.date | None = None) -> pl.DataFrame:
    """The stored web sessions that carry a content value, summed per day, content value
    and source (`CONTENT_SESSIONS_SCHEMA`): what matching posts to sessions needs
    (`kpis.content.attribution`), as the store keeps it in `content_sessions` with each
    web-sessions import (at scale L 7.9k rows instead of 1.48M session rows grouped on
    every cold start). A sum is null where every row summed is (a figure never reported),
    as `sum_or_null` has it. With `first`, the days from `first` on only (a range of the
    table's key, which starts with the date); with `last`, up to `last`."""
    w = ContentSessions.__table__.c  # type: ignore[attr-defined]
    stmt = select(*(w[c] for c in CONTENT_SESSIONS_SCHEMA))
    if first is not None:
        stmt = stmt.where(w["date"] >= first)
    if last is not None:
        stmt = stmt.where(w["date"] <= last)
    df = db.read_frame(engine, stmt)
    if df.height == 0:
        return pl.DataFrame(schema=CONTENT_SESSIONS_SCHEMA)
    return df.select(
        _date(pl.col("date"), df.schema["date"]).alias("date"),
        *(pl.col(n).cast(t, strict=False) for n, t in CONTENT_SESSIONS_SCHEMA.items()
          if n != "date"),
    ).filter(pl.col("date").is_not_null())


def read_channel_sessions(
    engine: Engine, start: dt.date | None, end: dt.date | None,
    campaigns: Sequence[str] = (), platforms: Sequence[str] = (), *,
    by: str = "day_campaign",
) -> pl.DataFrame:
    """The web sessions of [start, end] summed per day, UTM campaign, channel group,
    platform and `reported`, in `channels.CHANNEL_SESSIONS_SCHEMA`, as the store keeps them
    in `channel_sessions` with each web-sessions import, or per the coarser grouping `by` of
    `channels.CHANNEL_GROUPINGS` (and `reported`), summed by the database, the other key
    columns null (at scale XL 28 days are 252k kept rows, about 500 per day, group and
    platform). The campaign filter keeps the rows of
    those UTM campaigns, the platform filter the sessions of other channel groups and the
    social sessions of those platforms, as `Workspace` filters the session rows."""
    c = ChannelSessions.__table__.c  # type: ignore[attr-defined]
    keys = [c[k] for k in (*CHANNEL_GROUPINGS[by], "reported")]
    # cast: PostgreSQL's SUM of a BIGINT is a NUMERIC
    sums = [cast(func.sum(c[n]), Float if n == "revenue" else BigInteger).label(n) for n in
            ("sessions", "engaged_sessions", "conversions", "revenue")]
    stmt = select(*keys, *sums).group_by(*keys)
    if start is not None:
        stmt = stmt.where(c["date"] >= start)
    if end is not None:
        stmt = stmt.where(c["date"] <= end)
    if campaigns:
        stmt = stmt.where(c["campaign"].in_(list(campaigns)))
    if platforms:
        stmt = stmt.where(or_(c["channel_group"].not_in(list(SOCIAL_GROUPS)),
                              c["platform"].in_(list(platforms))))
    df = db.read_frame(engine, stmt)
    if df.height == 0:
        return pl.DataFrame(schema=CHANNEL_SESSIONS_SCHEMA)
    blank = {"campaign", "platform"}
    return df.select(
        _date(pl.col("date"), df.schema["date"]).alias("date") if "date" in df.columns
        else pl.lit(None, dtype=pl.Date).alias("date"),
        *((pl.when(pl.col(n) != "").then(pl.col(n)) if n in blank else pl.col(n))
          .cast(t, strict=False).alias(n) if n in df.columns
          else pl.lit(None, dtype=t).alias(n)
          for n, t in CHANNEL_SESSIONS_SCHEMA.items() if n != "date"),
    )


def read_waiting_conversations(
    engine: Engine, end: dt.date, as_of: dt.datetime, kinds: Sequence[str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For `kpis.care.waiting_candidates`: of every conversation up to `end`, those of
    `kinds` (the ones needing a reply) with no first response by `as_of`, typed (a first
    response outside the settings' years counts as none, as `normalize` reads it: such rows
    are included, the KPI's own filter decides); and per platform and campaign_id, over
    those of `kinds`, whether any has a resolution without a response (`resolved`) and
    whether any has a response (`answered`), 1 or 0: what
    `kpis.care.unrecorded_platforms` needs, for any campaign and platform filter. Reads the
    few rows that can be waiting and the flags from `conversation_days`
    (`_waiting_from_days`), or, where stored times outside the settings' years or
    unreadable ones rule that out, scans the history (one GROUP BY for the flags). No
    filter, so that one read serves every campaign's workspace (filtered in memory by the
    same conditions)."""
    from sqlalchemy import case

    c = TABLES["conversations"]
    settings = get_settings()
    lo = ds.utc_midnight(dt.date(settings.year_min, 1, 1))
    hi = ds.utc_midnight(dt.date(settings.year_max + 1, 1, 1))

    def usable(col: Any) -> Any:  # not null and a timestamp every reader handles
        return and_(col.is_not(None), *_in_years(engine, col, lo, hi))

    history = _dataset_conditions("conversations", None, end, (), ())
    needs = c.kind.in_(list(kinds))
    counted = _waiting_from_days(engine, end, as_of, kinds, lo, hi)
    if counted is not None:
        return counted
    waiting = select_dataset("conversations", None, end).where(
        needs, or_(~usable(c.first_response_at), c.first_response_at > as_of))
    responded = usable(c.first_response_at)
    flags = (
        select(c.platform, c.campaign_id,
               func.max(case((and_(usable(c.resolved_at), ~responded), 1), else_=0))
               .label("resolved"),
               func.max(case((responded, 1), else_=0)).label("answered"))
        .where(needs, *history)
        .group_by(c.platform, c.campaign_id)
    )
    # two scans of the history at once, on two connections (db.read_frames)
    raw, found = db.read_frames(engine, [waiting, flags])
    return normalize(raw, "conversations"), found.select(
        pl.col("platform", "campaign_id").cast(pl.String),
        pl.col("resolved", "answered").cast(pl.Int64))


def _waiting_from_days(
    engine: Engine, end: dt.date, as_of: dt.datetime, kinds: Sequence[str], lo: dt.datetime,
    hi: dt.datetime,
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """`read_waiting_conversations` without reading every conversation, where the stored
    values allow it: no first response or resolution of these kinds lies outside the
    settings' years (four index probes), and `conversation_days` counts no unreadable first
    response up to `end`. Then "not usable" is "null", the flags are the day counts' (a
    platform and campaign with a response, or with a resolution and no response), and the
    waiting rows are those with no first response or one after `as_of`, found by the
    (kind, first_response_at) index. None where not (the caller scans the history)."""
    from sqlalchemy import case, literal

    c = TABLES["conversations"]
    needs = c.kind.in_(list(kinds))

    def outside(cond: Any) -> Any:
        return select(literal(1)).where(needs, cond).limit(1).scalar_subquery()

    probe = select(outside(c.first_response_at < lo), outside(c.first_response_at >= hi),
                   outside(c.resolved_at < lo), outside(c.resolved_at >= hi))
    if any(v is not None for v in db.read_frame(engine, probe).row(0)):
        return None
    d = ConversationDays.__table__.c  # type: ignore[attr-defined]
    settings = get_settings()
    flags = db.read_frame(engine, (
        select(d.platform, d.campaign,
               func.max(case((d.resolved_unanswered > 0, 1), else_=0)).label("resolved"),
               func.max(case((d.responses > 0, 1), else_=0)).label("answered"),
               func.max(case((d.unreadable_responses > 0, 1), else_=0)).label("unreadable"))
        .where(d.kind.in_(list(kinds)), d.date >= dt.date(settings.year_min, 1, 1),
               d.date <= min(end, dt.date(settings.year_max, 12, 31)))
        .group_by(d.platform, d.campaign)))
    if flags.height and flags["unreadable"].cast(pl.Int64).max() > 0:
        return None
    campaign = pl.col("campaign").cast(pl.String)  # (an empty read has no text type)
    found = flags.select(
        pl.col("platform").cast(pl.String),
        campaign_id=pl.when(campaign != "").then(campaign),
        resolved=pl.col("resolved").cast(pl.Int64), answered=pl.col("answered").cast(pl.Int64))
    base = select_dataset("conversations", None, end).where(needs)
    # two index ranges (no response; one after as_of) instead of an OR the planner scans
    waiting = union_all(base.where(c.first_response_at.is_(None)),
                        base.where(c.first_response_at > as_of))
    return normalize(db.read_frame(engine, waiting), "conversations"), found


def _window_conditions(o: Any, first: dt.date, end: dt.date) -> list[Any]:
    return [_sql_condition(o.c[c.column], c) for c in ds.get("orders").conditions(first, end)]


def read_cohort_cells(engine: Engine, grain: sm.Grain, since: int, before: int) -> pl.DataFrame:
    """The stored cohort cells of `grain` with cohort >= since and period < before:
    cohort, period, customers, revenue."""
    c = CohortCell.__table__  # type: ignore[attr-defined]
    df = db.read_frame(engine, select(c.c.cohort, c.c.period, c.c.customers, c.c.revenue)
                       .where(c.c.grain == grain, c.c.cohort >= since, c.c.period < before))
    return df.select(pl.col("cohort", "period").cast(pl.Int32),
                     pl.col("customers").cast(pl.Int64), pl.col("revenue").cast(pl.Float64))


def _with_summary_types(df: pl.DataFrame, *, orders: bool) -> pl.DataFrame:
    """Cast a summary read to UTC timestamps, strings, floats and booleans."""
    if orders:  # the order columns as every read of orders has them (store.normalize)
        cols = [c for c in _ORDER_COLS if c in df.columns]
        df = normalize(df, "orders").select(cols).hstack(df.drop(cols))
    out = df.with_columns(_utc(pl.col(n), df.schema[n]) for n in ("first_ordered_at",))
    casts: list[pl.Expr] = [pl.col("customer_id").cast(pl.String)]
    if orders:
        casts += [pl.col("seq").cast(pl.Int64)]
    else:
        casts += [pl.col("acquisition_channel").cast(pl.String),
                  pl.col("follows_on_social").cast(pl.Boolean),
                  pl.col("first_channel").cast(pl.String),
                  pl.col("first_revenue").cast(pl.Float64)]
    return out.with_columns(casts)
