"""The activity screen (issue 13): `A` opens the feed from anywhere, scopes by key, the
filter bar, Enter opens the case, the "since you last looked" divider, live updates."""

import asyncio
import time
from typing import Any

from pilotkit import Data, notifications, off_loop, running, screen_text, settle, type_text
from support import sync
from textual.pilot import Pilot
from textual.widgets import OptionList

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.messages import DataChanged
from helpdesk_tui.screens.activity import DIVIDER, ActivityScreen
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.services import activity as feed_svc
from helpdesk_tui.services import cases
from helpdesk_tui.widgets.timeline import Timeline

INVOICE = CaseNumber(2)  # the case set: open, group billing (alice's group)


def feed(pilot: Pilot[Any]) -> ActivityScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ActivityScreen)
    return screen


async def open_feed(pilot: Pilot[Any]) -> ActivityScreen:
    await pilot.press("A")
    await settle(pilot)
    return feed(pilot)


@sync
async def test_A_opens_the_feed_newest_first_and_esc_goes_back(case_data: Data) -> None:
    async with running(case_data, "alice") as (app, pilot):
        queue = app.screen
        screen = await open_feed(pilot)
        assert screen.scope.value == "mine"
        stamps = [e.cursor for e in screen.entries]
        assert stamps
        assert stamps == sorted(stamps, reverse=True)
        text = screen_text(pilot)
        assert "Activity · My cases" in text
        assert str(screen.entries[0].case) in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is queue


@sync
async def test_A_works_from_the_case_screen_too(case_data: Data) -> None:
    async with running(case_data, "alice") as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await open_feed(pilot)


@sync
async def test_enter_opens_the_case_of_the_entry(case_data: Data) -> None:
    async with running(case_data, "alice") as (app, pilot):
        screen = await open_feed(pilot)
        first = screen.current
        await pilot.press("j", "j")
        entry = screen.current
        assert entry is not None
        assert entry != first  # j moves down (k back up)
        await pilot.press("k")
        assert screen.current == screen._rows[1]
        await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == entry.case


@sync
async def test_enter_scrolls_the_case_timeline_to_the_entry(case_data: Data) -> None:
    mine = CaseNumber(1)
    for n in range(40):  # a long timeline: the first comment is far above the end
        case_data.clock.advance(minutes=1)
        cases.record_activity(
            case_data.ctx, "bob", mine, ActivityKind.COMMENT, f"Kommentar Nummer {n:02}"
        )
    async with running(case_data, "alice", size=(100, 24)) as (app, pilot):
        screen = await open_feed(pilot)
        await pilot.press("/")
        await type_text(pilot, f"case:{mine}")
        await pilot.press("enter")
        await settle(pilot)
        wanted = next(e for e in screen.entries if e.entry.text == "Kommentar Nummer 05")
        listing = screen.query_one("#activity-feed", OptionList)
        listing.highlighted = screen._rows.index(wanted)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        timeline = app.screen.query_one(Timeline)
        assert timeline.scroll_y > 0
        assert "Kommentar Nummer 05" in screen_text(pilot)
        assert "Kommentar Nummer 20" not in screen_text(pilot)


@sync
async def test_scopes_by_key_and_everything_refused_to_an_agent(case_data: Data) -> None:
    async with running(case_data, "alice") as (_, pilot):
        screen = await open_feed(pilot)
        mine = {e.case for e in screen.entries}
        await pilot.press("2")
        await settle(pilot)
        assert screen.scope.value == "groups"
        assert INVOICE in {e.case for e in screen.entries}
        assert mine <= {e.case for e in screen.entries}
        await pilot.press("3")
        await settle(pilot)
        assert screen.scope.value == "groups"  # refused: nothing moved
        assert any("only leads and admins see all activity" in n for n in notifications(pilot))


@sync
async def test_a_lead_sees_everything(case_data: Data) -> None:
    async with running(case_data, "lena") as (_, pilot):
        screen = await open_feed(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert screen.scope.value == "all"
        everything = off_loop(feed_svc.feed_page, case_data.ctx, "lena", screen.scope, limit=500)
        assert [e.id for e in screen.entries] == [e.id for e in everything.entries][
            : len(screen.entries)
        ]


@sync
async def test_the_filter_bar(case_data: Data) -> None:
    async with running(case_data, "lena") as (_, pilot):
        screen = await open_feed(pilot)
        await pilot.press("3", "slash")
        await type_text(pilot, "kind:comment @alice")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.entries
        assert {(e.kind, e.actor) for e in screen.entries} == {("comment", "alice")}
        assert "filtered" in screen_text(pilot)
        await pilot.press("slash", "ctrl+u")  # clear the bar
        await type_text(pilot, "colour:red")
        await pilot.press("enter")
        await settle(pilot)
        assert any("unknown filter 'colour:red'" in n for n in notifications(pilot))
        assert {(e.kind, e.actor) for e in screen.entries} == {("comment", "alice")}


@sync
async def test_the_divider_marks_what_came_since_i_last_looked(case_data: Data) -> None:
    async with running(case_data, "alice") as (_, pilot):
        screen = await open_feed(pilot)
        assert DIVIDER not in screen_text(pilot)  # never looked: no divider
        newest = screen.entries[0].at
        await pilot.press("escape")
        await settle(pilot)
        assert off_loop(feed_svc.seen_at, case_data.ctx, "alice") == newest
        # Bob comments on alice's case meanwhile (the clock moves on).
        case_data.clock.advance(minutes=5)
        mine = screen.entries[0].case
        off_loop(
            cases.record_activity, case_data.ctx, "bob", mine, ActivityKind.COMMENT, "Neu hier"
        )
        screen = await open_feed(pilot)
        listing = screen.query_one("#activity-feed", OptionList)
        assert screen.entries[0].entry.text == "Neu hier"
        divider = listing.get_option_at_index(1)
        assert divider.disabled
        assert DIVIDER in str(divider.prompt)
        assert DIVIDER in screen_text(pilot)


@sync
async def test_a_change_by_another_process_appears_on_data_changed(case_data: Data) -> None:
    async with running(case_data, "alice") as (app, pilot):
        screen = await open_feed(pilot)
        await pilot.press("j")
        held = screen.current
        case_data.clock.advance(minutes=1)
        mine = screen.entries[0].case
        off_loop(cases.record_activity, case_data.ctx, "bob", mine, ActivityKind.COMMENT, "Live!")
        app.screen.post_message(DataChanged())
        await settle(pilot)
        assert screen.entries[0].entry.text == "Live!"
        assert screen.current == held  # the cursor stayed on its entry
        assert "Live!" in screen_text(pilot)


@sync
async def test_a_change_by_another_process_appears_within_a_second(case_data: Data) -> None:
    async with running(case_data, "alice", live_interval=0.25) as (app, pilot):
        screen = await open_feed(pilot)
        mine = screen.entries[0].case
        case_data.clock.advance(minutes=1)
        off_loop(cases.record_activity, case_data.ctx, "bob", mine, ActivityKind.COMMENT, "Fresh")
        started = time.monotonic()
        while screen.entries[0].entry.text != "Fresh":
            assert time.monotonic() - started < 1.0, "not within 1 s"
            await asyncio.sleep(0.05)  # waiting for the watcher, not for time to pass
        assert app.screen is screen
