"""notifications (DATE-4, issue 13): kind, actor, a dedupe key, unread index; scheduler state

Every notification names one agent (a group's notification is fanned out to its members
when it is made, so each member reads it on their own). `kind` is free text (room for
later kinds without a schema change), `actor_id` who caused it, and `dedupe_key` is unique:
a time-based notification is written with insert-or-ignore under the key
(kind, case, date, agent), so it fires exactly once across processes and restarts.
`ix_notifications_agent_unread` serves the unread count and the newest-first list.
`scheduler_state` remembers how far the scheduler has looked (a day and an instant).

Revision ID: 0008
Revises: 0007
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk_tui.storage.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Columns added in place (no copy of the table); the old MAIL-6 notes become
    # `closed_activity` notifications with a key of their own.
    op.add_column(
        "notifications",
        sa.Column("kind", sa.String(length=32), nullable=False, server_default="closed_activity"),
    )
    op.add_column("notifications", sa.Column("actor_id", sa.Uuid(), nullable=True))
    op.add_column("notifications", sa.Column("dedupe_key", sa.String(length=200), nullable=True))
    op.execute("UPDATE notifications SET dedupe_key = 'legacy:' || CAST(id AS VARCHAR(36))")
    _fan_out_group_notes()
    # The agent's index is the first column of the unread one; nothing reads by group.
    op.drop_index("ix_notifications_agent_id", table_name="notifications")
    op.drop_index("ix_notifications_group_id", table_name="notifications")
    op.create_index("ix_notifications_dedupe_key", "notifications", ["dedupe_key"], unique=True)
    op.create_index("ix_notifications_agent_unread", "notifications", ["agent_id", "read", "at"])
    op.create_index("ix_notifications_case_id", "notifications", ["case_id"])
    op.create_table(
        "scheduler_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def _fan_out_group_notes() -> None:
    """A note left for a group (before 0008) becomes one per member, then goes."""
    bind = op.get_bind()
    notes = sa.table(
        "notifications",
        sa.column("id", sa.Uuid()),
        sa.column("at", UTCDateTime()),
        sa.column("agent_id", sa.Uuid()),
        sa.column("group_id", sa.Uuid()),
        sa.column("case_id", sa.Uuid()),
        sa.column("text", sa.Text()),
        sa.column("read", sa.Boolean()),
        sa.column("kind", sa.String()),
        sa.column("dedupe_key", sa.String()),
    )
    members = sa.table(
        "group_members", sa.column("group_id", sa.Uuid()), sa.column("agent_id", sa.Uuid())
    )
    group_notes = bind.execute(
        sa.select(notes).where(notes.c.agent_id.is_(None), notes.c.group_id.is_not(None))
    ).all()
    for note in group_notes:
        agents = bind.execute(
            sa.select(members.c.agent_id).where(members.c.group_id == note.group_id)
        ).scalars()
        rows = [
            {
                "id": uuid.uuid4(),
                "at": note.at,
                "agent_id": agent_id,
                "group_id": note.group_id,
                "case_id": note.case_id,
                "text": note.text,
                "read": note.read,
                "kind": note.kind,
                "dedupe_key": f"legacy:{note.id}:{agent_id.hex}",
            }
            for agent_id in agents
        ]
        if rows:
            bind.execute(sa.insert(notes), rows)
        bind.execute(sa.delete(notes).where(notes.c.id == note.id))


def downgrade() -> None:
    op.drop_table("scheduler_state")
    op.drop_index("ix_notifications_case_id", table_name="notifications")
    op.drop_index("ix_notifications_agent_unread", table_name="notifications")
    op.drop_index("ix_notifications_dedupe_key", table_name="notifications")
    op.create_index("ix_notifications_agent_id", "notifications", ["agent_id"])
    op.create_index("ix_notifications_group_id", "notifications", ["group_id"])
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("dedupe_key")
        batch.drop_column("actor_id")
        batch.drop_column("kind")
