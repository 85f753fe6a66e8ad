"""Bounds on what a case accepts (found 12): dates in a sane range, texts of a sane size."""

from datetime import date

import pytest
from case_rules_support import ALICE, LATER, POLICY, make_case

from helpdesk_tui.domain.activity import MAX_TEXT
from helpdesk_tui.domain.dates import EARLIEST, LATEST
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.errors import ValidationError

RANGE = r"\(2000-01-01 to 2199-12-31\)"


def test_the_range_is_2000_to_2199() -> None:
    assert (date(2000, 1, 1), date(2199, 12, 31)) == (EARLIEST, LATEST)


@pytest.mark.parametrize("far", [date(1, 1, 1), date(9999, 12, 31), date(1999, 12, 31)])
def test_a_new_case_refuses_a_due_date_out_of_range(far: date) -> None:
    with pytest.raises(ValidationError, match=rf"^due {far.isoformat()} is out of range {RANGE}$"):
        make_case(due=far)


def test_a_new_case_refuses_a_reminder_out_of_range() -> None:
    with pytest.raises(ValidationError, match=rf"^reminder 0001-01-01 is out of range {RANGE}$"):
        make_case(reminder=date(1, 1, 1))


def test_the_edges_of_the_range_are_accepted() -> None:
    case = make_case(due=LATEST, reminder=EARLIEST)
    assert (case.due, case.reminder) == (LATEST, EARLIEST)


def test_edit_refuses_dates_out_of_range() -> None:
    case = make_case()
    with pytest.raises(ValidationError, match=r"^due 9999-12-31 is out of range"):
        case.edit(ALICE, LATER, POLICY, values={"due": date(9999, 12, 31)})
    with pytest.raises(ValidationError, match=r"^reminder 0001-01-01 is out of range"):
        case.edit(ALICE, LATER, POLICY, values={"reminder": date(1, 1, 1)})


def test_waiting_refuses_a_reminder_out_of_range() -> None:
    case = make_case()
    with pytest.raises(ValidationError, match=r"^reminder 0001-01-01 is out of range"):
        case.change_status(
            ALICE, LATER, POLICY, Status.WAITING, comment="parts", reminder=date(1, 1, 1)
        )


def test_text_limit_is_100000_characters() -> None:
    assert MAX_TEXT == 100_000


@pytest.mark.parametrize("kind", [ActivityKind.COMMENT, ActivityKind.EXTERNAL, ActivityKind.PHONE])
def test_a_written_entry_longer_than_the_limit_is_refused(kind: ActivityKind) -> None:
    case = make_case()
    case.record(ALICE, LATER, kind, "x" * MAX_TEXT)  # the limit itself is fine
    with pytest.raises(
        ValidationError, match=r"^the text is longer than 100000 characters \(100001\)$"
    ):
        case.record(ALICE, LATER, kind, "x" * (MAX_TEXT + 1))


def test_a_description_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"^the description is longer than 100000"):
        make_case(description="d" * (MAX_TEXT + 1))
    case = make_case()
    with pytest.raises(ValidationError, match=r"^the description is longer than 100000"):
        case.edit(ALICE, LATER, POLICY, values={"description": "d" * (MAX_TEXT + 1)})


def test_a_comment_on_a_status_change_longer_than_the_limit_is_refused() -> None:
    case = make_case()
    long = "c" * (MAX_TEXT + 1)
    with pytest.raises(ValidationError, match=r"^the comment is longer than 100000"):
        case.change_status(ALICE, LATER, POLICY, Status.IN_PROGRESS, comment=long)
    assert case.status is Status.OPEN
