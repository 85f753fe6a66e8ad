"""Closing a case (CASE-6): resolutions, duplicates, and a closed case being read-only."""

import pytest
from case_rules_support import ALICE, BOB, LATER, POLICY, closed_case, make_case

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Delegation
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import ClosedCaseError, ValidationError
from helpdesk_tui.domain.numbering import CaseNumber


# -- CASE-6: closing and read-only -------------------------------------------------------
class TestClosing:
    def test_closing_through_change_status_needs_a_resolution(self) -> None:
        case = make_case()
        with pytest.raises(
            ValidationError, match=r"^closing 0000005 needs a resolution: use close$"
        ):
            case.change_status(ALICE, LATER, POLICY, Status.CLOSED)
        assert case.status is Status.OPEN

    def test_close_records_status_and_resolution(self) -> None:
        case = make_case()
        drafts = case.close(ALICE, LATER, POLICY, Resolution.SOLVED, comment=" fixed ")
        assert case.is_closed
        assert case.resolution is Resolution.SOLVED
        assert drafts == [
            ActivityDraft(
                ActivityKind.CLOSED,
                text="fixed",
                changes={"status": ("open", "closed"), "resolution": (None, "solved")},
            )
        ]

    def test_duplicate_without_original_is_refused(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^a duplicate must name the original case$"):
            case.close(ALICE, LATER, POLICY, Resolution.DUPLICATE)
        assert not case.is_closed

    def test_duplicate_of_itself_is_refused(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^0000005 cannot be a duplicate of itself$"):
            case.close(ALICE, LATER, POLICY, Resolution.DUPLICATE, duplicate_of=CaseNumber(5))
        assert not case.is_closed

    def test_only_a_duplicate_names_an_original(self) -> None:
        with pytest.raises(ValidationError, match=r"^only a duplicate names an original case$"):
            make_case().close(ALICE, LATER, POLICY, Resolution.SOLVED, duplicate_of=CaseNumber(3))

    def test_duplicate_links_the_original(self) -> None:
        case = make_case()
        [draft] = case.close(ALICE, LATER, POLICY, Resolution.DUPLICATE, duplicate_of=CaseNumber(3))
        assert case.duplicate_of == CaseNumber(3)
        assert draft.changes["duplicate_of"] == (None, "0000003")

    @pytest.mark.parametrize(
        ("action", "message"),
        [
            (
                lambda c: c.edit(ALICE, LATER, POLICY, values={"subject": "new"}),
                "cannot edit 0000005: the case is closed",
            ),
            (
                lambda c: c.delegate(ALICE, LATER, Delegation(user="bob")),
                "cannot delegate 0000005: the case is closed",
            ),
            (lambda c: c.assign_to_me(BOB, LATER), "cannot assign 0000005: the case is closed"),
            (
                lambda c: c.change_status(ALICE, LATER, POLICY, Status.IN_PROGRESS),
                "cannot change the status of 0000005: the case is closed",
            ),
            (
                lambda c: c.record(ALICE, LATER, ActivityKind.EXTERNAL, "we fixed it"),
                "cannot add an external action or phone note to 0000005: the case is closed",
            ),
            (
                lambda c: c.record(ALICE, LATER, ActivityKind.PHONE, "called back"),
                "cannot add an external action or phone note to 0000005: the case is closed",
            ),
            (
                lambda c: c.close(ALICE, LATER, POLICY, Resolution.SOLVED),
                "cannot close 0000005: the case is closed",
            ),
        ],
        ids=["edit", "delegate", "assign_to_me", "change_status", "external", "phone", "close"],
    )
    def test_a_closed_case_is_read_only(self, action, message: str) -> None:
        case = closed_case()
        before = (case.subject, case.delegation, case.status, case.updated_at)
        with pytest.raises(ClosedCaseError, match=rf"^{message}$"):
            action(case)
        assert (case.subject, case.delegation, case.status, case.updated_at) == before

    def test_an_internal_comment_is_allowed_on_a_closed_case(self) -> None:
        case = closed_case()
        drafts = case.record(BOB, LATER, ActivityKind.COMMENT, " customer said thanks ")
        assert drafts == [ActivityDraft(ActivityKind.COMMENT, text="customer said thanks")]
        assert case.is_closed
