"""Recompute the stored SLA of the open cases when the SLA configuration changed (DATE-3).

`maintain_sla` keeps a case's SLA in step with the case's own changes; a changed
`[[sla.policies]]`, `[[sla.escalations]]` or `[calendar]` (or policies configured for the
first time on a database whose cases have none) reaches the cases here instead: a
scheduler pass compares the configuration's fingerprint with the one stored
(`scheduler_state`, storage/sla_refresh.py) and, when it differs, folds every open case
through the same rules as `maintain_sla` — the policy re-matched from the stored facts,
the business time used kept, clocks re-placed on the new calendar, a case without an SLA
started from its creation (its first response and mailbox taken from its timeline) — in
keyset batches, one transaction each, resumable after a crash. The timeline gets the
`sla: old → new` entry only where the policy or targets changed; versions are left alone.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.sla import SlaRules, SlaState, restore
from helpdesk_tui.services.sla import (
    _columns,
    _entered,
    _Fold,
    _retarget,
    _summary,
    _track_pause,
)

if TYPE_CHECKING:
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.storage.sla import SlaFacts

#: Open cases recomputed per transaction.
BATCH = 2000


@dataclass(frozen=True)
class Refresh:
    """What one call did: open cases recomputed, and how many of them changed."""

    cases: int = 0
    changed: int = 0
    finished: bool = True
    """False when it stopped early (`max_batches`, another configuration took over)."""


def sla_fingerprint(rules: SlaRules, year: int) -> str:
    """A short digest of everything the stored SLA depends on: the policies (order,
    conditions, targets), the escalation levels and the calendar (zone, working hours,
    the closed dates of the years around `year`)."""
    calendar = rules.calendar

    def values(items: frozenset[str] | None) -> list[str] | None:
        return None if items is None else sorted(items)

    closed = [
        day.isoformat()
        for offset in range((date(year + 2, 1, 1) - date(year - 1, 1, 1)).days)
        if calendar.is_closed(day := date(year - 1, 1, 1) + timedelta(days=offset))
    ]
    config = {
        "policies": [
            [
                p.name,
                str(p.first_response) if p.first_response is not None else None,
                str(p.resolution) if p.resolution is not None else None,
                values(p.priorities),
                values(p.types),
                values(p.accounts),
                values(p.mailboxes),
            ]
            for p in rules.policies
        ],
        "escalations": [
            [e.at, e.percent, str(e.after), e.notify, e.raise_priority] for e in rules.escalations
        ],
        "calendar": [calendar.zone.key, str(calendar.hours), calendar.day_minutes, closed],
    }
    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:28]


def refresh_sla(ctx: Context, *, batch: int = BATCH, max_batches: int | None = None) -> Refresh:
    """Recompute the SLA of every open case if the configuration changed since it was
    last done (a no-op read of one row otherwise, and without SLA rules)."""
    from helpdesk_tui.storage.sla_refresh import (  # lazy: storage loads SQLAlchemy
        DONE,
        PREFIX,
        SlaRefreshStore,
        cursor_at,
        cursor_number,
    )

    rules = ctx.policy.sla
    if rules is None:
        return Refresh()
    now = ctx.clock()
    name = PREFIX + sla_fingerprint(rules, now.year)
    with ctx.uow(write=False) as uow:
        cursor = SlaRefreshStore(uow.session).progress(name)
    if cursor == DONE:
        return Refresh()
    if cursor is None:
        with ctx.uow() as uow:
            SlaRefreshStore(uow.session).begin(name, now.date())
            uow.commit()
    cases = changed = batches = 0
    while max_batches is None or batches < max_batches:
        with ctx.uow() as uow:
            store = SlaRefreshStore(uow.session)
            cursor = store.progress(name)
            if cursor is None:  # another configuration began meanwhile: it goes on
                return Refresh(cases, changed, finished=False)
            if cursor == DONE:
                break
            after = cursor_number(cursor)
            numbers = store.next_numbers(after, batch)
            new = cursor_at(numbers[-1]) if numbers else DONE
            if not store.claim(name, cursor, new, now.date()):
                continue  # another process took this batch: read the cursor again
            if numbers:
                ids = store.lock_open(after, numbers[-1])
                cases += len(ids)
                changed += _recompute(uow, store, ids, rules, now)
            uow.commit()
        batches += 1
        if not numbers:
            break
    else:
        return Refresh(cases, changed, finished=False)
    return Refresh(cases, changed)


def _recompute(uow: Any, store: Any, ids: list[uuid.UUID], rules: SlaRules, now: datetime) -> int:
    """Fold these cases under `rules` as of `now`; write what changed. Returns how many
    cases' SLA columns changed."""
    from helpdesk_tui.storage.sla import SlaRepository

    repository = SlaRepository(uow.session)
    facts = repository.facts(ids)
    fresh = [fact for fact in facts.values() if fact.state is None]
    responses = store.first_responses([f.case_id for f in fresh if f.first_response_at is None])
    mailboxes = store.creating_mailboxes({f.case_id: f.created_at for f in fresh})
    values: dict[uuid.UUID, dict[str, Any]] = {}
    notes: list[tuple[uuid.UUID, datetime, ActivityDraft]] = []
    for case_id in ids:
        fact = facts.get(case_id)
        if fact is None:
            continue
        before = _summary(fact.state, rules)
        fold = refold(fact, rules, now, responses.get(case_id), mailboxes.get(case_id))
        columns = _columns(fold, rules, fact.escalated)
        if columns != fact.stored:
            values[case_id] = columns
        after = fold.state.summary() if fold.state is not None else None
        if after != before:
            changes = {"sla": (before, after)}
            notes.append((case_id, now, ActivityDraft(ActivityKind.EDIT, changes=changes)))
    repository.write(values)
    repository.log(notes)
    return len(values)


def refold(
    fact: SlaFacts,
    rules: SlaRules,
    at: datetime,
    first_response_at: datetime | None = None,
    mailbox: str | None = None,
) -> _Fold:
    """A case's SLA under `rules` as of `at`, from its stored facts alone: what
    `maintain_sla`'s fold does after a case's events (re-match the policy, re-target
    keeping the business time used), and also re-placing the due instants of running
    clocks that another calendar moved. A case without a stored SLA starts from its
    creation, with `first_response_at` and `mailbox` from its timeline if given."""
    calendar = rules.calendar
    data = fact.state
    fold = _Fold(
        state=restore(data, calendar) if data else None,
        first_response_at=fact.first_response_at or first_response_at,
        paused_since=fact.paused_since,
        paused_minutes=fact.paused_minutes,
        mailbox=data.get("mailbox") if data else mailbox,
    )
    status = Status(fact.status)
    _entered(fold, status, at, rules)
    policy = rules.match(fact.priority, fact.type, fact.account, fold.mailbox)
    if policy is None:
        fold.state = None
        fold.paused_since = None
    elif fold.state is None:
        from helpdesk_tui.domain.sla import start_sla

        state = start_sla(policy, calendar, fact.created_at)
        if fold.first_response_at is not None:
            state = state.responded(max(fold.first_response_at, fact.created_at))
        fold.state = state.status_changed(status, at)
        _track_pause(fold, at, rules)
    elif _retarget(fold.state, policy, rules) or not _on_calendar(fold.state):
        fold.state = fold.state.retargeted(
            policy, calendar, created_at=fact.created_at, status=status, at=at
        )
        _track_pause(fold, at, rules)
    return fold


def _on_calendar(state: SlaState) -> bool:
    """Each running clock's due instant is where its calendar puts it (a clock breached
    already keeps its breach)."""
    for clock in state.clocks:
        if clock.running and clock.breached_at is None:
            left = max(clock.target - clock.used, timedelta(0))
            if clock.due != clock.calendar.add_business_time(clock.since, left):
                return False
    return True
