"""Per-day counters kept in the transaction of each change (issue 15 §5), so the
dashboard and `helpdesk report` read a handful of rows instead of scanning cases.

Before a unit of work commits (`maintain_stats`, after the SLA step: the SLA columns are
final), the timeline entries it wrote become counter deltas on their day in the business
calendar's time zone, under the case's group ("" for none):

- `created`, `closed`, `reopened` (status changes into and out of Closed);
- `transfer_in` / `transfer_out` when an open case moves between groups (the per-group
  backlog: open now minus the net inflow of later days);
- `deleted`: an open case deleted (services/cases.delete_case) leaves the backlog that
  day; the history it made (created, time, outcomes) stays counted;
- `time_centi`: time spent, in hundredths of an hour;
- `csat_sum` / `csat_count`: the customer's rating (a new one replaces the old);
- SLA outcomes at close, per clock and policy: `sla_met:<clock>:<policy>` or
  `sla_breached:<clock>:<policy>` (breached when the clock's breach instant is at or
  before the close); a reopen takes back the outcome of the close it undoes, so each
  case counts once, at its last close.

The same step keeps `cases.closed_at` (set on close, cleared on reopen).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind

if TYPE_CHECKING:
    from helpdesk_tui.domain.sla import SlaRules
    from helpdesk_tui.storage.notifications import CaseEvent
    from helpdesk_tui.storage.stats import Key, StatsFacts
    from helpdesk_tui.storage.uow import UnitOfWork

CLOSED = "closed"
#: The SLA clocks, as `report sla` names them.
CLOCKS = ("first_response", "resolution")


def zone_of(rules: SlaRules | None) -> tzinfo:
    """The time zone days are counted in: the business calendar's (with SLA policies),
    else the machine's."""
    if rules is not None:
        return rules.calendar.zone
    from helpdesk_tui.domain.calendar import machine_zone

    return machine_zone()


def _counts(draft: ActivityDraft) -> bool:
    return (
        draft.kind is ActivityKind.CREATED
        or "status" in draft.changes
        or "delegated_group" in draft.changes
        or "delegated_user" in draft.changes
        or "csat" in draft.changes
        or bool(draft.time_spent_centi)
    )


def maintain_stats(uow: UnitOfWork, zone: tzinfo) -> None:
    """Turn what this unit of work wrote on timelines into counter deltas and case
    columns, in its own transaction (called before its commit)."""
    from helpdesk_tui.storage.stats import StatsRepository  # lazy: storage loads SQLAlchemy

    by_case: dict[uuid.UUID, list[CaseEvent]] = {}
    for event in uow.events:
        if any(_counts(draft) for draft, _ in event.entries):
            by_case.setdefault(event.case_id, []).append(event)
    if not by_case:
        return
    repository = StatsRepository(uow.session)
    facts = repository.facts(by_case.keys())
    deltas: dict[Key, int] = {}
    columns: dict[uuid.UUID, dict[str, Any]] = {}
    for case_id, events in by_case.items():
        fact = facts.get(case_id)
        if fact is None:  # deleted in this unit of work
            continue
        _fold(fact, events, zone, deltas, columns.setdefault(case_id, {}))
    repository.set_columns({k: v for k, v in columns.items() if v})
    repository.add(deltas)


def _fold(
    fact: StatsFacts,
    events: list[CaseEvent],
    zone: tzinfo,
    deltas: dict[Key, int],
    columns: dict[str, Any],
) -> None:
    """One case's deltas: its group and open state are walked from before this unit of
    work (the first change's old value) to the stored state."""
    from helpdesk_tui.storage.stats import holder, outcomes  # loaded by maintain_stats

    user, group_name = _holder_before(events, fact.group)
    group = holder(group_name, user)
    status = _first_old(events, "status", fact.status)
    closed_at = fact.closed_at

    def add(at: datetime, metric: str, value: int = 1, key: str | None = None) -> None:
        item = (at.astimezone(zone).date(), group if key is None else key, metric)
        deltas[item] = deltas.get(item, 0) + value

    for event in events:
        for offset, (draft, _) in enumerate(event.entries):
            at = event.at + timedelta(microseconds=offset)
            if draft.kind is ActivityKind.CREATED:
                add(at, "created")
            if draft.kind is not ActivityKind.CREATED and (
                "delegated_group" in draft.changes or "delegated_user" in draft.changes
            ):
                user = _new(draft, "delegated_user", user)
                group_name = _new(draft, "delegated_group", group_name)
                new = holder(group_name, user)
                if new != group and status != CLOSED:
                    add(at, "transfer_out")
                    add(at, "transfer_in", key=new)
                group = new
            change = draft.changes.get("status")
            if change is not None and change[1] is not None:
                new_status = str(change[1])
                if new_status == CLOSED and status != CLOSED:
                    add(at, "closed")
                    for metric, value in outcomes(fact, at):
                        add(at, metric, value)
                    closed_at = at
                elif status == CLOSED and new_status != CLOSED:
                    add(at, "reopened")
                    if closed_at is not None:
                        for metric, value in outcomes(fact, closed_at):
                            add(closed_at, metric, -value)
                    closed_at = None
                status = new_status
            if draft.time_spent_centi:
                add(at, "time_centi", int(draft.time_spent_centi))
            rating = draft.changes.get("csat")
            if rating is not None:
                old, new_rating = rating
                add(at, "csat_sum", int(new_rating or 0) - int(old or 0))
                add(at, "csat_count", int(new_rating is not None) - int(old is not None))
    if closed_at != fact.closed_at:
        columns["closed_at"] = closed_at


def _new(draft: ActivityDraft, key: str, value: str | None) -> str | None:
    change = draft.changes.get(key)
    return value if change is None else (str(change[1]) if change[1] else None)


def _holder_before(events: list[CaseEvent], stored: str) -> tuple[str | None, str | None]:
    """(user, group) of a case before these events, from the first delegation's old
    values, else from the stored holder."""
    for event in events:
        for draft, _ in event.entries:
            if draft.kind is ActivityKind.CREATED:
                continue
            if "delegated_user" in draft.changes or "delegated_group" in draft.changes:
                user = draft.changes.get("delegated_user", (None, None))[0]
                group = draft.changes.get("delegated_group", (None, None))[0]
                return (str(user) if user else None, str(group) if group else None)
    if stored.startswith("@"):
        return stored[1:], None
    return None, stored or None


def _first_old(events: list[CaseEvent], key: str, stored: str) -> str:
    """The value of `key` before these events (the first change's old value), else the
    stored one; "" for None."""
    for event in events:
        for draft, _ in event.entries:
            change = draft.changes.get(key)
            if change is not None and draft.kind is not ActivityKind.CREATED:
                return str(change[0] or "")
    return stored


def case_deleting(uow: UnitOfWork, case_id: uuid.UUID, now: datetime, zone: tzinfo) -> None:
    """Before a case (and its sub-cases) is deleted: its open ones leave the backlog
    today (`deleted`); what it counted before stays."""
    from helpdesk_tui.storage.stats import StatsRepository

    repository = StatsRepository(uow.session)
    day = now.astimezone(zone).date()
    deltas: dict[Key, int] = {}
    for group in repository.open_of(case_id):
        deltas[(day, group, "deleted")] = deltas.get((day, group, "deleted"), 0) + 1
    repository.add(deltas)


def rebuild(uow: UnitOfWork, zone: tzinfo) -> int:
    """Fill empty counters from the history in the database (see storage/stats.rebuild)."""
    from helpdesk_tui.storage.stats import rebuild as rebuild_counters

    return rebuild_counters(uow.session.connection(), zone)


def count_generated(uow: UnitOfWork, zone: tzinfo, first: int, last: int) -> None:
    """The counters of cases first..last a bulk load inserted (see storage/stats)."""
    from helpdesk_tui.storage.stats import count_generated as count

    count(uow.session.connection(), zone, first, last)
