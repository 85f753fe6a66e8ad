"""CSAT (issue 15 §7): which replies are ratings, the window, and `Case.rate`."""

from datetime import UTC, date, datetime, timedelta

import pytest

from helpdesk_tui.domain.case import Actor, Case, Delegation
from helpdesk_tui.domain.csat import (
    CsatRules,
    check_rating,
    check_request,
    parse_rating,
    parse_window,
    rating_text,
)
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import ClosedCaseError, ValidationError
from helpdesk_tui.domain.policy import Policy

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("5", 5),
        ("1", 1),
        ("  4  \n\nThanks!", 4),
        ("\n\n3\n", 3),
        ("5 - great", 5),
        ("5 – great, thank you", 5),
        ("4, quick and friendly", 4),
        ("2: slow", 2),
        ("3 (ok)", 3),
        ("Rating: 4", 4),
        ("rating 4", 4),
        ("My rating: 2/5", 2),
        ("Bewertung: 5", 5),
        ("4/5", 4),
        ("4 / 5", 4),
        ("4 of 5", 4),
        ("3 out of 5", 3),
        ("5 stars", 5),
        ("5!", 5),
        ("5.", 5),
        ("4/5 - fine", 4),
        ("\u00a05\u00a0", 5),
        ("4\r\nrest of the mail", 4),
    ],
)
def test_ratings_are_read_from_the_first_non_empty_line(text: str, rating: int) -> None:
    assert parse_rating(text) == rating


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "5 items are broken",
        "1. Open the app",
        "1.5",
        "4.5",
        "10",
        "0",
        "6",
        "55",
        "-5",
        "+5",
        "5/10",
        "2 - 3 days until it broke again",
        "It is 5 now",
        "Thanks!\n5",  # only the first line counts
        "five",
        "5 great",  # words need a separator
        "5 (10 times)",
        "\x1b[31m5",  # an escape sequence
        "5\x1b]0;title\x07",
        "\u202e5",  # a bidi override
        "5\u200b",  # a zero-width space
        "５",  # a full-width digit is not our digit
        "٥",  # nor an Arabic-Indic one
        "5" + " " * 300 + "- ok",  # too long to be a rating line
        "Rating: 7",
        "rating: 4 or 5",
    ],
)
def test_anything_else_is_not_a_rating(text: str) -> None:
    assert parse_rating(text) is None


def test_the_window_is_calendar_time_and_bounded() -> None:
    assert parse_window("14d") == timedelta(days=14)
    assert parse_window(" 48H ") == timedelta(hours=48)
    for bad in ("", "0d", "14", "2w", "-1d", "1.5d", "400d", "14d4h"):
        with pytest.raises(ValidationError):
            parse_window(bad)
    rules = CsatRules(window=timedelta(days=14))
    assert rules.accepts(NOW, NOW)
    assert rules.accepts(NOW, NOW + timedelta(days=14))
    assert not rules.accepts(NOW, NOW + timedelta(days=14, seconds=1))
    assert not rules.accepts(NOW, NOW - timedelta(seconds=1))  # before the close
    assert not rules.accepts(None, NOW)


def test_the_request_is_one_printable_line() -> None:
    assert check_request("  Rate us: reply 1-5  ") == "Rate us: reply 1-5"
    for bad in ("", "   ", "line one\nline two", "x" * 301, "bell\x07"):
        with pytest.raises(ValidationError):
            check_request(bad)


def test_a_rating_is_a_whole_number_from_1_to_5() -> None:
    assert check_rating(3) == 3
    for bad in (0, 6, True, 2.5):
        with pytest.raises(ValidationError):
            check_rating(bad)  # type: ignore[arg-type]
    assert rating_text(None) == "-"
    assert rating_text(4, NOW) == "4/5 (2026-12-05)"


def _case(status: Status = Status.CLOSED) -> Case:
    return Case(
        subject="Printer",
        type="ticket",
        contact="kunde@example.com",
        delegation=Delegation(user="alice"),
        initiator="alice",
        due=date(2026, 12, 10),
        reminder=None,
        created_at=NOW - timedelta(days=3),
        updated_at=NOW - timedelta(days=1),
        status=status,
        resolution=Resolution.SOLVED if status is Status.CLOSED else None,
    )


def test_a_closed_case_takes_the_customers_rating_without_reopening() -> None:
    case = _case()
    draft = case.rate(NOW, 4)
    assert draft is not None
    assert draft.kind is ActivityKind.EDIT
    assert dict(draft.changes) == {"csat": (None, "4")}
    assert (case.csat_rating, case.csat_at, case.status) == (4, NOW, Status.CLOSED)
    assert case.resolution is Resolution.SOLVED


def test_a_second_rating_replaces_the_first_and_the_same_one_changes_nothing() -> None:
    case = _case()
    case.rate(NOW, 2)
    later = NOW + timedelta(hours=2)
    draft = case.rate(later, 5)
    assert draft is not None
    assert dict(draft.changes) == {"csat": ("2", "5")}
    assert (case.csat_rating, case.csat_at) == (5, later)
    assert case.rate(later + timedelta(hours=1), 5) is None
    assert case.csat_at == later


def test_only_a_closed_case_is_rated_and_only_from_1_to_5() -> None:
    with pytest.raises(ValidationError):
        _case(Status.OPEN).rate(NOW, 4)
    with pytest.raises(ValidationError):
        _case().rate(NOW, 6)


def test_agents_still_cannot_edit_a_closed_case() -> None:
    case = _case()
    case.rate(NOW, 3)
    with pytest.raises(ClosedCaseError):
        case.edit(Actor("alice"), NOW, Policy(), values={"subject": "x"})
