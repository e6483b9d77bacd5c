"""orders.previous_ordered_at and orders.previous2_ordered_at: the times of the customer's two orders before each order

The repeat-sales figures of a period counted by the database (`store.read_repeat_figures`)
grouped the period's orders per customer for the distinct, repeat and returning customers:
at scale XL on PostgreSQL 2.3 s of a 2.8 s statement for 28 days (2.85M orders, a hash of
2.5M customer ids), and at scale L slower than the app's own window. With the times of the
customer's previous order and of the one before that on each row, all three are counts of
rows in the same pass as the days (the definitions are in `store.read_repeat_figures`), and
an order appended after a customer's last order changes no earlier row (a next order's
time would have changed the previous last order on every import). The store keeps both
with the places (`models.ORDER_PLACES`) in each import's transaction. Filled here with one
`UPDATE ... FROM` a window over the placed orders (`LAG` per customer in (ordered_at,
order_id) order, the order of `smmkpi.summaries.customer_rows`: byte order of the ids,
hence `COLLATE "C"` on PostgreSQL; SQLite compares text by bytes). Orders without a place
(no customer or no readable time) keep NULL, as do a customer's first order (both) and
second (the one before the previous). Time at scale L: see the hosting docs.

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
    for name in ("previous_ordered_at", "previous2_ordered_at"):
        op.add_column("orders", sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(),
                                          nullable=True))
    order_id = ('order_id COLLATE "C"' if op.get_bind().dialect.name == "postgresql"
                else "order_id")
    window = f"OVER (PARTITION BY customer_id ORDER BY ordered_at, {order_id})"
    op.execute(
        "UPDATE orders SET previous_ordered_at = w.p1, previous2_ordered_at = w.p2 FROM ("
        f"SELECT order_id, LAG(ordered_at) {window} AS p1, LAG(ordered_at, 2) {window} AS p2 "
        "FROM orders WHERE customer_seq IS NOT NULL) w "
        "WHERE w.order_id = orders.order_id AND w.p1 IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("previous2_ordered_at")
        batch_op.drop_column("previous_ordered_at")
