"""The case screen: header, sub-cases, timeline (order, filter), context, live reload, SEC-2."""

from pilotkit import (
    HOSTILE,
    INVOICE,
    PRINTER,
    PRINTER_SUB_OPEN,
    Data,
    off_loop,
    open_case,
    running,
    screen_text,
    settle,
    terminal_output,
)
from support import sync

from helpdesk_tui.domain.enums import ActivityKind, Role
from helpdesk_tui.messages import DataChanged
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.services import cases
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.widgets.timeline import Timeline


@sync
async def test_a_case_shows_header_sub_cases_timeline_time_and_customer(case_data: Data) -> None:
    async with running(case_data) as (_, pilot):
        await open_case(pilot, PRINTER)
        text = screen_text(pilot)
        assert "0000001  Drucker druckt nicht" in text
        assert "in_progress" in text
        assert "Karl Kunde <karl@acme.example>" in text
        assert "ACME GmbH" in text
        assert "0.25 h" in text  # time total (ACT-4)
        assert "0000001-001 closed Toner bestellen" in text
        assert "0000001-002 open Techniker-Termin" in text
        assert "Sub-cases (1 open / 2)" in text
        assert "status: open → in_progress" in text  # changes as old → new
        assert "Treiber neu installiert" in text
        assert "0000002 open Rechnung doppelt" in text  # the contact's other case (VIEW-4)
        assert "0000003 open VPN fällt aus" in text  # the account's other case
        assert "Timeline · oldest first · all" in text


@sync
async def test_o_and_f_order_and_filter_the_timeline(case_data: Data) -> None:
    """o: newest/oldest first; f: all → comments → external → phone → changes → mail."""
    async with running(case_data) as (app, pilot):
        await open_case(pilot, PRINTER)
        timeline = app.screen.query_one(Timeline)
        oldest = timeline.shown_entries
        assert oldest[0].kind == "created"
        await pilot.press("o")
        assert timeline.shown_entries == oldest[::-1]
        assert "newest first" in screen_text(pilot)
        await pilot.press("f")  # comments
        assert [e.kind for e in timeline.shown_entries] == ["comment"]
        await pilot.press("f", "f")  # external, then phone
        assert [e.kind for e in timeline.shown_entries] == ["phone"]
        await pilot.press("f")  # status changes
        kinds = {e.kind for e in timeline.shown_entries}
        assert "status" in kinds
        assert kinds.isdisjoint({"comment", "phone"})
        assert "status changes" in screen_text(pilot)


@sync
async def test_enter_on_a_sub_case_opens_it_and_escape_goes_back(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, PRINTER)
        first = app.screen
        await pilot.press("tab", "down", "enter")  # the sub-case list, its 2nd entry
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == PRINTER_SUB_OPEN
        assert "Parent" in screen_text(pilot)
        await pilot.press("escape")
        assert app.screen is first


@sync
async def test_changes_by_another_process_show_up_on_data_changed(case_data: Data) -> None:
    """The app's poller posts DataChanged when anyone commits; the case screen reloads."""
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        # Bob, in another process, comments on the case.
        off_loop(
            cases.record_activity,
            case_data.ctx,
            "bob",
            INVOICE,
            ActivityKind.COMMENT,
            "Gutschrift ist raus.",
        )
        assert "Gutschrift ist raus." not in screen_text(pilot)
        app.screen.post_message(DataChanged())
        await settle(pilot)
        assert "Gutschrift ist raus." in screen_text(pilot)


@sync
async def test_untrusted_text_stays_literal_text(case_data: Data) -> None:
    """SEC-2: markup shows as typed; escape sequences never reach the terminal."""
    async with running(case_data) as (_, pilot):
        await open_case(pilot, HOSTILE)
        text = screen_text(pilot)
        assert "[bold red]x[/]" in text
        assert "[link=https://evil.example]click[/link]" in text
        assert "[i]Mallory[/i]" in text
        assert "plain [blink]BLINK[/blink] end" in text
        assert "hyper and clear bell" in text
        assert "ZXZpbA" not in text  # the OSC 52 clipboard payload is gone
        # What would be written to the terminal: no hostile sequence survives.
        raw = terminal_output(pilot)
        assert "evil.example" in raw  # the literal text is there …
        for sequence in ("\x1b]52", "\x1b]8;;https://evil", "\x1b[2J", "\x07", "\x1b[5m"):
            assert sequence not in raw  # … but not as a control sequence


def test_desk_role_names_the_acting_agents_role(case_data: Data) -> None:
    assert Desk(case_data.ctx, "alice").role() is Role.AGENT
    assert Desk(case_data.ctx, "lena").role() is Role.LEAD
