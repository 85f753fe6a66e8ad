"""attachments (ACT-6, issue 14): content-addressed blobs and each mail's attachments

`attachment_blobs` holds the bytes of an attachment once, keyed by their SHA-256: the
same file in two mails (or on two cases) is stored once. `attachments` lists each mail's
attachments in order with a sanitised file name, type and size; `sha256` is NULL for a
stub (an attachment over `mail.max_attachment_size`, its `note` says why). An
attachment's case is its mail's case, so filing or moving a mail moves its attachments.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("mail_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["mail_id"], ["mails.id"]),
        sa.ForeignKeyConstraint(["sha256"], ["attachment_blobs.sha256"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attachments_mail_id", "attachments", ["mail_id"])
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachments_sha256", table_name="attachments")
    op.drop_index("ix_attachments_mail_id", table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("attachment_blobs")
