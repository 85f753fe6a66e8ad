"""Status changes and waiting (CASE-5): waiting needs a comment and a reminder date."""

from datetime import date

import pytest
from case_rules_support import ALICE, LATER, POLICY, make_case

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.errors import ValidationError


# -- CASE-5: waiting ---------------------------------------------------------------------
class TestWaiting:
    @pytest.mark.parametrize("comment", ["", "   "])
    def test_waiting_without_comment_is_refused(self, comment: str) -> None:
        case = make_case()
        with pytest.raises(
            ValidationError,
            match=r"^waiting needs a comment: what is awaited, from whom, until when$",
        ):
            case.change_status(
                ALICE, LATER, POLICY, Status.WAITING, comment=comment, reminder=date(2026, 11, 27)
            )
        assert case.status is Status.OPEN

    def test_waiting_without_reminder_is_refused(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^waiting needs a reminder date$"):
            case.change_status(ALICE, LATER, POLICY, Status.WAITING, comment="logs from IT")
        assert case.status is Status.OPEN

    def test_waiting_with_comment_and_reminder_records_both_changes(self) -> None:
        case = make_case()
        drafts = case.change_status(
            ALICE,
            LATER,
            POLICY,
            Status.WAITING,
            comment="  logs from customer IT by Friday ",
            reminder=date(2026, 11, 27),
        )
        assert case.status is Status.WAITING
        assert case.reminder == date(2026, 11, 27)
        assert case.updated_at == LATER
        assert drafts == [
            ActivityDraft(
                ActivityKind.STATUS,
                text="logs from customer IT by Friday",
                changes={
                    "status": ("open", "waiting"),
                    "reminder": ("2026-11-30", "2026-11-27"),
                },
            )
        ]

    def test_waiting_reminder_after_due_is_refused(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^reminder 2026-12-08 is after due 2026-12-07$"):
            case.change_status(
                ALICE, LATER, POLICY, Status.WAITING, comment="x", reminder=date(2026, 12, 8)
            )
        assert case.status is Status.OPEN

    def test_status_change_to_the_same_status_is_refused(self) -> None:
        with pytest.raises(ValidationError, match=r"^0000005 is already open$"):
            make_case().change_status(ALICE, LATER, POLICY, Status.OPEN)
