"""Issue 12 #4, #7: a dialog keeps what was typed when the service refuses, shows the
reason next to the field it concerns, and only a write that went through closes it. The
Waiting dialog shows the due date and moves it; reopen asks for new dates."""

from datetime import date, timedelta

from pilotkit import (
    INVOICE,
    PASSWORD,
    VPN,
    Data,
    notifications,
    open_case,
    running,
    screen_text,
    settle,
    type_text,
)
from support import sync
from textual.widgets import Input

from helpdesk_tui.dialogs.close import CloseDialog
from helpdesk_tui.dialogs.edit import EditDialog
from helpdesk_tui.dialogs.reopen import ReopenDialog
from helpdesk_tui.dialogs.status import StatusDialog
from helpdesk_tui.screens.case import CaseScreen

INVOICE_DUE = date(2026, 12, 7)  # created on the case set's day, + 14 days


@sync
async def test_waiting_past_the_due_keeps_the_input_and_the_due_moves_in_the_same_dialog(
    case_data: Data,
) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StatusDialog)
        assert "Due date: 2026-12-07" in screen_text(pilot)  # the dialog shows the due
        await pilot.press("down", "enter")  # Waiting: on to the comment
        await type_text(pilot, "Ersatzteil von ACME")
        await pilot.press("enter")  # on to the reminder
        await type_text(pilot, "2026-12-20")
        await pilot.press("enter")
        await settle(pilot)
        # the service refused: the dialog is still there, with everything typed
        assert app.screen is dialog
        refusal = "reminder 2026-12-20 is after due 2026-12-07"
        assert dialog.field_error_text("status-reminder") == refusal
        assert refusal in screen_text(pilot)
        assert dialog.typed("status-comment") == "Ersatzteil von ACME"
        assert dialog.typed("status-reminder") == "2026-12-20"
        assert case_data.detail(INVOICE).case.status == "open"

        dialog.query_one("#status-due", Input).value = ""
        dialog.query_one("#status-due", Input).focus()
        await type_text(pilot, "2026-12-31")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        found = case_data.detail(INVOICE)
        case = found.case
        assert (case.status, case.reminder, case.due) == (
            "waiting",
            date(2026, 12, 20),
            date(2026, 12, 31),
        )
        entry = found.activities[-1]  # one entry: status, reminder and due together
        assert set(entry.changes) == {"status", "reminder", "due"}
        assert "0000002 is now waiting, due 2026-12-31" in notifications(pilot)


@sync
async def test_enter_after_the_comment_goes_to_the_reminder_not_onto_the_comment(
    case_data: Data,
) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down", "enter")
        await type_text(pilot, "Beleg")
        await pilot.press("enter")
        await type_text(pilot, "+3d")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        found = case_data.detail(INVOICE)
        assert found.case.status == "waiting"
        assert found.case.reminder == case_data.today + timedelta(days=3)
        assert found.activities[-1].text == "Beleg"  # not "Beleg+3d"


@sync
async def test_duplicate_of_an_unknown_case_keeps_the_number_and_says_why_next_to_it(
    case_data: Data,
) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, VPN)
        await pilot.press("x", "down", "down", "enter")  # Duplicate: asks for the original
        dialog = app.screen
        assert isinstance(dialog, CloseDialog)
        await type_text(pilot, "99")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.field_error_text("close-original") == "no case 0000099"
        assert dialog.typed("close-original") == "99"
        assert dialog.focused is dialog.query_one("#close-original")
        assert case_data.detail(VPN).case.status == "open"

        await pilot.press("backspace", "backspace")
        await type_text(pilot, "2")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        case = case_data.detail(VPN).case
        assert (case.status, case.duplicate_of) == ("closed", INVOICE)


@sync
async def test_reopen_asks_for_new_dates_so_the_case_is_not_overdue(case_data: Data) -> None:
    case_data.clock.advance(days=60)  # PASSWORD's due (2026-12-07) is long past
    today = case_data.today
    async with running(case_data, "lena") as (app, pilot):
        await open_case(pilot, PASSWORD)
        await pilot.press("r")
        dialog = app.screen
        assert isinstance(dialog, ReopenDialog)
        assert dialog.typed("reopen-due") == (today + timedelta(days=14)).isoformat()
        assert dialog.typed("reopen-reminder") == (today + timedelta(days=7)).isoformat()
        await type_text(pilot, "Kunde meldet sich erneut")
        dialog.query_one("#reopen-reminder", Input).value = "+20d"  # after the due
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        due = today + timedelta(days=14)
        refusal = f"reminder {today + timedelta(days=20)} is after due {due}"
        assert dialog.field_error_text("reopen-reminder") == refusal
        assert case_data.detail(PASSWORD).case.status == "closed"

        dialog.query_one("#reopen-reminder", Input).value = "+5d"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        case = case_data.detail(PASSWORD).case
        assert (case.status, case.due, case.reminder) == ("open", due, today + timedelta(5))
        assert "0000004 reopened" in notifications(pilot)
        assert "overdue" not in screen_text(pilot)


@sync
async def test_status_closed_hands_over_to_the_close_dialog_without_a_blank_toast(
    case_data: Data,
) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # Closed
        await settle(pilot)
        assert isinstance(app.screen, CloseDialog)
        assert notifications(pilot) == []
        await pilot.press("enter")  # Solved
        await settle(pilot)
        assert case_data.detail(INVOICE).case.status == "closed"
        assert "0000002 closed (solved)" in notifications(pilot)


@sync
async def test_an_edit_the_service_refuses_keeps_the_dialog_and_its_input(
    case_data: Data,
) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        dialog.query_one("#edit-subject", Input).value = "Rechnung doppelt (2x)"
        dialog.query_one("#edit-reminder", Input).value = "2026-12-20"  # after the due
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.error_text == "reminder 2026-12-20 is after due 2026-12-07"
        assert dialog.focused is dialog.query_one("#edit-reminder")
        assert dialog.typed("edit-subject") == "Rechnung doppelt (2x)"
        assert case_data.detail(INVOICE).case.subject == "Rechnung doppelt"
