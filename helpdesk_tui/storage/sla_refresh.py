"""What recomputing the SLA of the open cases after a configuration change reads and writes
(services/sla_refresh.py).

Progress lives in `scheduler_state` (no new table): one row named `sla:<fingerprint>` per
configuration applied, its `at` the keyset cursor — the case number up to which the open
cases were recomputed, as `CURSOR_EPOCH` plus that many seconds — or `DONE`. Each batch
advances the cursor with a compare-and-set in its own transaction, so two processes never
recompute the same batch and a crash resumes after the last batch committed.
"""

import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, delete, func, select, update
from sqlmodel import Session

from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.rows import insert_rows
from helpdesk_tui.storage.tables import ActivityRow, CaseRow, MailRow, SchedulerStateRow, table

#: `scheduler_state.name` of a configuration: this prefix and its fingerprint.
PREFIX = "sla:"
#: The cursor of case number n is this instant plus n seconds.
CURSOR_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The cursor of a configuration whose recompute is finished.
DONE = datetime(9999, 12, 31, tzinfo=UTC)

_STATE, _CASES = table(SchedulerStateRow), table(CaseRow)
_ACTIVITIES, _MAILS = table(ActivityRow), table(MailRow)
_OPEN = _CASES.c.status != Status.CLOSED.value


def cursor_at(number: int) -> datetime:
    """The stored cursor of "recomputed up to case number `number`"."""
    return CURSOR_EPOCH + timedelta(seconds=number)


def cursor_number(at: datetime) -> int:
    """The case number a stored cursor stands for."""
    return int((at - CURSOR_EPOCH).total_seconds())


class SlaRefreshStore:
    """The progress row and the batches of open cases, in the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def progress(self, name: str) -> datetime | None:
        """The cursor of configuration `name`, None when it was never begun (or another
        configuration was begun since)."""
        query = select(_STATE.c.at).where(_STATE.c.name == name)
        return self._session.connection().execute(query).scalar_one_or_none()

    def begin(self, name: str, day: date) -> None:
        """Start configuration `name` from the first case (forgetting every other one);
        two processes beginning it at once both succeed."""
        connection = self._session.connection()
        connection.execute(
            delete(_STATE).where(_STATE.c.name.startswith(PREFIX), _STATE.c.name != name)
        )
        row = {"name": name, "day": day, "at": cursor_at(0)}
        insert_rows(connection, _STATE, [row], ignore_duplicates=True)

    def claim(self, name: str, old: datetime, new: datetime, day: date) -> bool:
        """Move the cursor from `old` to `new` if no one else moved it (compare-and-set;
        on PostgreSQL a concurrent claim waits for this transaction, then fails)."""
        result = self._session.connection().execute(
            update(_STATE).where(_STATE.c.name == name, _STATE.c.at == old).values(at=new, day=day)
        )
        return result.rowcount == 1

    def next_numbers(self, after: int, limit: int) -> list[int]:
        """The case numbers of the next `limit` open cases after number `after` (keyset
        on `uq_cases_number`)."""
        query = (
            select(_CASES.c.number)
            .where(_OPEN, _CASES.c.number > after)
            .order_by(_CASES.c.number, _CASES.c.sub_number)
            .limit(limit)
        )
        return list(self._session.connection().execute(query).scalars())

    def lock_open(self, after: int, last: int) -> list[uuid.UUID]:
        """The open cases numbered in (after, last], locked against concurrent changes
        until the commit (PostgreSQL; SQLite's write lock is taken up front)."""
        query = (
            select(_CASES.c.id)
            .where(_OPEN, _CASES.c.number > after, _CASES.c.number <= last)
            .order_by(_CASES.c.number, _CASES.c.sub_number)
            .with_for_update()
        )
        return list(self._session.connection().execute(query).scalars())

    def first_responses(self, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, datetime]:
        """When an agent first answered each of these cases (the first external entry or
        mail out with an actor), from the timelines: for cases that never had an SLA."""
        kinds = (ActivityKind.EXTERNAL.value, ActivityKind.MAIL_OUT.value)
        found: dict[uuid.UUID, datetime] = {}
        for chunk in chunked(list(case_ids)):
            query = (
                select(_ACTIVITIES.c.case_id, func.min(_ACTIVITIES.c.at))
                .where(
                    _ACTIVITIES.c.case_id.in_(chunk),
                    _ACTIVITIES.c.kind.in_(kinds),
                    _ACTIVITIES.c.actor_id.is_not(None),
                    _ACTIVITIES.c.internal.is_(False),
                )
                .group_by(_ACTIVITIES.c.case_id)
            )
            found.update({row[0]: row[1] for row in self._session.connection().execute(query)})
        return found

    def creating_mailboxes(self, created: dict[uuid.UUID, datetime]) -> dict[uuid.UUID, str]:
        """The mailbox of the mail each case was created from (its mail-in entry written
        with the creation), for cases that never had an SLA: `created` maps case → its
        `created_at`."""
        found: dict[uuid.UUID, str] = {}
        for chunk in chunked(list(created)):
            query = (
                select(_ACTIVITIES.c.case_id, _ACTIVITIES.c.at, _MAILS.c.mailbox)
                .select_from(_ACTIVITIES.join(_MAILS, _MAILS.c.id == _ACTIVITIES.c.mail_id))
                .where(
                    and_(
                        _ACTIVITIES.c.case_id.in_(chunk),
                        _ACTIVITIES.c.kind == ActivityKind.MAIL_IN.value,
                    )
                )
            )
            for case_id, at, mailbox in self._session.connection().execute(query):
                if timedelta(0) <= at - created[case_id] < timedelta(seconds=1):
                    found.setdefault(case_id, mailbox)
        return found
