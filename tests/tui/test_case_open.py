"""Opening cases fast: one refilled case screen, a lazily rendered timeline, quitting safely."""

from pilotkit import (
    INVOICE,
    PRINTER,
    PRINTER_SUB_OPEN,
    Data,
    off_loop,
    running,
    screen_text,
    settle,
)
from support import sync

from helpdesk_tui.dialogs.edit import EditDialog
from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.services import cases
from helpdesk_tui.widgets.timeline import Timeline


def _busy_case(data: Data, activities: int) -> CaseNumber:
    """A case whose timeline has `activities` entries: "Created", then numbered notes."""
    number = cases.create_case(
        data.ctx, "alice", subject="Lange Geschichte", contact="karl@acme.example", user="alice"
    )
    for n in range(1, activities):
        cases.record_activity(
            data.ctx, "alice", number, ActivityKind.COMMENT, f"Notiz Nummer {n:03}\nzweite Zeile"
        )
    return number


@sync
async def test_a_timeline_of_200_entries_shows_its_oldest_one_when_scrolled_to(
    case_data: Data,
) -> None:
    """The timeline renders lazily; whatever a scroll reaches is rendered and on screen."""
    number = off_loop(_busy_case, case_data, 200)
    async with running(case_data) as (app, pilot):
        app.open_case(number)
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        assert len(timeline.shown_entries) == 200
        assert "Notiz Nummer 001" in screen_text(pilot)  # oldest first: the top
        await pilot.press("o")  # newest first: the oldest entry is now the last one
        text = screen_text(pilot)
        assert "Notiz Nummer 199" in text
        assert "Notiz Nummer 001" not in text
        await pilot.press("G")  # to the end, at once
        text = screen_text(pilot)
        assert "Notiz Nummer 001" in text
        assert "Created" in text  # the very first entry of the case
        await pilot.press("g")  # and back to the newest
        assert "Notiz Nummer 199" in screen_text(pilot)
        await pilot.press(*["pagedown"] * 60)  # page by page down to the oldest, too
        assert "Notiz Nummer 001" in screen_text(pilot)
        assert timeline.complete
        assert timeline.text.count("Notiz Nummer") == 199


@sync
async def test_a_second_case_shows_its_own_data_on_the_same_screen(case_data: Data) -> None:
    """The app refills one case screen: nothing of the first case may stay."""
    async with running(case_data) as (app, pilot):
        queue = app.screen
        app.open_case(PRINTER)
        await settle(pilot)
        first = app.screen
        assert isinstance(first, CaseScreen)
        text = screen_text(pilot)
        assert "Drucker druckt nicht" in text
        assert "Treiber neu installiert" in text
        await pilot.press("o", "f", "escape")  # newest first, comments only; back
        assert app.screen is queue

        app.open_case(INVOICE)
        await settle(pilot)
        assert app.screen is first  # the same screen, refilled
        assert isinstance(first, CaseScreen)
        assert first.number == INVOICE
        text = screen_text(pilot)
        assert "0000002  Rechnung doppelt" in text
        assert "Drucker druckt nicht" not in text
        assert "Treiber neu installiert" not in text
        assert "Sub-cases (0 open / 0)" in text
        assert "Timeline · oldest first · all" in text  # order and filter start afresh
        assert first.query_one(Timeline).has_focus


@sync
async def test_the_loading_state_shows_no_data_of_the_case_before(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        app.open_case(PRINTER)
        await settle(pilot)
        await pilot.press("escape")
        app.open_case(INVOICE)  # the frame painted before the read is back …
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        if screen.detail is None:
            text = screen_text(pilot)
            assert "0000002  loading…" in text
            assert "Drucker druckt nicht" not in text
            assert "Treiber neu installiert" not in text
        await settle(pilot)
        assert "Rechnung doppelt" in screen_text(pilot)  # … and then the case


@sync
async def test_escape_walks_back_through_the_cases_opened_from_a_case(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        queue = app.screen
        app.open_case(PRINTER)
        await settle(pilot)
        await pilot.press("tab", "down", "enter")  # the sub-case list, its 2nd entry
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        assert screen.number == PRINTER_SUB_OPEN
        await pilot.press("escape")
        await settle(pilot)
        assert screen.number == PRINTER
        assert "Drucker druckt nicht" in screen_text(pilot)
        await pilot.press("escape")
        assert app.screen is queue
        app.open_case(INVOICE)  # a fresh start: Esc goes straight back to the queue
        await settle(pilot)
        await pilot.press("escape")
        assert app.screen is queue


@sync
async def test_keys_that_open_screens_while_the_app_quits_do_not_crash(case_data: Data) -> None:
    """`e` (or Enter, or a dialog's OK) arriving after `q` must not raise NoMatches."""
    async with running(case_data) as (app, pilot):
        app.open_case(INVOICE)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        app.exit()
        screen.action_edit()  # pushes the edit dialog into a closing app
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, EditDialog)
        dialog.action_submit()  # ctrl+s on a dialog that has no fields
        app.open_case(PRINTER)
        await pilot.pause()
    assert app.return_code == 0
