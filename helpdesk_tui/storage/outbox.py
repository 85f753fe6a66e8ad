"""The outbox: delivery state of outgoing mail (MAIL-5), one repository per unit of work.

The message itself is a `mails` row (direction "out") with its raw bytes, written by
`MailRepository.add` in the same transaction; this repository keeps the state machine
and answers the questions the sender and the services ask.
"""

import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.quoted import text_before_quote
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.tables import (
    ActivityRow,
    AgentRow,
    CaseRow,
    ContactRow,
    MailRawRow,
    MailRow,
    OutboxRow,
)

#: States a sender may pick up (once `send_after` has passed).
SENDABLE = ("queued", "retrying")


@dataclass(frozen=True)
class NewOutboxEntry:
    """An outgoing mail as queueing writes it into the outbox (delivery: `_QUEUED`)."""

    id: uuid.UUID
    case_id: uuid.UUID | None
    """None: a notification mail to an agent, about no one case."""
    mail_id: uuid.UUID
    message_id: str
    kind: str
    automatic: bool
    sender: str
    recipient: str
    subject: str
    queued_at: datetime
    send_after: datetime
    actor_id: uuid.UUID | None


#: How delivery stands for a mail just queued: nothing tried yet.
_QUEUED: dict[str, Any] = {
    "state": "queued",
    "attempts": 0,
    "attempted_at": None,
    "sent_at": None,
    "claimed_by": "",
    "error": "",
}


@dataclass(frozen=True)
class OutboxEntry(NewOutboxEntry):
    """One outgoing mail as lists and the sender see it: what was queued, for which case
    and by whom, and how its delivery stands."""

    case: CaseNumber | None
    actor: str | None
    state: str
    attempts: int
    attempted_at: datetime | None
    sent_at: datetime | None
    claimed_by: str
    error: str


@dataclass(frozen=True)
class Inbound:
    """The customer's newest mail on a case: what a reply threads to and quotes."""

    message_id: str | None
    references: tuple[str, ...]
    from_email: str
    from_name: str
    sent_at: datetime | None
    body_text: str
    quote_start: int | None


@dataclass(frozen=True)
class HistoryItem:
    """A customer-visible timeline entry (for interim updates and closing mails)."""

    at: datetime
    kind: str
    text: str
    actor: str | None


class OutboxRepository:
    """Outgoing mail state in and out of the database."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- writing -------------------------------------------------------------------
    def add(self, rows: Sequence[NewOutboxEntry]) -> None:
        """Insert outbox rows (one statement for many)."""
        if rows:
            self._session.execute(insert(OutboxRow), [{**vars(row), **_QUEUED} for row in rows])

    def claim(self, entry_id: uuid.UUID, now: datetime, claimant: str) -> bool:
        """Compare-and-set: queued/retrying and due → sending; False if someone else was
        faster, or it was cancelled meanwhile."""
        result = self._session.execute(
            update(OutboxRow)
            .where(
                col(OutboxRow.id) == entry_id,
                col(OutboxRow.state).in_(SENDABLE),
                col(OutboxRow.send_after) <= now,
            )
            .values(
                state="sending",
                attempts=OutboxRow.attempts + 1,
                attempted_at=now,
                claimed_by=claimant,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def set_state(
        self,
        entry_id: uuid.UUID,
        state: str,
        *,
        expect: Collection[str] | None = None,
        **values: Any,
    ) -> bool:
        """Move to `state` (only from one of `expect`, when given); False if it was not."""
        statement = update(OutboxRow).where(col(OutboxRow.id) == entry_id)
        if expect is not None:
            statement = statement.where(col(OutboxRow.state).in_(list(expect)))
        result = self._session.execute(
            statement.values(state=state, **values).execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def mark_sent(self, mail_id: uuid.UUID, now: datetime) -> None:
        """The stored mail went out at `now`."""
        self._session.execute(update(MailRow).where(col(MailRow.id) == mail_id).values(sent_at=now))

    def replace_message(
        self,
        entry: OutboxEntry,
        body: str,
        quote_start: int | None,
        raw: bytes,
        old_text: str,
        text: str,
    ) -> None:
        """Edit a queued mail in place (same Message-ID), and its timeline entry."""
        self._session.execute(
            update(MailRow)
            .where(col(MailRow.id) == entry.mail_id)
            .values(body_text=body, quote_start=quote_start, size=len(raw))
        )
        self._session.execute(
            update(MailRawRow).where(col(MailRawRow.mail_id) == entry.mail_id).values(raw=raw)
        )
        activity = self._session.execute(
            select(col(ActivityRow.id))
            .where(
                col(ActivityRow.case_id) == entry.case_id,
                col(ActivityRow.text) == old_text,
                col(ActivityRow.at) >= entry.queued_at,
            )
            .order_by(col(ActivityRow.at))
            .limit(1)
        ).scalar_one_or_none()
        if activity is not None:
            self._session.execute(
                update(ActivityRow).where(col(ActivityRow.id) == activity).values(text=text)
            )

    # -- reading -------------------------------------------------------------------
    def _select(self) -> Any:
        return (
            select(OutboxRow, col(CaseRow.number), col(CaseRow.sub_number), col(AgentRow.username))
            .outerjoin(CaseRow, col(CaseRow.id) == col(OutboxRow.case_id))
            .outerjoin(AgentRow, col(AgentRow.id) == col(OutboxRow.actor_id))
        )

    def get(self, entry_id: uuid.UUID) -> OutboxEntry:
        """One outbox entry, or NotFoundError."""
        row = self._session.execute(self._select().where(col(OutboxRow.id) == entry_id)).first()
        if row is None:
            raise NotFoundError(f"no outgoing mail {entry_id}")
        return _entry(*row)

    def by_message_id(self, message_id: str) -> OutboxEntry | None:
        """The entry sending this Message-ID, if any."""
        row = self._session.execute(
            self._select().where(col(OutboxRow.message_id) == message_id.strip("<>"))
        ).first()
        return _entry(*row) if row else None

    def entries(
        self, states: Collection[str] | None = None, *, limit: int = 1000
    ) -> list[OutboxEntry]:
        """Entries in these states (all when None), oldest first."""
        statement = self._select()
        if states is not None:
            statement = statement.where(col(OutboxRow.state).in_(list(states)))
        rows = self._session.execute(
            statement.order_by(col(OutboxRow.queued_at), col(OutboxRow.id)).limit(limit)
        ).all()
        return [_entry(*row) for row in rows]

    def due(self, now: datetime, limit: int = 500) -> list[uuid.UUID]:
        """Ids of mail ready to go: queued or retrying whose `send_after` has passed."""
        return list(
            self._session.execute(
                select(col(OutboxRow.id))
                .where(col(OutboxRow.state).in_(SENDABLE), col(OutboxRow.send_after) <= now)
                .order_by(col(OutboxRow.send_after), col(OutboxRow.queued_at))
                .limit(limit)
            )
            .scalars()
            .all()
        )

    def next_due(self) -> datetime | None:
        """When the next queued or retrying mail becomes due."""
        return self._session.execute(
            select(func.min(OutboxRow.send_after)).where(col(OutboxRow.state).in_(SENDABLE))
        ).scalar_one_or_none()

    def raw(self, mail_id: uuid.UUID) -> bytes:
        """The bytes to send."""
        row = self._session.get(MailRawRow, mail_id)
        if row is None:
            raise NotFoundError(f"no stored message for mail {mail_id}")
        return row.raw

    def automatic_since(self, recipient: str, since: datetime) -> int:
        """Automatic mails queued to `recipient` since `since` (MAIL-7 rate limit)."""
        return int(
            self._session.execute(
                select(func.count())
                .select_from(OutboxRow)
                .where(
                    col(OutboxRow.recipient) == recipient.strip().lower(),
                    col(OutboxRow.automatic).is_(True),
                    col(OutboxRow.queued_at) >= since,
                    col(OutboxRow.state) != "cancelled",
                )
            ).scalar_one()
        )

    def counts(self) -> dict[str, int]:
        """How many entries are in each state."""
        rows = self._session.execute(
            select(col(OutboxRow.state), func.count()).group_by(col(OutboxRow.state))
        ).all()
        return {state: int(n) for state, n in rows}

    def last_inbound(self, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Inbound]:
        """The newest customer mail (no noise) of each case, for threading and quoting."""
        if not case_ids:
            return {}
        newest = (
            select(col(MailRow.case_id), func.max(MailRow.received_at).label("at"))
            .where(
                col(MailRow.case_id).in_(list(case_ids)),
                col(MailRow.direction) == "in",
                col(MailRow.noise).is_(None),
            )
            .group_by(col(MailRow.case_id))
            .subquery()
        )
        rows = self._session.execute(
            select(MailRow)
            .join(
                newest,
                (col(MailRow.case_id) == newest.c.case_id)
                & (col(MailRow.received_at) == newest.c.at),
            )
            .where(col(MailRow.direction) == "in", col(MailRow.noise).is_(None))
        ).scalars()
        found: dict[uuid.UUID, Inbound] = {}
        for row in _newest_of_ties(list(rows)):
            assert row.case_id is not None
            found[row.case_id] = Inbound(
                message_id=row.message_id,
                references=_parent_references(json.loads(row.references or "[]")),
                from_email=row.from_email,
                from_name=row.from_name,
                sent_at=row.sent_at,
                body_text=row.body_text,
                quote_start=row.quote_start,
            )
        return found

    def contact_emails(self, numbers: Collection[CaseNumber]) -> list[str]:
        """The requesters' addresses of these cases (to prefetch their contacts at once)."""
        mains = sorted({n.main for n in numbers})
        emails: list[str] = []
        for chunk in chunked(mains):
            emails.extend(
                self._session.execute(
                    select(col(ContactRow.email))
                    .join(CaseRow, col(CaseRow.contact_id) == col(ContactRow.id))
                    .where(col(CaseRow.number).in_(chunk))
                ).scalars()
            )
        return emails

    def history(self, case_id: uuid.UUID) -> list[HistoryItem]:
        """The customer-visible timeline of a case (external actions and mail), oldest first.

        Mail entries may keep their text only in the mail store: it is taken from there
        (without the quoted part).
        """
        rows = self._session.execute(
            sa_select(
                col(ActivityRow.at),
                col(ActivityRow.kind),
                col(ActivityRow.text),
                func.coalesce(func.nullif(AgentRow.name, ""), AgentRow.username),
                col(MailRow.body_text),
                col(MailRow.quote_start),
            )
            .outerjoin(AgentRow, col(AgentRow.id) == col(ActivityRow.actor_id))
            .outerjoin(MailRow, col(MailRow.id) == col(ActivityRow.mail_id))
            .where(
                col(ActivityRow.case_id) == case_id,
                col(ActivityRow.internal).is_(False),
            )
            .order_by(col(ActivityRow.at))
        ).all()
        items = []
        for at, kind, text, actor, body, quote_start in rows:
            if not text and body:
                text = text_before_quote(body, quote_start)
            items.append(HistoryItem(at, kind, text, actor))
        return items


def _parent_references(stored: list[str]) -> tuple[str, ...]:
    """The References of a stored inbound mail.

    Filing stores `[In-Reply-To, *References]`; In-Reply-To normally repeats the last
    reference, so it is dropped when it does; alone it stands for the whole chain.
    """
    if len(stored) > 1 and stored[0] in stored[1:]:
        return tuple(stored[1:])
    return tuple(stored)


def _entry(
    row: OutboxRow, number: int | None, sub_number: int | None, actor: str | None
) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        case=None if number is None else CaseNumber(number, sub_number or 0),
        case_id=row.case_id,
        mail_id=row.mail_id,
        message_id=row.message_id,
        kind=row.kind,
        automatic=row.automatic,
        sender=row.sender,
        recipient=row.recipient,
        subject=row.subject,
        state=row.state,
        attempts=row.attempts,
        queued_at=row.queued_at,
        send_after=row.send_after,
        attempted_at=row.attempted_at,
        sent_at=row.sent_at,
        claimed_by=row.claimed_by,
        error=row.error,
        actor_id=row.actor_id,
        actor=actor,
    )


def _newest_of_ties(rows: list[MailRow]) -> list[MailRow]:
    """Mails stored at the same instant (one batch) ordered so that the newest of each
    case comes last: a mail that answers another (names it in its References) is the
    newer, then the later Date header. The answer never depends on the order in which the
    database returns ties."""
    answered = {ref for row in rows for ref in json.loads(row.references or "[]")}
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(
        rows,
        key=lambda r: (r.message_id not in answered, r.sent_at or floor, r.message_id or ""),
    )
