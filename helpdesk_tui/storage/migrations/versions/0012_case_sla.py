"""SLA state per case (DATE-3, issue 15): the policy, the domain's clocks as JSON, the due
and breach instants, the pause, and the partial indexes of sort by SLA and the "SLA at
risk" / "SLA breached" views

`cases` gains its columns in place (no copy of a large table); every column is NULL for
the cases that exist (no SLA until a change under a configured policy), and `sla_rank`
(sort by SLA) has the "no running clock" value.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk_tui.storage.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: As storage/tables.py declares them (SLA_RANK_NONE, NOT_CLOSED).
_RANK_NONE = "253402300799"
_NOT_CLOSED = "status != 'closed'"
_INSTANTS = (
    "sla_first_response_due",
    "sla_first_response_at",
    "sla_resolution_due",
    "sla_paused_since",
)
_BREACHES = (
    "sla_first_response_breached_at",
    "sla_resolution_breached_at",
    "sla_breach_at",
    "sla_risk_at",
)
_INDEXES = (
    ("ix_cases_open_sla_rank", "sla_rank"),
    ("ix_cases_open_sla_breach", "sla_breach_at"),
    ("ix_cases_open_sla_risk", "sla_risk_at"),
)


def upgrade() -> None:
    op.add_column("cases", sa.Column("sla_policy", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("sla_state", sa.Text(), nullable=True))
    for name in _INSTANTS:
        op.add_column("cases", sa.Column(name, UTCDateTime(), nullable=True))
    op.add_column("cases", sa.Column("sla_paused_minutes", sa.Integer(), nullable=True))
    for name in _BREACHES:
        op.add_column("cases", sa.Column(name, UTCDateTime(), nullable=True))
    op.add_column(
        "cases",
        sa.Column("sla_rank", sa.BigInteger(), nullable=False, server_default=sa.text(_RANK_NONE)),
    )
    for name, column in _INDEXES:
        op.create_index(
            name,
            "cases",
            [column, "number", "sub_number"],
            sqlite_where=sa.text(_NOT_CLOSED),
            postgresql_where=sa.text(_NOT_CLOSED),
        )


def downgrade() -> None:
    for name, _ in reversed(_INDEXES):
        op.drop_index(name, table_name="cases")
    columns = [
        "sla_rank",
        *reversed(_BREACHES),
        "sla_paused_minutes",
        *reversed(_INSTANTS),
        "sla_state",
        "sla_policy",
    ]
    for name in columns:
        # In place (SQLite 3.35+ and PostgreSQL), as 0009 and 0011 do: a copy of `cases`
        # would trip over the full-text triggers that name it.
        op.execute(f'ALTER TABLE cases DROP COLUMN "{name}"')
