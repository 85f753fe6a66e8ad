"""Activity drafts and time spent (ACT-1, ACT-4)."""

from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.domain.activity import ActivityDraft, format_hours, parse_hours
from helpdesk_tui.domain.enums import WRITTEN_KINDS, ActivityKind
from helpdesk_tui.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("value", "centi"),
    [
        (0.25, 25),
        ("0.25", 25),
        (1, 100),
        ("1", 100),
        (" 1.5 ", 150),
        (Decimal("0.01"), 1),
        (24, 2400),
        ("24.00", 2400),
    ],
)
def test_parse_hours(value: object, centi: int) -> None:
    assert parse_hours(value) == centi


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0.001, r"^time spent is recorded in 0\.01 h steps, not 0\.001$"),
        ("1.005", r"^time spent is recorded in 0\.01 h steps"),
        (-1, r"^not a time spent: '-1'"),
        (0, r"^time spent must be more than 0 hours, not 0$"),
        ("NaN", r"^not a time spent: 'NaN'"),
        (25, r"^time spent must be at most 24 hours per entry, not 25$"),
        ("24.01", r"^time spent must be at most 24 hours per entry"),
        ("abc", r"^not a time spent: 'abc' \(e\.g\. 1\.5, 1,5, 90m, 1h30, 1:30\)$"),
        ("", r"^not a time spent: ''"),
    ],
)
def test_parse_hours_refuses(value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_hours(value)


@given(st.integers(min_value=1, max_value=2400))
def test_parse_hours_inverts_format_hours(centi: int) -> None:
    assert parse_hours(str(format_hours(centi))) == centi


def test_format_hours() -> None:
    assert format_hours(25) == 0.25
    assert format_hours(100) == 1.0
    assert format_hours(None) is None


def test_draft_defaults_are_internal_and_without_changes() -> None:
    draft = ActivityDraft(ActivityKind.COMMENT)
    assert (draft.text, draft.internal, dict(draft.changes), draft.time_spent_centi) == (
        "",
        True,
        {},
        None,
    )
    with pytest.raises(FrozenInstanceError):
        draft.text = "changed"


def test_only_comment_external_and_phone_are_written_by_hand() -> None:
    assert frozenset({ActivityKind.COMMENT, ActivityKind.EXTERNAL, ActivityKind.PHONE}) == (
        WRITTEN_KINDS
    )
