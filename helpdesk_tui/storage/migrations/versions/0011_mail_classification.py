"""mail classification by sender (MAIL-8, issue 14): class, account, read and archived
marks on mails, remembered sender rules, and the conversations list's indexes

`mails` gains its columns in place (no copy of a large table, so `account_id` has no
FOREIGN KEY, like `activities.mail_id`). `from_domain` (the sender's domain, lower case)
is filled for the stored mail, so classifying a whole domain is an index range.
`sender_rules` remembers a class per address or per domain. The partial indexes serve the
list's keyset pages newest first on (received_at, id), one per common filter.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk_tui.storage.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (name, predicate, leading columns): as storage/tables.py declares them.
_INDEXES = (
    ("ix_mails_in_listed", "direction = 'in' AND archived = false", ()),
    ("ix_mails_in_archived", "direction = 'in' AND archived = true", ()),
    ("ix_mails_in_all", "direction = 'in'", ()),
    ("ix_mails_in_unclassified", "direction = 'in' AND class IS NULL", ()),
    ("ix_mails_in_unread", "direction = 'in' AND read = false", ()),
    ("ix_mails_in_unfiled", "direction = 'in' AND case_id IS NULL", ()),
    ("ix_mails_in_class", "direction = 'in'", ("class",)),
    ("ix_mails_in_account", "direction = 'in'", ("account_id",)),
    ("ix_mails_in_from", "direction = 'in'", ("from_email",)),
    ("ix_mails_in_domain", "direction = 'in'", ("from_domain",)),
)


def upgrade() -> None:
    op.add_column("mails", sa.Column("class", sa.String(length=16), nullable=True))
    op.add_column("mails", sa.Column("classified_by", sa.String(length=8), nullable=True))
    op.add_column("mails", sa.Column("classified_rule", sa.String(length=400), nullable=True))
    op.add_column("mails", sa.Column("account_id", sa.Uuid(), nullable=True))
    op.add_column("mails", sa.Column("from_domain", sa.String(length=255), nullable=True))
    op.add_column(
        "mails", sa.Column("read", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "mails", sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("mails", sa.Column("archived_at", UTCDateTime(), nullable=True))
    position = "strpos" if op.get_bind().dialect.name == "postgresql" else "instr"
    op.execute(
        "UPDATE mails SET from_domain ="
        f" lower(substr(from_email, {position}(from_email, '@') + 1))"
        f" WHERE {position}(from_email, '@') > 0"
    )
    # Mail stored before this revision counts as read: the inbox does not start with
    # every old mail marked new.
    op.execute("UPDATE mails SET read = true")
    for name, where, columns in _INDEXES:
        op.create_index(
            name,
            "mails",
            [*columns, "received_at", "id"],
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    op.create_table(
        "sender_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("class", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["agents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "value", name="uq_sender_rules_kind_value"),
    )


def downgrade() -> None:
    op.drop_table("sender_rules")
    for name, _where, _columns in _INDEXES:
        op.drop_index(name, table_name="mails")
    for column in (
        "archived_at",
        "archived",
        "read",
        "from_domain",
        "account_id",
        "classified_rule",
        "classified_by",
        "class",
    ):
        # In place (SQLite 3.35+ and PostgreSQL), as 0009 does.
        op.execute(f'ALTER TABLE mails DROP COLUMN "{column}"')
