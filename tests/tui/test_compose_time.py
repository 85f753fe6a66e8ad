"""Issue 12 #8 (ACT-4): the compose screen's time field takes 1.5, 1,5, 90m, 1h30, 1:30."""

import pytest
from pilotkit import INVOICE, Data, notifications, open_case, running, settle, type_text
from support import sync
from textual.widgets import Input

from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.compose import ComposeScreen


@pytest.mark.parametrize("typed", ["1.5", "1,5", "90m", "1h30", "1:30"])
@sync
async def test_time_spent_as_people_type_it(case_data: Data, typed: str) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("c")
        await type_text(pilot, "Rueckruf")
        app.screen.query_one("#compose-hours", Input).value = typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        entry = case_data.detail(INVOICE).activities[-1]
        assert (entry.text, entry.time_spent_centi) == ("Rueckruf", 150)
        assert "Internal comment added to 0000002 (1.50 h)" in notifications(pilot)


@sync
async def test_a_time_that_cannot_be_read_says_what_can(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("c")
        await type_text(pilot, "Rueckruf")
        app.screen.query_one("#compose-hours", Input).value = "anderthalb"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ComposeScreen)  # nothing lost
        line = "not a time spent: 'anderthalb' (e.g. 1.5, 1,5, 90m, 1h30, 1:30)"
        assert line in notifications(pilot)
