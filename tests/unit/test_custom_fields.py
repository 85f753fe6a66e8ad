"""Custom fields of a case type (CASE-2): which keys a type has, what a value may be, and
how an edit changes them (CASE-1, CASE-8)."""

from datetime import UTC, datetime

import pytest

from helpdesk_tui.domain.case import Actor, Delegation, new_case
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.policy import (
    MAX_FIELD_VALUE,
    CaseType,
    Policy,
    merge_custom_fields,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
POLICY = Policy(
    case_types=(
        CaseType("hardware", "Hardware", ("serial", "device")),
        CaseType("general", "General"),
    ),
    default_type="general",
)
ALICE = Actor("alice")


def hardware_case(**custom: str):  # type: ignore[no-untyped-def]
    case, _ = new_case(
        policy=POLICY,
        actor=ALICE,
        now=NOW,
        subject="Laptop does not boot",
        contact="kunde@example.com",
        delegation=Delegation(user="alice"),
        type_key="hardware",
        custom=custom,
    )
    return case


class TestValues:
    def test_a_value_is_one_line_of_limited_length(self) -> None:
        POLICY.check_custom_fields("hardware", {"serial": "X" * MAX_FIELD_VALUE})
        with pytest.raises(ValidationError, match=r"^field 'serial' is longer than 200"):
            POLICY.check_custom_fields("hardware", {"serial": "X" * (MAX_FIELD_VALUE + 1)})
        with pytest.raises(ValidationError, match=r"^field 'device' must be one line"):
            POLICY.check_custom_fields("hardware", {"device": "a\nb"})
        with pytest.raises(ValidationError, match=r"^field 'device' must be one line"):
            POLICY.check_custom_fields("hardware", {"device": "a\x1b[31mb"})

    def test_merge_trims_and_an_empty_value_removes(self) -> None:
        merged = merge_custom_fields(
            {"serial": "1", "device": "X"}, {"serial": " 2 ", "device": ""}
        )
        assert merged == {"serial": "2"}


class TestCreate:
    def test_fields_of_the_type_are_kept_trimmed_and_empty_ones_left_out(self) -> None:
        case = hardware_case(serial=" SN-1 ", device="")
        assert case.custom == {"serial": "SN-1"}

    def test_a_field_the_type_does_not_define_is_refused_by_name(self) -> None:
        with pytest.raises(ValidationError, match=r"^case type 'hardware' has no field 'colour'$"):
            hardware_case(colour="red")


class TestEdit:
    def test_set_change_and_clear_record_each_field(self) -> None:
        case = hardware_case(serial="SN-1")
        draft = case.edit(
            ALICE, NOW, POLICY, values={"fields": {"serial": "SN-2", "device": "T14"}}
        )
        assert draft is not None
        assert dict(draft.changes) == {
            "fields.device": (None, "T14"),
            "fields.serial": ("SN-1", "SN-2"),
        }
        assert case.custom == {"serial": "SN-2", "device": "T14"}
        draft = case.edit(ALICE, NOW, POLICY, values={"fields": {"device": ""}})
        assert draft is not None
        assert dict(draft.changes) == {"fields.device": ("T14", None)}
        assert case.custom == {"serial": "SN-2"}

    def test_the_same_values_change_nothing(self) -> None:
        case = hardware_case(serial="SN-1")
        assert case.edit(ALICE, NOW, POLICY, values={"fields": {"serial": "SN-1"}}) is None

    def test_an_unknown_key_is_refused_and_nothing_changes(self) -> None:
        case = hardware_case(serial="SN-1")
        with pytest.raises(ValidationError, match="has no field 'colour'"):
            case.edit(ALICE, NOW, POLICY, values={"subject": "New", "fields": {"colour": ""}})
        assert case.subject == "Laptop does not boot"
        assert case.custom == {"serial": "SN-1"}

    def test_a_new_type_must_define_every_field_kept(self) -> None:
        case = hardware_case(serial="SN-1")
        with pytest.raises(ValidationError, match=r"^case type 'general' has no field 'serial'$"):
            case.edit(ALICE, NOW, POLICY, values={"type": "general"})
        draft = case.edit(ALICE, NOW, POLICY, values={"type": "general", "fields": {"serial": ""}})
        assert draft is not None
        assert draft.changes["type"] == ("hardware", "general")
        assert draft.changes["fields.serial"] == ("SN-1", None)

    def test_a_field_dropped_from_the_config_does_not_block_other_edits(self) -> None:
        case = hardware_case(serial="SN-1")
        case.custom["legacy"] = "old"  # stored while the type still had the field
        assert case.edit(ALICE, NOW, POLICY, values={"subject": "Still broken"}) is not None
        draft = case.edit(ALICE, NOW, POLICY, values={"fields": {"legacy": ""}})
        assert draft is not None
        assert draft.changes == {"fields.legacy": ("old", None)}


def test_a_type_the_config_dropped_does_not_block_edits_of_other_fields() -> None:
    case = hardware_case(serial="SN-1")
    without = Policy(case_types=(CaseType("general", "General"),), default_type="general")
    draft = case.edit(ALICE, NOW, without, values={"subject": "Still broken"})
    assert draft is not None
    assert draft.changes == {"subject": ("Laptop does not boot", "Still broken")}
    with pytest.raises(ValidationError, match=r"^unknown case type 'hardware'"):
        case.edit(ALICE, NOW, without, values={"fields": {"serial": "SN-2"}})
