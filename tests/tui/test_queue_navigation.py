"""The queue: views with counts, the virtual list and its keys (TUI-2, VIEW-1)."""

import pytest
from pilotkit import Data, case_list, running, screen_text, settle
from support import sync

from helpdesk_tui.domain.query import CaseQuery, view_query
from helpdesk_tui.storage.reads import Sort, SortKey
from helpdesk_tui.widgets import case_list as case_list_module
from helpdesk_tui.widgets.sidebar import ViewSidebar


@sync
async def test_the_queue_opens_on_my_cases_with_live_counts_per_view(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        cases = case_list(app)
        mine = queue_data.rows(view_query("mine"))
        assert [c.number for c in cases.window.rows] == [c.number for c in mine]
        sidebar = app.screen.query_one(ViewSidebar)
        expected = queue_data.counts()
        for key, count in expected.items():
            assert sidebar.counts[key] == count
        billing = CaseQuery(groups=frozenset({"billing"}), not_closed=True)
        assert sidebar.counts["group:billing"] == len(queue_data.rows(billing))
        text = screen_text(pilot)
        assert f"My cases · by due ▲ · row 1 of {len(mine)}" in text
        for label in ("My cases", "My groups", "billing", "technical", "Unassigned"):
            assert label in text
        for label in ("Overdue", "Reminder due", "Waiting", "Not closed", "Closed", "All"):
            assert label in text
        assert f"Overdue{expected['overdue']:>13}" in text  # right-aligned count
        # Columns: number, subject, contact/account, status, prio, due, last activity; in
        # My cases "Delegated to" (always me) gives its room first (issue 12).
        for title in ("Number", "Subject", "Contact", "Status", "Prio", "Due ▲", "Activity"):
            assert title in text
        assert "Delegated to" not in text
        assert "alice · " in text
        assert "mail: not configured" in text


@sync
async def test_overdue_and_reminder_rows_carry_a_marker(queue_data: Data) -> None:
    async with running(queue_data) as (app, _):
        lines = case_list(app).rows_text()
        by_number = {line[3:14].strip(): line for line in lines}
        assert by_number["0000005"].startswith(" !")  # waiting, overdue
        assert by_number["0000060"].startswith(" ◷")  # waiting, reminder due, not overdue
        assert by_number["0000061"].startswith("  ")  # neither


@sync
async def test_keys_move_the_cursor_through_a_view_larger_than_the_window(
    queue_data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_list_module, "MIN_PAGE", 8)  # pages of two screens (24 rows)
    everything = queue_data.rows(view_query("all"))
    numbers = [c.number for c in everything]
    async with running(queue_data, size=(120, 16)) as (app, pilot):  # 12 rows on screen
        await pilot.press("9")  # the All view
        await settle(pilot)
        cases = case_list(app)
        assert cases.visible_rows == 12
        assert len(cases.window.rows) < len(everything)  # only a window, not the view
        assert cases.current is not None

        def at() -> object:
            assert cases.current is not None
            return cases.current.number

        await pilot.press("j", "j")
        assert at() == numbers[2]
        await pilot.press("k")
        assert at() == numbers[1]
        await pilot.press("pagedown")
        await settle(pilot)
        assert at() == numbers[1 + 12]
        await pilot.press("pageup")
        assert at() == numbers[1]
        await pilot.press("G")
        await settle(pilot)
        assert at() == numbers[-1]
        assert not cases.window.at_start  # read from the end, not through the middle
        assert cases.position == f"row {len(numbers)} of {len(numbers)}"
        await pilot.press("g")
        await settle(pilot)
        assert at() == numbers[0]
        assert cases.position == f"row 1 of {len(numbers)}"
        for step in range(1, len(numbers)):  # all the way down, one row at a time
            await pilot.press("down")
            if step % 5 == 0:
                await settle(pilot, 1)
            assert len(cases.window.rows) <= 12 * 5 + cases.page_size
        await settle(pilot)
        assert at() == numbers[-1]
        for step in range(1, len(numbers)):
            await pilot.press("up")
            if step % 5 == 0:
                await settle(pilot, 1)
        await settle(pilot)
        assert at() == numbers[0]
        assert cases.window.top == 0
        assert "row 1 of" in screen_text(pilot)


@sync
async def test_sort_keys_reorder_and_keep_the_cursor_on_the_same_case(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9", "j", "j", "j")
        await settle(pilot)
        cases = case_list(app)
        held = cases.current
        assert held is not None
        await pilot.press("o")  # by number
        await settle(pilot)
        by_number = queue_data.rows(view_query("all"), Sort(SortKey.NUMBER))
        assert [c.number for c in cases.window.rows[:30]] == [c.number for c in by_number[:30]]
        assert cases.current is not None
        assert cases.current.number == held.number
        assert "by number ▲" in screen_text(pilot)
        await pilot.press("O")  # reversed
        await settle(pilot)
        assert cases.current.number == held.number
        newest = queue_data.rows(view_query("all"), Sort(SortKey.NUMBER, descending=True))
        assert cases.window.rows[0].number == newest[0].number
        await pilot.press("o")  # by last activity, still descending
        await settle(pilot)
        assert cases.sort == Sort(SortKey.UPDATED, descending=True)
        assert "Activity ▼" in screen_text(pilot)


@sync
async def test_the_sidebar_switches_views(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("shift+tab")  # to the sidebar
        await pilot.press("down", "down")  # My groups → billing
        await settle(pilot)
        cases = case_list(app)
        billing = queue_data.rows(CaseQuery(groups=frozenset({"billing"}), not_closed=True))
        assert [c.number for c in cases.window.rows] == [c.number for c in billing]
        assert "billing · by due" in screen_text(pilot)
        await pilot.press("enter")  # back to the list
        assert app.focused is cases
        await pilot.press("8")  # Closed
        await settle(pilot)
        assert {c.status for c in cases.window.rows} == {"closed"}


@sync
async def test_a_narrow_terminal_hides_the_sidebar_and_keeps_the_key_columns(
    queue_data: Data,
) -> None:
    async with running(queue_data, size=(80, 24)) as (app, pilot):
        text = screen_text(pilot)
        assert "Reminder due" not in text
        for title in ("Number", "Subject", "Status", "Due ▲"):
            assert title in text
        assert "Activity" not in text
        assert max(len(line) for line in case_list(app).rows_text()) <= 80


@sync
async def test_keys_typed_while_a_view_loads_apply_to_the_new_view(queue_data: Data) -> None:
    everything = [c.number for c in queue_data.rows(view_query("all"))]
    mine = [c.number for c in queue_data.rows(view_query("mine"))]
    async with running(queue_data) as (app, pilot):
        cases = case_list(app)
        await pilot.press("9", "G")  # no pause: G arrives while All is being read
        await settle(pilot)
        assert cases.current is not None
        assert cases.current.number == everything[-1]
        assert cases.window.total == len(everything)  # All's count, not My cases'
        await pilot.press("1", "j", "j")
        await settle(pilot)
        assert cases.current.number == mine[2]
