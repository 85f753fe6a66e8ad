"""Custom fields in the TUI (CASE-2, issue 12 finding 6): shown in the case header and
edited with `e` (from the case screen and from the queue, where a row has no fields)."""

import pytest
from pilotkit import (
    INVOICE,
    Data,
    case_list,
    off_loop,
    open_case,
    running,
    screen_text,
    settle,
    type_text,
)
from support import sync
from textual.widgets import Input, Select

from helpdesk_tui.dialogs.edit import EditDialog
from helpdesk_tui.domain.policy import DEFAULT_CASE_TYPES, CaseType, Policy
from helpdesk_tui.services.cases import edit_case

HARDWARE = CaseType("hardware", "Hardware", ("serial_number", "device"))
POLICY = Policy(case_types=(*DEFAULT_CASE_TYPES, HARDWARE))


@pytest.fixture
def data(case_data: Data) -> Data:
    """The case set with INVOICE turned into a hardware case with a serial number."""
    case_data.ctx.policy = POLICY
    values = {"type": "hardware", "fields": {"serial_number": "SN-4711"}}
    off_loop(edit_case, case_data.ctx, "alice", INVOICE, values)
    return case_data


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
@sync
async def test_the_header_shows_the_custom_fields(data: Data, size: tuple[int, int]) -> None:
    async with running(data, size=size) as (_, pilot):
        await open_case(pilot, INVOICE)
        lines = screen_text(pilot).splitlines()
        assert any("Serial number" in line and "SN-4711" in line for line in lines)


@sync
async def test_e_edits_custom_fields_and_the_header_shows_the_change(data: Data) -> None:
    async with running(data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        assert dialog.query_one("#edit-field-0", Input).value == "SN-4711"
        dialog.query_one("#edit-field-1", Input).focus()
        await type_text(pilot, "ThinkPad T14")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Device" in screen_text(pilot)
        assert "ThinkPad T14" in screen_text(pilot)
    assert data.detail(INVOICE).case.fields == (
        ("device", "ThinkPad T14"),
        ("serial_number", "SN-4711"),
    )


@sync
async def test_e_from_the_queue_shows_the_stored_fields(data: Data) -> None:
    async with running(data) as (app, pilot):
        current = case_list(app).current
        assert current is not None
        assert current.fields is None  # list rows do not carry them
        values = {"type": "hardware", "fields": {"device": "Drucker HL-2"}}
        off_loop(edit_case, data.ctx, "alice", current.number, values)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        assert dialog.case.number == current.number
        assert dialog.query_one("#edit-field-1", Input).value == "Drucker HL-2"


@sync
async def test_a_new_type_clears_the_fields_it_does_not_have(data: Data) -> None:
    async with running(data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        dialog.query_one("#edit-type", Select).value = "general"
        await settle(pilot)
        assert not dialog.query("#edit-field-0")
        await pilot.press("ctrl+s")
        await settle(pilot)
    case = data.detail(INVOICE).case
    assert (case.type, case.fields) == ("general", ())


@sync
async def test_a_refused_edit_keeps_the_input_and_names_the_field(data: Data) -> None:
    async with running(data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        dialog.query_one("#edit-field-1", Input).value = "x" * 201
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.field_error_text("edit-field-1") == (
            "field 'device' is longer than 200 characters"
        )
        assert app.focused is dialog.query_one("#edit-field-1", Input)
        dialog.query_one("#edit-field-1", Input).value = "T14"
        dialog.query_one("#edit-due", Input).value = "bald"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert dialog.field_error_text("edit-due").startswith("not a date: 'bald'")
        assert dialog.field_error_text("edit-field-1") == ""
        dialog.query_one("#edit-due", Input).value = "+30d"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not dialog
    case = data.detail(INVOICE).case
    assert dict(case.fields or ()) == {"device": "T14", "serial_number": "SN-4711"}
