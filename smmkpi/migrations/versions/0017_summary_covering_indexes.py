"""The customer summaries' time indexes carry the attributes (PostgreSQL)

The Retention page's counts on PostgreSQL (`store.read_repeat_split`) join the period's
orders with the summaries of the customers whose last order is in its range or later, and
count the cohorts' customers per attribute from the summaries whose first order is in the
cohorts' months. Both read the summary rows found by the last- or first-order index: at
scale XL 2.75M and 2.4M rows scattered over a 2.3 GB table, a sequential scan of all of it
each time (1.4-1.5 s, and the join's sort then spilled). With the columns those reads need
in the index (`INCLUDE`), both are index-only scans: the cohort sizes 1.36 s -> 0.30-0.40 s,
the split's join 5.8 s -> 3.9 s (EXPLAIN ANALYZE, docs/benchmarks.md). SQLite has no
`INCLUDE` and counts the splits from the window: its indexes stay as they are.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_customer_summary_first_ordered_at": ("first_ordered_at",
                                             ["acquisition_channel", "follows_on_social"]),
    "ix_customer_summary_last_ordered_at": ("last_ordered_at",
                                            ["customer_id", "acquisition_channel",
                                             "follows_on_social"]),
}


def _recreate(include: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (column, extra) in _INDEXES.items():
        op.drop_index(name, table_name="customer_summary")
        op.create_index(name, "customer_summary", [column],
                        postgresql_include=extra if include else [])


def upgrade() -> None:
    _recreate(include=True)


def downgrade() -> None:
    _recreate(include=False)
