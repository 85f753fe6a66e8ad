"""Sub-cases (SUB-2, SUB-3): one level only, due dates bounded by the parent's, and no
closing a parent while a sub-case is open.
"""

from datetime import date

import pytest
from case_rules_support import ALICE, LATER, POLICY, make_case

from helpdesk_tui.domain.case import ParentView
from helpdesk_tui.domain.enums import Resolution, Status
from helpdesk_tui.domain.errors import ClosedCaseError, SubCaseOpenError, ValidationError
from helpdesk_tui.domain.numbering import CaseNumber

# -- SUB-2, SUB-3: sub-cases ------------------------------------------------------------
PARENT = ParentView(CaseNumber(7), Status.OPEN, date(2026, 12, 1))


class TestSubCases:
    def test_sub_case_inherits_the_parent_due_by_default(self) -> None:
        case = make_case(None, parent=PARENT)
        assert case.parent == CaseNumber(7)
        assert case.due == date(2026, 12, 1)
        assert case.reminder == date(2026, 11, 30)

    def test_sub_case_inherits_a_parent_due_beyond_the_default(self) -> None:
        parent = ParentView(CaseNumber(7), Status.OPEN, date(2027, 1, 31))
        assert make_case(None, parent=parent).due == date(2027, 1, 31)

    def test_sub_case_may_be_due_earlier_than_its_parent(self) -> None:
        assert make_case(None, parent=PARENT, due=date(2026, 11, 28)).due == date(2026, 11, 28)

    def test_sub_case_due_after_the_parent_due_is_refused(self) -> None:
        with pytest.raises(
            ValidationError,
            match=r"^a sub-case's due 2026-12-02 cannot be after its parent's due 2026-12-01$",
        ):
            make_case(None, parent=PARENT, due=date(2026, 12, 2))

    def test_a_sub_case_of_a_sub_case_is_refused(self) -> None:
        sub = ParentView(CaseNumber(7, 1), Status.OPEN, date(2026, 12, 1))
        with pytest.raises(
            ValidationError, match=r"^0000007-001 is a sub-case; sub-cases cannot be split$"
        ):
            make_case(None, parent=sub)

    def test_a_sub_case_of_a_closed_parent_is_refused(self) -> None:
        closed = ParentView(CaseNumber(7), Status.CLOSED, date(2026, 12, 1))
        with pytest.raises(
            ClosedCaseError, match=r"^cannot add a sub-case to 0000007: the case is closed$"
        ):
            make_case(None, parent=closed)

    def test_editing_a_sub_case_due_past_the_parent_due_is_refused(self) -> None:
        sub = make_case(CaseNumber(7, 1), parent=PARENT)
        with pytest.raises(
            ValidationError,
            match=r"^a sub-case's due 2026-12-03 cannot be after its parent's due 2026-12-01$",
        ):
            sub.edit(ALICE, LATER, POLICY, values={"due": date(2026, 12, 3)}, parent=PARENT)
        assert sub.due == date(2026, 12, 1)

    def test_moving_a_parent_due_before_an_open_sub_case_due_is_refused(self) -> None:
        parent = make_case(CaseNumber(7), reminder=date(2026, 11, 24))
        with pytest.raises(
            ValidationError,
            match=r"^due 2026-12-01 is before a sub-case's due 2026-12-05; "
            r"move the sub-case first$",
        ):
            parent.edit(
                ALICE,
                LATER,
                POLICY,
                values={"due": date(2026, 12, 1)},
                latest_sub_due=date(2026, 12, 5),
            )
        draft = parent.edit(
            ALICE,
            LATER,
            POLICY,
            values={"due": date(2026, 12, 5)},
            latest_sub_due=date(2026, 12, 5),
        )
        assert draft is not None
        assert draft.changes == {"due": ("2026-12-07", "2026-12-05")}

    def test_close_with_open_sub_cases_names_the_lowest_one(self) -> None:
        case = make_case(CaseNumber(7))
        with pytest.raises(
            SubCaseOpenError, match=r"^cannot close 0000007: sub-case 0000007-002 is still open$"
        ):
            case.close(
                ALICE,
                LATER,
                POLICY,
                Resolution.SOLVED,
                open_sub_cases=[CaseNumber(7, 3), CaseNumber(7, 2)],
            )
        assert not case.is_closed
