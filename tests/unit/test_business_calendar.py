"""Business calendar (DATE-2): working hours in a zone, holidays, closed dates; adding
business minutes and counting them, checked by properties, against a plain day-by-day
oracle, and on hand-worked examples (DST in both directions, DE-BY holidays, split days).
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_tui.domain.calendar import (
    BusinessCalendar,
    BusinessDuration,
    WeekHours,
    format_span,
    parse_duration,
    parse_hours,
)
from helpdesk_tui.domain.errors import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")


def bavarian(year: int) -> list[date]:
    return list(holidays.country_holidays("DE", subdiv="BY", years=year).keys())


OFFICE = BusinessCalendar(BERLIN, parse_hours("mon-fri 08:00-17:00"), bavarian)
SPLIT = BusinessCalendar(
    BERLIN,
    parse_hours("mon-thu 08:00-12:00,13:00-17:00; fri 08:00-14:00"),
    [date(2026, 12, 24), date(2027, 12, 24)],
)
ALWAYS = BusinessCalendar(BERLIN, parse_hours("mon-sun 00:00-24:00"))
NEW_YORK = BusinessCalendar(ZoneInfo("America/New_York"), parse_hours("mon-fri 09:00-17:30"))


def berlin(*args: int) -> datetime:
    """A Berlin wall time as an aware instant."""
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


# --- an oracle: working intervals day by day, overlap summed, nothing shared ---------------


def oracle_minutes(calendar: BusinessCalendar, a: datetime, b: datetime) -> float:
    if b <= a:
        return 0.0
    zone = calendar.zone
    day = a.astimezone(zone).date() - timedelta(days=1)
    last = b.astimezone(zone).date() + timedelta(days=1)
    total = timedelta(0)
    while day <= last:
        if not calendar.is_closed(day):
            for start, end in calendar.hours.days[day.weekday()]:
                begin = datetime(day.year, day.month, day.day, start // 60, start % 60, tzinfo=zone)
                finish_day = day + timedelta(days=end // 1440)
                finish = datetime(
                    finish_day.year, finish_day.month, finish_day.day,
                    (end % 1440) // 60, end % 60, tzinfo=zone,
                )  # fmt: skip
                # to UTC first: aware datetimes of one zone subtract as wall times
                lo, hi = max(begin.astimezone(UTC), a), min(finish.astimezone(UTC), b)
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total / timedelta(minutes=1)


# --- strategies -------------------------------------------------------------------------

NAIVE_FROM, NAIVE_TO = datetime(2025, 1, 1), datetime(2028, 12, 31)  # noqa: DTZ001
instants = st.datetimes(min_value=NAIVE_FROM, max_value=NAIVE_TO, timezones=st.just(UTC))
#: Weeks around the switches (2026-03-29 spring forward, 2026-10-25 fall back).
dst_weeks = st.one_of(
    st.datetimes(min_value=datetime(2026, 3, 26), max_value=datetime(2026, 4, 2)),  # noqa: DTZ001
    st.datetimes(min_value=datetime(2026, 10, 22), max_value=datetime(2026, 10, 29)),  # noqa: DTZ001
).map(lambda naive: naive.replace(tzinfo=UTC))
minutes = st.integers(min_value=0, max_value=60 * 9 * 260)  # up to about a working year
calendars = st.sampled_from([OFFICE, SPLIT, NEW_YORK, ALWAYS])


@given(calendars, instants, minutes)
def test_between_undoes_add(calendar: BusinessCalendar, start: datetime, n: int) -> None:
    end = calendar.add_business_minutes(start, n)
    assert calendar.business_minutes_between(start, end) == n
    assert end >= start


@given(calendars, instants, minutes, minutes)
def test_add_is_additive(calendar: BusinessCalendar, start: datetime, a: int, b: int) -> None:
    step = calendar.add_business_minutes(calendar.add_business_minutes(start, a), b)
    assert step == calendar.add_business_minutes(start, a + b)


@given(calendars, instants, instants, minutes)
def test_add_is_monotonic_in_the_start(
    calendar: BusinessCalendar, one: datetime, other: datetime, n: int
) -> None:
    early, late = sorted((one, other))
    assert calendar.add_business_minutes(early, n) <= calendar.add_business_minutes(late, n)


@given(calendars, instants, minutes, minutes)
def test_add_is_monotonic_in_the_minutes(
    calendar: BusinessCalendar, start: datetime, a: int, b: int
) -> None:
    few, many = sorted((a, b))
    assert calendar.add_business_minutes(start, few) <= calendar.add_business_minutes(start, many)


@given(calendars, st.lists(instants, min_size=3, max_size=3).map(sorted))
def test_between_is_additive_over_a_midpoint(
    calendar: BusinessCalendar, points: list[datetime]
) -> None:
    a, b, c = points
    whole = calendar.business_time_between(a, c)
    assert whole == calendar.business_time_between(a, b) + calendar.business_time_between(b, c)
    assert calendar.business_time_between(c, a) == timedelta(0)


@settings(max_examples=60)
@given(calendars, instants, st.integers(min_value=0, max_value=60 * 24 * 40))
def test_between_agrees_with_the_day_by_day_oracle(
    calendar: BusinessCalendar, start: datetime, span: int
) -> None:
    end = start + timedelta(minutes=span)
    expected = oracle_minutes(calendar, start, end)
    assert calendar.business_time_between(start, end) / timedelta(minutes=1) == expected


@given(calendars, instants, st.integers(min_value=1, max_value=20_000))
def test_a_result_ends_working_time_not_starts_the_next(
    calendar: BusinessCalendar, start: datetime, n: int
) -> None:
    end = calendar.add_business_minutes(start, n)
    assert calendar.is_working(end - timedelta(microseconds=1))


@given(calendars, instants, minutes)
def test_going_back_is_the_earliest_instant_that_far_before(
    calendar: BusinessCalendar, start: datetime, n: int
) -> None:
    back = calendar.add_business_minutes(start, -n)
    assert back <= start
    assert calendar.business_minutes_between(back, start) == n


@given(st.one_of(dst_weeks, instants), st.integers(min_value=0, max_value=60 * 24 * 20))
def test_around_the_clock_business_time_is_real_time_across_dst(start: datetime, n: int) -> None:
    # 00:00-24:00 every day in Berlin: the 23-hour March day and the 25-hour October day
    # count as long as they really are.
    assert ALWAYS.add_business_minutes(start, n) == start + timedelta(minutes=n)
    assert ALWAYS.business_minutes_between(start, start + timedelta(minutes=n)) == n


def test_dst_days_are_23_and_25_hours_long() -> None:
    # Saturday 00:00 to Monday 00:00 local, across each switch of 2026.
    assert ALWAYS.business_minutes_between(berlin(2026, 3, 28), berlin(2026, 3, 30)) == 47 * 60
    assert ALWAYS.business_minutes_between(berlin(2026, 10, 24), berlin(2026, 10, 26)) == 49 * 60


def test_office_hours_keep_the_wall_clock_across_dst() -> None:
    # Friday 16:00 CET + 2h → Monday 09:00 CEST (07:00 UTC), and back in October.
    assert OFFICE.add_business_minutes(berlin(2026, 3, 27, 16), 120) == datetime(
        2026, 3, 30, 7, tzinfo=UTC
    )
    assert OFFICE.add_business_minutes(berlin(2026, 10, 23, 16), 120) == datetime(
        2026, 10, 26, 8, tzinfo=UTC
    )
    assert OFFICE.business_minutes_between(berlin(2026, 3, 27, 16), berlin(2026, 3, 30, 9)) == 120


def test_a_range_in_the_spring_gap_starts_at_the_switch() -> None:
    night = BusinessCalendar(BERLIN, parse_hours("mon-sun 02:30-04:00"))
    # 2026-03-29: 02:30 does not exist; work runs 03:00 CEST (01:00 UTC) to 04:00 CEST.
    day = (datetime(2026, 3, 28, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC))
    assert night.business_minutes_between(*day) == 60
    assert night.add_business_minutes(day[0], 1) == datetime(2026, 3, 29, 1, 1, tzinfo=UTC)


def test_an_ambiguous_start_in_october_is_its_first_occurrence() -> None:
    night = BusinessCalendar(BERLIN, parse_hours("mon-sun 02:00-03:00"))
    # 2026-10-25: 02:00 CEST (00:00 UTC) to 03:00 CET (02:00 UTC) really lasts two hours.
    day = (datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 25, 22, tzinfo=UTC))
    assert night.business_minutes_between(*day) == 120
    assert night.add_business_minutes(day[0], 1) == datetime(2026, 10, 25, 0, 1, tzinfo=UTC)


def test_bavarian_holidays_are_closed() -> None:
    assert OFFICE.is_closed(date(2026, 1, 6))  # Epiphany, a Tuesday, holiday in Bavaria
    assert OFFICE.is_closed(date(2026, 6, 4))  # Corpus Christi
    assert not OFFICE.is_closed(date(2026, 1, 7))
    # Monday 5 January 16:00 + 2h skips the Tuesday holiday: Wednesday 09:00 CET.
    assert OFFICE.add_business_minutes(berlin(2026, 1, 5, 16), 120) == berlin(2026, 1, 7, 9)
    assert OFFICE.business_minutes_between(berlin(2026, 1, 5, 8), berlin(2026, 1, 8, 8)) == 2 * 540


def test_the_year_turns_over_holidays_and_extra_closed_dates() -> None:
    # Thursday 31 December 16:00 + 2h: New Year's Day is a holiday → Friday 09:00.
    assert OFFICE.add_business_minutes(berlin(2026, 12, 31, 16), 120) == berlin(2027, 1, 4, 9)
    # 2027-01-01 is a Friday; the Monday after is the 4th. Split calendar: 24 Dec closed.
    assert SPLIT.is_closed(date(2026, 12, 24))
    assert SPLIT.add_business_minutes(berlin(2026, 12, 23, 16), 120) == berlin(2026, 12, 25, 9)


def test_split_days() -> None:
    # Monday 11:30 + 1h: half an hour before lunch, half an hour after.
    assert SPLIT.add_business_minutes(berlin(2026, 12, 7, 11, 30), 60) == berlin(
        2026, 12, 7, 13, 30
    )
    # Friday ends at 14:00: Friday 13:00 + 2h → Monday 09:00.
    assert SPLIT.add_business_minutes(berlin(2026, 12, 11, 13), 120) == berlin(2026, 12, 14, 9)
    assert SPLIT.business_minutes_between(berlin(2026, 12, 7, 0), berlin(2026, 12, 14, 0)) == (
        4 * 480 + 360
    )


def test_intervals_that_start_or_end_outside_working_hours() -> None:
    # Saturday 10:00 → Monday 10:00: only Monday 08:00-10:00 counts.
    assert OFFICE.business_minutes_between(berlin(2026, 12, 5, 10), berlin(2026, 12, 7, 10)) == 120
    # Monday 06:00 + 30 → 08:30; Monday 20:00 + 30 → Tuesday 08:30.
    assert OFFICE.add_business_minutes(berlin(2026, 12, 7, 6), 30) == berlin(2026, 12, 7, 8, 30)
    assert OFFICE.add_business_minutes(berlin(2026, 12, 7, 20), 30) == berlin(2026, 12, 8, 8, 30)
    # Ending in the evening: Monday 16:00 → 23:00 is one hour.
    assert OFFICE.business_minutes_between(berlin(2026, 12, 7, 16), berlin(2026, 12, 7, 23)) == 60


def test_a_result_on_the_end_of_a_day_is_that_end() -> None:
    # 08:00 + 9h is 17:00 the same day, not 08:00 the next.
    assert OFFICE.add_business_minutes(berlin(2026, 12, 7, 8), 540) == berlin(2026, 12, 7, 17)


def test_zero_minutes_is_the_start_itself_even_outside_working_time() -> None:
    sunday = berlin(2026, 12, 6, 12)
    assert OFFICE.add_business_minutes(sunday, 0) == sunday
    assert OFFICE.business_minutes_between(sunday, sunday - timedelta(hours=5)) == 0


def test_instants_in_utc_out() -> None:
    result = OFFICE.add_business_minutes(berlin(2026, 12, 7, 9), 10)
    assert result.utcoffset() == timedelta(0)
    assert result == datetime(2026, 12, 7, 8, 10, tzinfo=UTC)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        OFFICE.add_business_minutes(datetime(2026, 12, 7, 9), 10)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        OFFICE.business_minutes_between(datetime(2026, 12, 7, 9), berlin(2026, 12, 8))  # noqa: DTZ001


def test_long_spans_count_whole_years() -> None:
    start, end = berlin(2025, 1, 1), berlin(2028, 1, 1)
    assert OFFICE.business_minutes_between(start, end) == oracle_minutes(OFFICE, start, end)
    three_years = OFFICE.business_minutes_between(start, end)
    assert OFFICE.add_business_minutes(start, three_years) <= end


def test_a_calendar_that_never_works_is_refused() -> None:
    with pytest.raises(ValidationError):
        BusinessCalendar(BERLIN, WeekHours(((),) * 7))


# --- the hours syntax and durations ------------------------------------------------------


def test_hours_syntax() -> None:
    hours = parse_hours("mon-thu 08:00-12:00,13:00-17:00; fri 08:00-14:00")
    assert hours.days[0] == hours.days[3] == ((480, 720), (780, 1020))
    assert hours.days[4] == ((480, 840),)
    assert hours.days[5] == hours.days[6] == ()
    assert str(hours) == "mon-thu 08:00-12:00,13:00-17:00; fri 08:00-14:00"
    assert hours.day_minutes == 480
    assert parse_hours("mon,wed 9:00-12:00; sun 20:00-24:00").days[6] == ((1200, 1440),)
    assert parse_hours("MON-FRI 08:00-17:00").day_minutes == 540


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("mon-fri 8-17", "'8-17' is no time range"),
        ("fri-mon 08:00-17:00", "runs backwards"),
        ("mo-fr 08:00-17:00", "'mo-fr' is no day"),
        ("mon-fri", "has no time range"),
        ("mon 17:00-08:00", "ends before it starts"),
        ("mon 08:00-12:00,11:00-13:00", "overlaps"),
        ("mon 08:00-12:00; mon 13:00-17:00", "mon is given twice"),
        ("mon 25:00-26:00", "no time of day"),
        ("", "no working hours"),
    ],
)
def test_bad_hours_are_refused_in_one_line(text: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says) as caught:
        parse_hours(text)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", BusinessDuration(0, 30)),
        ("4h", BusinessDuration(0, 240)),
        ("3d", BusinessDuration(3, 0)),
        ("1h30m", BusinessDuration(0, 90)),
        (" 2d 4h ", BusinessDuration(2, 240)),
    ],
)
def test_durations(text: str, expected: BusinessDuration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "4", "4 hours", "h", "0h", "-1h", "3w", "1.5h"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="duration"):
        parse_duration(text)


def test_days_are_working_days_of_the_calendar() -> None:
    assert OFFICE.minutes(parse_duration("3d")) == 3 * 540
    assert SPLIT.minutes(parse_duration("1d2h")) == 480 + 120
    # Monday 10:00 + 3 working days → Thursday 10:00.
    due = OFFICE.add_business_minutes(berlin(2026, 12, 7, 10), OFFICE.minutes(parse_duration("3d")))
    assert due == berlin(2026, 12, 10, 10)


def test_spans_as_text() -> None:
    assert format_span(130, 540) == "2h10m"
    assert format_span(45, 540) == "45m"
    assert format_span(540 + 180, 540) == "1d3h"
    assert format_span(0, 540) == "0m"
    assert format_span(180, 0) == "3h"


new_years = st.sampled_from([2025, 2026, 2027]).flatmap(
    lambda year: st.integers(min_value=-36 * 60, max_value=36 * 60).map(
        lambda minutes: datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    )
)
zones = st.sampled_from(
    [UTC, BERLIN, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Pago_Pago")]
)


@given(calendars, st.one_of(new_years, instants), new_years, zones, minutes)
def test_the_zone_an_instant_is_written_in_does_not_matter(
    calendar: BusinessCalendar, a: datetime, b: datetime, zone: ZoneInfo, n: int
) -> None:
    # Around New Year the instant's own year, the UTC year and the calendar's local year
    # differ; +14h and -11h zones are the extremes.
    assert calendar.business_time_between(a.astimezone(zone), b.astimezone(zone)) == (
        calendar.business_time_between(a, b)
    )
    assert calendar.add_business_minutes(a.astimezone(zone), n) == (
        calendar.add_business_minutes(a, n)
    )
    assert calendar.business_minutes_between(a, b) == oracle_minutes(calendar, a, b) // 1
