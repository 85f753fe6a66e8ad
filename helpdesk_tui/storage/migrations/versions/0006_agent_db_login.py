"""agents.db_login: the database login an agent signs in with on a shared database (TEAM-4)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column and a unique index, both in place: no copy of the agents table.
    op.add_column("agents", sa.Column("db_login", sa.String(length=64), nullable=True))
    op.create_index("ix_agents_db_login", "agents", ["db_login"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_agents_db_login", table_name="agents")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("db_login")
