"""What read queries return: small frozen rows for lists and the case view, and sorts.

Plain dataclasses (no SQLAlchemy), so the CLI and the TUI can hold them across threads
and import them without paying for the ORM.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from helpdesk_tui.domain.enums import Priority, Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.quoted import text_before_quote
from helpdesk_tui.domain.sla import SlaView

#: Counts stop here (shown as "9999+"): a count never reads more than this many rows.
COUNT_CAP = 9999

#: A keyset position: the sort values of a row, ending in (number, sub_number).
Cursor = tuple[Any, ...]


class SortKey(StrEnum):
    """Orders a list can be shown in; each is backed by an index."""

    DUE = "due"
    NUMBER = "number"
    UPDATED = "updated"
    SLA = "sla"


_SORT_COLUMNS = {
    SortKey.DUE: ("c.due",),
    SortKey.NUMBER: (),
    SortKey.UPDATED: ("c.updated_at",),
    SortKey.SLA: ("c.sla_rank",),
}


@dataclass(frozen=True)
class Sort:
    """A list order: a key and a direction; ties are broken by case number."""

    key: SortKey = SortKey.DUE
    descending: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        """The ORDER BY columns, unique together."""
        return (*_SORT_COLUMNS[self.key], "c.number", "c.sub_number")


@dataclass(frozen=True)
class CaseSummary:
    """One case as lists and `case show` present it (the JSON shape of CLI.md)."""

    number: CaseNumber
    subject: str
    type: str
    status: Status
    priority: Priority
    resolution: str | None
    duplicate_of: CaseNumber | None
    delegated_user: str | None
    delegated_group: str | None
    owner: str | None
    contact_email: str
    contact_name: str
    account: str | None
    initiator: str | None
    due: date
    reminder: date | None
    created_at: datetime
    updated_at: datetime
    version: int
    description: str = ""
    fields: tuple[tuple[str, str], ...] | None = None
    """The custom fields (key, value), sorted by key; read with the detail only (None:
    not read, as in a list row)."""
    sla: str | None = None
    """The stored SLA state as JSON (`domain.sla.SlaState.data()`), None without an SLA
    policy (DATE-3)."""
    sla_rank: int = 253402300799
    """Sort by SLA: the stored `cases.sla_rank` (epoch seconds of the earliest running
    due instant; this default: none runs)."""
    sla_view: SlaView | None = None
    """The SLA as of when the row was read (filled by the Desk, which has the calendar)."""
    csat_rating: int | None = None
    """The customer's rating 1–5 after closing (CSAT), read with the detail only."""
    csat_at: datetime | None = None

    @property
    def parent(self) -> CaseNumber | None:
        """The parent's number for a sub-case."""
        return CaseNumber(self.number.main) if self.number.is_sub_case else None

    @property
    def cursor(self) -> Cursor:
        """The keyset position of this row in the default (due date) order."""
        return self.cursor_for(Sort())

    def cursor_for(self, sort: "Sort") -> Cursor:
        """The keyset position of this row in `sort` order."""
        number = (self.number.main, self.number.sub)
        if sort.key is SortKey.DUE:
            return (self.due.isoformat(), *number)
        if sort.key is SortKey.UPDATED:
            return (self.updated_at.isoformat(), *number)
        if sort.key is SortKey.SLA:
            return (self.sla_rank, *number)
        return number


@dataclass(frozen=True)
class MailEntry:
    """A stored mail as the timeline and the unfiled inbox show it."""

    id: str  # the mail's UUID as hex (re-filing names it)
    direction: str  # "in" | "out"
    from_email: str
    from_name: str
    subject: str
    received_at: datetime
    body_text: str
    quote_start: int | None
    attachments: list[dict[str, Any]]
    defects: list[str]
    noise: str | None
    filed_by: str
    filed_note: str

    @property
    def new_text(self) -> str:
        """The body without its quoted history."""
        return text_before_quote(self.body_text, self.quote_start)


@dataclass(frozen=True)
class ActivityEntry:
    """One timeline entry, ready to show."""

    kind: str
    actor: str | None
    at: datetime
    internal: bool
    text: str
    changes: dict[str, list[str | None]]
    time_spent_centi: int | None
    mail: MailEntry | None = None


@dataclass(frozen=True)
class CaseDetail:
    """A case with its sub-cases and timeline (`case show`)."""

    case: CaseSummary
    sub_cases: list[CaseSummary]
    activities: list[ActivityEntry]

    @property
    def time_spent_centi(self) -> int:
        """Total recorded time on the case (ACT-4), in hundredths of an hour."""
        return sum(a.time_spent_centi or 0 for a in self.activities)


@dataclass(frozen=True)
class NotificationView:
    """One notification of the acting agent (DATE-4), as the list and the CLI show it.

    `kind`: delegated | changed | closed_activity | mention | reminder | overdue (later
    kinds may come); `case` None for one about no case; `by` the agent who caused it
    (None: the system or a customer's mail).
    """

    id: uuid.UUID
    kind: str
    case: CaseNumber | None
    subject: str
    at: datetime
    by: str | None
    text: str
    read: bool


@dataclass(frozen=True)
class MailListItem:
    """One row of the conversations list (MAIL-8): an inbound mail with its class,
    account, case and marks. `classified_by`: "agent" | "rule" | None."""

    id: uuid.UUID
    received_at: datetime
    from_email: str
    from_name: str
    subject: str
    mailbox: str
    mail_class: str | None
    classified_by: str | None
    account: str | None
    case: CaseNumber | None
    read: bool
    archived: bool
    noise: str | None
    attachments: int
    classified_rule: str | None = None
    """Which remembered rule classified it ("domain kunde.de", "address a@b.de")."""

    @property
    def cursor(self) -> tuple[datetime, uuid.UUID]:
        """The keyset position of this row (newest first)."""
        return (self.received_at, self.id)


@dataclass(frozen=True)
class MailStats:
    """The weekly review's counters (MAIL-8): unclassified mail (goal < 10), mail older
    than 7 days still open (goal < 20), the share classified over the last 30 days (goal
    > 0.95; None: no mail), the median hours to the first answer to customer mail over
    the last 30 days (goal < 24; None: none answered)."""

    unclassified: int
    old_open: int
    classification_rate: float | None
    median_reaction_hours: float | None
