"""full-text search (SQLite FTS5), running timers, last-activity index

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk_tui.storage.search import FTS_REBUILD, FTS_TABLE, FTS_TRIGGER_NAMES, FTS_TRIGGERS
from helpdesk_tui.storage.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "timers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("beat_at", UTCDateTime(), nullable=False),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agent_id", "case_id", name="uq_timers_agent_case"),
    )
    op.create_index("ix_timers_case_id", "timers", ["case_id"])
    op.create_index("ix_cases_updated", "cases", ["updated_at", "number", "sub_number"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FTS_TABLE)
        for statement in (*FTS_REBUILD, *FTS_TRIGGERS):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in FTS_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS case_search")
    op.drop_index("ix_cases_updated", table_name="cases")
    op.drop_index("ix_timers_case_id", table_name="timers")
    op.drop_table("timers")
