"""the conversations list's class and account indexes leave out mail without one
(MAIL-8, issue 14)

The list filters by a class (`class = ?`) or an account (`account_id = ?`), never by a
missing one (unclassified mail has its own index, ix_mails_in_unclassified), and an
equality implies NOT NULL, so the queries keep their index. Without the NULL entries the
two indexes are smaller, and classifying a sender's mail no longer deletes an entry per
mail from their NULL ranges: the 10,000 mails of one domain among 1M dirtied 27,000
pages, now 18,000.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (name, leading column): as storage/tables.py declares them (MAIL_CLASSIFIED,
#: MAIL_WITH_ACCOUNT).
_INDEXES = (("ix_mails_in_class", "class"), ("ix_mails_in_account", "account_id"))


def _recreate(where: str) -> None:
    for name, column in _INDEXES:
        op.drop_index(name, table_name="mails")
        predicate = where.format(column=column)
        op.create_index(
            name,
            "mails",
            [column, "received_at", "id"],
            sqlite_where=sa.text(predicate),
            postgresql_where=sa.text(predicate),
        )


def upgrade() -> None:
    _recreate("direction = 'in' AND {column} IS NOT NULL")


def downgrade() -> None:
    _recreate("direction = 'in'")
