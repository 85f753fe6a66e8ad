"""notification mail (DATE-4, issue 13): agents' mail choice, mailed marks, outbox without a case

`agents.notify_email` is the agent's own choice of notification mail ("off", "each",
"digest"; NULL: the configured default). `notifications.mailed_at` marks a notification
that went out by mail (or into a digest), so it is mailed exactly once. A notification
mail is about the agent, not a case's customer: its outbox row has no case, so
`outbox.case_id` becomes nullable.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk_tui.storage.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("notify_email", sa.String(length=8), nullable=True))
    op.add_column("notifications", sa.Column("mailed_at", UTCDateTime(), nullable=True))
    # SQLite cannot drop NOT NULL in place: the outbox is copied (it holds only the
    # delivery state of outgoing mail, small next to the mails themselves).
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("case_id", existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE case_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("case_id", existing_type=sa.Uuid(), nullable=False)
    # In place (SQLite 3.35+ and PostgreSQL): a copy of `agents` would trip the foreign
    # keys that point at it.
    op.execute("ALTER TABLE notifications DROP COLUMN mailed_at")
    op.execute("ALTER TABLE agents DROP COLUMN notify_email")
