"""Issue 12 #12 (ACT-5): the shipped "Acknowledge" text names the case's due date and the
agent's display name, and never promises a day that has passed."""

from pilotkit import INVOICE, Data, notifications, open_case, running, settle, type_text
from support import sync
from textual.widgets import TextArea

from helpdesk_tui.config import Settings, canned_responses

SHIPPED = canned_responses(Settings())


@sync
async def test_acknowledge_names_the_due_date_and_the_agents_display_name(
    case_data: Data,
) -> None:
    due = case_data.case(INVOICE).due
    assert due >= case_data.today
    async with running(case_data, canned=SHIPPED) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("c", "ctrl+o")
        await type_text(pilot, "acknowledge")
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.query_one(TextArea).text
        assert f"will get back to you by {due.isoformat()}." in text
        assert text.endswith("Best regards\nAlice Agent")  # not the login `alice`


@sync
async def test_acknowledge_on_an_overdue_case_asks_to_move_the_due_first(
    case_data: Data,
) -> None:
    due = case_data.case(INVOICE).due
    case_data.clock.advance(days=30)  # INVOICE is overdue now
    async with running(case_data, canned=SHIPPED) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("c", "ctrl+o")
        await type_text(pilot, "acknowledge")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one(TextArea).text == ""  # no past date promised
        line = (
            f"0000002 was due {due.isoformat()}: move the due date (s or e) before "
            "inserting 'Acknowledge', which promises it"
        )
        assert line in notifications(pilot)
