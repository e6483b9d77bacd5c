"""content_sessions: the web sessions with a content value summed per day, content, source

Matching posts to website sessions needs the sessions that carry a UTM content value, per
day, content value and source. It grouped every stored session row on each cold start
(0.5 s for 1.5M rows on SQLite, more at 10M); the store now keeps the sums in this table,
in each web-sessions import's transaction (the days the import touched are summed again).
Filled here from the stored rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "content_sessions",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("content", text, nullable=False),
        sa.Column("source", text, nullable=False),
        sa.Column("sessions", sa.BigInteger(), nullable=True),
        sa.Column("engaged_sessions", sa.BigInteger(), nullable=True),
        sa.Column("conversions", sa.BigInteger(), nullable=True),
        sa.Column("revenue", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("date", "content", "source"),
    )
    op.execute(
        "INSERT INTO content_sessions (date, content, source, sessions, engaged_sessions, "
        "conversions, revenue) SELECT date, content, source, SUM(sessions), "
        "SUM(engaged_sessions), SUM(conversions), SUM(revenue) FROM web_sessions "
        "WHERE content IS NOT NULL AND content <> '' GROUP BY date, content, source")


def downgrade() -> None:
    op.drop_table("content_sessions")
