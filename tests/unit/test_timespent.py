"""Time spent as typed (ACT-4): decimal hours with . or ,, minutes, h+minutes, h:mm."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.timespent import format_time_spent, parse_time_spent


@pytest.mark.parametrize(
    ("text", "centi"),
    [
        ("1.5", 150),
        ("1,5", 150),
        ("90m", 150),
        ("1h30", 150),
        ("1:30", 150),
        ("0.5", 50),
        ("2h", 200),
        ("45m", 75),
        (" 1h 30m ", 150),
        ("1.5h", 150),
        (",25", 25),
        ("0:05", 8),  # 5 min = 0.0833 h → 0.08 h
        ("20 min", 33),
        ("1m", 2),  # 0.0167 h rounds up to the one step that is not zero
        ("24h", 2400),
        ("1H30M", 150),
    ],
)
def test_accepted_forms(text: str, centi: int) -> None:
    assert parse_time_spent(text) == centi


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"^not a time spent: '' \(e\.g\. 1\.5, 1,5, 90m, 1h30, 1:30\)$"),
        ("abc", r"^not a time spent: 'abc' \(e\.g\. 1\.5, 1,5, 90m, 1h30, 1:30\)$"),
        ("1.5.2", r"^not a time spent: '1\.5\.2'"),
        ("-1", r"^not a time spent: '-1'"),
        ("1:75", r"^not a time spent: '1:75' \(minutes go up to 59\)$"),
        ("1.005", r"^time spent is recorded in 0\.01 h steps, not 1\.005$"),
        ("0", r"^time spent must be more than 0 hours, not 0$"),
        ("0m", r"^time spent must be more than 0 hours, not 0m$"),
        ("25h", r"^time spent must be at most 24 hours per entry, not 25h$"),
        ("24:01", r"^time spent must be at most 24 hours per entry, not 24:01$"),
        ("1441m", r"^time spent must be at most 24 hours"),
    ],
)
def test_refusals_say_what_is_accepted(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_time_spent(text)


@given(st.integers(min_value=1, max_value=2400))
def test_formatted_hours_read_back(centi: int) -> None:
    text = format_time_spent(centi)
    assert parse_time_spent(text) == centi
    assert parse_time_spent(text.replace(".", ",")) == centi


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_the_minute_forms_agree(hours: int, minutes: int) -> None:
    total = hours * 60 + minutes
    assume(total > 0)
    by_minutes = parse_time_spent(f"{total}m")
    assert parse_time_spent(f"{hours}h{minutes:02d}") == by_minutes
    assert parse_time_spent(f"{hours}:{minutes:02d}") == by_minutes
    assert abs(by_minutes / 100 - total / 60) <= 0.005  # the nearest 0.01 h


@given(st.integers(min_value=1, max_value=24))
def test_whole_hours_in_every_form(hours: int) -> None:
    assert {
        parse_time_spent(f"{hours}"),
        parse_time_spent(f"{hours}h"),
        parse_time_spent(f"{hours * 60}m"),
        parse_time_spent(f"{hours}:00"),
    } == {hours * 100}
