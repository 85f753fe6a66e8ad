"""`N`: a new case from the TUI (CASE-2, issue 12 finding 6): the form, the contact search,
the type's custom fields, refusals that keep what was typed, the case opening on save."""

from datetime import timedelta
from typing import Any

import pytest
from pilotkit import (
    PRINTER,
    TODAY,
    Data,
    notifications,
    open_case,
    running,
    screen_text,
    settle,
    type_text,
)
from support import sync
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, TextArea

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.policy import DEFAULT_CASE_TYPES, CaseType, Policy
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.new_case import NewCaseScreen, field_for
from helpdesk_tui.screens.queue import QueueScreen

HARDWARE = CaseType("hardware", "Hardware", ("serial_number", "device"))
POLICY = Policy(case_types=(*DEFAULT_CASE_TYPES, HARDWARE))
#: The case set's cases are 0000001 … 0000005: the next one is 6.
NEXT = CaseNumber(6)


@pytest.fixture
def data(case_data: Data) -> Data:
    """The case set with a hardware type that has two custom fields."""
    case_data.ctx.policy = POLICY
    return case_data


def form(pilot: Pilot[Any]) -> NewCaseScreen:
    screen = pilot.app.screen
    assert isinstance(screen, NewCaseScreen)
    return screen


async def fill(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Put the cursor into a field and type `text` there."""
    pilot.app.screen.query_one(selector).focus()
    await type_text(pilot, text)
    await settle(pilot)


async def choose(pilot: Pilot[Any], selector: str, value: str) -> None:
    pilot.app.screen.query_one(selector, Select).value = value
    await settle(pilot)


@sync
async def test_n_opens_the_form_from_the_queue_and_the_case_screen(data: Data) -> None:
    async with running(data) as (app, pilot):
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("N")
        await settle(pilot)
        screen = form(pilot)
        assert screen.query_one("#new-due", Input).value == str(TODAY + timedelta(days=14))
        assert screen.query_one("#new-reminder", Input).value == str(TODAY + timedelta(days=7))
        assert screen.query_one("#new-delegate", Select).value == "user:alice"
        assert app.focused is screen.query_one("#new-subject", Input)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await open_case(pilot, PRINTER)
        await pilot.press("N")
        await settle(pilot)
        assert isinstance(app.screen, NewCaseScreen)


@sync
async def test_a_phone_intake_with_a_new_contact_and_custom_fields_opens_the_case(
    data: Data,
) -> None:
    async with running(data, size=(80, 24)) as (app, pilot):
        await pilot.press("N")
        await settle(pilot)
        await fill(pilot, "#new-subject", "Laptop bootet nicht")
        await fill(pilot, "#new-contact", "neu@kunde.example")
        assert "new contact" in screen_text(pilot)
        await fill(pilot, "#new-contact-name", "Nina Neu")
        await fill(pilot, "#new-contact-phone", "+49 30 123456")
        await choose(pilot, "#new-type", "hardware")
        assert "Serial number" in screen_text(pilot)
        await fill(pilot, "#new-field-0", "SN-4711")
        await fill(pilot, "#new-field-1", "ThinkPad T14")
        await choose(pilot, "#new-priority", "high")
        await choose(pilot, "#new-delegate", "group:billing")
        await fill(pilot, "#new-description", "Ruft aus dem Homeoffice an.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == NEXT
        assert "Laptop bootet nicht" in screen_text(pilot)
    detail = data.detail(NEXT)
    case = detail.case
    assert (case.subject, case.type, case.priority) == ("Laptop bootet nicht", "hardware", "high")
    assert (case.delegated_group, case.contact_name) == ("billing", "Nina Neu")
    assert case.fields == (("device", "ThinkPad T14"), ("serial_number", "SN-4711"))
    assert case.description == "Ruft aus dem Homeoffice an."
    assert case.due == TODAY + timedelta(days=14)


@sync
async def test_the_contact_search_finds_known_contacts_as_you_type(data: Data) -> None:
    async with running(data) as (_, pilot):
        await pilot.press("N")
        await settle(pilot)
        await fill(pilot, "#new-contact", "kakun")  # Karl Kunde, fuzzily
        screen = form(pilot)
        matches = screen.query_one("#new-contact-matches", OptionList)
        assert matches.display
        assert matches.get_option_at_index(0).id == "karl@acme.example"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#new-contact", Input).value == "karl@acme.example"
        text = screen_text(pilot)
        assert "known contact: Karl Kunde <karl@acme.example> · ACME GmbH" in text
        assert not screen.query_one("#new-contact-name", Input).parent.parent.display  # type: ignore[union-attr]


@sync
async def test_a_refusal_keeps_everything_typed_and_names_the_field(data: Data) -> None:
    async with running(data) as (app, pilot):
        await pilot.press("N")
        await settle(pilot)
        screen = form(pilot)
        await fill(pilot, "#new-subject", "Rückruf erbeten")
        await fill(pilot, "#new-contact", "karl@acme.example")
        due = screen.query_one("#new-due", Input)
        due.value = str(TODAY + timedelta(days=3))  # before the default reminder (+7 d)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert screen.error_text("reminder") == (
            f"reminder {TODAY + timedelta(days=7)} is after due {TODAY + timedelta(days=3)}"
        )
        assert app.focused is screen.query_one("#new-reminder", Input)
        assert screen.query_one("#new-subject", Input).value == "Rückruf erbeten"
        assert screen.query_one("#new-contact", Input).value == "karl@acme.example"
        screen.query_one("#new-reminder", Input).value = "+2d"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    assert data.case(NEXT).reminder == TODAY + timedelta(days=2)


@sync
async def test_an_unreadable_date_and_a_bad_phone_are_shown_at_their_field(data: Data) -> None:
    async with running(data) as (app, pilot):
        await pilot.press("N")
        await settle(pilot)
        screen = form(pilot)
        await fill(pilot, "#new-subject", "x")
        screen.query_one("#new-due", Input).value = "next week"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.error_text("due").startswith("not a date: 'next week'")
        screen.query_one("#new-due", Input).value = ""
        await fill(pilot, "#new-contact", "neu@kunde.example")
        await fill(pilot, "#new-contact-phone", "ruf mich an")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.error_text("phone").startswith("invalid phone number")
        assert screen.error_text("due") == ""
        assert app.screen is screen
        assert screen.query_one("#new-subject", Input).value == "x"
        assert screen.query_one("#new-contact-phone", Input).value == "ruf mich an"


@sync
async def test_custom_fields_follow_the_type_and_keep_what_was_typed(data: Data) -> None:
    async with running(data) as (_, pilot):
        await pilot.press("N")
        await settle(pilot)
        screen = form(pilot)
        assert not screen.query("#new-field-0")  # ticket: no custom fields
        await choose(pilot, "#new-type", "hardware")
        await fill(pilot, "#new-field-0", "SN-1")
        await choose(pilot, "#new-type", "general")
        assert not screen.query("#new-field-0")
        await choose(pilot, "#new-type", "hardware")
        assert screen.query_one("#new-field-0", Input).value == "SN-1"


@sync
async def test_a_field_refused_by_the_domain_is_shown_under_it(data: Data) -> None:
    async with running(data) as (_, pilot):
        await pilot.press("N")
        await settle(pilot)
        screen = form(pilot)
        await fill(pilot, "#new-subject", "Laptop")
        await fill(pilot, "#new-contact", "karl@acme.example")
        await choose(pilot, "#new-type", "hardware")
        screen.query_one("#new-field-1", Input).value = "x" * 201
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.error_text("field-1") == "field 'device' is longer than 200 characters"


def test_field_for_maps_refusals_to_fields() -> None:
    keys = ("serial_number", "device")
    assert field_for("case type 'hardware' has no field 'device'", keys) == "field-1"
    assert field_for("a case needs a subject", keys) == "subject"
    assert field_for("invalid contact address 'x'", keys) == "contact"
    assert field_for("user 'bob' was removed and cannot take cases", keys) == "delegate"
    assert field_for("something else entirely", keys) == "form"
    assert field_for("whatever it says", keys, "fields.device") == "field-1"
    assert field_for("whatever it says", keys, "reminder") == "reminder"


@sync
async def test_the_description_is_a_text_area(data: Data) -> None:
    async with running(data) as (_, pilot):
        await pilot.press("N")
        await settle(pilot)
        assert isinstance(form(pilot).query_one("#new-description"), TextArea)


@sync
async def test_the_saved_case_takes_the_forms_place(data: Data) -> None:
    """Esc from the new case goes back to the queue, never to the finished form; N from
    a case screen shows the new case on that screen."""
    async with running(data) as (app, pilot):
        for start_on_case in (False, True):
            if start_on_case:
                app.open_case(PRINTER)  # the app's own case screen, as Enter in the queue
                await settle(pilot)
            await pilot.press("N")
            await settle(pilot)
            await fill(pilot, "#new-subject", f"Rückruf {start_on_case}")
            await fill(pilot, "#new-contact", "karl@acme.example")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, CaseScreen)
            assert not any(isinstance(s, NewCaseScreen) for s in app.screen_stack)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
    assert data.case(CaseNumber(7)).subject == "Rückruf True"


@sync
async def test_a_save_that_fails_is_reported_and_the_form_can_save_again(data: Data) -> None:
    async with running(data) as (app, pilot):
        desk = app.desk
        real = desk.create_case
        failures = iter([OSError("disk full")])

        def flaky(new: Any) -> CaseNumber:
            for error in failures:
                raise error
            return real(new)

        desk.create_case = flaky  # type: ignore[method-assign]
        await pilot.press("N")
        await settle(pilot)
        await fill(pilot, "#new-subject", "Drucker")
        await fill(pilot, "#new-contact", "karl@acme.example")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "error: OSError: disk full" in notifications(pilot)
        assert isinstance(app.screen, NewCaseScreen)
        assert app.screen.query_one("#new-subject", Input).value == "Drucker"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    assert data.case(NEXT).subject == "Drucker"
