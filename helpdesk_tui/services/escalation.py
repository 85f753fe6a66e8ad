"""SLA escalation (DATE-3, issue 15 §4): one scheduler pass fires the levels that are due.

`[[sla.escalations]]` configures levels at a share of a clock's target (`75%`) or after
the breach (`100%+4h`); every case keeps the instant its next level not yet fired is
reached (`cases.sla_escalation_at`, maintained with the SLA state by services/sla.py) and
the keys of the levels fired (`cases.sla_escalated`). A pass (`escalate_due`, called by
sync/scheduler.Scheduler.run_once) then:

1. reads only the due rows, through the partial index (open cases, `sla_escalation_at
   <= now`);
2. for each case takes the levels reached by now on either clock, minus those fired;
3. stores the fired keys and the next instant with one compare-and-set executemany on
   `sla_escalated` — a pass that lost the race to another process updates fewer rows and
   is run again on what the winner wrote (nothing left to fire: not an error);
4. writes one system entry per level on the case timeline (`escalation: resolution at
   100% → told lena`, an `edit` of no actor: the case timeline and the activity feed
   show it), and the notifications (`sla_warning` below 100 %, `sla_breach` at or after
   it) with unique dedupe keys `sla:<case>:<level key>:<agent>` (inserted or ignored);
5. raises the priority one step per level with `raise_priority` (through the domain's
   edit, recorded as a change of the system; the SLA is re-matched as for any edit; an
   urgent case stays urgent).

So each level fires exactly once per case and clock, across passes, processes and
restarts. Who is told: `domain/sla.escalation_recipients` (the fallbacks when a case has
no delegate, no group, no lead or no owner are described there). Closed cases never
escalate (their clocks are stopped and they are outside the index).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Actor
from helpdesk_tui.domain.enums import ActivityKind, Priority, Role
from helpdesk_tui.domain.errors import ConflictError, DomainError
from helpdesk_tui.domain.notifications import NotificationKind
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.sla import (
    EscalationLevel,
    SlaRules,
    escalation_plan,
    escalation_recipients,
    restore,
)
from helpdesk_tui.services.context import Context, retrying

if TYPE_CHECKING:
    from helpdesk_tui.storage.escalation import DueCase, EscalationPeople
    from helpdesk_tui.storage.uow import UnitOfWork

#: Who raises a priority: the system (the entry has no actor).
SYSTEM = Actor("system", Role.ADMIN)
BREACH, WARNING = NotificationKind.SLA_BREACH, NotificationKind.SLA_WARNING
#: Cases changed this long before a pass have no timeline entry at or after its instant.
RECENT = timedelta(minutes=1)
#: One step up, most urgent last.
_UP = {
    Priority.LOW: Priority.NORMAL,
    Priority.NORMAL: Priority.HIGH,
    Priority.HIGH: Priority.URGENT,
}


@dataclass
class Escalated:
    """What one pass did."""

    levels: int = 0
    """Levels fired (each once per case and clock)."""
    notified: int = 0
    """Notifications written."""
    raised: list[CaseNumber] = field(default_factory=list)
    """Cases whose priority was raised."""


def sla_key(case_id: uuid.UUID, level: EscalationLevel, agent: str) -> str:
    """The dedupe key of an escalation notification: once per case, level and agent."""
    return f"sla:{case_id.hex}:{level.key}:{agent}"


def escalate_due(ctx: Context, *, limit: int | None = None) -> Escalated:
    """One escalation pass at `ctx.clock()`; see the module. Nothing (not even a write
    transaction) without escalation levels or without a due case. `limit` fires only the
    first due cases (the soonest; the demo shows a few)."""
    return _run(ctx, ctx.clock(), limit=limit, quiet=False)


def settle_reached(ctx: Context, at: datetime | None = None) -> int:
    """Record every level reached by `at` (default `ctx.clock()`) as fired, telling nobody
    and writing nothing on timelines; returns how many levels. For a history that
    predates its escalation levels (the demo's seeded past): later levels fire as usual."""
    return _run(ctx, at or ctx.clock(), limit=None, quiet=True).levels


def _run(ctx: Context, now: datetime, *, limit: int | None, quiet: bool) -> Escalated:
    from helpdesk_tui.storage.escalation import EscalationRepository  # lazy: SQLAlchemy

    rules = ctx.policy.sla
    if rules is None or not rules.escalations:
        return Escalated()
    with ctx.uow(write=False) as uow:
        if not EscalationRepository(uow.session).any_due(now):
            return Escalated()

    def work(uow: UnitOfWork) -> Escalated:
        assert rules is not None
        return _pass(uow, rules, ctx, now, limit=limit, quiet=quiet)

    return retrying(ctx, work)


@dataclass
class _Fired:
    case: DueCase
    levels: list[tuple[EscalationLevel, list[str]]]
    steps: int


def _pass(
    uow: UnitOfWork,
    rules: SlaRules,
    ctx: Context,
    now: datetime,
    *,
    limit: int | None,
    quiet: bool,
) -> Escalated:
    from helpdesk_tui.storage.escalation import EscalationRepository
    from helpdesk_tui.storage.sla import SlaRepository, fired_keys

    repository = EscalationRepository(uow.session)
    due = repository.due(now)[:limit]
    if not due:
        return Escalated()
    people = repository.people()
    calendar, escalations = rules.calendar, rules.escalations
    marks: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    fired_cases: list[_Fired] = []
    for case in due:
        fired = fired_keys(case.escalated)
        state = restore(json.loads(case.sla_state), calendar) if case.sla_state else None
        label = str(CaseNumber(case.number, case.sub_number))
        due_now, next_at = escalation_plan(escalations, state, fired, now)
        levels: list[tuple[EscalationLevel, list[str]]] = []
        for clock, level in due_now:
            told = _recipients(level, case, people)
            levels.append((level, told))
            kind = BREACH if level.breach else WARNING
            text = level.text(clock, label, now)
            # Told as a member of the delegated group: the row names the group.
            group = case.group_id if level.notify == "delegate" else None
            notes.extend(
                _note(case.id, people.ids[agent], kind, text, now, group)
                | {"dedupe_key": sla_key(case.id, level, agent)}
                for agent in told
            )
        new = fired.union(level.key for _, level in due_now)
        marks.append(
            {
                "case_key": case.id,
                "old": case.escalated,
                "fired": json.dumps(sorted(new), separators=(",", ":")) if new else None,
                "next_at": next_at,
            }
        )
        if levels:
            steps = sum(1 for level, _ in levels if level.raise_priority)
            fired_cases.append(_Fired(case, levels, steps))
    if repository.mark(marks) != len(marks):
        raise ConflictError("another pass fired escalations meanwhile")  # retried
    if quiet:
        return Escalated(sum(len(f.levels) for f in fired_cases))
    # A timeline entry is placed a few microseconds after its change at most: only a case
    # changed lately can have one at or after now (a frozen or coarse clock).
    recent = now - RECENT
    newest = repository.newest_entries(
        [f.case.id for f in fired_cases if f.case.updated_at >= recent]
    )
    entries: list[tuple[uuid.UUID, datetime, ActivityDraft]] = []
    raised: list[CaseNumber] = []
    for item in fired_cases:
        last = newest.get(item.case.id)
        start = last + timedelta(microseconds=1) if last is not None and last >= now else now
        change = _raise(uow, ctx, item, start) if item.steps else None
        # The raise is told on the last level that asked for it (one edit for all).
        last_raising = (
            max(i for i, (level, _) in enumerate(item.levels) if level.raise_priority)
            if item.steps
            else -1
        )
        for offset, (level, told) in enumerate(item.levels):
            line = level.change(told, change if offset == last_raising else None)
            draft = ActivityDraft(ActivityKind.EDIT, changes={"escalation": line})
            entries.append((item.case.id, start + timedelta(microseconds=offset), draft))
        if change is not None:
            raised.append(CaseNumber(item.case.number, item.case.sub_number))
    SlaRepository(uow.session).log(entries)
    uow.notifications.add(notes)
    return Escalated(sum(len(f.levels) for f in fired_cases), len(notes), raised)


def _recipients(level: EscalationLevel, case: DueCase, people: EscalationPeople) -> list[str]:
    group = case.group_id
    return escalation_recipients(
        level.notify,
        user=people.name(case.user_id),
        group_members=people.members.get(group, frozenset()) if group else (),
        leads=people.leads_of(group, case.user_id),
        owner=people.name(case.owner_id),
        admins=people.admins,
    )


def _note(
    case_id: uuid.UUID,
    agent_id: uuid.UUID,
    kind: NotificationKind,
    text: str,
    now: datetime,
    group_id: uuid.UUID | None,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "at": now,
        "agent_id": agent_id,
        "group_id": group_id,
        "case_id": case_id,
        "text": text,
        "read": False,
        "kind": kind.value,
        "actor_id": None,
    }


def _raise(uow: UnitOfWork, ctx: Context, item: _Fired, at: datetime) -> tuple[str, str] | None:
    """Raise the case's priority `item.steps` steps (to urgent at most), as an edit of the
    system placed after the escalation entries; None when it is urgent already (or the
    domain refuses the edit)."""
    case = uow.cases.get(CaseNumber(item.case.number, item.case.sub_number))
    old = Priority(case.priority)
    new = old
    for _ in range(item.steps):
        new = _UP.get(new, new)
    if new == old:
        return None
    try:
        draft = case.edit(SYSTEM, at, ctx.policy, values={"priority": new})
    except DomainError:
        return None
    if draft is None:
        return None
    uow.cases.save(case, None, at + timedelta(microseconds=len(item.levels)), [draft])
    return (old.value, new.value)
