"""A new case's rules (CASE-2): required subject and contact, defaults, type and custom fields."""

import pytest
from case_rules_support import ALICE, NOW, POLICY, make_case

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Delegation, new_case
from helpdesk_tui.domain.enums import ActivityKind, Priority, Status
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.policy import CaseType, Policy


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
