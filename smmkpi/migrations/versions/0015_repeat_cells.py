"""repeat_days and repeat_pairs: what the repeat-sales figures of any period count

The repeat-sales figures of a period were counted from the period's orders (migration
0014): one pass over them, so their time grew with the orders (a quarter of scale XL,
9M orders, 2.4-3.6 s on PostgreSQL; on SQLite slower than reading the window). Every count
they need is a count of orders whose day lies in the period and whose previous order's
day (or the one before's, or for a second order the first order's) is on or after the
period's start, so the store keeps those counts per day and pair of days: at most one row
per day and kind for `repeat_days`, and per pair of days and kind for `repeat_pairs`,
whatever the number of orders (docs/kpis.md, docs/scaling.md). Kept in each orders
import's transaction by the difference the import makes to its touched customers' orders;
filled here from the stored orders and their places (one `GROUP BY` per table). The
revenue counts where it is usable, as the readers have it: between 0 and 10^12 (the
orders' revenue bounds). Time at scale L and XL: see the hosting docs.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "repeat_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("first_orders", sa.BigInteger(), nullable=False),
        sa.Column("second_orders", sa.BigInteger(), nullable=False),
        sa.Column("channel_orders", sa.BigInteger(), nullable=False),
        sa.Column("revenue", sa.Float(), nullable=True),
        sa.Column("returning_revenue", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "repeat_pairs",
        sa.Column("kind", text, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "day", "since"),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"

    def day(col: str) -> str:  # the UTC date of a stored timestamp, as store._utc_day
        return f"substr({col}, 1, 10)" if sqlite else f"CAST(timezone('UTC', {col}) AS DATE)"

    revenue = "CASE WHEN revenue >= 0 AND revenue <= 1e12 THEN revenue END"
    placed = "customer_seq IS NOT NULL"
    op.execute(
        "INSERT INTO repeat_days (day, orders, first_orders, second_orders, channel_orders, "
        f"revenue, returning_revenue) SELECT {day('ordered_at')}, COUNT(*), "
        "SUM(CASE WHEN customer_seq = 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN customer_seq = 1 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN channel IS NOT NULL THEN 1 ELSE 0 END), "
        f"COALESCE(SUM({revenue}), 0), "
        f"COALESCE(SUM(CASE WHEN customer_seq >= 1 THEN {revenue} END), 0) "
        f"FROM orders WHERE {placed} GROUP BY {day('ordered_at')}")
    for kind, col, where in (("previous", "previous_ordered_at", ""),
                             ("previous2", "previous2_ordered_at", ""),
                             ("first", "first_ordered_at", " AND customer_seq = 1")):
        op.execute(
            f"INSERT INTO repeat_pairs (kind, day, since, orders) SELECT '{kind}', "
            f"{day('ordered_at')}, {day(col)}, COUNT(*) FROM orders "
            f"WHERE {placed} AND {col} IS NOT NULL{where} "
            f"GROUP BY {day('ordered_at')}, {day(col)}")


def downgrade() -> None:
    op.drop_table("repeat_pairs")
    op.drop_table("repeat_days")
