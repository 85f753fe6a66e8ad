"""Status changes and waiting (CASE-5): waiting needs a comment and a reminder date."""

from datetime import date

import pytest
from case_rules_support import ALICE, LATER, POLICY, make_case

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import ParentView
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.numbering import CaseNumber


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


# -- issue 12: the wait may outlast the due date: move it in the same change ---------------
class TestWaitingMovesTheDue:
    """make_case is due 2026-12-07 (created 2026-11-23 + 14 days)."""

    def test_a_reminder_after_the_due_is_refused_naming_the_reminder_field(self) -> None:
        case = make_case()
        with pytest.raises(
            ValidationError, match=r"^reminder 2026-12-20 is after due 2026-12-07$"
        ) as caught:
            case.change_status(
                ALICE, LATER, POLICY, Status.WAITING, comment="parts", reminder=date(2026, 12, 20)
            )
        assert caught.value.field == "reminder"
        assert case.status is Status.OPEN

    def test_moving_the_due_with_the_status_records_all_in_one_entry(self) -> None:
        case = make_case()
        drafts = case.change_status(
            ALICE,
            LATER,
            POLICY,
            Status.WAITING,
            comment="parts from ACME",
            reminder=date(2026, 12, 20),
            due=date(2026, 12, 31),
        )
        assert (case.status, case.due, case.reminder) == (
            Status.WAITING,
            date(2026, 12, 31),
            date(2026, 12, 20),
        )
        assert drafts[-1].changes == {
            "status": ("open", "waiting"),
            "due": ("2026-12-07", "2026-12-31"),
            "reminder": ("2026-11-30", "2026-12-20"),
        }

    def test_a_sub_case_due_may_not_pass_the_parents(self) -> None:
        case = make_case(parent=ParentView(CaseNumber(7), Status.OPEN, date(2026, 12, 10)))
        with pytest.raises(ValidationError, match=r"cannot be after its parent's due") as caught:
            case.change_status(
                ALICE,
                LATER,
                POLICY,
                Status.WAITING,
                comment="parts",
                reminder=date(2026, 12, 9),
                due=date(2026, 12, 20),
                parent=ParentView(CaseNumber(7), Status.OPEN, date(2026, 12, 10)),
            )
        assert caught.value.field == "due"
        assert case.status is Status.OPEN

    def test_a_parent_due_may_not_move_before_an_open_sub_cases(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"before a sub-case's due 2026-12-05") as caught:
            case.change_status(
                ALICE,
                LATER,
                POLICY,
                Status.IN_PROGRESS,
                due=date(2026, 12, 1),
                latest_sub_due=date(2026, 12, 5),
            )
        assert caught.value.field == "due"
