"""Every change to a case is recorded as old → new (CASE-8): edit, delegate, status."""

from datetime import date

import pytest
from case_rules_support import ALICE, LATER, NOW, POLICY, make_case

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Delegation
from helpdesk_tui.domain.enums import ActivityKind, Priority, Status
from helpdesk_tui.domain.errors import ValidationError


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
