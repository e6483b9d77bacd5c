"""posts.content_key: each post's content value as compared with the sessions'

Matching posts to the web sessions they brought (`kpis.content.attribution`) read every
stored post to find each one's content value (10M posts at scale XL: 9.8 s and several GB
on every cold start). The store now keeps the value, as compared (`channels.
post_content_key`: the `utm_content`, else the one in the post's link or text, stripped
and lower-cased), on the post's row, and two indexes on it (with the platform and the
publish time, and with the publish time) find the first posts of a value; the matching then reads the period's posts and a few others.

Filled here from the stored posts: read in pages of publish time, each post's key computed
by the same Polars expression the store uses, the non-null ones staged and written with one
`UPDATE ... FROM` join on the key (posts without a content value keep NULL).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa
from alembic import op

from smmkpi.channels import post_content_key

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STAGE = "smmkpi_post_keys"
_PAGE = 200_000  # posts computed and staged at once


def _stage(bind: sa.Connection, rows: pl.DataFrame) -> None:
    if not rows.height:
        return
    if bind.dialect.name == "postgresql":  # COPY: 10M posts in seconds, not minutes
        raw = bind.connection.driver_connection
        with raw.cursor() as cur, cur.copy(  # type: ignore[union-attr]
                f"COPY {_STAGE} (platform, post_id, content_key) FROM STDIN") as copy:
            for row in rows.iter_rows():
                copy.write_row(row)
    else:
        bind.execute(sa.text(f"INSERT INTO {_STAGE} VALUES (:p, :i, :k)"),
                     [{"p": p, "i": i, "k": k} for p, i, k in rows.iter_rows()])


def upgrade() -> None:
    # plain ADD COLUMN (nullable, no default): no table rebuild on SQLite, a catalogue
    # change only on PostgreSQL
    op.add_column("posts", sa.Column("content_key", sa.String(), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text(f"CREATE TEMPORARY TABLE {_STAGE} (platform TEXT, post_id TEXT, "
                         "content_key TEXT)"))
    # a post's key is a function of its row alone: read the columns it needs, a page of
    # rows at a time (by key order, so that memory stays one page whatever the table's size)
    last: tuple[str, str] | None = None
    while True:
        # a row-value comparison: both databases range-scan the primary key with it
        after = "" if last is None else "WHERE (platform, post_id) > (:p, :i) "
        page = bind.execute(
            sa.text("SELECT platform, post_id, utm_content, url, title FROM posts "
                    f"{after}ORDER BY platform, post_id LIMIT {_PAGE}"),
            {} if last is None else {"p": last[0], "i": last[1]}).all()
        if not page:
            break
        last = (page[-1][0], page[-1][1])
        df = pl.DataFrame(page, schema={"platform": pl.String, "post_id": pl.String,
                                         "utm_content": pl.String, "url": pl.String,
                                         "title": pl.String}, orient="row")
        _stage(bind, df.select("platform", "post_id", post_content_key())
               .filter(pl.col("content_key").is_not_null()))
    bind.execute(sa.text(f"CREATE INDEX {_STAGE}_key ON {_STAGE} (platform, post_id)"))
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(f"ANALYZE {_STAGE}"))
    bind.execute(sa.text(
        f"UPDATE posts SET content_key = k.content_key FROM {_STAGE} k "
        "WHERE k.platform = posts.platform AND k.post_id = posts.post_id"))
    bind.execute(sa.text(f"DROP TABLE {_STAGE}"))
    op.create_index("ix_posts_content_key", "posts", ["content_key", "platform", "published_at"])
    op.create_index("ix_posts_content_key_published_at", "posts",
                    ["content_key", "published_at"])


def downgrade() -> None:
    op.drop_index("ix_posts_content_key_published_at", table_name="posts")
    op.drop_index("ix_posts_content_key", table_name="posts")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("content_key")
