"""SLA escalation (DATE-3, issue 15 §4 and §8): each level fires exactly once per case and
clock — across passes at one instant, across a restart, with the clock stepped hour by
hour through a week — at the business instant it is reached; Waiting delays it, closing
stops it; who is told per `notify`; the timeline entry, the notifications and the raised
priority.

The calendar: UTC, Monday to Friday 08:00-17:00. START is Monday 2026-11-23 09:00. The
policy Standard: first response 4h, resolution 2d (18 business hours).
"""

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select
from support import Clock

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules, parse_escalation
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.escalation import escalate_due
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.storage.tables import ActivityRow, AgentRow, CaseRow, NotificationRow
from helpdesk_tui.sync.scheduler import Scheduler

CALENDAR = BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00"))
URGENT = SlaPolicy(
    "Urgent",
    first_response=parse_duration("1h"),
    resolution=parse_duration("4h"),
    priorities=frozenset({"urgent"}),
)
STANDARD = SlaPolicy(
    "Standard", first_response=parse_duration("4h"), resolution=parse_duration("2d")
)
LEVELS = (
    parse_escalation("75%", "delegate"),
    parse_escalation("100%", "lead"),
    parse_escalation("100%+4h", "owner", raise_priority=True),
)
RULES = SlaRules((URGENT, STANDARD), CALENDAR, LEVELS)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in the week of START (23 = Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def sla_context(location: Any, clock: Any, base: Context) -> Context:
    return Context(location, policy=replace(base.policy, sla=RULES), clock=clock)


@pytest.fixture
def esc_ctx(ctx: Context) -> Iterator[Context]:
    """The migrated context of conftest with the SLA rules and levels above."""
    context = sla_context(ctx.location, ctx.clock, ctx)
    yield context
    context.dispose()


def create(context: Context, **kwargs: Any) -> CaseNumber:
    kwargs.setdefault("group", "billing")
    return svc.create_case(
        context, "alice", subject="Printer jam", contact="c@acme.example", **kwargs
    )


def respond(context: Context, number: CaseNumber) -> None:
    """An answer to the customer: the first-response clock stops (its levels never come)."""
    svc.record_activity(context, "alice", number, ActivityKind.EXTERNAL, "On it.")


def row(context: Context, number: CaseNumber) -> CaseRow:
    with context.uow(write=False) as uow:
        found = uow.session.exec(
            select(CaseRow).where(CaseRow.number == number.main, CaseRow.sub_number == number.sub)
        ).one()
        uow.session.expunge_all()
        return found


def escalations(context: Context, number: CaseNumber) -> list[tuple[datetime, str]]:
    """The escalation entries on the case's timeline: (when, `old → new`)."""
    case_id = row(context, number).id
    with context.uow(write=False) as uow:
        rows = uow.session.exec(
            select(ActivityRow)
            .where(ActivityRow.case_id == case_id, ActivityRow.kind == ActivityKind.EDIT.value)
            .order_by(col(ActivityRow.at))
        ).all()
        found = [(r.at, json.loads(r.changes)) for r in rows]
    return [
        (when, " → ".join(changes["escalation"]))
        for when, changes in found
        if "escalation" in changes
    ]


def notes(context: Context) -> list[tuple[str, str, str]]:
    """Every notification of the SLA kinds: (agent, kind, text), sorted."""
    with context.uow(write=False) as uow:
        rows = uow.session.exec(
            select(AgentRow.username, NotificationRow.kind, NotificationRow.text)
            .join(AgentRow, col(AgentRow.id) == col(NotificationRow.agent_id))
            .where(col(NotificationRow.kind).in_(["sla_warning", "sla_breach"]))
        ).all()
    return sorted((str(a), str(k), str(t)) for a, k, t in rows)


def test_each_level_fires_once_at_its_business_instant_stepping_through_a_week(
    esc_ctx: Context, clock: Clock
) -> None:
    number = create(esc_ctx)
    clock.now = at(23, 9, 30)
    respond(esc_ctx, number)
    assert row(esc_ctx, number).sla_escalation_at == at(24, 13, 30)  # 13.5 h of 18 h
    scheduler = Scheduler(esc_ctx)
    fired: dict[datetime, int] = {}
    instant = at(23, 10)
    while instant <= at(30, 10):  # a week, hour by hour (nights and the weekend too)
        clock.now = instant
        done = scheduler.run_once()
        if done.escalated:
            fired[instant] = done.escalated
        instant += timedelta(hours=1)
    # 75 % = 13.5 h: Tuesday 13:30 (first pass 14:00); 100 % = 18 h: Wednesday 09:00;
    # 100 %+4h = 22 h: Wednesday 13:00. Nights and the weekend count nothing.
    assert fired == {at(24, 14): 1, at(25, 9): 1, at(25, 13): 1}
    lines = [line for _, line in escalations(esc_ctx, number)]
    assert lines == [
        "resolution at 75% → told alice",  # the answer took the case over
        "resolution at 100% → told lena",  # the lead of alice's group
        "resolution at 100%+4h → told alice; priority normal → high",
    ]
    stored = row(esc_ctx, number)
    assert stored.priority == Priority.HIGH.value
    assert stored.sla_policy == "Standard"  # re-matched: high keeps Standard
    assert stored.sla_escalation_at is None  # nothing left
    assert sorted(json.loads(stored.sla_escalated or "[]")) == [
        "resolution:0:75%",
        "resolution:1:100%",
        "resolution:2:100%+4h",
    ]
    told = notes(esc_ctx)
    assert [(a, k) for a, k, _ in told] == [
        ("alice", "sla_breach"),
        ("alice", "sla_warning"),
        ("lena", "sla_breach"),
    ]
    texts = {t for _, _, t in told}
    assert texts == {  # the first pass after 75 % (13:30) came at 14:00
        f"SLA resolution at 75% on {number}: 4h left",
        f"SLA resolution at 100% on {number}: breached",
        f"SLA resolution at 100%+4h on {number}: breached 4h",
    }


def test_the_priority_raise_is_a_system_edit_after_the_escalation_entry(
    esc_ctx: Context, clock: Clock
) -> None:
    number = create(esc_ctx)
    clock.now = at(23, 9, 30)
    respond(esc_ctx, number)
    clock.now = at(25, 13)
    assert escalate_due(esc_ctx).raised == [number]
    with open_reads(esc_ctx.location) as store:
        timeline = store.case_detail(number).activities
    tail = [(a.kind, a.actor, dict(a.changes)) for a in timeline][-4:]
    assert tail[-1][0:2] == ("edit", None)
    assert list(tail[-1][2]["priority"]) == ["normal", "high"]
    assert all(kind == "edit" and actor is None for kind, actor, _ in tail)


def test_an_urgent_case_is_raised_no_further(esc_ctx: Context, clock: Clock) -> None:
    number = create(esc_ctx, priority=Priority.URGENT)  # Urgent: 1h / 4h
    clock.now = at(23, 9, 10)
    respond(esc_ctx, number)
    clock.now = at(24, 12)  # resolution 4h ran out Monday 13:00; +4h Tuesday 08:00+
    done = escalate_due(esc_ctx)
    assert done.levels == 3
    assert done.raised == []
    assert row(esc_ctx, number).priority == Priority.URGENT.value
    assert escalations(esc_ctx, number)[-1][1] == "resolution at 100%+4h → told alice"


def test_two_passes_at_one_instant_and_a_restart_fire_nothing_twice(
    esc_ctx: Context, clock: Clock, tmp_path: Path
) -> None:
    number = create(esc_ctx)  # both clocks: first response 4h runs too
    clock.now = at(23, 13, 30)  # first response: 75 % at 12:00, 100 % at 13:00
    first = escalate_due(esc_ctx)
    assert first.levels == 2
    assert escalate_due(esc_ctx).levels == 0
    before = (notes(esc_ctx), escalations(esc_ctx, number))
    restarted = sla_context(locate(str(tmp_path / "hd.sqlite")), clock, esc_ctx)
    try:
        assert escalate_due(restarted).levels == 0
        assert (notes(restarted), escalations(restarted, number)) == before
    finally:
        restarted.dispose()
    assert [line for _, line in before[1]] == [
        "first response at 75% → told alice, lena",
        "first response at 100% → told lena",
    ]


def test_a_level_already_notified_by_another_pass_is_not_written_again(
    esc_ctx: Context, clock: Clock
) -> None:
    """A pass that lost the race on the case row: the dedupe keys still hold, and the
    case's fired keys are not overwritten."""
    number = create(esc_ctx)
    clock.now = at(23, 12, 30)
    assert escalate_due(esc_ctx).levels == 1
    with esc_ctx.uow() as uow:  # as if a pass had read the row before the other stored it
        uow.session.connection().execute(
            CaseRow.__table__.update()  # type: ignore[attr-defined]
            .where(CaseRow.__table__.c.number == number.main)  # type: ignore[attr-defined]
            .values(sla_escalated=None, sla_escalation_at=at(23, 12))
        )
        uow.commit()
    count = len(notes(esc_ctx))
    escalate_due(esc_ctx)
    assert len(notes(esc_ctx)) == count  # the unique keys held


def test_waiting_delays_the_levels_and_closing_stops_them(esc_ctx: Context, clock: Clock) -> None:
    waiting = create(esc_ctx)
    closing = create(esc_ctx)
    clock.now = at(23, 9, 30)
    respond(esc_ctx, waiting)
    respond(esc_ctx, closing)
    clock.now = at(24, 10)  # resolution used 10 h
    svc.change_status(
        esc_ctx, "alice", waiting, Status.WAITING, comment="logs", reminder=date(2026, 11, 27)
    )
    clock.now = at(24, 11)
    svc.close_case(esc_ctx, "alice", closing, Resolution.SOLVED)
    assert row(esc_ctx, waiting).sla_escalation_at is None  # paused short of 13.5 h
    assert row(esc_ctx, closing).sla_escalation_at is None
    scheduler = Scheduler(esc_ctx)
    for instant in (at(24, 14), at(25, 9), at(25, 16)):
        clock.now = instant
        assert scheduler.run_once().escalated == 0
    clock.now = at(26, 10)  # Thursday: back to work; 3.5 h left to 75 %
    svc.change_status(esc_ctx, "alice", waiting, Status.IN_PROGRESS)
    assert row(esc_ctx, waiting).sla_escalation_at == at(26, 13, 30)
    clock.now = at(26, 13)
    assert scheduler.run_once().escalated == 0
    clock.now = at(26, 14)
    assert scheduler.run_once().escalated == 1
    clock.now = at(30, 17)
    scheduler.run_once()
    assert escalations(esc_ctx, closing) == []
    lines = [line for _, line in escalations(esc_ctx, waiting)]
    assert [line.split(" → ")[0] for line in lines] == [
        "resolution at 75%",
        "resolution at 100%",
        "resolution at 100%+4h",
    ]


@pytest.mark.parametrize(
    ("notify", "kwargs", "told"),
    [
        ("delegate", {"group": "billing"}, ["alice", "lena"]),
        ("delegate", {"group": None, "user": "bob"}, ["bob"]),
        ("lead", {"group": "billing"}, ["lena"]),
        ("lead", {"group": "technical"}, ["root"]),  # no lead: the admins
        ("lead", {"group": None, "user": "alice"}, ["lena"]),  # the leads of her groups
        ("lead", {"group": None, "user": "bob"}, ["root"]),  # in no led group: the admins
        ("owner", {"group": "technical"}, ["bob"]),  # no owner: the delegate
        ("admins", {"group": "technical"}, ["root"]),
    ],
)
def test_who_is_told_per_notify(
    ctx: Context, clock: Clock, notify: str, kwargs: dict[str, Any], told: list[str]
) -> None:
    rules = SlaRules((STANDARD,), CALENDAR, (parse_escalation("75%", notify),))
    context = Context(ctx.location, policy=replace(ctx.policy, sla=rules), clock=clock)
    try:
        number = create(context, **kwargs)
        clock.now = at(23, 12)
        assert escalate_due(context).levels == 1
        assert [agent for agent, _, _ in notes(context)] == told
        assert escalations(context, number)[0][1].endswith(f"→ told {', '.join(told)}")
    finally:
        context.dispose()


def test_the_owner_is_told_and_hears_nothing_twice(esc_ctx: Context, clock: Clock) -> None:
    number = create(esc_ctx, group=None, user="alice")
    svc.edit_case(esc_ctx, "lena", number, {"owner": "alice"})
    clock.now = at(24, 9)  # first response: all three levels (8 h by Monday 17:00)
    escalate_due(esc_ctx)
    told = [(a, k) for a, k, _ in notes(esc_ctx)]
    # 75 % the delegate alice, 100 % the lead of her group lena, 100 %+4h the owner alice:
    # alice hears of each level once.
    assert told == [("alice", "sla_breach"), ("alice", "sla_warning"), ("lena", "sla_breach")]


def test_without_levels_nothing_is_kept_or_fired(ctx: Context, clock: Clock) -> None:
    context = Context(
        ctx.location, policy=replace(ctx.policy, sla=replace(RULES, escalations=())), clock=clock
    )
    try:
        number = create(context)
        assert row(context, number).sla_escalation_at is None
        clock.now = at(30, 12)
        assert escalate_due(context).levels == 0
    finally:
        context.dispose()


def test_the_notifications_list_shows_the_sla_kinds(esc_ctx: Context, clock: Clock) -> None:
    number = create(esc_ctx)
    clock.now = at(23, 13, 30)
    escalate_due(esc_ctx)
    with open_reads(esc_ctx.location) as store:
        listed = store.notifications.of_agent("lena", unread_only=False, limit=10)
    assert [(n.kind, n.case, n.read) for n in listed] == [
        ("sla_breach", number, False),
        ("sla_warning", number, False),
    ] or [(n.kind, n.case, n.read) for n in listed] == [
        ("sla_warning", number, False),
        ("sla_breach", number, False),
    ]


def test_the_demo_shows_escalations_in_the_feed_and_leaves_none_due(
    tmp_path: Path, clock: Clock
) -> None:
    """The demo configures three levels; a few cases escalated at its build (the feed and
    the notifications show them), the older past counts as fired: nothing is due."""
    from helpdesk_tui.domain.feed import FeedScope, summary
    from helpdesk_tui.domain.policy import Policy
    from helpdesk_tui.services.activity import feed_page
    from helpdesk_tui.services.demo import demo_policy, escalate_demo, seed_demo

    clock.now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # a Thursday afternoon
    context = Context(
        locate(str(tmp_path / "demo.sqlite")), policy=demo_policy(Policy()), clock=clock
    )
    try:
        seed_demo(context)
        escalate_demo(context)  # as `helpdesk demo` does
        assert context.policy.sla is not None
        assert len(context.policy.sla.escalations) == 3
        entries = feed_page(context, "alice", FeedScope.ALL, limit=50).entries
        lines = [
            summary(e.entry.kind, e.entry.changes, e.entry.text, mail_from=e.mail_from)
            for e in entries
            if "escalation" in e.entry.changes
        ]
        assert lines, "the demo shows fired escalations in the feed"
        assert all(
            re.match(r"escalation (first response|resolution) at \S+ → told ", line)
            for line in lines
        ), lines
        with context.uow(write=False) as uow:
            kinds = set(
                uow.session.exec(
                    select(NotificationRow.kind).where(
                        col(NotificationRow.kind).in_(["sla_warning", "sla_breach"])
                    )
                ).all()
            )
        assert kinds
        assert escalate_due(context).levels == 0  # the rest of the past counted as fired
    finally:
        context.dispose()
