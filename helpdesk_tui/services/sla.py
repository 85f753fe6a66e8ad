"""Keep each case's SLA state (DATE-3) in step with its changes, in the same transaction.

Every write on a case timeline leaves a `CaseEvent` in the unit of work; before the
commit `maintain_sla` folds the new events of each touched case into its stored state:
creation starts the clocks under the first matching policy, status changes stop, pause
(Waiting) and resume them, the first external action or mail to the customer by an agent
(not the automatic acknowledgement: it has no actor) stops the first-response clock, and
a changed priority or type (or configured targets) re-matches the policy and re-targets
the clocks, keeping the business time used. A new policy or new targets are written on
the timeline (an `edit` entry of the system, `sla: old → new`). Nothing is recomputed by
scanning: each change costs its own case.

Without `[[sla.policies]]` (`Policy.sla` is None) nothing here runs.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.sla import (
    SlaPolicy,
    SlaRules,
    SlaState,
    escalation_at,
    restore,
    start_sla,
)

if TYPE_CHECKING:
    from helpdesk_tui.storage.notifications import CaseEvent
    from helpdesk_tui.storage.sla import SlaFacts
    from helpdesk_tui.storage.uow import UnitOfWork

#: Entries that answer the customer (when an agent writes them).
RESPONSES = frozenset({ActivityKind.EXTERNAL, ActivityKind.MAIL_OUT})
#: `cases.sla_rank` without a running clock (storage/tables.SLA_RANK_NONE).
RANK_NONE = 253402300799
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class _Fold:
    """One case's SLA while its new events are folded in."""

    state: SlaState | None
    first_response_at: datetime | None
    paused_since: datetime | None
    paused_minutes: int
    mailbox: str | None


def maintain_sla(uow: UnitOfWork, rules: SlaRules) -> None:
    """Bring the SLA state of every case this unit of work wrote on up to date (called
    before its commit, after the notifications: the SLA's own entries notify nobody)."""
    from helpdesk_tui.storage.sla import SlaRepository  # lazy: storage loads SQLAlchemy

    events = [
        event for event in uow.events if any(_moves(d, event.actor) for d, _ in event.entries)
    ]
    if not events:
        return
    by_case: dict[uuid.UUID, list[CaseEvent]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    ends: dict[uuid.UUID, datetime] = {}  # just after each case's newest entry
    for event in uow.events:
        end = event.at + timedelta(microseconds=len(event.entries))
        ends[event.case_id] = max(end, ends.get(event.case_id, end))
    repository = SlaRepository(uow.session)
    facts = repository.facts(by_case.keys())
    created_mail = {
        mail_id
        for event in events
        if _created(event)
        for draft, mail_id in event.entries
        if draft.kind is ActivityKind.MAIL_IN and mail_id is not None
    }
    mailboxes = repository.mailboxes(created_mail) if created_mail else {}
    values: dict[uuid.UUID, dict[str, Any]] = {}
    notes: list[tuple[uuid.UUID, datetime, ActivityDraft]] = []
    for case_id, case_events in by_case.items():
        fact = facts.get(case_id)
        if fact is None:  # deleted in this unit of work
            continue
        before = _summary(fact.state, rules)
        fold = _fold(fact, case_events, rules, mailboxes)
        columns = _columns(fold, rules, fact.escalated)
        if columns != fact.stored:
            values[case_id] = columns
        after = fold.state.summary() if fold.state is not None else None
        if after != before:
            changes = {"sla": (before, after)}
            at = ends[case_id]  # after the newest entry: this unit of work wrote it
            notes.append((case_id, at, ActivityDraft(ActivityKind.EDIT, changes=changes)))
    repository.write(values)
    repository.log(notes)


def _created(event: CaseEvent) -> bool:
    return any(draft.kind is ActivityKind.CREATED for draft, _ in event.entries)


#: Changed fields that can move the SLA (the policy matches on priority, type, account).
_MOVING_FIELDS = frozenset({"status", "priority", "type", "account"})


def _moves(draft: ActivityDraft, actor: str | None) -> bool:
    """An entry that can change a case's SLA; the rest (notes, delegations, other edits,
    mail in that reopens nothing) are left out without reading the case."""
    if draft.kind is ActivityKind.CREATED or _responds(draft, actor):
        return True
    return not _MOVING_FIELDS.isdisjoint(draft.changes)


def _responds(draft: ActivityDraft, actor: str | None) -> bool:
    """An agent answered the customer (the acknowledgement has no actor)."""
    return draft.kind in RESPONSES and actor is not None and not draft.internal


def _summary(data: dict[str, Any] | None, rules: SlaRules) -> str | None:
    return restore(data, rules.calendar).summary() if data else None


def _fold(
    fact: SlaFacts,
    events: list[CaseEvent],
    rules: SlaRules,
    mailboxes: dict[uuid.UUID, str],
) -> _Fold:
    calendar = rules.calendar
    data = fact.state
    fold = _Fold(
        state=restore(data, calendar) if data else None,
        first_response_at=fact.first_response_at,
        paused_since=fact.paused_since,
        paused_minutes=fact.paused_minutes,
        mailbox=data.get("mailbox") if data else None,
    )
    for event in events:
        if _created(event):
            mailbox = next((mailboxes[m] for _, m in event.entries if m in mailboxes), None)
            fold.mailbox = mailbox
            policy = rules.match(fact.priority, fact.type, fact.account, mailbox)
            if policy is not None and fold.state is None:
                fold.state = start_sla(policy, calendar, fact.created_at)
        for draft, _ in event.entries:
            if fold.first_response_at is None and _responds(draft, event.actor):
                fold.first_response_at = event.at
                if fold.state is not None:
                    fold.state = fold.state.responded(event.at)
            status = draft.changes.get("status")
            if status is not None and status[1] is not None:
                _entered(fold, Status(status[1]), event.at, rules)
    at = events[-1].at
    _entered(fold, Status(fact.status), at, rules)  # the stored status has the last word
    policy = rules.match(fact.priority, fact.type, fact.account, fold.mailbox)
    if policy is None:
        fold.state = None
        fold.paused_since = None
    elif fold.state is None or _retarget(fold.state, policy, rules):
        if fold.state is None:
            fresh = start_sla(policy, calendar, fact.created_at).status_changed(
                Status(fact.status), at
            )
            if fold.first_response_at is not None:
                fresh = fresh.responded(fold.first_response_at)
            fold.state = fresh
        else:
            fold.state = fold.state.retargeted(
                policy, calendar, created_at=fact.created_at, status=Status(fact.status), at=at
            )
        _track_pause(fold, at, rules)
    return fold


def _entered(fold: _Fold, status: Status, at: datetime, rules: SlaRules) -> None:
    if fold.state is None:
        return
    fold.state = fold.state.status_changed(status, at)
    _track_pause(fold, at, rules)


def _track_pause(fold: _Fold, at: datetime, rules: SlaRules) -> None:
    """Count the business minutes of a pause that ended; note when one began."""
    paused = fold.state is not None and fold.state.paused
    if fold.paused_since is not None and not paused:
        fold.paused_minutes += rules.calendar.business_minutes_between(fold.paused_since, at)
        fold.paused_since = None
    elif paused and fold.paused_since is None:
        resolution = fold.state.resolution if fold.state is not None else None
        fold.paused_since = resolution.since if resolution is not None else at


def _retarget(state: SlaState, policy: SlaPolicy, rules: SlaRules) -> bool:
    """The stored clocks differ from what `policy` keeps (another policy, other targets,
    or another calendar's working day)."""
    if state.policy != policy.name:
        return True
    calendar = rules.calendar
    wanted = {
        name: None if target is None else timedelta(minutes=calendar.minutes(target))
        for name, target in (
            ("first_response", policy.first_response),
            ("resolution", policy.resolution),
        )
    }
    have = {
        "first_response": state.first_response.target if state.first_response else None,
        "resolution": state.resolution.target if state.resolution else None,
    }
    return wanted != have


def _columns(fold: _Fold, rules: SlaRules, escalated: frozenset[str]) -> dict[str, Any]:
    """The SLA columns of the folded state; `sla_escalation_at` is the next escalation
    level not in `escalated` (the fired keys) on the clocks' current course."""
    state = fold.state
    if state is None:
        return {
            "sla_policy": None,
            "sla_state": None,
            "sla_first_response_due": None,
            "sla_first_response_at": fold.first_response_at,
            "sla_resolution_due": None,
            "sla_paused_since": None,
            "sla_paused_minutes": None,
            "sla_first_response_breached_at": None,
            "sla_resolution_breached_at": None,
            "sla_breach_at": None,
            "sla_risk_at": None,
            "sla_rank": RANK_NONE,
            "sla_escalation_at": None,
        }
    data = state.data()
    data["mailbox"] = fold.mailbox
    first, resolution = state.first_response, state.resolution
    breach = state.breach_at()
    return {
        "sla_policy": state.policy[:64],
        "sla_state": json.dumps(data, separators=(",", ":")),
        "sla_first_response_due": first.due if first else None,
        "sla_first_response_at": fold.first_response_at,
        "sla_resolution_due": resolution.due if resolution else None,
        "sla_paused_since": fold.paused_since,
        "sla_paused_minutes": fold.paused_minutes,
        "sla_first_response_breached_at": first.breached_at if first else None,
        "sla_resolution_breached_at": resolution.breached_at if resolution else None,
        "sla_breach_at": state.breach_at(),
        "sla_risk_at": state.risk_at(),
        "sla_rank": RANK_NONE if breach is None else rank_of(breach),
        "sla_escalation_at": escalation_at(rules.escalations, state, escalated),
    }


def rank_of(instant: datetime) -> int:
    """`cases.sla_rank` of a breach instant: epoch seconds, rounded up (a rank at or
    before `floor(now)` is breached by now)."""
    return math.ceil((instant - _EPOCH).total_seconds())


def before_commit(rules: SlaRules | None) -> Any:
    """The `before_commit` of a context's units of work: the notifications of what it
    wrote, then (with SLA rules) the SLA of the cases it touched."""
    from helpdesk_tui.services.notifications import write_pending  # lazy: see Context
    from helpdesk_tui.services.stats import maintain_stats, zone_of

    zone = zone_of(rules)  # the per-day counters (services/stats.py) come last

    def run(uow: UnitOfWork) -> None:
        write_pending(uow)
        if rules is not None:
            maintain_sla(uow, rules)
        maintain_stats(uow, zone)

    return run
