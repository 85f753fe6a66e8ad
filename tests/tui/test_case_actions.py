"""Case actions through their dialogs, asserted on screen and in the database.

Status with Waiting (CASE-5), close with resolution and as duplicate (CASE-6), the
sub-case close cascade (SUB-3), role-gated reopen (CASE-7), delegate with fuzzy pick
(ASSIGN-4), sub-case creation (SUB-2), header edits, bulk close with preview (TUI-4).
"""

from datetime import timedelta
from typing import ClassVar

from pilotkit import (
    INVOICE,
    PASSWORD,
    PRINTER,
    PRINTER_SUB_OPEN,
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
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.dialogs.close import CloseDialog
from helpdesk_tui.dialogs.confirm import ConfirmDialog
from helpdesk_tui.dialogs.delegate import DelegateDialog
from helpdesk_tui.dialogs.reopen import ReopenDialog
from helpdesk_tui.dialogs.status import WAITING_COMMENT, WAITING_REMINDER, StatusDialog
from helpdesk_tui.dialogs.subcase import SubCaseDialog
from helpdesk_tui.dialogs.text import TextDialog
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.case_actions import CaseActionScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.reads import CaseSummary


@sync
async def test_waiting_is_refused_without_comment_and_reminder_then_saved(
    case_data: Data,
) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StatusDialog)
        assert dialog.targets[1].value == "waiting"
        await pilot.press("down", "ctrl+s")  # Waiting, nothing else
        assert app.screen is dialog
        assert dialog.field_error_text("status-comment") == WAITING_COMMENT
        assert dialog.focused is dialog.query_one("#status-comment")  # the cursor is there
        await type_text(pilot, "Beleg bis Fr")
        await pilot.press("ctrl+s")
        assert app.screen is dialog
        assert dialog.field_error_text("status-reminder") == WAITING_REMINDER
        assert dialog.field_error_text("status-comment") == ""
        assert case_data.detail(INVOICE).case.status == "open"  # nothing written yet

        assert dialog.focused is dialog.query_one("#status-reminder")
        await type_text(pilot, "+3d")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        case = case_data.detail(INVOICE).case
        assert case.status == "waiting"
        assert case.reminder == case_data.today + timedelta(days=3)
        text = screen_text(pilot)
        assert "status: open → waiting" in text
        assert "Beleg bis Fr" in text
        assert "0000002 is now waiting" in notifications(pilot)


@sync
async def test_closing_a_case_with_an_open_sub_case_is_refused_in_one_line(
    case_data: Data,
) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, PRINTER)  # sub-case 0000001-002 is still open
        await pilot.press("x", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CloseDialog)  # stays open: the refusal is shown in it
        refusal = "cannot close 0000001: sub-case 0000001-002 is still open"
        assert dialog.error_text == refusal  # one line, nothing crashed
        assert refusal in screen_text(pilot)
        assert case_data.detail(PRINTER).case.status == "in_progress"
        await pilot.press("escape")
        assert isinstance(app.screen, CaseScreen)


@sync
async def test_close_with_a_resolution(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("x")
        assert isinstance(app.screen, CloseDialog)
        await pilot.press("enter")  # Solved
        await settle(pilot)
        case = case_data.detail(INVOICE).case
        assert (case.status, case.resolution) == ("closed", "solved")
        assert "closed: read-only" in screen_text(pilot)
        assert "0000002 closed (solved)" in notifications(pilot)


@sync
async def test_close_as_duplicate_asks_for_the_original(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, VPN)
        await pilot.press("x", "down", "down", "enter")  # Duplicate: asks for the original
        dialog = app.screen
        assert isinstance(dialog, CloseDialog)
        assert dialog.focused is dialog.query_one("#close-original", Input)
        await type_text(pilot, "2")
        await pilot.press("enter")
        await settle(pilot)
        case = case_data.detail(VPN).case
        assert (case.status, case.resolution, case.duplicate_of) == (
            "closed",
            "duplicate",
            INVOICE,
        )
        assert "duplicate of 0000002" in screen_text(pilot)


@sync
async def test_closing_the_last_sub_case_offers_closing_the_parent(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, PRINTER_SUB_OPEN)
        await pilot.press("x", "enter")
        await settle(pilot)
        offer = app.screen
        assert isinstance(offer, ConfirmDialog)
        assert "Close the parent 0000001 too?" in screen_text(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert case_data.detail(PRINTER_SUB_OPEN).case.status == "closed"
        parent = case_data.detail(PRINTER).case
        assert (parent.status, parent.resolution) == ("closed", "solved")
        assert "0000001 closed (solved)" in notifications(pilot)


@sync
async def test_reopen_is_refused_for_an_agent(case_data: Data) -> None:
    async with running(case_data, "alice") as (app, pilot):
        await open_case(pilot, PASSWORD)
        await pilot.press("r")
        dialog = app.screen
        assert isinstance(dialog, ReopenDialog)
        await type_text(pilot, "Kunde ruft an")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog  # refused in the dialog, the text kept
        assert dialog.error_text == "only admin, lead may change status closed → open"
        assert dialog.typed("reopen-comment") == "Kunde ruft an"
        assert case_data.detail(PASSWORD).case.status == "closed"


@sync
async def test_reopen_is_done_by_a_lead(case_data: Data) -> None:
    async with running(case_data, "lena") as (_, pilot):
        await open_case(pilot, PASSWORD)
        await pilot.press("r")
        await type_text(pilot, "erneut")
        await pilot.press("enter")
        await settle(pilot)
        assert "0000004 reopened" in notifications(pilot)
        case = case_data.detail(PASSWORD).case
        assert (case.status, case.resolution) == ("open", None)
        assert "erneut" in screen_text(pilot)


@sync
async def test_delegate_with_fuzzy_pick_and_comment(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DelegateDialog)
        await type_text(pilot, "bo")
        assert "bob (user)" in screen_text(pilot)
        assert "lena (user)" not in screen_text(pilot)
        await pilot.press("tab")
        await type_text(pilot, "bitte")
        await pilot.press("enter")
        await settle(pilot)
        found = case_data.detail(INVOICE)
        assert (found.case.delegated_user, found.case.delegated_group) == ("bob", None)
        assert found.activities[-1].text == "bitte"
        assert "0000002 delegated to bob" in notifications(pilot)
        assert "delegated to user: — → bob" in screen_text(pilot)


@sync
async def test_sub_case_due_may_not_pass_the_parents(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("plus")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SubCaseDialog)
        await type_text(pilot, "Gutschrift")
        dialog.query_one("#subcase-due", Input).value = "+30d"
        await pilot.press("ctrl+s")
        assert app.screen is dialog
        assert "cannot be after its parent's due 2026-12-07" in dialog.error_text
        dialog.query_one("#subcase-due", Input).value = "+3d"
        await pilot.press("ctrl+s")
        await settle(pilot)
        sub = case_data.detail(CaseNumber(2, 1)).case
        assert (sub.subject, sub.delegated_group) == ("Gutschrift", "billing")
        assert sub.due == case_data.today + timedelta(days=3)
        assert "0000002-001 open Gutschrift" in screen_text(pilot)


@sync
async def test_edit_header_fields(case_data: Data) -> None:
    async with running(case_data) as (_, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("e", "end")
        await type_text(pilot, " (2x)")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert case_data.detail(INVOICE).case.subject == "Rechnung doppelt (2x)"
        assert "subject: Rechnung doppelt → Rechnung doppelt (2x)" in screen_text(pilot)


@sync
async def test_edit_on_a_closed_case_is_refused(case_data: Data) -> None:
    async with running(case_data) as (_, pilot):
        await open_case(pilot, PASSWORD)
        await pilot.press("e")  # closed: read-only
        assert "0000004 is closed: reopen it to edit" in notifications(pilot)


class MarkedScreen(CaseActionScreen):
    """Stands in for the queue with marked cases."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "close", "Close", id="marked.close"),
        Binding("c", "comment", "Comment", id="marked.comment"),
        Binding("d", "delegate", "Delegate", id="marked.delegate"),
    ]

    def __init__(self, desk: Desk, marked: list[CaseSummary]) -> None:
        super().__init__(desk, lambda: marked)

    def compose(self) -> ComposeResult:
        yield Static("marked cases")


async def mark(app: HelpdeskApp, data: Data) -> None:
    """Show the stand-in queue with INVOICE and VPN marked."""
    marked = [data.detail(n).case for n in (INVOICE, VPN)]
    await app.push_screen(MarkedScreen(app.desk, marked))


@sync
async def test_bulk_close_confirms_with_a_preview_and_reports(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await mark(app, case_data)
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, CloseDialog)
        assert "duplicate" not in dialog.resolutions  # one original cannot fit many cases
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "2 cases: open → closed (solved)" in screen_text(pilot)
        assert case_data.detail(INVOICE).case.status == "open"
        await pilot.press("y")
        await settle(pilot)
        assert "2 closed" in notifications(pilot)
        for number in (INVOICE, VPN):
            assert case_data.detail(number).case.status == "closed"


@sync
async def test_bulk_comment(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await mark(app, case_data)
        await pilot.press("c")
        assert isinstance(app.screen, TextDialog)
        await type_text(pilot, "Sammel")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "2 got the internal comment" in notifications(pilot)
        for number in (INVOICE, VPN):
            assert any(a.text == "Sammel" for a in case_data.detail(number).activities)


@sync
async def test_bulk_delegate(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await mark(app, case_data)
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "techn")
        await pilot.press("enter")
        await settle(pilot)
        assert "2 delegated to group technical" in notifications(pilot)
        for number in (INVOICE, VPN):
            assert case_data.detail(number).case.delegated_group == "technical"
