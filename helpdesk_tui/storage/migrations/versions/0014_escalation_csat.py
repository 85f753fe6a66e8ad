"""SLA escalation levels and the customer's satisfaction rating on cases (DATE-3, seed 002
§5, issue 15)

`cases` gains, in place:
- `sla_escalation_at`: when the next escalation level not yet fired is reached (NULL: none
  is pending), maintained with the SLA state; the scheduler finds due levels through the
  partial index `ix_cases_open_sla_escalation` instead of scanning;
- `sla_escalated`: the keys of the levels fired on the case (JSON list), so each fires
  once per case and clock;
- `csat_rating` (1–5) and `csat_at`: the customer's rating after closing, and when.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk_tui.storage.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: As storage/tables.py declares it (NOT_CLOSED).
_NOT_CLOSED = "status != 'closed'"


def upgrade() -> None:
    op.add_column("cases", sa.Column("sla_escalation_at", UTCDateTime(), nullable=True))
    op.add_column("cases", sa.Column("sla_escalated", sa.Text(), nullable=True))
    op.add_column("cases", sa.Column("csat_rating", sa.SmallInteger(), nullable=True))
    op.add_column("cases", sa.Column("csat_at", UTCDateTime(), nullable=True))
    op.create_index(
        "ix_cases_open_sla_escalation",
        "cases",
        ["sla_escalation_at", "number", "sub_number"],
        sqlite_where=sa.text(_NOT_CLOSED),
        postgresql_where=sa.text(_NOT_CLOSED),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_open_sla_escalation", table_name="cases")
    for name in ("csat_at", "csat_rating", "sla_escalated", "sla_escalation_at"):
        # In place, as 0012 does: a copy of `cases` would trip over the full-text triggers.
        op.execute(f'ALTER TABLE cases DROP COLUMN "{name}"')
