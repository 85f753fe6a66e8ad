"""The queue's SLA parts (DATE-3, issue 15 §3) through the Desk: the "SLA at risk" and
"SLA breached" views by the stored instants and the clock, sort by SLA with keyset pages,
the SLA of each row as of now, and `n` taking the most urgent case by SLA first.

Calendar: UTC, Monday to Friday 08:00-17:00; START is Monday 2026-11-23 09:00.
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from support import Clock

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import ActivityKind, Priority
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery, view_query
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.reads import Sort, SortKey

RULES = SlaRules(
    (
        SlaPolicy(
            "Urgent",
            first_response=parse_duration("1h"),
            resolution=parse_duration("4h"),
            priorities=frozenset({"urgent"}),
        ),
        SlaPolicy(
            "Low", first_response=parse_duration("4h"), priorities=frozenset({"low", "normal"})
        ),
    ),
    BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00")),
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def sla_ctx(ctx: Context) -> Iterator[Context]:
    context = Context(ctx.location, policy=replace(ctx.policy, sla=RULES), clock=ctx.clock)
    yield context
    context.dispose()


def create(context: Context, subject: str, priority: Priority = Priority.NORMAL) -> CaseNumber:
    return svc.create_case(
        context,
        "alice",
        subject=subject,
        contact="c@acme.example",
        group="billing",
        priority=priority,
    )


def numbers(desk: Desk, view: str, sort: Sort | None = None) -> list[CaseNumber]:
    return [c.number for c in desk.page(view_query(view), limit=50, sort=sort).rows]


@pytest.fixture
def three(sla_ctx: Context, clock: Clock) -> dict[str, CaseNumber]:
    """09:00 a normal case (first response due 13:00), 09:30 an urgent one (due 10:30),
    09:40 a high one (no policy matches)."""
    made = {"normal": create(sla_ctx, "Normal")}
    clock.now = at(23, 9, 30)
    made["urgent"] = create(sla_ctx, "Urgent", Priority.URGENT)
    clock.now = at(23, 9, 40)
    made["none"] = create(sla_ctx, "No SLA", Priority.HIGH)
    return made


def test_views_follow_the_clock_without_a_write(
    sla_ctx: Context, clock: Clock, three: dict[str, CaseNumber]
) -> None:
    desk = Desk(sla_ctx, "alice")
    clock.now = at(23, 10, 0)
    assert numbers(desk, "sla_at_risk") == []
    clock.now = at(23, 10, 20)  # urgent: 50 of 60 minutes used
    assert numbers(desk, "sla_at_risk") == [three["urgent"]]
    assert numbers(desk, "sla_breached") == []
    clock.now = at(23, 12, 15)  # urgent breached at 10:30; normal 3h15 of 4h: at risk
    assert numbers(desk, "sla_breached") == [three["urgent"]]
    assert numbers(desk, "sla_at_risk") == [three["normal"]]
    counts = desk.counts(("sla_at_risk", "sla_breached"))
    assert counts == {"sla_at_risk": 1, "sla_breached": 1}
    # A first response in time takes the normal case out of "at risk" for good.
    svc.record_activity(sla_ctx, "alice", three["normal"], ActivityKind.EXTERNAL, "On it.")
    assert numbers(desk, "sla_at_risk") == []
    clock.now = at(24, 12)
    assert numbers(desk, "sla_breached") == [three["urgent"]]


def test_rows_carry_their_sla_as_of_now(
    sla_ctx: Context, clock: Clock, three: dict[str, CaseNumber]
) -> None:
    clock.now = at(23, 10, 50)
    rows = {c.number: c for c in Desk(sla_ctx, "alice").page(CaseQuery(), limit=10).rows}
    urgent = rows[three["urgent"]].sla_view
    assert urgent is not None
    assert (urgent.label, urgent.level) == ("breached 20m", "breached")
    normal = rows[three["normal"]].sla_view
    assert normal is not None
    assert (normal.label, normal.level) == ("2h10m left", "ok")
    assert rows[three["none"]].sla_view is None
    detail = Desk(sla_ctx, "alice").detail(three["urgent"])
    assert detail.case.sla_view is not None
    assert [(c.title, c.text) for c in detail.case.sla_view.clocks] == [
        ("First response", "breached 20m"),
        ("Resolution", "2h40m left"),
    ]


def test_sort_by_sla_soonest_due_first_in_keyset_pages(
    sla_ctx: Context, clock: Clock, three: dict[str, CaseNumber]
) -> None:
    desk = Desk(sla_ctx, "alice")
    sort = Sort(SortKey.SLA)
    order = [three["urgent"], three["normal"], three["none"]]
    assert numbers(desk, "all", sort) == order
    first = desk.page(CaseQuery(), limit=1, sort=sort)
    second = desk.page(CaseQuery(), limit=1, sort=sort, after=first.rows[0].cursor_for(sort))
    third = desk.page(CaseQuery(), limit=1, sort=sort, after=second.rows[0].cursor_for(sort))
    assert [p.rows[0].number for p in (first, second, third)] == order
    assert numbers(desk, "all", Sort(SortKey.SLA, descending=True)) == order[::-1]


def test_next_case_takes_the_most_urgent_by_sla_first(
    sla_ctx: Context, clock: Clock, three: dict[str, CaseNumber]
) -> None:
    from helpdesk_tui.services.queue import next_case

    clock.now = at(23, 10)
    assert next_case(sla_ctx, "alice") == three["urgent"]
    assert next_case(sla_ctx, "alice") == three["normal"]


def test_at_risk_is_the_same_with_and_without_the_index_bound(
    sla_ctx: Context, clock: Clock, three: dict[str, CaseNumber]
) -> None:
    from helpdesk_tui.storage.reads import open_reads

    query = view_query("sla_at_risk")
    for now in (at(23, 10, 20), at(23, 12, 15), at(23, 12, 45)):
        with open_reads(sla_ctx.location) as store:
            bounded = store.list_cases(
                query, me="alice", today=now.date(), now=now, sla_horizon=RULES.risk_horizon(now)
            )
            walked = store.list_cases(query, me="alice", today=now.date(), now=now)
        assert [c.number for c in bounded] == [c.number for c in walked]
        assert bounded  # each instant has a case at risk
