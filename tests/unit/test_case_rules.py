"""The case aggregate's rules (CASE, SUB, ASSIGN), on plain objects with a fixed clock."""

from datetime import UTC, date, datetime, timedelta

import pytest

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Actor, Case, Delegation, ParentView, new_case
from helpdesk_tui.domain.dates import DateDefaults
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Role, Status
from helpdesk_tui.domain.errors import (
    AlreadyAssignedError,
    ClosedCaseError,
    ConflictError,
    PermissionDeniedError,
    SubCaseOpenError,
    TransitionError,
    ValidationError,
)
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.policy import CaseType, Policy, Transition, Workflow

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
TODAY = date(2026, 11, 23)
POLICY = Policy()

ALICE = Actor("alice", Role.AGENT, frozenset({"billing"}))
BOB = Actor("bob", Role.AGENT, frozenset({"technical"}))
LENA = Actor("lena", Role.LEAD, frozenset({"billing"}))
ROOT = Actor("root", Role.ADMIN)


FIVE = CaseNumber(5)
TO_ALICE = Delegation(user="alice")


def make_case(
    number: CaseNumber | None = FIVE,
    *,
    delegation: Delegation = TO_ALICE,
    policy: Policy = POLICY,
    **kwargs: object,
) -> Case:
    """A saved-looking case created at NOW by alice."""
    case, _ = new_case(
        policy=policy,
        actor=ALICE,
        now=NOW,
        subject=str(kwargs.pop("subject", "Printer jam")),
        contact=str(kwargs.pop("contact", "kunde@acme.example")),
        delegation=delegation,
        **kwargs,
    )
    case.number = number
    case.version = 1
    return case


def closed_case(**kwargs: object) -> Case:
    case = make_case(**kwargs)
    case.close(ALICE, NOW, POLICY, Resolution.SOLVED)
    return case


def kinds(drafts: list[ActivityDraft]) -> list[ActivityKind]:
    return [draft.kind for draft in drafts]


# -- CASE-1: delegation --------------------------------------------------------------
class TestDelegation:
    def test_user_and_group_at_once_is_refused(self) -> None:
        with pytest.raises(ValidationError, match=r"^delegate to a user or a group, not both$"):
            Delegation(user="alice", group="billing")

    @pytest.mark.parametrize(("user", "group"), [(None, None), ("", ""), ("", None)])
    def test_neither_user_nor_group_is_refused(self, user: str | None, group: str | None) -> None:
        with pytest.raises(
            ValidationError, match=r"^a case must be delegated to a user or a group$"
        ):
            Delegation(user=user, group=group)

    def test_user_only_and_group_only_are_fine(self) -> None:
        assert str(Delegation(user="alice")) == "alice"
        assert str(Delegation(group="billing")) == "group billing"


# -- CASE-2: creation ------------------------------------------------------------------
class TestCreation:
    def test_new_case_applies_defaults_and_normalises_input(self) -> None:
        case, created = new_case(
            policy=POLICY,
            actor=ALICE,
            now=NOW,
            subject="  Printer jam  ",
            contact=" Kunde@ACME.example ",
            delegation=Delegation(group="billing"),
        )
        assert case.subject == "Printer jam"
        assert case.contact == "kunde@acme.example"
        assert case.type == "ticket"
        assert case.priority is Priority.NORMAL
        assert case.status is Status.OPEN
        assert case.initiator == "alice"
        assert case.created_at == case.updated_at == NOW
        assert case.number is None
        assert case.label == "new case"
        assert case.parent is None
        assert created == ActivityDraft(ActivityKind.CREATED, text="Printer jam")

    @pytest.mark.parametrize("subject", ["", "   "])
    def test_subject_is_required(self, subject: str) -> None:
        with pytest.raises(ValidationError, match=r"^a case needs a subject$"):
            make_case(subject=subject)

    def test_subject_is_limited_to_250_characters(self) -> None:
        assert make_case(subject="x" * 250).subject == "x" * 250
        with pytest.raises(ValidationError, match=r"longer than 250 characters"):
            make_case(subject="x" * 251)

    @pytest.mark.parametrize("contact", ["", "  "])
    def test_contact_is_required(self, contact: str) -> None:
        with pytest.raises(ValidationError, match=r"^a case needs a contact$"):
            make_case(contact=contact)

    def test_unknown_type_is_refused_naming_the_known_ones(self) -> None:
        with pytest.raises(
            ValidationError,
            match=r"^unknown case type 'printer' \(known: general, ticket, complaint\)$",
        ):
            make_case(type_key="printer")

    def test_type_is_matched_case_insensitively(self) -> None:
        assert make_case(type_key=" Complaint ").type == "complaint"

    def test_explicit_priority_is_kept(self) -> None:
        assert make_case(priority=Priority.URGENT).priority is Priority.URGENT

    def test_custom_fields_refused_when_the_type_has_none(self) -> None:
        with pytest.raises(ValidationError, match=r"^case type 'ticket' has no field 'serial'$"):
            make_case(custom={"serial": "X1"})

    def test_custom_fields_of_the_type_are_accepted_and_others_refused(self) -> None:
        policy = Policy(case_types=(CaseType("rma", "RMA", ("serial",)),), default_type="rma")
        case = make_case(policy=policy, custom={"serial": "X1"})
        assert case.custom == {"serial": "X1"}
        with pytest.raises(ValidationError, match=r"^case type 'rma' has no field 'colour'$"):
            make_case(policy=policy, custom={"serial": "X1", "colour": "red"})


# -- CASE-4: dates -----------------------------------------------------------------------
class TestDates:
    def test_default_due_is_14_and_reminder_7_days_after_today(self) -> None:
        late_evening = datetime(2026, 11, 23, 23, 59, tzinfo=UTC)
        case, _ = new_case(
            policy=POLICY,
            actor=ALICE,
            now=late_evening,
            subject="s",
            contact="c@x.example",
            delegation=Delegation(user="alice"),
        )
        assert case.due == date(2026, 12, 7)
        assert case.reminder == date(2026, 11, 30)

    def test_date_defaults_come_from_the_policy(self) -> None:
        case = make_case(policy=Policy(dates=DateDefaults(due_days=3, reminder_days=1)))
        assert (case.due, case.reminder) == (date(2026, 11, 26), date(2026, 11, 24))

    def test_default_reminder_never_lands_after_an_early_due(self) -> None:
        case = make_case(due=date(2026, 11, 25))
        assert case.reminder == date(2026, 11, 25)

    def test_reminder_after_due_is_refused_naming_both_dates(self) -> None:
        with pytest.raises(ValidationError, match=r"^reminder 2026-12-02 is after due 2026-12-01$"):
            make_case(due=date(2026, 12, 1), reminder=date(2026, 12, 2))

    def test_reminder_on_the_due_date_is_fine(self) -> None:
        case = make_case(due=date(2026, 12, 1), reminder=date(2026, 12, 1))
        assert case.reminder == case.due == date(2026, 12, 1)

    def test_edit_refuses_a_reminder_after_due(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^reminder 2026-12-08 is after due 2026-12-07$"):
            case.edit(ALICE, LATER, POLICY, values={"reminder": date(2026, 12, 8)})
        assert case.reminder == date(2026, 11, 30)

    def test_edit_refuses_moving_due_before_the_reminder(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^reminder 2026-11-30 is after due 2026-11-29$"):
            case.edit(ALICE, LATER, POLICY, values={"due": date(2026, 11, 29)})

    def test_edit_refuses_a_due_that_is_not_a_date(self) -> None:
        with pytest.raises(ValidationError, match=r"^not a date: '2026-12-10'$"):
            make_case().edit(ALICE, LATER, POLICY, values={"due": "2026-12-10"})


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


# -- CASE-8: every change is recorded as old → new ---------------------------------------
class TestChangeRecording:
    def test_edit_records_old_and_new_of_each_changed_field(self) -> None:
        case = make_case()
        draft = case.edit(
            ALICE,
            LATER,
            POLICY,
            values={"subject": "Printer on fire", "due": date(2026, 12, 10)},
        )
        assert draft == ActivityDraft(
            ActivityKind.EDIT,
            changes={
                "subject": ("Printer jam", "Printer on fire"),
                "due": ("2026-12-07", "2026-12-10"),
            },
        )
        assert (case.subject, case.due, case.updated_at) == (
            "Printer on fire",
            date(2026, 12, 10),
            LATER,
        )

    def test_edit_without_a_change_returns_none_and_touches_nothing(self) -> None:
        case = make_case()
        values = {"subject": "Printer jam", "due": date(2026, 12, 7), "type": "ticket"}
        assert case.edit(ALICE, LATER, POLICY, values=values) is None
        assert case.updated_at == NOW

    def test_edit_of_priority_owner_type_description_and_clearing_the_reminder(self) -> None:
        case = make_case()
        draft = case.edit(
            ALICE,
            LATER,
            POLICY,
            values={
                "priority": "high",
                "owner": "lena",
                "type": "Complaint",
                "description": "paper everywhere",
                "reminder": None,
            },
        )
        assert draft is not None
        assert draft.changes == {
            "priority": ("normal", "high"),
            "owner": (None, "lena"),
            "type": ("ticket", "complaint"),
            "description": ("", "paper everywhere"),
            "reminder": ("2026-11-30", None),
        }
        assert case.priority is Priority.HIGH
        assert case.reminder is None

    def test_edit_refuses_an_unknown_type(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^unknown case type 'printer'"):
            case.edit(ALICE, LATER, POLICY, values={"type": "printer"})
        assert case.type == "ticket"

    def test_edit_refuses_an_unknown_priority_with_a_clear_message(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^unknown priority 'hot' \(known: "):
            case.edit(ALICE, LATER, POLICY, values={"priority": "hot"})
        assert case.priority is Priority.NORMAL

    def test_edit_refuses_an_empty_subject(self) -> None:
        with pytest.raises(ValidationError, match=r"^a case needs a subject$"):
            make_case().edit(ALICE, LATER, POLICY, values={"subject": " "})

    def test_delegate_records_user_and_group_with_the_comment(self) -> None:
        case = make_case()
        draft = case.delegate(ALICE, LATER, Delegation(group="billing"), " please take over ")
        assert draft == ActivityDraft(
            ActivityKind.DELEGATION,
            text="please take over",
            changes={"delegated_user": ("alice", None), "delegated_group": (None, "billing")},
        )
        assert case.delegation == Delegation(group="billing")
        assert case.updated_at == LATER

    def test_delegate_to_the_current_delegate_returns_none(self) -> None:
        case = make_case()
        assert case.delegate(ALICE, LATER, Delegation(user="alice")) is None
        assert case.updated_at == NOW

    def test_status_change_records_old_and_new_status(self) -> None:
        case = make_case()
        drafts = case.change_status(ALICE, LATER, POLICY, Status.IN_PROGRESS, comment="on it")
        assert drafts == [
            ActivityDraft(
                ActivityKind.STATUS,
                text="on it",
                changes={"status": ("open", "in_progress")},
            )
        ]


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


# -- ASSIGN-2, ASSIGN-3 --------------------------------------------------------------------
class TestAssignToMe:
    def test_assign_to_me_on_a_group_case_delegates_to_me(self) -> None:
        case = make_case(delegation=Delegation(group="billing"))
        draft = case.assign_to_me(ALICE, LATER)
        assert case.delegation == Delegation(user="alice")
        assert draft == ActivityDraft(
            ActivityKind.DELEGATION,
            changes={"delegated_user": (None, "alice"), "delegated_group": ("billing", None)},
        )

    def test_assign_to_me_on_my_own_case_returns_none(self) -> None:
        case = make_case()
        assert case.assign_to_me(ALICE, LATER) is None
        assert case.updated_at == NOW

    def test_assign_to_me_on_another_users_case_names_the_holder(self) -> None:
        case = make_case(delegation=Delegation(user="bob"))
        with pytest.raises(
            AlreadyAssignedError, match=r"^0000005 is already assigned to bob$"
        ) as info:
            case.assign_to_me(ALICE, LATER)
        assert info.value.holder == "bob"
        assert isinstance(info.value, ConflictError)
        assert case.delegation == Delegation(user="bob")


class TestAutoDelegation:
    def test_member_status_change_on_group_case_takes_it_over(self) -> None:
        case = make_case(delegation=Delegation(group="billing"))
        drafts = case.change_status(ALICE, LATER, POLICY, Status.IN_PROGRESS)
        assert kinds(drafts) == [ActivityKind.DELEGATION, ActivityKind.STATUS]
        assert drafts[0].text == "taken over by process action"
        assert drafts[0].changes == {
            "delegated_user": (None, "alice"),
            "delegated_group": ("billing", None),
        }
        assert case.delegation == Delegation(user="alice")

    @pytest.mark.parametrize("kind", [ActivityKind.EXTERNAL, ActivityKind.PHONE])
    def test_member_external_action_or_phone_note_takes_it_over(self, kind: ActivityKind) -> None:
        case = make_case(delegation=Delegation(group="billing"))
        drafts = case.record(LENA, LATER, kind, "we called")
        assert kinds(drafts) == [ActivityKind.DELEGATION, kind]
        assert case.delegation == Delegation(user="lena")

    def test_member_closing_a_group_case_takes_it_over(self) -> None:
        case = make_case(delegation=Delegation(group="billing"))
        drafts = case.close(ALICE, LATER, POLICY, Resolution.SOLVED)
        assert kinds(drafts) == [ActivityKind.DELEGATION, ActivityKind.CLOSED]
        assert case.delegation == Delegation(user="alice")

    def test_non_member_process_action_leaves_the_group(self) -> None:
        case = make_case(delegation=Delegation(group="billing"))
        assert kinds(case.change_status(BOB, LATER, POLICY, Status.IN_PROGRESS)) == [
            ActivityKind.STATUS
        ]
        assert kinds(case.record(BOB, LATER, ActivityKind.EXTERNAL, "x")) == [ActivityKind.EXTERNAL]
        assert case.delegation == Delegation(group="billing")

    def test_internal_comment_does_not_take_the_case_over(self) -> None:
        case = make_case(delegation=Delegation(group="billing"))
        drafts = case.record(ALICE, LATER, ActivityKind.COMMENT, "looking into it")
        assert kinds(drafts) == [ActivityKind.COMMENT]
        assert case.delegation == Delegation(group="billing")

    def test_process_action_on_a_user_case_does_not_move_it(self) -> None:
        case = make_case(delegation=Delegation(user="bob"))
        assert kinds(case.change_status(ALICE, LATER, POLICY, Status.IN_PROGRESS)) == [
            ActivityKind.STATUS
        ]
        assert case.delegation == Delegation(user="bob")


# -- ACT-1, ACT-2, ACT-4: written activities ---------------------------------------------
class TestRecord:
    def test_external_is_not_internal_and_carries_time_spent(self) -> None:
        case = make_case()
        [draft] = case.record(ALICE, LATER, ActivityKind.EXTERNAL, " reply ", time_spent_centi=25)
        assert draft == ActivityDraft(
            ActivityKind.EXTERNAL, text="reply", internal=False, time_spent_centi=25
        )
        assert case.updated_at == LATER

    def test_phone_note_and_comment_are_internal(self) -> None:
        case = make_case()
        assert case.record(ALICE, LATER, ActivityKind.PHONE, "called")[0].internal
        assert case.record(ALICE, LATER, ActivityKind.COMMENT, "noted")[0].internal

    @pytest.mark.parametrize("kind", [ActivityKind.STATUS, ActivityKind.MAIL_IN])
    def test_system_kinds_cannot_be_written_by_hand(self, kind: ActivityKind) -> None:
        with pytest.raises(ValidationError, match=r"is recorded by the system"):
            make_case().record(ALICE, LATER, kind, "x")

    def test_empty_text_is_refused(self) -> None:
        with pytest.raises(ValidationError, match=r"^the text is empty$"):
            make_case().record(ALICE, LATER, ActivityKind.COMMENT, "  ")
