"""ACT-3 in the TUI: compose completes `@` with a fuzzy list of agents, and the timeline
shows `@name` of a known agent in the mention style (literal text otherwise)."""

from pilotkit import (
    INVOICE,
    Data,
    off_loop,
    open_case,
    running,
    screen_text,
    settle,
    type_text,
)
from rich.style import Style
from support import sync
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.compose import ComposeScreen
from helpdesk_tui.services import cases
from helpdesk_tui.widgets.colours import MENTION_STYLE
from helpdesk_tui.widgets.timeline import Timeline, with_mentions


async def _compose(pilot: Pilot[None]) -> ComposeScreen:
    await open_case(pilot, INVOICE)
    await pilot.press("c")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    return screen


def _text(screen: ComposeScreen) -> str:
    return screen.query_one(TextArea).text


@sync
async def test_at_and_letters_offer_agents_fuzzy_and_tab_completes(case_data: Data) -> None:
    async with running(case_data, "alice") as (_, pilot):
        screen = await _compose(pilot)
        await type_text(pilot, "ask @")
        assert screen.offered == []  # no letters yet
        await type_text(pilot, "ln")
        assert screen.offered == ["lena"]  # fuzzy: l…n; alice herself is not offered
        assert "@lena" in screen_text(pilot)
        await pilot.press("tab")
        assert _text(screen) == "ask @lena "
        assert screen.offered == []
        assert screen.focused is screen.query_one(TextArea)  # tab did not move on
        await type_text(pilot, "and @B")
        assert screen.offered == ["bob"]
        await pilot.press("enter")
        assert _text(screen) == "ask @lena and @bob "
        await pilot.press("enter")  # nothing offered: enter is a new line again
        assert _text(screen) == "ask @lena and @bob \n"


@sync
async def test_arrows_choose_esc_closes_the_offer_only(case_data: Data) -> None:
    async with running(case_data, "bob") as (_, pilot):
        screen = await _compose(pilot)
        await type_text(pilot, "@l")
        offered = screen.offered
        assert sorted(offered) == ["alice", "lena"]  # both have an l
        await pilot.press("down", "enter")
        assert _text(screen) == f"@{offered[1]} "
        await type_text(pilot, "@e")
        assert screen.offered
        await pilot.press("escape")
        assert screen.offered == []
        assert pilot.app.screen is screen  # compose stays open, the text kept
        await type_text(pilot, "n")  # the same @: not offered again
        assert screen.offered == []
        await pilot.press("enter")
        assert _text(screen) == f"@{offered[1]} @en\n"


@sync
async def test_completing_in_the_middle_replaces_the_word_and_keeps_punctuation(
    case_data: Data,
) -> None:
    async with running(case_data, "alice") as (_, pilot):
        screen = await _compose(pilot)
        area = screen.query_one(TextArea)
        area.load_text("thanks @boxyz, see you")
        area.move_cursor((0, 10))  # after "@bo"
        await settle(pilot)
        assert screen.offered == ["bob"]
        await pilot.press("tab")
        assert area.text == "thanks @bob, see you"
        assert area.cursor_location == (0, 11)


@sync
async def test_no_offer_in_an_address_and_tab_still_moves_on(case_data: Data) -> None:
    async with running(case_data, "alice") as (_, pilot):
        screen = await _compose(pilot)
        await type_text(pilot, "mail bob@lena")
        assert screen.offered == []
        await type_text(pilot, " @zz")  # matches nobody
        assert screen.offered == []
        await pilot.press("tab")
        assert isinstance(screen.focused, Input)


@sync
async def test_a_saved_mention_is_highlighted_for_known_agents_only(case_data: Data) -> None:
    text = "@bob see [bold]this[/bold], not bob@example.com or @nobody; @LENA too"
    off_loop(cases.record_activity, case_data.ctx, "alice", INVOICE, ActivityKind.COMMENT, text)
    async with running(case_data, "alice") as (app, pilot):
        await open_case(pilot, INVOICE)
        assert isinstance(app.screen, CaseScreen)
        timeline = app.screen.query_one(Timeline)
        assert timeline.agents == {"alice", "bob", "lena"}
        assert text in screen_text(pilot)  # markup stays text
        styled = {
            segment.text
            for strip in timeline._lines
            for segment in strip
            if segment.style is not None
            and segment.style.color is not None
            and segment.style.color == Style.parse(MENTION_STYLE).color
            and segment.style.bold
        }
        assert styled == {"@bob", "@LENA"}


def test_with_mentions_styles_only_known_agents_and_keeps_markup_literal() -> None:
    shown = with_mentions("hi @bob and @eve [b]x[/b]\x1b[2J", {"bob"})
    assert shown.plain == "hi @bob and @eve [b]x[/b]"
    spans = [(shown.plain[s.start : s.end], str(s.style)) for s in shown.spans]
    assert spans == [("@bob", MENTION_STYLE)]
    assert with_mentions("hi @bob", ()).spans == []
