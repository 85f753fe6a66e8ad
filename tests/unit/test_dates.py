"""Date input and the default deadlines (CASE-4)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.domain.dates import DateDefaults, parse_date
from helpdesk_tui.domain.errors import ValidationError

TODAY = date(2026, 11, 23)

todays = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-07", date(2026, 12, 7)),
        (" 2027-01-31 ", date(2027, 1, 31)),
        ("today", TODAY),
        (" Today ", TODAY),
        ("+0d", TODAY),
        ("+3d", date(2026, 11, 26)),
        ("+3D", date(2026, 11, 26)),
        ("+2w", date(2026, 12, 7)),
        ("+10d", date(2026, 12, 3)),
    ],
)
def test_accepted_dates(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    ["", "tomorrow", "3d", "+3", "+3m", "+-3d", "-3d", "+10000d", "2026-13-01", "2026-02-30", "x"],
)
def test_garbage_is_refused(text: str) -> None:
    with pytest.raises(
        ValidationError, match=r"^not a date: .* \(expected YYYY-MM-DD, \+3d, \+2w or today\)$"
    ):
        parse_date(text, TODAY)


@given(today=todays, days=st.integers(min_value=0, max_value=9999))
def test_relative_days_add_to_today(today: date, days: int) -> None:
    assert parse_date(f"+{days}d", today) == today + timedelta(days=days)


@given(today=todays, weeks=st.integers(min_value=0, max_value=999))
def test_relative_weeks_are_seven_days(today: date, weeks: int) -> None:
    assert parse_date(f"+{weeks}w", today) == parse_date(f"+{weeks * 7}d", today)


@given(st.dates())
def test_iso_dates_round_trip(day: date) -> None:
    assert parse_date(day.isoformat(), TODAY) == day


def test_default_deadlines() -> None:
    defaults = DateDefaults()
    assert defaults.due(TODAY) == date(2026, 12, 7)
    assert defaults.reminder(TODAY) == date(2026, 11, 30)
    custom = DateDefaults(due_days=5, reminder_days=2)
    assert (custom.due(TODAY), custom.reminder(TODAY)) == (date(2026, 11, 28), date(2026, 11, 25))
