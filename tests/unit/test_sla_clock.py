"""SLA clocks (DATE-3): policy matching, the first-response and resolution clocks from a
case's events (Waiting pauses resolution), breach and labels, escalation levels."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.sla import (
    SlaClock,
    SlaPolicy,
    SlaState,
    StatusChange,
    due_levels,
    level_at,
    match_policy,
    next_level_at,
    parse_escalation,
    sla_state,
    start_sla,
)

BERLIN = ZoneInfo("Europe/Berlin")
#: Monday to Friday 08:00-17:00 (9h a day); 24 December closed.
OFFICE = BusinessCalendar(BERLIN, parse_hours("mon-fri 08:00-17:00"), [date(2026, 12, 24)])


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Berlin wall time in December 2026 (Monday the 7th, Friday the 11th)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


def policy(first: str | None = "4h", resolution: str | None = "2d", **match: str) -> SlaPolicy:
    return SlaPolicy(
        name="test",
        first_response=parse_duration(first) if first else None,
        resolution=parse_duration(resolution) if resolution else None,
        **{key: frozenset({value}) for key, value in match.items()},  # type: ignore[arg-type]
    )


CREATED = at(7, 10)  # Monday 10:00


# --- matching ---------------------------------------------------------------------------


def test_the_first_matching_policy_wins() -> None:
    urgent = SlaPolicy("urgent", parse_duration("1h"), priorities=frozenset({"urgent", "high"}))
    billing = SlaPolicy("billing", parse_duration("8h"), types=frozenset({"complaint"}))
    acme = SlaPolicy("acme", parse_duration("2h"), accounts=frozenset({"ACME GmbH"}))
    support = SlaPolicy("support", parse_duration("1d"), mailboxes=frozenset({"support"}))
    fallback = SlaPolicy("default", parse_duration("3d"))
    policies = [urgent, billing, acme, support, fallback]
    assert match_policy(policies, "high", "complaint", "acme gmbh", "support") is urgent
    assert match_policy(policies, "normal", "complaint", None, None) is billing
    assert match_policy(policies, "normal", "ticket", "Acme GmbH", None) is acme
    assert match_policy(policies, "normal", "ticket", "Other", "support") is support
    assert match_policy(policies, "low", "ticket", None, "sales") is fallback
    assert match_policy(policies[:4], "low", "ticket", None, None) is None
    assert match_policy([], "urgent", "ticket") is None


def test_all_conditions_of_a_policy_must_hold() -> None:
    both = SlaPolicy(
        "both", parse_duration("1h"), priorities=frozenset({"high"}), types=frozenset({"ticket"})
    )
    assert both.matches("high", "ticket", None, None)
    assert not both.matches("high", "complaint", None, None)
    assert not both.matches("low", "ticket", None, None)


# --- first response ---------------------------------------------------------------------


def test_first_response_in_time_is_met() -> None:
    state = sla_state(policy(), OFFICE, CREATED, at(7, 12), [])
    clock = state.first_response
    assert clock is not None
    assert clock.due == at(7, 14)  # 10:00 + 4h
    assert clock.stopped
    assert clock.stopped_at == at(7, 12)
    assert clock.met(at(9, 9))
    assert clock.label(at(9, 9)) == "met"
    assert state.breached(at(9, 9)) == []


def test_a_late_first_response_is_breached_at_the_due_instant() -> None:
    state = sla_state(policy(), OFFICE, CREATED, at(7, 16), [])
    clock = state.first_response
    assert clock is not None
    assert clock.breach(at(7, 16)) == at(7, 14)
    assert clock.label(at(8, 10)) == "breached 2h"  # 16:00 - 14:00, frozen once stopped
    assert state.breached(at(8, 10)) == ["first_response"]


def test_a_running_clock_counts_down_in_business_time() -> None:
    clock = sla_state(policy(), OFFICE, CREATED, None, []).first_response
    assert clock is not None
    assert clock.running
    assert clock.label(at(7, 11, 50)) == "2h10m left"
    assert clock.used_share(at(7, 11)) == 0.25
    # Overnight nothing runs: Monday 16:30 (over by 2h30m) and Tuesday 07:00 alike.
    assert clock.label(at(7, 16, 30)) == "breached 2h30m"
    assert clock.label(at(8, 7)) == "breached 3h"
    assert clock.breach(at(8, 7)) == at(7, 14)
    assert clock.breach(at(7, 13, 59)) is None


def test_first_response_runs_on_in_waiting() -> None:
    history = [StatusChange(at(7, 11), Status.WAITING)]
    clock = sla_state(policy(), OFFICE, CREATED, None, history).first_response
    assert clock is not None
    assert clock.running
    assert clock.due == at(7, 14)


# --- resolution: pause, resume, stop -----------------------------------------------------


def test_waiting_pauses_the_resolution_clock_and_leaving_it_resumes() -> None:
    history = [
        StatusChange(at(7, 11), Status.WAITING),  # 1h used
        StatusChange(at(8, 15), Status.IN_PROGRESS),  # paused 13h of business time
    ]
    while_waiting = sla_state(policy(), OFFICE, CREATED, None, history[:1])
    clock = while_waiting.resolution
    assert clock is not None
    assert clock.paused
    assert while_waiting.paused
    assert clock.due is None
    assert clock.label(at(8, 12)) == "paused"
    assert clock.used_at(at(8, 12)) == clock.used_at(at(11, 12)) == timedelta(hours=1)
    resumed = sla_state(policy(), OFFICE, CREATED, None, history).resolution
    assert resumed is not None
    assert resumed.running
    # 2d = 18h: 1h Monday, resumed Tuesday 15:00 with 17h left → 2h Tue, 9h Wed, 6h Thu.
    assert resumed.due == at(10, 14)
    paused = OFFICE.business_minutes_between(at(7, 11), at(8, 15))
    assert resumed.due == OFFICE.add_business_minutes(CREATED, 18 * 60 + paused)
    assert resumed.label(at(9, 8)) == "1d6h left"  # 15h left: a 9h day and 6h


def test_closing_stops_the_resolution_clock_and_reopening_runs_on() -> None:
    closed = [StatusChange(at(7, 12), Status.CLOSED)]
    state = sla_state(policy(), OFFICE, CREATED, None, closed)
    assert state.resolution is not None
    assert state.resolution.met(at(14, 9))
    assert state.first_response is not None
    assert state.first_response.stopped
    assert state.label(at(14, 9)) == "met"
    assert state.used_share(at(14, 9)) is None
    reopened = [*closed, StatusChange(at(14, 9), Status.OPEN)]
    clock = sla_state(policy(), OFFICE, CREATED, None, reopened).resolution
    assert clock is not None
    assert clock.running
    assert clock.used_at(at(14, 10)) == timedelta(hours=3)  # 2h before closing, 1h now


def test_closed_late_is_breached() -> None:
    history = [StatusChange(at(11, 12), Status.CLOSED)]
    clock = sla_state(policy(resolution="1d"), OFFICE, CREATED, at(7, 11), history).resolution
    assert clock is not None
    assert clock.stopped
    assert clock.breach(at(11, 12)) == at(8, 10)  # Monday 10:00 + 9h
    assert clock.label(at(18, 9)) == "breached 3d2h"  # used 38h of 9h: 29h over, 3 days of 9h + 2h


def test_a_clock_breached_before_waiting_stays_breached() -> None:
    history = [StatusChange(at(9, 10), Status.WAITING)]
    state = sla_state(policy(resolution="4h"), OFFICE, CREATED, at(7, 11), history)
    clock = state.resolution
    assert clock is not None
    assert clock.paused
    assert clock.breached_at == at(7, 14)
    assert clock.label(at(10, 12)) == "breached 1d5h"  # 18h used by Wednesday 10:00: 14h over
    assert state.breached(at(10, 12)) == ["resolution"]


def test_a_policy_without_a_target_keeps_no_such_clock() -> None:
    state = sla_state(policy(first=None), OFFICE, CREATED, None, [])
    assert state.first_response is None
    assert [c.name for c in state.clocks] == ["resolution"]


def test_the_case_label_shows_the_most_urgent_clock() -> None:
    state = sla_state(policy(first="1h", resolution="1d"), OFFICE, CREATED, None, [])
    assert state.label(at(7, 10, 30)) == "30m left"  # first response, half used
    assert state.label(at(7, 12)) == "breached 1h"
    answered = sla_state(policy(first="1h", resolution="1d"), OFFICE, CREATED, at(7, 10, 30), [])
    assert answered.label(at(7, 12)) == "7h left"
    assert answered.used_share(at(7, 12)) == pytest.approx(2 / 9)


def test_history_before_creation_counts_from_creation_and_tuples_are_accepted() -> None:
    state = sla_state(policy(), OFFICE, CREATED, None, [(at(7, 9), Status.WAITING)])
    assert state.resolution is not None
    assert state.resolution.paused
    assert state.resolution.used == timedelta(0)


# --- property: the clock is the business time outside Waiting ----------------------------

run_lengths = st.lists(st.integers(min_value=1, max_value=3 * 24 * 60), min_size=0, max_size=8)


@given(run_lengths, st.integers(min_value=0, max_value=10 * 24 * 60))
def test_resolution_time_used_is_business_time_outside_waiting(gaps: list[int], later: int) -> None:
    instant = CREATED
    history: list[StatusChange] = []
    for index, gap in enumerate(gaps):
        instant += timedelta(minutes=gap)
        status = Status.WAITING if index % 2 == 0 else Status.IN_PROGRESS
        history.append(StatusChange(instant, status))
    now = instant + timedelta(minutes=later)
    clock = sla_state(policy(resolution="3d"), OFFICE, CREATED, None, history).resolution
    assert clock is not None
    points = [CREATED, *(c.at for c in history), now]
    running = sum(
        (
            OFFICE.business_time_between(points[i], points[i + 1])
            for i in range(0, len(points) - 1, 2)
        ),
        timedelta(0),
    )
    assert clock.used_at(now) == running
    if clock.running and clock.breached_at is None:
        waited = sum(
            (
                OFFICE.business_time_between(points[i], points[i + 1])
                for i in range(1, len(points) - 2, 2)
            ),
            timedelta(0),
        )
        # due = creation + target + the business time spent waiting
        assert clock.due is not None
        assert OFFICE.business_time_between(CREATED, clock.due) == timedelta(hours=27) + waited
        assert (clock.breach(now) is not None) == (now > clock.due)


# --- escalation --------------------------------------------------------------------------

LEVELS = [
    parse_escalation("75%", "delegate"),
    parse_escalation("100%", "lead"),
    parse_escalation("100%+4h", "admins", raise_priority=True),
]


def test_escalation_syntax() -> None:
    level = parse_escalation(" 100% + 4h ", "owner", True)
    assert (level.at, level.percent, level.after.minutes, level.raise_priority) == (
        "100%+4h",
        100,
        240,
        True,
    )
    assert parse_escalation("75%", "lead").after.minutes == 0


@pytest.mark.parametrize(
    ("at", "notify", "says"),
    [
        ("75", "lead", "share of the target"),
        ("soon", "lead", "share of the target"),
        ("100%+4x", "lead", "duration"),
        ("0%", "lead", "more than 0%"),
        ("75%", "boss", "delegate, lead, owner, admins"),
    ],
)
def test_bad_escalations_are_refused(at: str, notify: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        parse_escalation(at, notify)


def test_levels_come_due_as_the_clock_runs() -> None:
    clock = sla_state(policy(first="4h"), OFFICE, CREATED, None, []).first_response
    assert clock is not None

    def due(now: datetime) -> list[str]:
        return [level.key for level in due_levels(LEVELS, clock, now)]

    assert due(at(7, 12, 59)) == []
    assert due(at(7, 13)) == ["first_response:0:75%"]  # 3h of 4h
    assert due(at(7, 14)) == ["first_response:0:75%", "first_response:1:100%"]
    assert due(at(7, 17, 59)) == due(at(8, 7))  # nothing runs overnight
    assert due(at(8, 8, 59)) == due(at(7, 14))
    assert due(at(8, 9)) == [  # 8h: Monday 10:00-17:00 and Tuesday 08:00-09:00
        "first_response:0:75%",
        "first_response:1:100%",
        "first_response:2:100%+4h",
    ]
    assert [level_at(level, clock) for level in LEVELS] == [at(7, 13), at(7, 14), at(8, 9)]
    top = due_levels(LEVELS, clock, at(8, 9))[2]
    assert (top.notify, top.raise_priority, top.index) == ("admins", True, 2)


def test_a_stopped_clock_escalates_no_more_and_a_paused_one_holds() -> None:
    answered = sla_state(policy(first="4h"), OFFICE, CREATED, at(7, 13, 30), []).first_response
    assert answered is not None
    assert due_levels(LEVELS, answered, at(9, 9)) == []
    assert next_level_at(LEVELS, answered) is None
    history = [StatusChange(at(8, 9), Status.WAITING)]  # resolution used 8h of 18h
    paused = sla_state(policy(), OFFICE, CREATED, at(7, 11), history).resolution
    assert paused is not None
    assert due_levels(LEVELS, paused, at(18, 9)) == []
    assert next_level_at(LEVELS, paused) is None


def test_the_next_level_skips_those_fired() -> None:
    clock = sla_state(policy(first="4h"), OFFICE, CREATED, None, []).first_response
    assert clock is not None
    first = next_level_at(LEVELS, clock)
    assert first is not None
    assert first[0] == at(7, 13)
    assert first[1].key == "first_response:0:75%"
    later = next_level_at(LEVELS, clock, fired={"first_response:0:75%", "first_response:1:100%"})
    assert later is not None
    assert later[0] == at(8, 9)
    assert later[1].index == 2


@given(st.integers(min_value=0, max_value=5 * 24 * 60), run_lengths)
def test_a_level_is_due_exactly_from_its_instant_on(offset: int, gaps: list[int]) -> None:
    instant = CREATED
    history: list[StatusChange] = []
    for index, gap in enumerate(gaps):
        instant += timedelta(minutes=gap)
        history.append(StatusChange(instant, Status.WAITING if index % 2 == 0 else Status.OPEN))
    clock = sla_state(policy(resolution="1d"), OFFICE, CREATED, None, history).resolution
    assert clock is not None
    now = max(clock.since, CREATED + timedelta(minutes=offset))
    due = {level.index for level in due_levels(LEVELS, clock, now)}
    for index, escalation in enumerate(LEVELS):
        when = level_at(escalation, clock)
        assert (index in due) == (when is not None and when <= now)


def test_level_keys_are_stable_per_case_clock_and_level() -> None:
    state = sla_state(policy(first="1h", resolution="2h"), OFFICE, CREATED, None, [])
    now = datetime(2026, 12, 9, 12, tzinfo=UTC)
    keys = [level.key for clock in state.clocks for level in due_levels(LEVELS, clock, now)]
    assert keys == [
        "first_response:0:75%",
        "first_response:1:100%",
        "first_response:2:100%+4h",
        "resolution:0:75%",
        "resolution:1:100%",
        "resolution:2:100%+4h",
    ]
    again = sla_state(policy(first="1h", resolution="2h"), OFFICE, CREATED, None, [])
    assert keys == [level.key for clock in again.clocks for level in due_levels(LEVELS, clock, now)]


# --- maintained state: advancing stored clocks equals computing from the history ---------

events = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2 * 24 * 60),
        st.sampled_from([*Status, "response"]),
    ),
    max_size=8,
)


def stored(clock: SlaClock | None) -> SlaClock | None:
    """A clock as the storage would keep and rebuild it: its fields, no history."""
    if clock is None:
        return None
    return SlaClock(
        clock.name,
        clock.target,
        clock.state,
        clock.since,
        clock.used,
        clock.due,
        clock.breached_at,
        OFFICE,
    )


@given(events, st.integers(min_value=0, max_value=8))
def test_advancing_a_stored_state_equals_computing_it_from_the_history(
    steps: list[tuple[int, Status | str]], cut: int
) -> None:
    the_policy = policy(first="2h", resolution="1d")
    instant = CREATED
    history: list[StatusChange] = []
    first_response_at = None
    timeline: list[tuple[datetime, Status | str]] = []
    for gap, what in steps:
        instant += timedelta(minutes=gap)
        timeline.append((instant, what))
        if what == "response":
            first_response_at = first_response_at or instant
        else:
            history.append(StatusChange(instant, Status(what)))
    state = start_sla(the_policy, OFFICE, CREATED)
    for index, (when, what) in enumerate(timeline):
        if index == cut:  # saved and loaded again halfway
            state = SlaState(
                state.policy,
                stored(state.first_response),
                stored(state.resolution),
                state.first_response_at,
            )
        if what == "response":
            state = state.responded(when)
        else:
            state = state.status_changed(Status(what), when)
    assert state == sla_state(the_policy, OFFICE, CREATED, first_response_at, history)


def test_a_response_stops_first_response_for_good_closing_only_until_reopened() -> None:
    closed_and_reopened = [
        StatusChange(at(7, 11), Status.CLOSED),
        StatusChange(at(7, 15), Status.OPEN),
    ]
    unanswered = sla_state(policy(), OFFICE, CREATED, None, closed_and_reopened)
    assert unanswered.first_response is not None
    assert unanswered.first_response.running
    # 1h before closing; 3h left from 15:00: 2h on Monday, 1h on Tuesday
    assert unanswered.first_response.due == at(8, 9)
    answered = sla_state(policy(), OFFICE, CREATED, at(7, 10, 30), closed_and_reopened)
    assert answered.first_response is not None
    assert answered.first_response.stopped_at == at(7, 10, 30)
    assert answered.first_response_at == at(7, 10, 30)
    assert answered.responded(at(9, 9)) == answered  # a later response changes nothing
