"""posts, and the UTM content of web sessions

A `posts` table (one row per platform and post, lifetime metrics), and `web_sessions`
gains `content` (UTM content, GA4's Session manual ad content) as part of its key, so that
sessions can be matched to the posts whose links carry that content value. Existing rows
get '' (no content), the stored form of an empty optional key, which stays the column's
default so that rows written without it are rows without content.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import warnings
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = ["date", "source", "medium", "campaign"]


def _pk_name(table: str) -> str | None:
    """The primary key constraint's name as the database has it (PostgreSQL names the
    unnamed one `<table>_pkey`; SQLite has none)."""
    return sa.inspect(op.get_bind()).get_pk_constraint(table).get("name")


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "posts",
        sa.Column("platform", text, nullable=False),
        sa.Column("post_id", text, nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("format", text, nullable=True),
        sa.Column("title", text, nullable=True),
        sa.Column("url", text, nullable=True),
        sa.Column("campaign_id", text, nullable=True),
        sa.Column("utm_content", text, nullable=True),
        sa.Column("is_promo", sa.Boolean(), nullable=True),
        *(sa.Column(c, sa.BigInteger(), nullable=True) for c in (
            "impressions", "reach", "engagements", "likes", "comments", "shares", "saves",
            "link_clicks", "video_views")),
        sa.PrimaryKeyConstraint("platform", "post_id"),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_published_at", ["published_at"], unique=False)

    old_pk = _pk_name("web_sessions")
    with warnings.catch_warnings():
        # SQLite's copy of the table reflects the old key on its columns; the new key
        # replaces it, which SQLAlchemy says in a warning
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        with op.batch_alter_table("web_sessions", schema=None, recreate="always") as batch_op:
            batch_op.add_column(sa.Column("content", text, nullable=False, server_default=""))
            if old_pk:
                batch_op.drop_constraint(old_pk, type_="primary")
            batch_op.create_primary_key("web_sessions_pkey", [*_KEY, "content"])


def downgrade() -> None:
    # rows that differ only by content would collide in the old key: sum them first
    op.execute(
        "CREATE TABLE web_sessions_old AS SELECT date, source, medium, campaign, "
        "SUM(sessions) AS sessions, SUM(engaged_sessions) AS engaged_sessions, "
        "SUM(conversions) AS conversions, SUM(revenue) AS revenue FROM web_sessions "
        "GROUP BY date, source, medium, campaign"
    )
    op.execute("DELETE FROM web_sessions")
    pk = _pk_name("web_sessions")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        with op.batch_alter_table("web_sessions", schema=None, recreate="always") as batch_op:
            if pk:
                batch_op.drop_constraint(pk, type_="primary")
            batch_op.drop_column("content")
            batch_op.create_primary_key("web_sessions_pkey", _KEY)
    op.execute(
        "INSERT INTO web_sessions (date, source, medium, campaign, sessions, "
        "engaged_sessions, conversions, revenue) SELECT date, source, medium, campaign, "
        "sessions, engaged_sessions, conversions, revenue FROM web_sessions_old"
    )
    op.execute("DROP TABLE web_sessions_old")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_published_at")
    op.drop_table("posts")
