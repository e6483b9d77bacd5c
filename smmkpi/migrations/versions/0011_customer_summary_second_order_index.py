"""customer_summary: an index on the second order's time

The repeat-sales KPIs of a period are now counted by the database (the period's orders
with their summaries, grouped per customer) instead of from a window of orders read into
memory; the median days to the second order reads the customers whose second order is in
the period, which this index finds without scanning every summary.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer_summary", schema=None) as batch_op:
        batch_op.create_index("ix_customer_summary_second_ordered_at", ["second_ordered_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_summary", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_summary_second_ordered_at")
