"""Custom fields and new contacts through the services (CASE-2): stored, read back with the
detail, changed by edit with the change on the timeline."""

from dataclasses import replace

import pytest
from sqlmodel import select

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.policy import CaseType, Policy
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.services.cases import create_case, edit_case
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk, NewCase
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.storage.tables import ContactRow

POLICY = Policy(
    case_types=(
        CaseType("hardware", "Hardware", ("serial", "device")),
        CaseType("general", "General"),
    ),
    default_type="general",
)


@pytest.fixture
def hw(ctx: Context) -> Context:
    ctx.policy = POLICY
    return ctx


def test_fields_are_stored_and_read_with_the_detail_only(hw: Context) -> None:
    number = create_case(
        hw, "alice", subject="Laptop", contact="k@example.com", user="alice",
        type_key="hardware", custom={"serial": "SN-1", "device": "T14"},
    )  # fmt: skip
    with open_reads(hw.location) as store:
        assert store.case_detail(number).case.fields == (("device", "T14"), ("serial", "SN-1"))
        listed = store.list_cases(CaseQuery(), me="alice", today=hw.today(), limit=5)
    assert listed[0].fields is None  # lists do not read them


def test_edit_changes_fields_and_records_them(hw: Context) -> None:
    number = create_case(
        hw, "alice", subject="Laptop", contact="k@example.com", user="alice",
        type_key="hardware", custom={"serial": "SN-1"},
    )  # fmt: skip
    assert edit_case(hw, "alice", number, {"fields": {"serial": "SN-2", "device": "X1"}})
    with open_reads(hw.location) as store:
        detail = store.case_detail(number)
    assert detail.case.fields == (("device", "X1"), ("serial", "SN-2"))
    assert detail.activities[-1].changes == {
        "fields.device": [None, "X1"],
        "fields.serial": ["SN-1", "SN-2"],
    }
    with pytest.raises(ValidationError, match="has no field 'colour'"):
        edit_case(hw, "alice", number, {"fields": {"colour": "red"}})


def test_a_new_contact_gets_name_and_phone_a_known_one_stays(hw: Context) -> None:
    desk = Desk(hw, "alice")
    first = NewCase(
        subject="Call: printer", contact="New.Person@example.com", type_key="general",
        priority=POLICY.default_priority, user="alice", contact_name="New Person",
        contact_phone="+49 89 1234-56",
    )  # fmt: skip
    desk.create_case(first)
    desk.create_case(replace(first, contact_name="Other", contact_phone="+1 555 0100"))
    with hw.uow(write=False) as uow:
        rows = [(r.email, r.name, r.phone) for r in uow.session.exec(select(ContactRow))]
    assert rows == [("new.person@example.com", "New Person", "+49 89 1234-56")]
    found = desk.find_contacts("nwpers")
    assert [c.email for c in found] == ["new.person@example.com"]
    assert found[0].phone == "+49 89 1234-56"


def test_a_phone_that_is_not_one_is_refused(hw: Context) -> None:
    with pytest.raises(ValidationError, match=r"^invalid phone number"):
        create_case(
            hw, "alice", subject="x", contact="k@example.com", user="alice",
            contact_phone="call me",
        )  # fmt: skip


def test_contact_search_escapes_like_wildcards(hw: Context) -> None:
    for address in ("a_b@example.com", "axb@example.com"):
        create_case(hw, "alice", subject="x", contact=address, user="alice")
    assert [c.email for c in Desk(hw, "alice").find_contacts("a_b")] == ["a_b@example.com"]


def test_new_case_choices_show_the_policy_defaults(hw: Context) -> None:
    choices = Desk(hw, "alice").new_case_choices()
    today = hw.today()
    assert (choices.due - today).days == POLICY.dates.due_days
    assert (choices.reminder - today).days == POLICY.dates.reminder_days
    assert choices.me == "alice"
    assert "alice" in choices.agents
    assert "billing" in choices.groups
    assert [t.key for t in choices.types] == ["hardware", "general"]
