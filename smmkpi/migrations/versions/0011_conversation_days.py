"""conversation_days, and indexes of conversations by kind and response and resolution time

Which platforms record no response times, and which conversations are waiting, was found by
reading every conversation up to the period's end: two scans, 1.4 s and 0.6 s for 1M
conversations on SQLite, on every cold start of a page that shows *Unanswered now*. The
store now keeps the conversations counted per day, platform, campaign and kind (with a
response, with an unreadable response, resolved without a response) in this table, in each
conversations import's transaction, and the waiting rows are found by the new index on
(kind, first_response_at). Filled here from the stored rows.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIMESTAMP = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString()
    op.create_table(
        "conversation_days",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("platform", text, nullable=False),
        sa.Column("campaign", text, nullable=False),
        sa.Column("kind", text, nullable=False),
        sa.Column("conversations", sa.BigInteger(), nullable=False),
        sa.Column("responses", sa.BigInteger(), nullable=False),
        sa.Column("unreadable_responses", sa.BigInteger(), nullable=False),
        sa.Column("resolved_unanswered", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("date", "platform", "campaign", "kind"),
    )
    op.create_index("ix_conversations_kind_first_response_at", "conversations",
                    ["kind", "first_response_at"])
    op.create_index("ix_conversations_kind_resolved_at", "conversations",
                    ["kind", "resolved_at"])
    sqlite = op.get_bind().dialect.name == "sqlite"

    def readable(col: str) -> str:  # as smmkpi.store._readable
        return (f"({col} IS NOT NULL AND glob('{_TIMESTAMP}', {col}))" if sqlite
                else f"({col} IS NOT NULL)")

    day = "substr(opened_at, 1, 10)" if sqlite else "CAST(opened_at AS DATE)"
    responded = readable("first_response_at")
    op.execute(
        "INSERT INTO conversation_days (date, platform, campaign, kind, conversations, "
        "responses, unreadable_responses, resolved_unanswered) "
        f"SELECT {day}, platform, COALESCE(campaign_id, ''), kind, COUNT(*), "
        f"SUM(CASE WHEN {responded} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN first_response_at IS NOT NULL AND NOT {responded} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {readable('resolved_at')} AND NOT {responded} THEN 1 ELSE 0 END) "
        f"FROM conversations WHERE {readable('opened_at')} "
        f"GROUP BY {day}, platform, COALESCE(campaign_id, ''), kind")


def downgrade() -> None:
    op.drop_index("ix_conversations_kind_resolved_at", "conversations")
    op.drop_index("ix_conversations_kind_first_response_at", "conversations")
    op.drop_table("conversation_days")
