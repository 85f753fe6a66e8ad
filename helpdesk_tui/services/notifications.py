"""Notifications (DATE-4, ASSIGN-4, ACT-3, MAIL-6): made with their cause, read, marked.

- Made with their cause: every unit of work of `Context.uow` calls `write_pending` just
  before it commits. The case repository has noted what each write put on a timeline
  (`CaseEvent`); the domain (`domain/notifications.for_change`) says who hears of it;
  the rows land in the same transaction. So no use case can forget to notify, and a
  rolled-back action notifies nobody.
- A group's notification is fanned out: one row per active member, each read on its own.
- `fire_due` is one pass of the scheduler (`sync/scheduler.py`): reminders that have come
  and cases that became overdue, each (kind, case, date, agent) once — the dedupe key is
  unique and rows are inserted or ignored, so two processes, or a restart, never double.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.notifications import (
    Change,
    Notice,
    NotificationKind,
    People,
    for_change,
    for_date,
)
from helpdesk_tui.services.context import Context, retrying
from helpdesk_tui.storage.reads import open_reads

if TYPE_CHECKING:
    from helpdesk_tui.storage.notifications import DatedCase
    from helpdesk_tui.storage.uow import UnitOfWork

MAIL_IN = ActivityKind.MAIL_IN
#: The scheduler's row in `scheduler_state`.
SCHEDULER = "notifications"
#: Cases changed this long before the previous pass are looked at again: a transaction
#: that began before that pass may have committed after it.
LOOK_BACK = timedelta(minutes=5)


def write_pending(uow: UnitOfWork) -> None:
    """The notifications of what this unit of work wrote on timelines (before commit)."""
    events = list(uow.events)
    if not events:
        return
    states = uow.notifications.case_states({event.case_id for event in events})
    mail_ids = {
        mail_id
        for event in events
        for draft, mail_id in event.entries
        if mail_id is not None and draft.kind is MAIL_IN
    }
    senders = uow.notifications.senders(mail_ids) if mail_ids else {}
    people: People | None = None
    rows: list[dict[str, Any]] = []
    for event in events:
        state = states.get(event.case_id)
        if state is None:  # deleted in the same unit of work
            continue
        if people is None:
            people = uow.notifications.people(uow.directory.agents())
        mailed = [senders[m] for d, m in event.entries if m in senders and d.kind is MAIL_IN]
        sender = mailed[-1] if mailed else None  # the newest, as the text quotes the newest
        change = Change(state, event.actor, [draft for draft, _ in event.entries], sender)
        event_key = uuid.uuid4().hex
        notices = for_change(change, people)
        rows.extend(
            _row(uow, notice, event.at, event.case_id, event.actor, f"{event_key}:{notice.agent}")
            for notice in notices
        )
    uow.notifications.add(rows)


def _row(
    uow: UnitOfWork,
    notice: Notice,
    at: datetime,
    case_id: uuid.UUID | None,
    actor: str | None,
    key: str,
) -> dict[str, Any]:
    directory = uow.directory
    return {
        "id": uuid.uuid4(),
        "at": at,
        "agent_id": directory.agent_id(notice.agent),
        "group_id": directory.group_id(notice.group) if notice.group else None,
        "case_id": case_id,
        "text": notice.text,
        "read": False,
        "kind": notice.kind.value,
        "actor_id": directory.agent_id(actor) if actor else None,
        "dedupe_key": key,
    }


def date_key(kind: NotificationKind, case_id: uuid.UUID, day: date, agent: str) -> str:
    """The dedupe key of a time-based notification: once per (kind, case, date, agent)."""
    return f"{kind.value}:{case_id.hex}:{day}:{agent}"


def mark_read(ctx: Context, username: str, ids: Sequence[uuid.UUID]) -> int:
    """Mark these notifications of `username` read; returns how many were unread."""

    def work(uow: UnitOfWork) -> int:
        return uow.notifications.mark_read(uow.directory.agent_id(username), list(ids))

    return retrying(ctx, work) if ids else 0


def mark_all_read(ctx: Context, username: str) -> int:
    """Mark every notification of `username` read; returns how many were unread."""

    def work(uow: UnitOfWork) -> int:
        return uow.notifications.mark_read(uow.directory.agent_id(username), None)

    return retrying(ctx, work)


def fire_due(ctx: Context) -> int:
    """One scheduler pass: notify reminders that have come and cases that became overdue
    since the last pass; returns how many notifications it wrote (ignored repeats not
    counted).

    Reads only due rows through indexes: reminders in (last day, today], dues in
    [last day, today), and the open cases changed since shortly before the last pass
    (a reminder moved to today, a new case due yesterday). The first pass ever looks at
    today only: history is not replayed as a flood. A pass with nothing new to look at
    (it passed today, no case changed since) only reads, on the plain read path.
    """

    now = ctx.clock()
    with open_reads(ctx.location) as reads:
        if reads.notifications.scheduler_idle(SCHEDULER, now.date(), LOOK_BACK):
            return 0  # nothing new since the last pass: no write, no ORM

    def work(uow: UnitOfWork) -> int:
        now = ctx.clock()
        today = now.date()
        store = uow.notifications
        state = store.scheduler_state(SCHEDULER)
        last_day, last_at = state if state else (today - timedelta(days=1), now)
        found: dict[tuple[NotificationKind, uuid.UUID, date], DatedCase] = {}
        for case in store.reminders_between(last_day, today) if last_day < today else ():
            assert case.reminder is not None
            found[(NotificationKind.REMINDER, case.id, case.reminder)] = case
        for case in store.dues_between(last_day, today) if last_day < today else ():
            found[(NotificationKind.OVERDUE, case.id, case.due)] = case
        if state is not None:
            for case in store.changed_since(min(last_at, now) - LOOK_BACK):
                reminder = case.reminder
                if reminder is not None and last_day <= reminder <= today:
                    found[(NotificationKind.REMINDER, case.id, reminder)] = case
                if last_day - timedelta(days=1) <= case.due < today:
                    found[(NotificationKind.OVERDUE, case.id, case.due)] = case
        rows = list(_date_rows(uow, found.items(), now))
        known = store.known_keys([row["dedupe_key"] for row in rows])
        rows = [row for row in rows if row["dedupe_key"] not in known]
        store.add(rows)  # insert or ignore: another process may fire the same meanwhile
        store.save_scheduler_state(SCHEDULER, max(today, last_day), now)
        return len(rows)

    return retrying(ctx, work)


def _date_rows(
    uow: UnitOfWork,
    found: Iterable[tuple[tuple[NotificationKind, uuid.UUID, date], DatedCase]],
    now: datetime,
) -> Iterable[dict[str, Any]]:
    people = uow.notifications.people(uow.directory.agents())
    for (kind, case_id, day), case in sorted(found, key=lambda item: str(item[0])):
        for notice in for_date(kind, case.state, day, people):
            key = date_key(kind, case_id, day, notice.agent)
            yield _row(uow, notice, now, case_id, None, key)
