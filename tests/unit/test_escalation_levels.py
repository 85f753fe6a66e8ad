"""Escalation levels, pure (DATE-3, issue 15 §4): the next instant over both clocks (what
`cases.sla_escalation_at` stores), who a level tells, and its lines."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.sla import (
    SlaPolicy,
    StatusChange,
    due_levels,
    escalation_at,
    escalation_plan,
    escalation_recipients,
    level_at,
    next_level_at,
    parse_escalation,
    sla_state,
)

OFFICE = BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00"))
POLICY = SlaPolicy("Standard", parse_duration("4h"), parse_duration("2d"))
LEVELS = (
    parse_escalation("100%+4h", "owner", raise_priority=True),  # out of order on purpose
    parse_escalation("75%", "delegate"),
    parse_escalation("100%", "lead"),
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in the week of Monday 2026-11-23."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


CREATED = at(23, 9)


def test_the_next_escalation_is_the_earliest_over_both_clocks() -> None:
    state = sla_state(POLICY, OFFICE, CREATED, None, [])
    assert escalation_at(LEVELS, state) == at(23, 12)  # first response 75 % of 4 h
    fired = {"first_response:1:75%", "first_response:2:100%"}
    assert escalation_at(LEVELS, state, fired) == at(23, 17)  # first response 100 %+4h
    fired |= {"first_response:0:100%+4h"}
    assert escalation_at(LEVELS, state, fired) == at(24, 13, 30)  # resolution 75 % of 18 h
    answered = sla_state(POLICY, OFFICE, CREATED, at(23, 10), [])
    assert escalation_at(LEVELS, answered) == at(24, 13, 30)


def test_no_escalation_without_levels_without_sla_or_when_nothing_is_pending() -> None:
    state = sla_state(POLICY, OFFICE, CREATED, at(23, 10), [])
    assert escalation_at((), state) is None
    assert escalation_at(LEVELS, None) is None
    closed = sla_state(POLICY, OFFICE, CREATED, at(23, 10), [(at(23, 11), Status.CLOSED)])
    assert escalation_at(LEVELS, closed) is None
    waiting = sla_state(POLICY, OFFICE, CREATED, at(23, 10), [(at(23, 11), Status.WAITING)])
    assert escalation_at(LEVELS, waiting) is None  # paused short of every level
    everything = {f"resolution:{i}:{level.at}" for i, level in enumerate(LEVELS)}
    assert (
        escalation_at(LEVELS, sla_state(POLICY, OFFICE, CREATED, at(23, 10), []), everything)
        is None
    )


def test_a_resumed_clock_escalates_on_its_new_course() -> None:
    history = [
        StatusChange(at(23, 10), Status.WAITING),  # resolution used 1 h
        StatusChange(at(26, 10), Status.OPEN),  # Thursday: 12.5 h to the 75 % level
    ]
    state = sla_state(POLICY, OFFICE, CREATED, at(23, 9, 30), history)
    assert escalation_at(LEVELS, state) == at(27, 13, 30)


@given(
    st.integers(min_value=0, max_value=3 * 24 * 60),
    st.frozensets(
        st.sampled_from(["resolution:0:100%+4h", "resolution:1:75%", "resolution:2:100%"])
    ),
)
def test_the_next_level_is_the_earliest_of_each_levels_instant(
    paused_after: int, fired: frozenset[str]
) -> None:
    """next_level_at places only the smallest threshold: the same as placing them all."""
    history = [StatusChange(CREATED + timedelta(minutes=paused_after), Status.WAITING)]
    clock = sla_state(POLICY, OFFICE, CREATED, at(23, 9, 30), history).resolution
    assert clock is not None
    found = next_level_at(LEVELS, clock, fired)
    brute = [
        (when, f"resolution:{i}:{level.at}")
        for i, level in enumerate(LEVELS)
        if f"resolution:{i}:{level.at}" not in fired
        and (when := level_at(level, clock)) is not None
    ]
    best = min((when for when, _ in brute), default=None)
    assert (found[0] if found is not None else None) == best
    if found is not None:
        assert (found[0], found[1].key) in brute


def test_who_a_level_tells_with_its_fallbacks() -> None:
    def told(notify: str, **kw: object) -> list[str]:
        facts: dict[str, object] = {
            "user": None,
            "group_members": (),
            "leads": (),
            "owner": None,
            "admins": ("root",),
        }
        facts.update(kw)
        return escalation_recipients(notify, **facts)  # type: ignore[arg-type]

    assert told("delegate", user="bob", group_members=("x",)) == ["bob"]
    assert told("delegate", group_members=("lena", "alice")) == ["alice", "lena"]
    assert told("delegate", owner="olga") == ["olga"]  # no delegate: the owner
    assert told("delegate") == ["root"]  # nobody at all: the admins
    assert told("lead", leads=("lena",)) == ["lena"]
    assert told("lead") == ["root"]
    assert told("owner", owner="olga", user="bob") == ["olga"]
    assert told("owner", user="bob") == ["bob"]
    assert told("admins", admins=("root", "ada"), user="bob") == ["ada", "root"]
    assert told("admins", admins=()) == []


def test_a_levels_lines_and_kind() -> None:
    clock = sla_state(POLICY, OFFICE, CREATED, None, []).first_response
    assert clock is not None
    warning, breach = due_levels(LEVELS[1:], clock, at(23, 13))
    assert (warning.breach, breach.breach) == (False, True)
    assert warning.text(clock, "0001234", at(23, 12)) == (
        "SLA first response at 75% on 0001234: 1h left"
    )
    assert breach.text(clock, "0001234", at(23, 13)) == (
        "SLA first response at 100% on 0001234: breached"
    )
    assert breach.change(["lena"], ("normal", "high")) == (
        "first response at 100%",
        "told lena; priority normal → high",
    )
    assert warning.change([], None) == ("first response at 75%", "told nobody")


@given(
    st.integers(min_value=0, max_value=4 * 24 * 60),
    st.integers(min_value=0, max_value=4 * 24 * 60),
    st.integers(min_value=0, max_value=6 * 24 * 60),
    st.frozensets(
        st.sampled_from(
            [
                f"{c}:{i}:{lv.at}"
                for c in ("first_response", "resolution")
                for i, lv in enumerate(LEVELS)
            ]
        )
    ),
)
def test_a_pass_plan_is_due_levels_then_the_next_instant(
    answer_after: int, wait_after: int, now_after: int, fired: frozenset[str]
) -> None:
    """escalation_plan = due_levels minus fired, then escalation_at with those fired; and
    escalation_at = the earliest next_level_at over the clocks (the pruning loses none)."""
    history = [StatusChange(CREATED + timedelta(minutes=wait_after), Status.WAITING)]
    answered = CREATED + timedelta(minutes=answer_after)
    state = sla_state(POLICY, OFFICE, CREATED, answered, history)
    now = CREATED + timedelta(minutes=now_after)
    due, next_at = escalation_plan(LEVELS, state, fired, now)
    expected = [
        (clock.name, level.key)
        for clock in state.clocks
        for level in due_levels(LEVELS, clock, now)
        if level.key not in fired
    ]
    assert [(clock.name, level.key) for clock, level in due] == expected
    after = fired | {key for _, key in expected}
    assert next_at == escalation_at(LEVELS, state, after)
    nexts = [found[0] for c in state.clocks if (found := next_level_at(LEVELS, c, fired))]
    assert escalation_at(LEVELS, state, fired) == min(nexts, default=None)


def test_the_notifications_list_names_the_sla_kinds_in_its_column() -> None:
    import uuid

    from helpdesk_tui.domain.numbering import CaseNumber
    from helpdesk_tui.storage.readmodels import NotificationView
    from helpdesk_tui.widgets.notification_list import KIND_WIDTH, notification_line

    def line(kind: str) -> str:
        view = NotificationView(
            id=uuid.uuid4(),
            kind=kind,
            case=CaseNumber(1234),
            subject="Drucker\x1b[2J",
            at=CREATED,
            by=None,
            text="SLA resolution at 100% on 0001234: breached 4h",
            read=False,
        )
        return notification_line(view).plain

    warning, breach, overdue = line("sla_warning"), line("sla_breach"), line("overdue")
    assert "SLA warning" in warning
    assert "SLA breach " in breach
    assert len("closed case") == KIND_WIDTH  # the column keeps its width
    assert warning.index("0001234") == breach.index("0001234") == overdue.index("0001234")
    assert "\x1b" not in breach
