"""Help from the live bindings, the command palette, and keys remapped from config."""

from pilotkit import NEXT_CASE, Data, running, screen_text, settle
from support import sync

from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.help import HelpScreen
from helpdesk_tui.screens.queue import QueueScreen
from helpdesk_tui.widgets.case_list import CaseList


@sync
async def test_question_mark_lists_the_live_bindings_grouped(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(pilot)
        for group in ("Case list", "Queue", "Global"):
            assert group in text
        for keys, description in (
            ("j, ↓", "Down"),
            ("G, end", "Last"),
            ("space", "Mark"),
            ("a", "Assign to me"),
            ("n", "Next case"),
            ("/", "Search"),
            ("O", "Reverse order"),
            ("9", "View: All"),
            ("q", "Quit"),
        ):
            assert any(keys in line and description in line for line in text.splitlines()), (
                description
            )
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


@sync
async def test_keys_remapped_in_config_work_and_show_in_help_and_footer(queue_data: Data) -> None:
    async with running(queue_data, keymap={"queue.next_case": "N", "list.down": "ctrl+j"}) as (
        app,
        pilot,
    ):
        cases = app.screen.query_one(CaseList)
        await pilot.press("ctrl+j")
        assert cases.window.cursor == 1
        await pilot.press("n")  # no longer bound
        await settle(pilot)
        assert queue_data.holder(NEXT_CASE) is None
        assert "N Next case" in screen_text(pilot)  # the footer
        await pilot.press("question_mark")
        assert any(
            line.find("N ") >= 0 and "Next case" in line for line in screen_text(pilot).splitlines()
        )
        await pilot.press("escape", "N")
        await settle(pilot)
        assert queue_data.holder(NEXT_CASE) == "alice"
        assert isinstance(app.screen, CaseScreen)


@sync
async def test_the_palette_lists_every_action_and_runs_the_chosen_one(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("colon")
        await settle(pilot)
        text = screen_text(pilot)
        assert "Search for commands" in text
        await pilot.press(*"next case")
        await pilot.pause(0.3)
        assert "Next case  n" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert queue_data.holder(NEXT_CASE) == "alice"
        assert isinstance(app.screen, CaseScreen)


@sync
async def test_ctrl_p_opens_the_palette_too(queue_data: Data) -> None:
    async with running(queue_data) as (_, pilot):
        await pilot.press("ctrl+p")  # the other way in
        await pilot.pause(0.3)
        assert "Search for commands" in screen_text(pilot)
