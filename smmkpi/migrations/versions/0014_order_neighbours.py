"""orders.previous_ordered_at and orders.next_ordered_at: the times of each order's neighbours in its customer's history

The repeat-sales figures of a period counted by the database (`store.read_repeat_figures`)
grouped the period's orders per customer for the distinct, repeat and returning customers:
at scale XL on PostgreSQL 2.3 s of a 2.8 s statement for 28 days (2.85M orders, a hash of
2.5M customer ids), and at scale L slower than the app's own window. With the time of the
customer's order before and after each order on its row, the customer's first order in the
period is the one whose previous order is before the period, and whether they repeat or
return is a test on that row: counts in the same pass as the days. The store keeps both
with the places (`models.ORDER_PLACES`) in each import's transaction. Filled here with one
`UPDATE ... FROM` a window over the placed orders (`LAG`/`LEAD` per customer in
(ordered_at, order_id) order, the order of `smmkpi.summaries.customer_rows`: byte order of
the ids, hence `COLLATE "C"` on PostgreSQL; SQLite compares text by bytes). Orders without
a place (no customer or no readable time) keep NULL; the first and last order of a
customer have no previous or next one. Time at scale L and XL: see the scaling docs.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (nullable, no default): no table rebuild on SQLite, a catalogue
    # change only on PostgreSQL
    for name in ("previous_ordered_at", "next_ordered_at"):
        op.add_column("orders", sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(),
                                          nullable=True))
    order_id = ('order_id COLLATE "C"' if op.get_bind().dialect.name == "postgresql"
                else "order_id")
    window = f"OVER (PARTITION BY customer_id ORDER BY ordered_at, {order_id})"
    op.execute(
        "UPDATE orders SET previous_ordered_at = w.prev, next_ordered_at = w.nxt FROM ("
        f"SELECT order_id, LAG(ordered_at) {window} AS prev, LEAD(ordered_at) {window} AS nxt "
        "FROM orders WHERE customer_seq IS NOT NULL) w "
        "WHERE w.order_id = orders.order_id AND (w.prev IS NOT NULL OR w.nxt IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("next_ordered_at")
        batch_op.drop_column("previous_ordered_at")
