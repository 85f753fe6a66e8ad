"""secrets: per-database keys (the HMAC key that signs our outgoing Message-IDs, MAIL-11)

Revision ID: 0005
Revises: 0004
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # Created once with the schema; every process of this database signs with it.
    op.bulk_insert(table, [{"name": "message_id", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("secrets")
