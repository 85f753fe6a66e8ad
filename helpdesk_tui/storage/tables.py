"""The SQLModel tables. Only storage imports these; the domain sees plain dataclasses.

Primary keys are UUIDs. Cases carry a `version` for optimistic concurrency. The partial
indexes serve the saved views (VIEW-1) with keyset pagination on (due, number, sub_number):
every view's first page is an index range scan, never a sort of the whole table.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from helpdesk_tui.storage.types import UTCDateTime

#: The predicate of the "not closed" partial indexes; queries must repeat it verbatim.
NOT_CLOSED = "status != 'closed'"

#: `cases.sla_rank` of a case without a running SLA clock: 9999-12-31T23:59:59Z in epoch
#: seconds, after every real due instant.
SLA_RANK_NONE = 253402300799

#: Predicates of the conversations list's partial indexes on `mails` (MAIL-8, migration
#: 0011); queries must repeat them verbatim (SQLite matches partial indexes by text).
MAIL_IN = "direction = 'in'"
MAIL_LISTED = "direction = 'in' AND archived = false"
MAIL_ARCHIVED = "direction = 'in' AND archived = true"
MAIL_UNCLASSIFIED = "direction = 'in' AND class IS NULL"
MAIL_UNREAD = "direction = 'in' AND read = false"
MAIL_UNFILED = "direction = 'in' AND case_id IS NULL"
#: Only mail with a class / an account (migration 0013): the list filters by one value,
#: never by a missing one, and classifying a sender then deletes no NULL entries.
MAIL_CLASSIFIED = "direction = 'in' AND class IS NOT NULL"
MAIL_WITH_ACCOUNT = "direction = 'in' AND account_id IS NOT NULL"


def _in_mail_index(name: str, where: str, *columns: str) -> Index:
    """A partial index of inbound mail for keyset pages newest first: `columns`, then
    (received_at, id)."""
    return Index(
        name,
        *columns,
        "received_at",
        "id",
        sqlite_where=text(where),
        postgresql_where=text(where),
    )


def _pk() -> uuid.UUID:
    return uuid.uuid4()


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model, for bulk statements that skip the ORM's bookkeeping."""
    return model.__table__  # type: ignore[attr-defined,no-any-return]


class AgentRow(SQLModel, table=True):
    """A helpdesk user (agent, lead or admin)."""

    __tablename__ = "agents"
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    name: str = ""
    email: str = ""
    role: str = "agent"
    active: bool = True  # a removed user stays (cases and timelines name them), inactive
    # The database login of this agent on a shared database (TEAM-4); migration 0006.
    db_login: str | None = Field(default=None, unique=True, index=True, max_length=64)
    # When the agent last left the activity screen ("since you last looked"); migration 0007.
    activity_seen_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    # The agent's choice of notification mail: off | each | digest; None: the configured
    # default (migration 0009).
    notify_email: str | None = Field(default=None, max_length=8)


class GroupRow(SQLModel, table=True):
    """A team cases can be delegated to."""

    __tablename__ = "groups"
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    title: str = ""
    lead_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")


class MembershipRow(SQLModel, table=True):
    """An agent's membership in a group."""

    __tablename__ = "group_members"
    group_id: uuid.UUID = Field(foreign_key="groups.id", primary_key=True)
    agent_id: uuid.UUID = Field(foreign_key="agents.id", primary_key=True, index=True)


class AccountRow(SQLModel, table=True):
    """A customer organisation."""

    __tablename__ = "accounts"
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    domain: str | None = Field(default=None, index=True, max_length=200)


class ContactRow(SQLModel, table=True):
    """A person cases are about; matched by e-mail address."""

    __tablename__ = "contacts"
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    email: str = Field(unique=True, max_length=320)
    name: str = ""
    phone: str | None = None
    language: str | None = Field(default=None, max_length=8)
    account_id: uuid.UUID | None = Field(default=None, foreign_key="accounts.id", index=True)


class CounterRow(SQLModel, table=True):
    """Named sequences (`case`), advanced in the same transaction that uses the value."""

    __tablename__ = "counters"
    name: str = Field(primary_key=True, max_length=32)
    value: int = 0


def _open_cases_index(name: str, *columns: str) -> Index:
    """A partial index of the cases not closed, on `columns` then the case number."""
    where = text(NOT_CLOSED)
    return Index(name, *columns, "number", "sub_number", sqlite_where=where, postgresql_where=where)


class CaseRow(SQLModel, table=True):
    """A case or sub-case (`sub_number` > 0, same `number` as its parent)."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("number", "sub_number", name="uq_cases_number"),
        CheckConstraint(
            "NOT (delegated_user_id IS NOT NULL AND delegated_group_id IS NOT NULL)",
            name="ck_cases_one_delegate",
        ),
        Index("ix_cases_due", "due", "number", "sub_number"),
        Index("ix_cases_updated", "updated_at", "number", "sub_number"),
        Index("ix_cases_status_due", "status", "due", "number", "sub_number"),
        _open_cases_index("ix_cases_open_due", "due"),
        _open_cases_index("ix_cases_open_user_due", "delegated_user_id", "due"),
        _open_cases_index("ix_cases_open_group_due", "delegated_group_id", "due"),
        _open_cases_index("ix_cases_open_reminder", "reminder"),
        _open_cases_index("ix_cases_open_sla_rank", "sla_rank"),
        _open_cases_index("ix_cases_open_sla_breach", "sla_breach_at"),
        _open_cases_index("ix_cases_open_sla_risk", "sla_risk_at"),
        _open_cases_index("ix_cases_open_sla_escalation", "sla_escalation_at"),
        # Statistics (migration 0015): the medians' ranges over a period, covering.
        Index("ix_cases_closed_at", "closed_at", "created_at"),
        # The dashboard's counts and load of a group's cases: covering ranges per delegate.
        _open_cases_index(
            "ix_cases_open_user_stats",
            "delegated_user_id",
            "status",
            "priority",
            "sla_rank",
            "sla_risk_at",
        ),
        _open_cases_index(
            "ix_cases_open_group_stats", "delegated_group_id", "status", "sla_rank", "sla_risk_at"
        ),
        Index("ix_cases_first_response_at", "sla_first_response_at", "created_at"),
    )
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    number: int
    sub_number: int = 0
    sub_seq: int = 0  # last sub-case number handed out under this case
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="cases.id", index=True)
    subject: str = Field(max_length=250)
    type: str = Field(max_length=32)
    status: str = Field(max_length=16)
    priority: str = Field(max_length=16)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    contact_id: uuid.UUID = Field(foreign_key="contacts.id", index=True)
    account_id: uuid.UUID | None = Field(default=None, foreign_key="accounts.id", index=True)
    delegated_user_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    delegated_group_id: uuid.UUID | None = Field(default=None, foreign_key="groups.id")
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    initiator_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    due: date
    reminder: date | None = None
    resolution: str | None = Field(default=None, max_length=16)
    duplicate_of_id: uuid.UUID | None = Field(default=None, foreign_key="cases.id")
    custom: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    version: int = 1
    # The SLA (DATE-3, migration 0012), maintained on every change (services/sla.py);
    # all NULL without a policy. `sla_state` is the domain's state as JSON; the columns
    # after it are what lists, views and the scheduler query (instants in UTC).
    sla_policy: str | None = Field(default=None, max_length=64)
    sla_state: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sla_first_response_due: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    sla_first_response_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    sla_resolution_due: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    sla_paused_since: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    sla_paused_minutes: int | None = None
    sla_first_response_breached_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    sla_resolution_breached_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    sla_breach_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    sla_risk_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    #: Sort by SLA and the SLA views' index: epoch seconds (rounded up) of `sla_breach_at`,
    #: the instant the case is or will be breached; SLA_RANK_NONE without one (never NULL,
    #: so keyset pages need no NULL rules).
    sla_rank: int = Field(
        default=SLA_RANK_NONE,
        sa_type=BigInteger,
        sa_column_kwargs={"server_default": text(str(SLA_RANK_NONE))},
    )
    # Escalation (migration 0014): when the next level not yet fired is reached (NULL: none
    # pending) and the keys of the levels fired (JSON list), each once per case and clock.
    sla_escalation_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    sla_escalated: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The customer's satisfaction rating (1-5) after closing, and when (migration 0014).
    csat_rating: int | None = Field(default=None, sa_type=SmallInteger)
    csat_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    # When the case was last closed (None while open); migration 0015, maintained with the
    # statistics (services/stats.py).
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class StatsDailyRow(SQLModel, table=True):
    """A per-day counter (issue 15 §5): `metric` on `day` (the business calendar's zone)
    for the cases of group `group_key` (the group's name, "" for none), incremented in
    the transaction of the change it counts (services/stats.py). Migration 0015."""

    __tablename__ = "stats_daily"
    day: date = Field(primary_key=True)
    group_key: str = Field(primary_key=True, max_length=64)
    metric: str = Field(primary_key=True, max_length=120)
    value: int = Field(default=0, sa_type=BigInteger)


class ActivityRow(SQLModel, table=True):
    """One timeline entry (ACT-1): who, when, what, and old → new as JSON."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_case_at", "case_id", "at"),
        # The activity feed's keyset pages, newest first (migration 0007).
        Index("ix_activities_at_id", "at", "id"),
    )
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="cases.id")
    kind: str = Field(max_length=16)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    internal: bool = True
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    changes: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    time_spent_centi: int | None = None
    # No FOREIGN KEY in the schema: adding one to a million-row SQLite table means copying
    # it (migration 0003 adds the column in place); the mail store owns the link.
    mail_id: uuid.UUID | None = Field(default=None, index=True)


class TimerRow(SQLModel, table=True):
    """A running or paused timer (ACT-4); `seconds` is what was counted up to `beat_at`."""

    __tablename__ = "timers"
    __table_args__ = (UniqueConstraint("agent_id", "case_id", name="uq_timers_agent_case"),)
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    agent_id: uuid.UUID = Field(foreign_key="agents.id")
    case_id: uuid.UUID = Field(foreign_key="cases.id", index=True)
    seconds: int = 0
    beat_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    running: bool = True


class AuditRow(SQLModel, table=True):
    """What outlives a deleted case (CASE-9): who deleted what, when."""

    __tablename__ = "audit_log"
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    action: str = Field(max_length=32)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class MailRow(SQLModel, table=True):
    """A mail, in or out, parsed; the raw bytes live in `mail_raw` (MAIL-9).

    `dedupe_key` makes ingest exactly-once (MAIL-2): the same message fetched again (after a
    crash, a UIDVALIDITY change, or from a second folder) has the same key and is not stored
    twice. `filed_by`/`filed_note` record why the mail is where it is.
    """

    __tablename__ = "mails"
    __table_args__ = (
        Index(
            "ix_mails_unfiled",
            "received_at",
            sqlite_where=text("case_id IS NULL"),
            postgresql_where=text("case_id IS NULL"),
        ),
        # The conversations list (MAIL-8, migration 0011): keyset pages newest first.
        _in_mail_index("ix_mails_in_listed", MAIL_LISTED),
        _in_mail_index("ix_mails_in_archived", MAIL_ARCHIVED),
        _in_mail_index("ix_mails_in_all", MAIL_IN),
        _in_mail_index("ix_mails_in_unclassified", MAIL_UNCLASSIFIED),
        _in_mail_index("ix_mails_in_unread", MAIL_UNREAD),
        _in_mail_index("ix_mails_in_unfiled", MAIL_UNFILED),
        _in_mail_index("ix_mails_in_class", MAIL_CLASSIFIED, "class"),
        _in_mail_index("ix_mails_in_account", MAIL_WITH_ACCOUNT, "account_id"),
        _in_mail_index("ix_mails_in_from", MAIL_IN, "from_email"),
        _in_mail_index("ix_mails_in_domain", MAIL_IN, "from_domain"),
    )
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    dedupe_key: str = Field(unique=True, max_length=64)
    message_id: str | None = Field(default=None, index=True, max_length=998)
    direction: str = Field(default="in", max_length=4)
    mailbox: str = Field(default="", max_length=64)
    case_id: uuid.UUID | None = Field(default=None, foreign_key="cases.id", index=True)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    from_email: str = Field(default="", index=True, max_length=320)
    from_name: str = ""
    recipients: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    references: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    body_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    quote_start: int | None = None
    attachments: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    defects: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    noise: str | None = Field(default=None, max_length=16)
    size: int = 0
    filed_by: str = Field(default="unfiled", max_length=16)
    filed_note: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Classification by sender (MAIL-8, migration 0011). `class` customer | supplier |
    # internal | newsletter | advertising (None: unclassified); `classified_by` agent |
    # rule; `classified_rule` which rule ("domain kunde.de"); `account_id` without a
    # FOREIGN KEY (added in place to a large table, like activities.mail_id).
    mail_class: str | None = Field(
        default=None, sa_column=Column("class", String(16), nullable=True)
    )
    classified_by: str | None = Field(default=None, max_length=8)
    classified_rule: str | None = Field(default=None, max_length=400)
    account_id: uuid.UUID | None = Field(default=None)
    from_domain: str | None = Field(default=None, max_length=255)
    read: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    archived: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    archived_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class SenderRuleRow(SQLModel, table=True):
    """A remembered classification (MAIL-8): mail from this address (`kind` "address")
    or domain ("domain") gets `mail_class` (and `account_id`) by itself. Migration 0011."""

    __tablename__ = "sender_rules"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_sender_rules_kind_value"),)
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    kind: str = Field(max_length=8)
    value: str = Field(max_length=320)
    mail_class: str = Field(sa_column=Column("class", String(16), nullable=False))
    account_id: uuid.UUID | None = Field(default=None, foreign_key="accounts.id")
    created_by: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class MailRawRow(SQLModel, table=True):
    """The bytes of a mail exactly as received: nothing is ever lost (MAIL-9)."""

    __tablename__ = "mail_raw"
    mail_id: uuid.UUID = Field(foreign_key="mails.id", primary_key=True)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class AttachmentBlobRow(SQLModel, table=True):
    """The bytes of an attachment, once per content (ACT-6): keyed by their SHA-256, so
    the same file in several mails or cases is stored once. Migration 0010."""

    __tablename__ = "attachment_blobs"
    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(sa_type=BigInteger)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class AttachmentRow(SQLModel, table=True):
    """One attachment of a mail, in order (`position`), with its sanitised file name.
    `sha256` is None for a stub (over `mail.max_attachment_size`; `note` says so). Its
    case is its mail's case. Migration 0010."""

    __tablename__ = "attachments"
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    mail_id: uuid.UUID = Field(foreign_key="mails.id", index=True)
    position: int = 0
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=255)
    size: int = Field(default=0, sa_type=BigInteger)
    sha256: str | None = Field(
        default=None, foreign_key="attachment_blobs.sha256", index=True, max_length=64
    )
    note: str = Field(default="", sa_column=Column(Text, nullable=False))


class MailSeenRow(SQLModel, table=True):
    """A server message already ingested: (mailbox, folder, UIDVALIDITY, UID) → mail."""

    __tablename__ = "mail_seen"
    mailbox: str = Field(primary_key=True, max_length=64)
    folder: str = Field(primary_key=True, max_length=255)
    uidvalidity: int = Field(primary_key=True, sa_type=BigInteger)
    uid: int = Field(primary_key=True, sa_type=BigInteger)
    mail_id: uuid.UUID = Field(foreign_key="mails.id", index=True)


class FolderStateRow(SQLModel, table=True):
    """How far a folder is synced (MAIL-2); advanced in the batch's own transaction."""

    __tablename__ = "folder_state"
    mailbox: str = Field(primary_key=True, max_length=64)
    folder: str = Field(primary_key=True, max_length=255)
    uidvalidity: int = Field(default=0, sa_type=BigInteger)  # unsigned 32 bits
    last_uid: int = Field(default=0, sa_type=BigInteger)
    highestmodseq: int | None = Field(default=None, sa_type=BigInteger)
    synced_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class NotificationRow(SQLModel, table=True):
    """Something one agent should look at (DATE-4, MAIL-6): a handover, a change on their
    case, a mention, a reminder that has come. A group's notification is one row per
    member (`group_id` says through which group), so each member reads it on their own.

    `kind` is free text (later kinds need no schema change); `dedupe_key` is unique, so a
    notification written again under its key (the scheduler's, in another process) is
    ignored: exactly once. Migration 0008.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_agent_unread", "agent_id", "read", "at"),)
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    agent_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")
    group_id: uuid.UUID | None = Field(default=None, foreign_key="groups.id")
    case_id: uuid.UUID | None = Field(default=None, foreign_key="cases.id", index=True)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    read: bool = False
    kind: str = Field(default="closed_activity", max_length=32)
    # Who caused it (None: the system, a customer's mail); no FOREIGN KEY, added in place.
    actor_id: uuid.UUID | None = None
    dedupe_key: str | None = Field(default=None, unique=True, max_length=200)
    # When it went out by mail, alone or in a digest (migration 0009): mailed once.
    mailed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class SchedulerStateRow(SQLModel, table=True):
    """How far the notification scheduler has looked: the day of its last pass and the
    instant it started (cases changed since then are looked at again). Migration 0008."""

    __tablename__ = "scheduler_state"
    name: str = Field(primary_key=True, max_length=32)
    day: date
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class OutboxRow(SQLModel, table=True):
    """An outgoing mail on its way (MAIL-5): queued → sending → sent | retrying | failed |
    unknown (| cancelled). The message itself is the `mails` row (direction "out") with
    its raw bytes; this row is the delivery state.

    Exactly once: `message_id` is fixed when the mail is queued, and the row is committed
    as "sending" (attempts, attempted_at, claimed_by) before the SMTP conversation starts.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_send_after", "state", "send_after"),)
    id: uuid.UUID = Field(default_factory=_pk, primary_key=True)
    # None: a notification mail to an agent (migration 0009), about no one case.
    case_id: uuid.UUID | None = Field(default=None, foreign_key="cases.id", index=True)
    mail_id: uuid.UUID = Field(foreign_key="mails.id", unique=True)
    message_id: str = Field(unique=True, max_length=998)
    kind: str = Field(max_length=16)
    automatic: bool = False
    sender: str = Field(default="", max_length=400)
    recipient: str = Field(index=True, max_length=320)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    state: str = Field(default="queued", max_length=16)
    attempts: int = 0
    queued_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    send_after: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    attempted_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    claimed_by: str = Field(default="", max_length=200)
    error: str = Field(default="", sa_column=Column(Text, nullable=False))
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="agents.id")


class SecretRow(SQLModel, table=True):
    """A per-database key, created once by the migration (e.g. `message_id`: the HMAC key
    that signs our outgoing Message-IDs, MAIL-11). Never shown, never configured."""

    __tablename__ = "secrets"
    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=128)
