"""The activity feed (issue 13): agents.activity_seen_at and a newest-first activities index

`agents.activity_seen_at` is when the agent last left the activity screen (the "since you
last looked" divider). `ix_activities_at_id` serves the feed's keyset pages newest first,
(at, id) descending: a page is an index range scan, never a sort of the activities table.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk_tui.storage.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column and an index, both in place: no copy of either table.
    op.add_column("agents", sa.Column("activity_seen_at", UTCDateTime(), nullable=True))
    op.create_index("ix_activities_at_id", "activities", ["at", "id"])


def downgrade() -> None:
    op.drop_index("ix_activities_at_id", table_name="activities")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("activity_seen_at")
