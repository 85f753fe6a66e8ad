"""Issue 12 #5, TUI-4: bulk is predictable. The marks are used up by an action (no
`3 marked` on cases that left the view, `s` never acts on invisible marks); the status
list has one order with the not-allowed greyed; the preview says per case what will
happen and what will be refused."""

import re
from datetime import timedelta

import pytest
from pilotkit import (
    Data,
    case_list,
    notifications,
    off_loop,
    running,
    screen_text,
    settle,
    type_text,
)
from support import sync
from textual.pilot import Pilot
from textual.widgets import OptionList

from helpdesk_tui.dialogs.confirm import ConfirmDialog
from helpdesk_tui.dialogs.status import StatusDialog
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.messages import DataChanged
from helpdesk_tui.services.cases import assign_to_me
from helpdesk_tui.storage.reads import CaseSummary
from helpdesk_tui.widgets import case_list as case_list_module


async def mark_open_cases(pilot: Pilot[None], how_many: int) -> list[CaseSummary]:
    """Mark the first `how_many` open cases of the view (space marks and moves on)."""
    cases = case_list(pilot.app)
    marked: list[CaseSummary] = []
    while len(marked) < how_many:
        current = cases.window.current
        assert current is not None
        if current.status == "open" and current.parent is None:
            marked.append(current)
            await pilot.press("space")
        else:
            await pilot.press("j")
        await settle(pilot, 1)
    return marked


@sync
async def test_the_marks_are_used_up_by_a_bulk_status_change(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        marked = await mark_open_cases(pilot, 3)
        assert "3 marked" in screen_text(pilot)
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StatusDialog)
        options = dialog.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        disabled = [options.get_option_at_index(i).disabled for i in range(options.option_count)]
        assert ids == ["open", "in_progress", "waiting", "closed"]  # one order, always
        assert disabled == [True, False, False, False]  # greyed, not left out
        assert dialog.target is not None
        assert dialog.target.value == "in_progress"
        await pilot.press("enter")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmDialog)
        text = screen_text(pilot)
        for case in marked:
            assert f"{case.number}  open → in_progress" in text
        await pilot.press("y")
        await settle(pilot)
        assert "3 set to in_progress" in notifications(pilot)
        for case in marked:
            assert queue_data.case(case.number).status == "in_progress"
        cases = case_list(app)
        assert not cases.window.marks
        assert not re.search(r"\d+ marked", screen_text(pilot))
        # the next `s` is about the case under the cursor, not about the old marks
        await pilot.press("s")
        await settle(pilot)
        current = cases.window.current
        assert current is not None
        assert f"Status of {current.number}" in screen_text(pilot)


@sync
async def test_the_bulk_preview_names_the_cases_that_will_be_refused(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        marked = await mark_open_cases(pilot, 2)
        first, second = sorted(marked, key=lambda c: c.due)
        assert first.due < second.due
        reminder = first.due + timedelta(days=1)  # after the first's due, not the second's
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down", "enter")  # Waiting
        await type_text(pilot, "Rueckmeldung Kunde")
        await pilot.press("enter")
        await type_text(pilot, reminder.isoformat())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(pilot)
        assert f"{second.number}  open → waiting" in text
        refusal = f"reminder {reminder} is after due {first.due}"
        assert f"{first.number}  refused: {refusal}" in text
        assert "1 case: open → waiting, 1 refused" in text
        await pilot.press("y")
        await settle(pilot)
        line = f"1 set to waiting, 1 refused ({first.number}: {refusal})"
        assert line in notifications(pilot)
        assert queue_data.case(second.number).status == "waiting"
        assert queue_data.case(first.number).status == "open"
        assert not case_list(app).window.marks


@sync
async def test_a_cancelled_bulk_keeps_the_marks(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        marked = await mark_open_cases(pilot, 2)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert set(case_list(app).window.marks) == {c.number for c in marked}
        assert all(isinstance(n, CaseNumber) for n in case_list(app).window.marks)


@sync
async def test_assigning_the_marked_cases_uses_the_marks_up(queue_data: Data) -> None:
    """They leave the Unassigned view: no `3 marked` may stay behind in the title."""
    async with running(queue_data) as (app, pilot):
        await pilot.press("3")  # Unassigned
        await settle(pilot)
        await pilot.press("space", "space", "space")
        assert "3 marked" in screen_text(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert "3 assigned to you" in notifications(pilot)
        assert not case_list(app).window.marks
        assert not re.search(r"\d+ marked", screen_text(pilot))


@sync
async def test_a_marked_case_another_agent_takes_loses_its_mark(queue_data: Data) -> None:
    """It left the Unassigned view: the title counts only the marks still in view."""
    async with running(queue_data) as (app, pilot):
        await pilot.press("3")  # Unassigned
        await settle(pilot)
        await pilot.press("space", "space")
        cases = case_list(app)
        taken, kept = sorted(cases.window.marks)
        assert "2 marked" in screen_text(pilot)
        off_loop(assign_to_me, queue_data.ctx, "bob", taken)  # from another desk
        app.screen.post_message(DataChanged())
        await settle(pilot)
        assert set(cases.window.marks) == {kept}
        assert "1 marked" in screen_text(pilot)


@sync
async def test_marks_belong_to_their_view_and_go_when_the_view_changes(
    queue_data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_list_module, "MIN_PAGE", 4)  # every view longer than the window
    async with running(queue_data, size=(120, 10)) as (app, pilot):
        await pilot.press("9")  # All
        await settle(pilot)
        await mark_open_cases(pilot, 2)
        assert "2 marked" in screen_text(pilot)
        await pilot.press("7")  # Not closed: read a window at a time, not whole
        await settle(pilot)
        assert not case_list(app).window.at_end
        assert not case_list(app).marked()
        assert "marked" not in screen_text(pilot)


@sync
async def test_marks_stay_while_the_order_changes(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await mark_open_cases(pilot, 2)
        await pilot.press("o")  # another order of the same view
        await settle(pilot)
        assert len(case_list(app).marked()) == 2
