"""social_daily: followers gained, page views and unique visitors of the account's page

Three optional counts at the end of `social_daily`, for LinkedIn's Page exports (issue 18):
`new_followers` (the followers gained that day: the followers export's Total followers,
which is not the end-of-day count `followers` holds), `page_views` and `unique_visitors`
(the visitors export's Total page views and Total unique visitors). Stored rows get NULL
(not reported), never 0, and no default: a row written without them has none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("new_followers", "page_views", "unique_visitors")


def upgrade() -> None:
    # SQLite adds a nullable column in place (ALTER TABLE ADD COLUMN): no table copy
    with op.batch_alter_table("social_daily", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(sa.Column(name, sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("social_daily", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
