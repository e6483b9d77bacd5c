"""orders.customer_seq and orders.first_ordered_at: each order's place in its customer's history

The pages' window of orders (a period's months, `store.read_order_window`) was read joined
with `customer_summary`, for each order's place (first-ever, second, later) and its
customer's first order time: at scale L 0.8 s on PostgreSQL and 0.3-0.7 s on SQLite for two
months (612k orders), against 0.15 and 0.11 s for the same range of `orders` alone. The
store now keeps both on the order rows, in each import's transaction (for the orders of
the customers the import touched, as the summaries). Filled here from the stored
summaries: one `UPDATE ... FROM` join on `customer_id` (at scale L, 5M orders: see the
scaling docs). Orders without a customer or a time keep NULL, as they have no summary.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (nullable, no default): no table rebuild on SQLite, a catalogue
    # change only on PostgreSQL
    op.add_column("orders", sa.Column("customer_seq", sa.SmallInteger(), nullable=True))
    op.add_column("orders", sa.Column("first_ordered_at", sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
    # as smmkpi.summaries.with_places: 0 for the summary's first order, 1 for its second,
    # 2 for any other order of the customer with a (readable) time
    readable = ("glob('[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*', orders.ordered_at)"
                if op.get_bind().dialect.name == "sqlite" else "orders.ordered_at IS NOT NULL")
    op.execute(
        "UPDATE orders SET customer_seq = CASE WHEN orders.order_id = s.first_order_id "
        "THEN 0 WHEN orders.order_id = s.second_order_id THEN 1 ELSE 2 END, "
        "first_ordered_at = s.first_ordered_at FROM customer_summary s "
        f"WHERE s.customer_id = orders.customer_id AND {readable}")


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("first_ordered_at")
        batch_op.drop_column("customer_seq")
