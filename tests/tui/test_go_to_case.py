"""Go to case (`#`, issue 12 finding 3): from the queue, from a case and from the palette;
an unknown number is said in the prompt, which keeps what was typed."""

from pilotkit import (
    INVOICE,
    PRINTER,
    PRINTER_SUB_OPEN,
    VPN,
    Data,
    open_case,
    running,
    screen_text,
    settle,
)
from support import sync
from textual.widgets import Input

from helpdesk_tui.dialogs.goto import GoToCaseDialog
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.queue import QueueScreen


def typed(app: object) -> str:
    return app.screen.query_one("#goto-number", Input).value  # type: ignore[attr-defined, no-any-return]


@sync
async def test_hash_in_the_queue_opens_the_case_typed(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await pilot.press("number_sign")
        assert isinstance(app.screen, GoToCaseDialog)
        assert "Go to case" in screen_text(pilot)
        await pilot.press(*"3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == VPN
        assert str(VPN) in screen_text(pilot)


@sync
async def test_every_form_of_a_number_is_understood(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        for text, number in (("0000002", INVOICE), ("#1", PRINTER), ("1-2", PRINTER_SUB_OPEN)):
            await pilot.press("number_sign", *text, "enter")
            await settle(pilot)
            assert isinstance(app.screen, CaseScreen)
            assert app.screen.number == number
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)


@sync
async def test_an_unknown_number_is_said_and_the_input_kept(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await pilot.press("number_sign", *"4711", "enter")
        await settle(pilot)
        assert isinstance(app.screen, GoToCaseDialog)
        assert app.screen.error_text == "no case 0004711"
        assert typed(app) == "4711"
        await pilot.press(*"-x", "enter")
        await settle(pilot)
        assert app.screen.error_text.startswith("not a case number: '4711-x'")
        assert typed(app) == "4711-x"
        await pilot.press("ctrl+u", *"2")
        assert app.screen.error_text == ""  # a new number: the old refusal goes
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == INVOICE


@sync
async def test_escape_leaves_the_prompt(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await pilot.press("number_sign", *"2", "escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


@sync
async def test_hash_on_a_case_opens_another(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, PRINTER)
        await pilot.press("number_sign", *"2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == INVOICE
        assert str(INVOICE) in screen_text(pilot)


@sync
async def test_the_palette_offers_go_to_case(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await pilot.press("colon")
        await settle(pilot)
        await pilot.press(*"go to case")
        await pilot.pause(0.3)
        assert "Go to case …" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GoToCaseDialog)
        await pilot.press(*"3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == VPN
