"""annotations, alert rules and deliveries, digest subscriptions and sends, scheduler locks

`annotations` is a dataset (imported like the others, with the audit log). The alert and
digest tables are written by `python -m smmkpi alerts run` / `digests run` (smmkpi.notify):
an event or a digest period is recorded once (unique keys), each delivery keeps its status
and attempts so a failed one is retried and shown on the Alerts page; `scheduler_locks`
holds the lease that keeps several instances from sending at once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    ts = sqlmodel.sql.sqltypes.UTCDateTime()
    op.create_table(
        "annotations",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("title", text, nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("campaign_id", text, nullable=True),
        sa.Column("platform", text, nullable=True),
        sa.Column("note", text, nullable=True),
        sa.PrimaryKeyConstraint("date", "title"),
    )
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", text, nullable=False),
        sa.Column("kind", text, nullable=False),
        sa.Column("params", text, nullable=False),
        sa.Column("emails", text, nullable=False),
        sa.Column("webhook_url", text, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_by", text, nullable=False),
        sa.Column("updated_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", text, nullable=False),
        sa.Column("fired_at", ts, nullable=False),
        sa.Column("subject", text, nullable=False),
        sa.Column("body", text, nullable=False),
        sa.Column("figure", text, nullable=False),
        sa.Column("threshold", text, nullable=False),
        sa.Column("link", text, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rule_id", "occurrence", name="uq_alert_events"),
    )
    op.create_index("ix_alert_events_rule_id", "alert_events", ["rule_id"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("channel", text, nullable=False),
        sa.Column("recipient", text, nullable=False),
        sa.Column("status", text, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", text, nullable=True),
        sa.Column("last_attempt_at", ts, nullable=True),
        sa.Column("sent_at", ts, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "channel", "recipient", name="uq_alert_deliveries"),
    )
    op.create_index("ix_alert_deliveries_event_id", "alert_deliveries", ["event_id"])
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", text, nullable=False),
        sa.Column("emails", text, nullable=False),
        sa.Column("page", text, nullable=False),
        sa.Column("campaigns", text, nullable=False),
        sa.Column("platforms", text, nullable=False),
        sa.Column("frequency", text, nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_by", text, nullable=False),
        sa.Column("updated_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "digest_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", text, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", text, nullable=True),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("sent_at", ts, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "period_start", "period_end",
                            name="uq_digest_sends"),
    )
    op.create_index("ix_digest_sends_subscription_id", "digest_sends", ["subscription_id"])
    op.create_table(
        "scheduler_locks",
        sa.Column("name", text, nullable=False),
        sa.Column("holder", text, nullable=False),
        sa.Column("expires_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_locks")
    op.drop_index("ix_digest_sends_subscription_id", table_name="digest_sends")
    op.drop_table("digest_sends")
    op.drop_table("digest_subscriptions")
    op.drop_index("ix_alert_deliveries_event_id", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("ix_alert_events_rule_id", table_name="alert_events")
    op.drop_table("alert_events")
    op.drop_table("alert_rules")
    op.drop_table("annotations")
