"""The case repository: load and save the aggregate, with its activities, atomically.

`save` is a compare-and-set on `version` (ASSIGN-2): an UPDATE that matches no row means
someone else saved first, and the caller gets a ConflictError instead of a lost update.
"""

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, update
from sqlmodel import Session, col, select

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Actor, Case, Delegation, ParentView
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Status
from helpdesk_tui.domain.errors import ConflictError, NotFoundError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.directory import Directory
from helpdesk_tui.storage.mails import delete_for_cases
from helpdesk_tui.storage.notifications import CaseEvent
from helpdesk_tui.storage.rows import insert_rows
from helpdesk_tui.storage.tables import (
    ActivityRow,
    AuditRow,
    CaseRow,
    CounterRow,
    TimerRow,
    table,
)

CASE_COUNTER = "case"
MAIL_KINDS = frozenset({ActivityKind.MAIL_IN, ActivityKind.MAIL_OUT})
#: A timeline entry to write: what happened, and the stored mail it is about (or None).
Entry = tuple[ActivityDraft, uuid.UUID | None]


class CaseRepository:
    """Cases in and out of the database, as domain objects."""

    def __init__(
        self, session: Session, directory: Directory, events: list[CaseEvent] | None = None
    ) -> None:
        self._session = session
        self._directory = directory
        #: What each write put on a timeline, for the notifications made at commit.
        self.events: list[CaseEvent] = [] if events is None else events

    # -- loading -----------------------------------------------------------------
    def get(self, number: CaseNumber) -> Case:
        """The case with this number, or NotFoundError."""
        return self._to_domain(self._row(number))

    def get_many(self, numbers: Sequence[CaseNumber]) -> dict[CaseNumber, Case]:
        """The cases with these numbers that exist (one query per 500 numbers)."""
        wanted = set(numbers)
        found: dict[CaseNumber, Case] = {}
        mains = sorted({n.main for n in wanted})
        for chunk in chunked(mains):
            rows = self._session.exec(select(CaseRow).where(col(CaseRow.number).in_(chunk))).all()
            for row in rows:
                number = CaseNumber(row.number, row.sub_number)
                if number in wanted:
                    found[number] = self._to_domain(row)
        return found

    def parent_view(self, number: CaseNumber) -> ParentView:
        """What a new or edited sub-case needs to know of its parent."""
        row = self._row(number)
        return ParentView(CaseNumber(row.number, row.sub_number), Status(row.status), row.due)

    def sub_cases(self, number: CaseNumber) -> list[tuple[CaseNumber, Status, date]]:
        """The sub-cases of a case: number, status, due, in number order."""
        parent = self._row(number)
        rows = self._session.exec(
            select(
                col(CaseRow.number), col(CaseRow.sub_number), col(CaseRow.status), col(CaseRow.due)
            )
            .where(CaseRow.parent_id == parent.id)
            .order_by(col(CaseRow.sub_number))
        ).all()
        return [(CaseNumber(n, s), Status(st), d) for n, s, st, d in rows]

    def open_sub_cases(self, number: CaseNumber) -> list[CaseNumber]:
        """Sub-cases that are not closed (SUB-3)."""
        return [n for n, status, _ in self.sub_cases(number) if status is not Status.CLOSED]

    def closed_at(self, case_id: uuid.UUID) -> datetime | None:
        """When the case was last closed (its newest `closed` entry), None if never: the
        CSAT window runs from there."""
        query = select(func.max(col(ActivityRow.at))).where(
            col(ActivityRow.case_id) == case_id, col(ActivityRow.kind) == ActivityKind.CLOSED
        )
        return self._session.exec(query).one()

    def _row(self, number: CaseNumber) -> CaseRow:
        row = self._session.exec(
            select(CaseRow).where(CaseRow.number == number.main, CaseRow.sub_number == number.sub)
        ).first()
        if row is None:
            raise NotFoundError(f"no case {number}")
        return row

    # -- saving ------------------------------------------------------------------
    def add(
        self,
        case: Case,
        actor: Actor | None,
        now: datetime,
        drafts: Sequence[ActivityDraft],
        *,
        mail_id: uuid.UUID | None = None,
    ) -> CaseNumber:
        """Insert a new case, giving it the next number in this same transaction (CASE-3)."""
        parent_id: uuid.UUID | None = None
        connection = self._session.connection()
        if case.parent is None:
            main = connection.execute(
                update(table(CounterRow))
                .where(table(CounterRow).c.name == CASE_COUNTER)
                .values(value=table(CounterRow).c.value + 1)
                .returning(table(CounterRow).c.value)
            ).scalar_one()
            sub = 0
        else:
            parent = self._row(case.parent)
            parent_id = parent.id
            main = parent.number
            sub = connection.execute(
                update(table(CaseRow))
                .where(table(CaseRow).c.id == parent.id)
                .values(sub_seq=table(CaseRow).c.sub_seq + 1)
                .returning(table(CaseRow).c.sub_seq)
            ).scalar_one()
        case.number = CaseNumber(main, sub)
        case.version = 1
        # Core, not the ORM unit of work: a mail sync adds thousands of cases per batch,
        # and an ORM insert with its flush costs about ten times as much.
        values = self._values(case)  # may create the contact
        self._directory.write_contacts()
        connection.execute(
            insert(table(CaseRow)),
            [
                {
                    "id": case.id,
                    "number": main,
                    "sub_number": sub,
                    "sub_seq": 0,
                    "parent_id": parent_id,
                    "created_at": case.created_at,
                    "version": 1,
                    **values,
                }
            ],
        )
        self.record(case.id, actor, now, drafts, mail_id=mail_id, fresh=True)
        return case.number

    def number_block(self) -> "NumberBlock":
        """Hand out case numbers one by one inside this transaction (bulk creation)."""
        return NumberBlock(self._session)

    def add_many(self, items: Sequence[tuple[Case, Sequence[Entry]]]) -> None:
        """Insert new top-level cases numbered from a `number_block`, with their entries.

        One statement for all cases and one for all entries: a mail sync opens thousands.
        The entries have no actor (the system creates these cases).
        """
        if not items:
            return
        connection = self._session.connection()
        case_rows, activity_rows = [], []
        for case, entries in items:
            assert case.number is not None, "number the case from a number_block first"
            assert case.parent is None, "sub-cases go through add()"
            case.version = 1
            case_rows.append(
                {
                    "id": case.id,
                    "number": case.number.main,
                    "sub_number": 0,
                    "sub_seq": 0,
                    "parent_id": None,
                    "created_at": case.created_at,
                    "version": 1,
                    **self._values(case),
                }
            )
            activity_rows.extend(self._entry_rows(case.id, None, case.created_at, entries))
            self.events.append(CaseEvent(case.id, None, case.created_at, list(entries)))
        self._directory.write_contacts()  # the cases' new contacts first
        insert_rows(connection, table(CaseRow), case_rows)  # see storage/rows.py
        insert_rows(connection, table(ActivityRow), activity_rows)

    def save_many(self, items: Sequence[tuple[Case, Sequence[Entry]]], now: datetime) -> None:
        """`save` for many cases the system changed (mail onto existing cases, a batch at a
        time): one UPDATE per set of changed columns, all entries in one insert, each after
        its case's newest entry. Any case changed by someone else meanwhile: ConflictError.
        """
        if not items:
            return
        cases = table(CaseRow)
        connection = self._session.connection()
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for case, entries in items:
            values = self._values(case, {key for draft, _ in entries for key in draft.changes})
            row = {"case_id": case.id, "case_version": case.version, **values}
            groups.setdefault(tuple(sorted(values)), []).append(row)
        for rows in groups.values():
            statement = update(cases).where(
                cases.c.id == bindparam("case_id"), cases.c.version == bindparam("case_version")
            )
            statement = statement.values(version=cases.c.version + 1)
            if connection.dialect.supports_sane_multi_rowcount:
                matched = connection.execute(statement, rows).rowcount
            else:
                matched = sum(connection.execute(statement, [row]).rowcount for row in rows)
            if matched != len(rows):
                raise ConflictError("a case was changed by someone else meanwhile; try again")
        newest = self._newest_entries([case.id for case, _ in items])
        activity_rows = []
        for case, entries in items:
            case.version += 1
            last = newest.get(case.id)
            start = last + timedelta(microseconds=1) if last is not None and last >= now else now
            activity_rows.extend(self._entry_rows(case.id, None, start, entries))
            self.events.append(CaseEvent(case.id, None, start, list(entries)))
        insert_rows(connection, table(ActivityRow), activity_rows)

    def _newest_entries(self, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, datetime]:
        """The time of each case's newest timeline entry (one query per 500 cases)."""
        newest: dict[uuid.UUID, datetime] = {}
        at, case_id = col(ActivityRow.at), col(ActivityRow.case_id)
        for chunk in chunked(case_ids):
            query = select(case_id, func.max(at)).where(case_id.in_(chunk)).group_by(case_id)
            newest.update({row[0]: row[1] for row in self._session.execute(query)})
        return newest

    def save(
        self,
        case: Case,
        actor: Actor | None,
        now: datetime,
        drafts: Sequence[ActivityDraft],
        *,
        mail_id: uuid.UUID | None = None,
    ) -> None:
        """Write the changed case if nobody else did since it was loaded; record activities."""
        if not drafts:
            return
        changed = {key for draft in drafts for key in draft.changes}
        cases = table(CaseRow)
        result = self._session.connection().execute(  # Core: no ORM bookkeeping to pay for
            update(cases)
            .where(cases.c.id == case.id, cases.c.version == case.version)
            .values(version=cases.c.version + 1, **self._values(case, changed))
        )
        if result.rowcount != 1:
            raise ConflictError(f"{case.label} was changed by someone else meanwhile; try again")
        case.version += 1
        self.record(case.id, actor, now, drafts, mail_id=mail_id)

    def record(
        self,
        case_id: uuid.UUID,
        actor: Actor | None,
        now: datetime,
        drafts: Sequence[ActivityDraft],
        *,
        mail_id: uuid.UUID | None = None,
        fresh: bool = False,
    ) -> None:
        """Append activities to a case's timeline, strictly after its newest entry.

        `mail_id` links the mail entries (MAIL_IN/MAIL_OUT) to their stored mail; `fresh`
        says the case was just inserted (no entries yet, so no need to look).

        The timeline is ordered by `at`. Entries of one action share `now`, and two
        actions can carry the same instant (a coarse clock, a frozen test clock), so each
        entry is placed at least a microsecond after the previous one of the case.
        """
        actor_id = self._directory.agent_id(actor.username) if actor else None
        start = now
        if not fresh:
            newest = self._session.execute(
                select(func.max(ActivityRow.at)).where(col(ActivityRow.case_id) == case_id)
            ).scalar_one_or_none()
            if newest is not None and newest >= now:
                start = newest + timedelta(microseconds=1)
        rows = self._entries(case_id, actor_id, start, drafts, mail_id)
        if rows:
            self._session.connection().execute(insert(table(ActivityRow)), rows)
            who = actor.username if actor and actor.username else None
            self.events.append(CaseEvent(case_id, who, start, [(d, mail_id) for d in drafts]))

    @classmethod
    def _entries(
        cls,
        case_id: uuid.UUID,
        actor_id: uuid.UUID | None,
        start: datetime,
        drafts: Sequence[ActivityDraft],
        mail_id: uuid.UUID | None,
    ) -> list[dict[str, Any]]:
        """Activity rows for `drafts`, a microsecond apart from `start`."""
        return cls._entry_rows(case_id, actor_id, start, [(draft, mail_id) for draft in drafts])

    @staticmethod
    def _entry_rows(
        case_id: uuid.UUID, actor_id: uuid.UUID | None, start: datetime, entries: Sequence[Entry]
    ) -> list[dict[str, Any]]:
        """Activity rows for (draft, its mail) pairs, a microsecond apart from `start`; the
        mail is linked to the mail entries (MAIL_IN/MAIL_OUT) only."""
        return [
            {
                "id": uuid.uuid4(),
                "case_id": case_id,
                "kind": draft.kind.value,
                "actor_id": actor_id,
                "at": start + timedelta(microseconds=offset),
                "internal": draft.internal,
                "text": draft.text,
                "changes": json.dumps(dict(draft.changes), ensure_ascii=False),
                "time_spent_centi": draft.time_spent_centi,
                "mail_id": mail_id if draft.kind in MAIL_KINDS else None,
            }
            for offset, (draft, mail_id) in enumerate(entries)
        ]

    def delete(self, case: Case, actor: Actor, now: datetime) -> int:
        """Remove a case with its sub-cases, activities, timers, mails (raw bytes, outbox
        rows) and notifications; log it (CASE-9). Returns how many cases went."""
        ids = [
            case.id,
            *self._session.exec(select(CaseRow.id).where(CaseRow.parent_id == case.id)).all(),
        ]
        self._session.execute(
            update(CaseRow)
            .where(col(CaseRow.duplicate_of_id).in_(ids))
            .values(duplicate_of_id=None)
        )
        delete_for_cases(self._session, ids)  # mails, raw bytes, outbox, notifications
        self._session.execute(delete(ActivityRow).where(col(ActivityRow.case_id).in_(ids)))
        self._session.execute(delete(TimerRow).where(col(TimerRow.case_id).in_(ids)))
        self._session.execute(delete(CaseRow).where(col(CaseRow.parent_id) == case.id))
        self._session.execute(delete(CaseRow).where(col(CaseRow.id) == case.id))
        self._session.add(
            AuditRow(
                at=now,
                actor_id=self._directory.agent_id(actor.username),
                action="case.delete",
                subject=f"{case.label} {case.subject}",
                details=json.dumps({"number": case.label, "sub_cases": len(ids) - 1}),
            )
        )
        self._session.flush()
        return len(ids)

    def case_id(self, number: CaseNumber) -> uuid.UUID:
        """The id of a case (for rows that hang off it, like timers)."""
        return self._row(number).id

    def count(self) -> int:
        """How many cases exist (tests and summaries; not for screens)."""
        return int(self._session.execute(select(func.count()).select_from(CaseRow)).scalar_one())

    # -- mapping -----------------------------------------------------------------
    def _values(self, case: Case, fields: set[str] | None = None) -> dict[str, Any]:
        """Column values of `case`; only those of `fields` (change keys) when given.

        Writing just the changed columns spares the name → id look-ups of the others,
        which is most of the cost of a small save such as assign-to-me.
        """
        d = self._directory
        getters: dict[str, tuple[str, Callable[[], Any]]] = {
            "subject": ("subject", lambda: case.subject),
            "type": ("type", lambda: case.type),
            "status": ("status", lambda: case.status.value),
            "priority": ("priority", lambda: case.priority.value),
            "description": ("description", lambda: case.description),
            "delegated_user": (
                "delegated_user_id",
                lambda: d.agent_id(case.delegation.user) if case.delegation.user else None,
            ),
            "delegated_group": (
                "delegated_group_id",
                lambda: d.group_id(case.delegation.group) if case.delegation.group else None,
            ),
            "owner": ("owner_id", lambda: d.agent_id(case.owner) if case.owner else None),
            "due": ("due", lambda: case.due),
            "reminder": ("reminder", lambda: case.reminder),
            "resolution": (
                "resolution",
                lambda: case.resolution.value if case.resolution else None,
            ),
            "duplicate_of": (
                "duplicate_of_id",
                lambda: self._row(case.duplicate_of).id if case.duplicate_of else None,
            ),
        }
        values = {
            column: get()
            for key, (column, get) in getters.items()
            if fields is None or key in fields
        }
        values["updated_at"] = case.updated_at
        if fields is None or "csat" in fields:  # the customer's rating (CSAT) and when
            values["csat_rating"], values["csat_at"] = case.csat_rating, case.csat_at
        if fields is not None and any(key.startswith("fields.") for key in fields):
            values["custom"] = json.dumps(case.custom, ensure_ascii=False)
        if fields is None:  # a new case: everything, including who it is about
            contact = d.ensure_contact(case.contact)
            values["contact_id"] = contact.id
            values["account_id"] = (
                d.account_id(case.account) if case.account else contact.account_id
            )
            values["initiator_id"] = d.agent_id(case.initiator) if case.initiator else None
            values["custom"] = json.dumps(case.custom, ensure_ascii=False)
        return values

    def _to_domain(self, row: CaseRow) -> Case:
        d = self._directory
        parent = self._session.get(CaseRow, row.parent_id) if row.parent_id else None
        original = self._session.get(CaseRow, row.duplicate_of_id) if row.duplicate_of_id else None
        return Case(
            id=row.id,
            number=CaseNumber(row.number, row.sub_number),
            subject=row.subject,
            type=row.type,
            contact=d.contact_email(row.contact_id),
            account=d.account_name(row.account_id),
            delegation=Delegation(
                user=d.username(row.delegated_user_id),
                group=d.group_name(row.delegated_group_id),
            ),
            owner=d.username(row.owner_id),
            initiator=d.username(row.initiator_id) or "",
            status=Status(row.status),
            priority=Priority(row.priority),
            description=row.description,
            due=row.due,
            reminder=row.reminder,
            resolution=Resolution(row.resolution) if row.resolution else None,
            duplicate_of=CaseNumber(original.number, original.sub_number) if original else None,
            parent=CaseNumber(parent.number, parent.sub_number) if parent else None,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            custom=json.loads(row.custom or "{}"),
            csat_rating=row.csat_rating,
            csat_at=row.csat_at,
        )


class NumberBlock:
    """Case numbers taken one at a time and written back once (`close`).

    Opening the block locks the counter row (an UPDATE that changes nothing takes the
    row lock on PostgreSQL; SQLite's writer already holds the database), so nobody else
    can hand out the same numbers until this transaction ends.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        counter = table(CounterRow)
        self._value: int = (
            session.connection()
            .execute(
                update(counter)
                .where(counter.c.name == CASE_COUNTER)
                .values(value=counter.c.value)
                .returning(counter.c.value)
            )
            .scalar_one()
        )
        self._start = self._value

    def take(self) -> CaseNumber:
        """The next case number."""
        self._value += 1
        return CaseNumber(self._value)

    def close(self) -> None:
        """Store the last number handed out."""
        if self._value != self._start:
            counter = table(CounterRow)
            self._session.connection().execute(
                update(counter).where(counter.c.name == CASE_COUNTER).values(value=self._value)
            )
