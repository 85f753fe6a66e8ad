"""The SLA label of a long span is coarse (issue 15 §3): `3h20m` under a working day,
`2d5h` under ten days, whole days beyond, so `!! breached 35d` fits the queue's 17-cell
SLA column; `case show` and the case header use the same label."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk_tui.domain.calendar import (
    BusinessCalendar,
    format_coarse,
    parse_duration,
    parse_hours,
)
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.sla import SlaClock, SlaPolicy, clock_lines, sla_view, start_sla

DAY = 540  # 08:00-17:00
CALENDAR = BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00"))


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0m"),
        (59, "59m"),
        (200, "3h20m"),
        (DAY - 1, "8h59m"),  # the last minute under a day keeps its minutes
        (DAY, "1d"),
        (DAY + 59, "1d"),  # minutes are dropped from a day on
        (DAY + 60, "1d1h"),
        (2 * DAY + 5 * 60 + 40, "2d5h"),
        (10 * DAY - 1, "9d8h"),  # the last minute under ten days
        (10 * DAY, "10d"),
        (35 * DAY + 6 * 60 + 12, "35d"),
        (400 * DAY + 1, "400d"),
    ],
)
def test_format_coarse_boundaries(minutes: int, text: str) -> None:
    assert format_coarse(minutes, DAY) == text


def test_without_a_working_day_a_day_is_24_hours() -> None:
    assert format_coarse(23 * 60 + 59, 0) == "23h59m"
    assert format_coarse(50 * 60, 0) == "2d2h"


def clock(target_minutes: int, start: datetime) -> SlaClock:
    return SlaClock.started("resolution", timedelta(minutes=target_minutes), CALENDAR, start)


def test_a_breach_of_weeks_shows_whole_days_and_fits_the_column() -> None:
    start = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)  # a Thursday
    old = clock(240, start)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    label = old.label(now)
    assert label.startswith("breached ")
    assert label.endswith("d")
    assert label[len("breached ") : -1].isdigit()
    assert len("!! " + label) <= 17


def test_left_labels_are_coarse_too() -> None:
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday
    assert clock(5 * DAY, start).label(start) == "5d left"
    assert clock(5 * DAY, start).label(start + timedelta(minutes=30)) == "4d8h left"
    assert clock(3 * 60, start).label(start + timedelta(minutes=40)) == "2h20m left"


def test_case_show_and_the_header_say_the_same_label_as_the_queue() -> None:
    policy = SlaPolicy("Std", first_response=parse_duration("4h"), resolution=parse_duration("2d"))
    created = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    state = start_sla(policy, CALENDAR, created).status_changed(Status.OPEN, created)
    data = state.data()
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    view = sla_view(data, CALENDAR, now)
    assert view is not None
    assert view.label == state.label(now)
    assert view.label.startswith("breached ")
    assert view.label.endswith("d")
    header = {clock.title: clock.text for clock in view.clocks}
    lines = dict(clock_lines(data, CALENDAR, now))
    assert header["First response"] == lines["first response"] == state.first_response.label(now)  # type: ignore[union-attr]
    assert header["Resolution"] == lines["resolution"] == state.resolution.label(now)  # type: ignore[union-attr]
