"""Per-day counters and the close instant for the dashboard and reports (issue 15 §5/§6)

- `stats_daily` (day, group_key, metric) → value: counters kept in the transaction of
  each change (services/stats.py);
- `cases.closed_at`, in place: when the case was last closed (NULL while open),
  backfilled from the newest `closed` entry of each closed case;
- `ix_cases_open_user_stats` / `ix_cases_open_group_stats`: a group's counts (waiting,
  SLA) and the load per agent by priority read covering ranges per delegate;
- `ix_cases_closed_at` (closed_at, created_at) and `ix_cases_first_response_at`
  (sla_first_response_at, created_at): the medians of a period read an index range;
- the counters are rebuilt from the history that exists (timelines, ratings, the SLA
  columns of closed cases), days in the machine's time zone.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk_tui.storage.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: As storage/tables.py declares it (NOT_CLOSED).
_NOT_CLOSED = "status != 'closed'"
#: The dashboard's counts and load of a group's cases, covering, per delegate.
_STATS_INDEXES = (
    (
        "ix_cases_open_user_stats",
        ("delegated_user_id", "status", "priority", "sla_rank", "sla_risk_at"),
    ),
    ("ix_cases_open_group_stats", ("delegated_group_id", "status", "sla_rank", "sla_risk_at")),
)


def upgrade() -> None:
    op.create_table(
        "stats_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=120), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "group_key", "metric"),
    )
    op.add_column("cases", sa.Column("closed_at", UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE cases SET closed_at = (SELECT max(a.at) FROM activities a"
        " WHERE a.case_id = cases.id AND a.kind = 'closed') WHERE status = 'closed'"
    )
    op.create_index("ix_cases_closed_at", "cases", ["closed_at", "created_at"])
    op.create_index("ix_cases_first_response_at", "cases", ["sla_first_response_at", "created_at"])
    for name, columns in _STATS_INDEXES:
        op.create_index(
            name,
            "cases",
            [*columns, "number", "sub_number"],
            sqlite_where=sa.text(_NOT_CLOSED),
            postgresql_where=sa.text(_NOT_CLOSED),
        )
    from helpdesk_tui.storage.stats import machine_zone, rebuild

    rebuild(op.get_bind(), machine_zone())


def downgrade() -> None:
    for name, _ in reversed(_STATS_INDEXES):
        op.drop_index(name, table_name="cases")
    op.drop_index("ix_cases_first_response_at", table_name="cases")
    op.drop_index("ix_cases_closed_at", table_name="cases")
    # In place, as 0012 does: a copy of `cases` would trip over the full-text triggers.
    op.execute('ALTER TABLE cases DROP COLUMN "closed_at"')
    op.drop_table("stats_daily")
