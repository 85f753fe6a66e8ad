"""The notification store (DATE-4): what a unit of work changed, the facts the rules
need about it, the rows written, read marks, and what the scheduler reads.

`CaseEvent`s are collected by the case repository while a unit of work writes timeline
entries; `services/notifications.write_pending` turns them into notifications just
before the commit, so a notification lands in the same transaction as its cause.
"""

import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, bindparam, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.notification_mail import Noted
from helpdesk_tui.domain.notifications import CaseState, People
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.rows import insert_rows
from helpdesk_tui.storage.tables import (
    NOT_CLOSED,
    AgentRow,
    CaseRow,
    GroupRow,
    MailRow,
    MembershipRow,
    NotificationRow,
    SchedulerStateRow,
    table,
)
from helpdesk_tui.storage.types import UTCDateTime


@dataclass
class CaseEvent:
    """Timeline entries one action wrote on one case, and who acted (None: the system)."""

    case_id: uuid.UUID
    actor: str | None
    at: datetime
    entries: list[tuple[ActivityDraft, uuid.UUID | None]] = field(default_factory=list)


#: The cases as `c`: the scheduler's range predicates name the partial indexes' column.
_CASES = table(CaseRow).alias("c")


class _Members(Mapping[str, frozenset[str]]):
    """Group name → active members, read from the database on first use (a comment on
    a user's case needs no group)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._loaded: dict[str, frozenset[str]] | None = None

    def _all(self) -> dict[str, frozenset[str]]:
        if self._loaded is None:
            members: dict[str, set[str]] = {}
            for group, member in self._session.execute(
                select(col(GroupRow.name), col(AgentRow.username))
                .join(MembershipRow, col(MembershipRow.group_id) == col(GroupRow.id))
                .join(AgentRow, col(AgentRow.id) == col(MembershipRow.agent_id))
                .where(col(AgentRow.active).is_(True))
            ):
                members.setdefault(group, set()).add(member)
            self._loaded = {group: frozenset(names) for group, names in members.items()}
        return self._loaded

    def __getitem__(self, group: str) -> frozenset[str]:
        return self._all()[group]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@dataclass(frozen=True)
class DatedCase:
    """An open case the scheduler looks at: its state and its two dates."""

    id: uuid.UUID
    state: CaseState
    reminder: date | None
    due: date


class NotificationRepository:
    """Notifications in and out of the database."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- writing -----------------------------------------------------------------
    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert notification rows (all with the same keys); a row whose `dedupe_key`
        is stored already is skipped (exactly once, across processes)."""
        insert_rows(
            self._session.connection(), table(NotificationRow), rows, ignore_duplicates=True
        )

    def mark_read(self, agent_id: uuid.UUID, ids: Collection[uuid.UUID] | None) -> int:
        """Mark `agent_id`'s notifications `ids` (None: all of them) read; returns how
        many were unread. Another agent's ids are left alone."""
        notes = table(NotificationRow)
        statement = update(notes).where(notes.c.agent_id == agent_id, notes.c.read.is_(False))
        if ids is None:
            return int(self._session.connection().execute(statement.values(read=True)).rowcount)
        changed = 0
        for chunk in chunked(sorted(set(ids))):
            result = self._session.connection().execute(
                statement.where(notes.c.id.in_(chunk)).values(read=True)
            )
            changed += int(result.rowcount)
        return changed

    def known_keys(self, keys: Collection[str]) -> set[str]:
        """Which of these dedupe keys are stored already."""
        found: set[str] = set()
        for chunk in chunked(sorted(keys)):
            found.update(
                self._session.execute(
                    select(col(NotificationRow.dedupe_key)).where(
                        col(NotificationRow.dedupe_key).in_(chunk)
                    )
                ).scalars()
            )
        return found

    # -- mail ------------------------------------------------------------------------
    def unmailed(self, agent_id: uuid.UUID, since: datetime) -> list[Noted]:
        """`agent_id`'s unread notifications since `since` that went out by mail in no
        form yet, oldest first (`ix_notifications_agent_unread`: agent, unread, at)."""
        notes, cases = table(NotificationRow), table(CaseRow)
        actors = table(AgentRow).alias("actor")
        rows = self._session.execute(
            sa_select(
                notes.c.id,
                notes.c.kind,
                cases.c.number,
                cases.c.sub_number,
                cases.c.subject,
                notes.c.at,
                actors.c.username,
                notes.c.text,
            )
            .select_from(notes)
            .outerjoin(cases, cases.c.id == notes.c.case_id)
            .outerjoin(actors, actors.c.id == notes.c.actor_id)
            .where(
                notes.c.agent_id == agent_id,
                notes.c.read.is_(False),
                notes.c.at >= since,
                notes.c.mailed_at.is_(None),
            )
            .order_by(notes.c.at, notes.c.id)
        )
        return [
            Noted(
                id=note_id,
                kind=kind,
                case=None if number is None else CaseNumber(number, sub),
                subject=subject or "",
                at=at,
                by=by,
                text=text,
            )
            for note_id, kind, number, sub, subject, at, by, text in rows
        ]

    def mark_mailed(self, ids: Collection[uuid.UUID], now: datetime) -> int:
        """Mark these notifications mailed; returns how many were not yet (a smaller
        number: another process mailed some of them meanwhile)."""
        notes = table(NotificationRow)
        changed = 0
        for chunk in chunked(sorted(set(ids))):
            result = self._session.connection().execute(
                update(notes)
                .where(notes.c.id.in_(chunk), notes.c.mailed_at.is_(None))
                .values(mailed_at=now)
            )
            changed += int(result.rowcount)
        return changed

    def set_mail_choice(self, agent_id: uuid.UUID, choice: str | None) -> None:
        """The agent's own choice of notification mail (None: the configured default)."""
        agents = table(AgentRow)
        self._session.connection().execute(
            update(agents).where(agents.c.id == agent_id).values(notify_email=choice)
        )

    # -- facts for the rules -------------------------------------------------------
    def people(self, agents: Mapping[str, AgentRow]) -> People:
        """The active agents (of the unit of work's directory, loaded already) and each
        group's active members, read only if a rule asks for a group's."""
        active = frozenset(name for name, row in agents.items() if row.active)
        return People(active, _Members(self._session))

    def case_states(self, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, CaseState]:
        """The cases with these ids as they are now (in this transaction)."""
        chunks = chunked(sorted(case_ids))
        return {case.id: case.state for case in self._dated(_CASES.c.id.in_(c) for c in chunks)}

    def senders(self, mail_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The sender address of each of these mails."""
        found: dict[uuid.UUID, str] = {}
        for chunk in chunked(sorted(mail_ids)):
            rows = self._session.execute(
                select(col(MailRow.id), col(MailRow.from_email)).where(col(MailRow.id).in_(chunk))
            )
            for mail_id, sender in rows:
                found[mail_id] = sender
        return found

    # -- the scheduler -----------------------------------------------------------
    def scheduler_state(self, name: str) -> tuple[date, datetime] | None:
        """The day and the instant of the scheduler's last pass, if there was one."""
        row = self._session.get(SchedulerStateRow, name)
        return None if row is None else (row.day, row.at)

    def save_scheduler_state(self, name: str, day: date, at: datetime) -> None:
        """Remember the scheduler's pass (in the transaction of its notifications); two
        first passes at once both write it, neither fails."""
        state = table(SchedulerStateRow)
        connection = self._session.connection()
        insert_rows(
            connection, state, [{"name": name, "day": day, "at": at}], ignore_duplicates=True
        )
        connection.execute(update(state).where(state.c.name == name).values(day=day, at=at))

    def reminders_between(self, after: date, until: date) -> list[DatedCase]:
        """Open cases whose reminder is in (after, until]: a range of the partial index
        `ix_cases_open_reminder`, never a scan of all cases."""
        return self._dated_where(
            "c.reminder > :after AND c.reminder <= :until", after=after, until=until
        )

    def dues_between(self, first: date, before: date) -> list[DatedCase]:
        """Open cases due in [first, before): a range of `ix_cases_open_due`."""
        return self._dated_where("c.due >= :first AND c.due < :before", first=first, before=before)

    def changed_since(self, moment: datetime) -> list[DatedCase]:
        """Open cases changed at or after `moment` (`ix_cases_updated`)."""
        return self._dated_where("c.updated_at >= :moment", moment=moment)

    def _dated_where(self, where: str, **params: date | datetime) -> list[DatedCase]:
        binds = [
            bindparam(name, value, type_=UTCDateTime() if isinstance(value, datetime) else Date())
            for name, value in params.items()
        ]
        # One query: the range runs on its partial index (the predicate verbatim), each
        # row joins its delegate, group and owner by primary key.
        return self._dated([text(f"{where} AND c.{NOT_CLOSED}").bindparams(*binds)])

    def _dated(self, conditions: Iterable[Any]) -> list[DatedCase]:
        cases, groups = _CASES, table(GroupRow)
        user, owner = table(AgentRow).alias("du"), table(AgentRow).alias("ow")
        found: list[DatedCase] = []
        for condition in conditions:
            rows = self._session.execute(
                sa_select(
                    cases.c.id,
                    cases.c.number,
                    cases.c.sub_number,
                    cases.c.status,
                    user.c.username,
                    groups.c.name,
                    owner.c.username,
                    cases.c.reminder,
                    cases.c.due,
                )
                .select_from(cases)
                .outerjoin(user, user.c.id == cases.c.delegated_user_id)
                .outerjoin(groups, groups.c.id == cases.c.delegated_group_id)
                .outerjoin(owner, owner.c.id == cases.c.owner_id)
                .where(condition)
            )
            for case_id, number, sub, status, user_name, group, owner_name, reminder, due in rows:
                state = CaseState(
                    CaseNumber(number, sub), Status(status), user_name, group, owner_name
                )
                found.append(DatedCase(case_id, state, reminder, due))
        return found
