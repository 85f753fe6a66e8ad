"""Reopening a closed case and the workflow's transitions and roles (CASE-7)."""

from datetime import date, timedelta

import pytest
from case_rules_support import ALICE, LATER, LENA, NOW, POLICY, ROOT, closed_case, make_case

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Actor, ParentView, reopen_dates
from helpdesk_tui.domain.dates import DateDefaults
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Role, Status
from helpdesk_tui.domain.errors import PermissionDeniedError, TransitionError, ValidationError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.policy import Policy, Transition, Workflow


# -- CASE-7: reopen and the workflow -----------------------------------------------------
class TestReopen:
    def test_agent_may_not_reopen_with_the_default_workflow(self) -> None:
        case = closed_case()
        with pytest.raises(
            PermissionDeniedError, match=r"^only admin, lead may change status closed → open$"
        ):
            case.reopen(ALICE, LATER, POLICY)
        assert case.is_closed

    @pytest.mark.parametrize("actor", [LENA, ROOT], ids=["lead", "admin"])
    def test_lead_and_admin_may_reopen(self, actor: Actor) -> None:
        case = closed_case()
        draft = case.reopen(actor, LATER, POLICY, " customer wrote again ")
        assert case.status is Status.OPEN
        assert case.resolution is None
        assert case.updated_at == LATER
        assert draft == ActivityDraft(
            ActivityKind.REOPENED,
            text="customer wrote again",
            changes={"status": ("closed", "open"), "resolution": ("solved", None)},
        )

    def test_reopen_clears_the_duplicate_link(self) -> None:
        case = make_case()
        case.close(ALICE, NOW, POLICY, Resolution.DUPLICATE, duplicate_of=CaseNumber(3))
        draft = case.reopen(LENA, LATER, POLICY)
        assert case.duplicate_of is None
        assert draft.changes["duplicate_of"] == ("0000003", None)

    def test_reopen_of_an_open_case_is_refused(self) -> None:
        with pytest.raises(ValidationError, match=r"^0000005 is not closed$"):
            make_case().reopen(LENA, LATER, POLICY)

    def test_a_custom_workflow_can_let_agents_reopen(self) -> None:
        policy = Policy(
            workflow=Workflow(
                (
                    Transition(Status.OPEN, Status.CLOSED),
                    Transition(Status.CLOSED, Status.OPEN, frozenset({Role.AGENT})),
                )
            )
        )
        case = make_case(policy=policy)
        case.close(ALICE, NOW, policy, Resolution.SOLVED)
        case.reopen(ALICE, LATER, policy)
        assert case.status is Status.OPEN

    def test_a_transition_missing_from_the_workflow_is_refused(self) -> None:
        policy = Policy(workflow=Workflow((Transition(Status.OPEN, Status.CLOSED),)))
        case = make_case(policy=policy)
        with pytest.raises(
            TransitionError, match=r"^the workflow does not allow open → in_progress$"
        ):
            case.change_status(LENA, LATER, policy, Status.IN_PROGRESS)
        case.close(ALICE, NOW, policy, Resolution.SOLVED)
        with pytest.raises(TransitionError, match=r"^the workflow does not allow closed → open$"):
            case.reopen(ROOT, LATER, policy)

    def test_a_workflow_can_reserve_closing_for_leads(self) -> None:
        policy = Policy(
            workflow=Workflow((Transition(Status.OPEN, Status.CLOSED, frozenset({Role.LEAD})),))
        )
        case = make_case(policy=policy)
        with pytest.raises(
            PermissionDeniedError, match=r"^only lead may change status open → closed$"
        ):
            case.close(ALICE, LATER, policy, Resolution.SOLVED)
        assert not case.is_closed
        case.close(LENA, LATER, policy, Resolution.SOLVED)
        assert case.is_closed


# -- issue 12: a reopened case gets new dates, so it is not instantly overdue ---------------
class TestReopenDates:
    """make_case at NOW (2026-11-23): due 2026-12-07, reminder 2026-11-30."""

    WEEKS_LATER = NOW + timedelta(days=60)  # 2027-01-22: the old due is long past

    def test_defaults_are_today_plus_the_configured_days(self) -> None:
        case = closed_case()
        draft = case.reopen(LENA, self.WEEKS_LATER, POLICY, "again")
        assert (case.due, case.reminder) == (date(2027, 2, 5), date(2027, 1, 29))
        assert case.due > self.WEEKS_LATER.date()  # not overdue
        assert draft.changes["due"] == ("2026-12-07", "2027-02-05")
        assert draft.changes["reminder"] == ("2026-11-30", "2027-01-29")

    def test_the_configured_days_count(self) -> None:
        policy = Policy(dates=DateDefaults(due_days=3, reminder_days=1))
        case = closed_case()
        case.reopen(LENA, self.WEEKS_LATER, policy)
        assert (case.due, case.reminder) == (date(2027, 1, 25), date(2027, 1, 23))

    def test_dates_as_given(self) -> None:
        case = closed_case()
        case.reopen(LENA, self.WEEKS_LATER, POLICY, due=date(2027, 3, 1))
        assert (case.due, case.reminder) == (date(2027, 3, 1), date(2027, 1, 29))
        case = closed_case()
        case.reopen(LENA, self.WEEKS_LATER, POLICY, due=date(2027, 1, 25))
        assert case.reminder == date(2027, 1, 25)  # the default reminder stops at the due

    def test_a_reminder_after_the_due_is_refused_and_nothing_changes(self) -> None:
        case = closed_case()
        with pytest.raises(ValidationError, match=r"^reminder 2027-03-02 is after due") as caught:
            case.reopen(
                LENA, self.WEEKS_LATER, POLICY, due=date(2027, 3, 1), reminder=date(2027, 3, 2)
            )
        assert caught.value.field == "reminder"
        assert case.is_closed
        assert case.due == date(2026, 12, 7)

    def test_a_sub_case_default_due_stops_at_the_parents(self) -> None:
        parent = ParentView(CaseNumber(7), Status.OPEN, date(2027, 1, 31))
        assert reopen_dates(POLICY, self.WEEKS_LATER.date(), parent=parent) == (
            date(2027, 1, 31),
            date(2027, 1, 29),
        )
