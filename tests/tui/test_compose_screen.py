"""Compose: comment with time spent, the crash-safe timer (ACT-4), canned responses (ACT-5),
$EDITOR, kinds, and leaving without saving."""

import contextlib
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilotkit import (
    INVOICE,
    PRINTER,
    Data,
    notifications,
    off_loop,
    open_case,
    running,
    screen_text,
    settle,
    type_text,
)
from support import sync
from textual.widgets import Input, TextArea

from helpdesk_tui.dialogs.canned import CannedDialog
from helpdesk_tui.dialogs.confirm import ConfirmDialog
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.compose import ComposeScreen
from helpdesk_tui.services import timers
from helpdesk_tui.services.timers import TimerState
from helpdesk_tui.storage.reads import ActivityEntry


def last_activity(data: Data) -> ActivityEntry:
    return data.detail(INVOICE).activities[-1]


def stored_timer(data: Data) -> TimerState | None:
    return off_loop(timers.current_timer, data.ctx, "alice", INVOICE)


@sync
async def test_comment_with_time_spent(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ComposeScreen)
        await type_text(pilot, "Storno ok")
        await pilot.press("tab")
        await type_text(pilot, "0.005")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ComposeScreen)  # refused: 0.01 h steps
        assert "time spent is recorded in 0.01 h steps, not 0.005" in notifications(pilot)
        app.screen.query_one("#compose-hours", Input).value = "0.5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        entry = last_activity(case_data)
        assert (entry.kind, entry.text, entry.time_spent_centi) == ("comment", "Storno ok", 50)
        text = screen_text(pilot)
        assert "Storno ok" in text
        assert "Time spent  0.50 h" in text
        assert "Internal comment added to 0000002 (0.50 h)" in notifications(pilot)


@sync
async def test_the_running_timer_is_persisted_so_a_crash_loses_at_most_36_s(
    case_data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ComposeScreen.beat_seconds <= 36  # the real interval
    monkeypatch.setattr(ComposeScreen, "beat_seconds", 0.05)  # beats within the test
    async with running(case_data) as (_, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("c", "ctrl+t")
        await settle(pilot)
        assert stored_timer(case_data) == TimerState(INVOICE, 0, True)
        worked = 0
        for _ in range(5):  # 5 × 25 s of work, a beat after each
            case_data.clock.advance(seconds=25)
            worked += 25
            await pilot.pause(0.15)
            await settle(pilot, 1)
        case_data.clock.advance(seconds=20)  # more work, then the process dies
        worked += 20
        # "Kill": what survives is what the database holds right now.
        crashed = stored_timer(case_data)
        assert crashed is not None
        assert crashed.running
        assert 0 <= worked - crashed.seconds <= 36
        await pilot.pause(0.15)
        assert "0:02:25 running (0.05 h)" in screen_text(pilot)

        # Not a crash after all: saving records the timer's time and removes it.
        await type_text(pilot, "Telefonat")
        await pilot.press("ctrl+s")
        await settle(pilot)
        entry = last_activity(case_data)
        assert (entry.text, entry.time_spent_centi) == ("Telefonat", 5)  # 145 s → 0.05 h
        assert stored_timer(case_data) is None


@sync
async def test_pausing_and_leaving_keeps_the_timer_for_next_time(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("c", "ctrl+t")
        await settle(pilot)
        case_data.clock.advance(seconds=30)  # within one beat interval of the running app
        await pilot.press("ctrl+t")  # pause
        await settle(pilot)
        assert stored_timer(case_data) == TimerState(INVOICE, 30, False)
        case_data.clock.advance(seconds=600)  # a break is not work
        await pilot.press("escape")  # no text: leaves without asking
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("c")
        await settle(pilot)
        assert "0:00:30 paused" in screen_text(pilot)


@sync
async def test_canned_response_by_fuzzy_search_fills_placeholders(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("c", "ctrl+o")
        assert isinstance(app.screen, CannedDialog)
        await type_text(pilot, "rck")
        await pilot.press("enter")
        await settle(pilot)
        area = app.screen.query_one(TextArea)
        assert area.text == "Wir rufen Sie zu Rechnung doppelt zurück. Gruß, Alice Agent"
        await pilot.press("ctrl+o", "enter")  # the first one, inserted at the cursor
        await settle(pilot)
        assert area.text.endswith("Hallo Karl Kunde, danke für Ihre Nachricht zu 0000002.")


@contextlib.contextmanager
def no_suspend() -> Iterator[None]:
    yield


@sync
async def test_ctrl_e_edits_the_text_in_editor(
    case_data: Data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho "aus dem Editor" >> "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("VISUAL", str(editor))
    async with running(case_data) as (app, pilot):
        monkeypatch.setattr(app, "suspend", no_suspend)  # headless: nothing to hand over
        await open_case(pilot, INVOICE)
        await pilot.press("c")
        await type_text(pilot, "Notiz")
        await pilot.press("enter", "ctrl+e")
        assert app.screen.query_one(TextArea).text == "Notiz\naus dem Editor"
        assert not list(tmp_path.glob("helpdesk-*.txt"))  # noqa: ASYNC240


@sync
async def test_escape_asks_before_discarding_a_draft_of_any_kind(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, PRINTER)
        await pilot.press("c")
        await type_text(pilot, "Entwurf")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep writing
        assert isinstance(app.screen, ComposeScreen)
        await pilot.press("ctrl+n")
        assert "External action (visible to the customer)" in screen_text(pilot)
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        found = case_data.detail(PRINTER)
        assert all(a.text != "Entwurf" for a in found.activities)


@sync
async def test_m_writes_an_external_action_straight_away(case_data: Data) -> None:
    async with running(case_data) as (_, pilot):
        await open_case(pilot, PRINTER)
        await pilot.press("m")  # straight to an external action
        await type_text(pilot, "Antwort")
        await pilot.press("ctrl+s")
        await settle(pilot)
        found = case_data.detail(PRINTER)
        entry = found.activities[-1]
        assert (entry.kind, entry.internal, entry.text) == ("external", False, "Antwort")
