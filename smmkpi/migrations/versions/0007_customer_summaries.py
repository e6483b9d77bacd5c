"""customer summaries and cohort cells, and the orders customer index again

`customer_summary` (one row per customer: first and second order, last order, count,
revenue, cohort month and week, and a copy of the customer's acquisition channel and
follower status) and `cohort_cells` (per grain, cohort and period: customers
and revenue) let the retention KPIs and the cohort matrix read the period's orders and
these small tables instead of the whole order history. The store keeps them in each
import's transaction; an import re-reads the orders of the customers it touched, which is
what the customer index on orders (dropped in 0003) is for again. The summary's indexes on
the first and last order time let a period's read take only the customers it can concern.

The tables start empty; the first engine use after this migration fills them from the
stored orders (`store.ensure_summaries`, the same as `python -m smmkpi rebuild-summaries`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    ts = sqlmodel.sql.sqltypes.UTCDateTime()
    op.create_table(
        "customer_summary",
        sa.Column("customer_id", text, nullable=False),
        sa.Column("first_order_id", text, nullable=False),
        sa.Column("first_ordered_at", ts, nullable=False),
        sa.Column("first_channel", text, nullable=True),
        sa.Column("first_revenue", sa.Float(), nullable=True),
        sa.Column("second_order_id", text, nullable=True),
        sa.Column("second_ordered_at", ts, nullable=True),
        sa.Column("last_ordered_at", ts, nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("revenue", sa.Float(), nullable=True),
        sa.Column("cohort_month", sa.Integer(), nullable=False),
        sa.Column("cohort_week", sa.Integer(), nullable=False),
        sa.Column("acquisition_channel", text, nullable=True),
        sa.Column("follows_on_social", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    with op.batch_alter_table("customer_summary", schema=None) as batch_op:
        batch_op.create_index("ix_customer_summary_first_ordered_at", ["first_ordered_at"],
                              unique=False)
        batch_op.create_index("ix_customer_summary_last_ordered_at", ["last_ordered_at"],
                              unique=False)
    op.create_table(
        "cohort_cells",
        sa.Column("grain", text, nullable=False),
        sa.Column("cohort", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("customers", sa.BigInteger(), nullable=False),
        sa.Column("revenue", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("grain", "cohort", "period"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_customer_id", ["customer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_customer_id")
    op.drop_table("cohort_cells")
    with op.batch_alter_table("customer_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_summary_last_ordered_at")
        batch_op.drop_index("ix_customer_summary_first_ordered_at")
    op.drop_table("customer_summary")
