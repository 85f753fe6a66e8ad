"""mail store: mails, raw bytes, folder sync state, seen UIDs, notifications

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk_tui.storage.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "folder_state",
        sa.Column("mailbox", sa.String(length=64), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("highestmodseq", sa.BigInteger(), nullable=True),
        sa.Column("synced_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("mailbox", "folder"),
    )
    op.create_table(
        "mails",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("mailbox", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("from_email", sa.String(length=320), nullable=False),
        sa.Column("from_name", sa.String(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("references", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("quote_start", sa.Integer(), nullable=True),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("defects", sa.Text(), nullable=False),
        sa.Column("noise", sa.String(length=16), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filed_by", sa.String(length=16), nullable=False),
        sa.Column("filed_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_mails_case_id", "mails", ["case_id"])
    op.create_index("ix_mails_from_email", "mails", ["from_email"])
    op.create_index("ix_mails_message_id", "mails", ["message_id"])
    op.create_index(
        "ix_mails_unfiled",
        "mails",
        ["received_at"],
        sqlite_where=sa.text("case_id IS NULL"),
        postgresql_where=sa.text("case_id IS NULL"),
    )
    op.create_table(
        "mail_raw",
        sa.Column("mail_id", sa.Uuid(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["mail_id"], ["mails.id"]),
        sa.PrimaryKeyConstraint("mail_id"),
    )
    op.create_table(
        "mail_seen",
        sa.Column("mailbox", sa.String(length=64), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("mail_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["mail_id"], ["mails.id"]),
        sa.PrimaryKeyConstraint("mailbox", "folder", "uidvalidity", "uid"),
    )
    op.create_index("ix_mail_seen_mail_id", "mail_seen", ["mail_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notifications_agent_id", "notifications", ["agent_id"])
    op.create_index("ix_notifications_group_id", "notifications", ["group_id"])
    # In place (no batch copy): SQLite adds a nullable column without rewriting the table.
    op.add_column("activities", sa.Column("mail_id", sa.Uuid(), nullable=True))
    op.create_index("ix_activities_mail_id", "activities", ["mail_id"])


def downgrade() -> None:
    op.drop_index("ix_activities_mail_id", table_name="activities")
    with op.batch_alter_table("activities") as batch_op:
        batch_op.drop_column("mail_id")
    op.drop_table("notifications")
    op.drop_table("mail_seen")
    op.drop_table("mail_raw")
    op.drop_table("mails")
    op.drop_table("folder_state")
