"""channel_sessions: the web sessions per day, campaign, channel group and platform

The traffic and cost figures (sessions, social share, conversion rates, cost per session,
the channel, funnel and campaign tables) read the period's web-session rows and classified
each by Google's channel rules: at scale XL 571k-641k rows per 28 days, 0.7-1.0 s per read,
three reads on the Overview. Every one of those figures is a sum over the rows grouped by
day, campaign, channel group or platform, so the store now keeps those sums in this table
(`channels.channel_sessions`), in each web-sessions import's transaction (the days the
import touched are summed again). Filled here from the stored rows, a month at a time: read,
classified and summed by the same Polars code the store uses.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import datetime as dt
from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa
import sqlmodel
from alembic import op

from smmkpi.channels import CHANNEL_SESSIONS_SCHEMA, channel_sessions

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DAYS = 31  # days of sessions read and summed at once
_READ = {"date": pl.String, "source": pl.String, "medium": pl.String, "campaign": pl.String,
         "sessions": pl.Float64, "engaged_sessions": pl.Float64, "conversions": pl.Float64,
         "revenue": pl.Float64}
_COUNT_MAX = 10**12  # the bounds of the sessions' counts and revenue (datasets.COUNTS, AMOUNTS)


def _typed(rows: list) -> pl.DataFrame:
    """Stored session rows in the types `channel_sessions` sums, a value a page could not
    read (not a number, negative or beyond the bounds) as empty, as the store's readers
    have it."""
    df = pl.DataFrame([tuple(str(v) if i == 0 else v for i, v in enumerate(r)) for r in rows],
                      schema=list(_READ), orient="row")
    df = df.with_columns(pl.col(c).cast(t, strict=False) for c, t in _READ.items())

    def usable(c: str) -> pl.Expr:
        v = pl.col(c)
        return pl.when(v.is_finite() & (v >= 0) & (v <= _COUNT_MAX)).then(v)

    return df.select(
        pl.col("date").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        pl.col("source"), pl.when(pl.col("medium") != "").then(pl.col("medium")),
        pl.when(pl.col("campaign") != "").then(pl.col("campaign")).alias("campaign"),
        *(usable(c).cast(pl.Int64) for c in ("sessions", "engaged_sessions", "conversions")),
        usable("revenue"),
    ).filter(pl.col("date").is_not_null())


def _write(bind: sa.Connection, sums: pl.DataFrame) -> None:
    rows = sums.with_columns(pl.col("campaign", "platform").fill_null(""))
    cols = list(CHANNEL_SESSIONS_SCHEMA)
    if bind.dialect.name == "postgresql":  # COPY: millions of rows in seconds
        raw = bind.connection.driver_connection
        with raw.cursor() as cur, cur.copy(  # type: ignore[union-attr]
                f"COPY channel_sessions ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows.iter_rows():
                copy.write_row(row)
    else:
        rows = rows.with_columns(pl.col("date").dt.strftime("%Y-%m-%d"))
        bind.execute(sa.text(f"INSERT INTO channel_sessions ({', '.join(cols)}) VALUES "
                             f"({', '.join(':' + c for c in cols)})"), rows.to_dicts())


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "channel_sessions",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("campaign", text, nullable=False),
        sa.Column("channel_group", text, nullable=False),
        sa.Column("platform", text, nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.BigInteger(), nullable=False),
        sa.Column("engaged_sessions", sa.BigInteger(), nullable=True),
        sa.Column("conversions", sa.BigInteger(), nullable=True),
        sa.Column("revenue", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("date", "campaign", "channel_group", "platform", "reported"),
    )
    bind = op.get_bind()
    lo, hi = bind.execute(sa.text("SELECT MIN(date), MAX(date) FROM web_sessions")).one()
    if lo is None or hi is None:
        return
    lo, hi = (dt.date.fromisoformat(str(v)[:10]) for v in (lo, hi))
    day = lo
    while day <= hi:
        last = day + dt.timedelta(days=_DAYS - 1)
        rows = bind.execute(sa.text(
            "SELECT date, source, medium, campaign, sessions, engaged_sessions, conversions, "
            "revenue FROM web_sessions WHERE date >= :lo AND date <= :hi"),
            {"lo": day, "hi": last} if bind.dialect.name == "postgresql"
            else {"lo": day.isoformat(), "hi": last.isoformat()}).all()
        if rows:
            _write(bind, channel_sessions(_typed(rows)))
        day = last + dt.timedelta(days=1)


def downgrade() -> None:
    op.drop_table("channel_sessions")
