"""Who holds a case (CASE-1, ASSIGN-2, ASSIGN-3).

The delegation value, assign-to-me, and a group member's process action taking a group
case over.
"""

import pytest
from case_rules_support import ALICE, BOB, LATER, LENA, NOW, POLICY, kinds, make_case

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Delegation
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import AlreadyAssignedError, ConflictError, ValidationError


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
