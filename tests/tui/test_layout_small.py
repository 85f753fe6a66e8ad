"""Layout at 80x24 and 120x36 (issue 12, findings 9 and 10): the queue keeps priority and
drops the columns that say nothing first, the footer ends with `…` instead of a word cut
in half, every dialog fits or scrolls, side lists and headers keep to one line, and a
toast leaves the status line readable."""

import re
from typing import Any

import pytest
from mailmaker import customer_mail
from pilotkit import (
    HOSTILE,
    INVOICE,
    Data,
    deliver,
    off_loop,
    open_case,
    running,
    screen_text,
    settle,
)
from rich.text import Text
from support import sync
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import view_query
from helpdesk_tui.services import cases
from helpdesk_tui.storage import replay
from helpdesk_tui.widgets.case_list import CaseList
from helpdesk_tui.widgets.case_row import idle_columns, layout
from helpdesk_tui.widgets.key_footer import MORE
from helpdesk_tui.widgets.status_line import StatusLine
from helpdesk_tui.widgets.timeline import Timeline, entry_heading

LONG_ACCOUNT = "Fischer Druck & Medien GmbH Niederlassung Süd"
LONG_CONTACT = "s.guenther@fischer.example"


def _header(pilot: Pilot[Any]) -> str:
    return pilot.app.screen.query_one(CaseList).render_line(0).text


def _footer(pilot: Pilot[Any]) -> str:
    return screen_text(pilot).splitlines()[-1]


@sync
async def test_the_queue_keeps_priority_and_drops_delegated_to_in_my_cases(
    queue_data: Data,
) -> None:
    async with running(queue_data, size=(80, 24)) as (_, pilot):
        mine = _header(pilot)  # My cases: every row is delegated to me
        assert "Prio" in mine
        assert "Delegated" not in mine
        assert "Contact" in mine  # it got the room instead
        await pilot.press("9")  # All: who has the case says something again
        await settle(pilot)
        every = _header(pilot)
        assert "Prio" in every
        assert "Delegated" in every
    async with running(queue_data, size=(60, 20)) as (_, pilot):
        assert "Prio" in _header(pilot)  # narrower still


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
@sync
async def test_the_footer_ends_with_an_ellipsis_not_a_cut_word(
    size: tuple[int, int], case_data: Data
) -> None:
    async with running(case_data, size=size) as (_, pilot):
        for screen in ("queue", "case"):
            if screen == "case":
                await open_case(pilot, INVOICE)
            keys, palette = _footer(pilot).split("▏")
            assert palette.strip() == "^p Commands", screen
            assert keys.rstrip().endswith(MORE), screen
            descriptions = {
                b.binding.description for b in pilot.app.screen.active_bindings.values()
            }
            shown = keys.rstrip().removesuffix(MORE)
            for description in descriptions:  # a description shown is shown whole
                head = description.split()[0]
                at = shown.find(f" {head}")
                if at >= 0 and shown[at + 1 :].startswith(description[: len(shown) - at - 1]):
                    assert description in shown, (screen, description)


async def _fits(pilot: Pilot[Any], name: str) -> None:
    """The dialog's box is on screen; what does not fit scrolls, and the focused field
    is in view."""
    await settle(pilot)
    screen = pilot.app.screen
    box = screen.query_one("#dialog-box")
    on_screen = Region(0, 0, *pilot.app.size)
    assert on_screen.contains_region(box.region), name
    if box.max_scroll_y:
        assert box.styles.overflow_y == "auto", name
    focused = pilot.app.focused
    assert focused is not None, name
    assert box.region.contains_region(focused.region) or focused.region.height == 0, name


@sync
async def test_every_dialog_fits_or_scrolls_at_80x24(case_data: Data) -> None:
    async with running(case_data, size=(80, 24)) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("plus")
        await _fits(pilot, "subcase")
        # The sub-case dialog was cut off under its due field; now it all shows.
        due = app.screen.query_one("#subcase-due")
        assert Region(0, 0, 80, 24).contains_region(due.region)
        assert app.screen.query_one("#dialog-box").max_scroll_y == 0
        for keys, name in (
            (("escape", "s"), "status"),
            (("down",), "status waiting"),
            (("escape", "x"), "close"),
            (("down", "down"), "close duplicate"),
            (("escape", "d"), "delegate"),
            (("escape", "e"), "edit"),
        ):
            await pilot.press(*keys)
            await _fits(pilot, name)
            if name in {"status waiting", "close duplicate"}:
                for _ in range(6):  # every field can be reached and is brought into view
                    await pilot.press("tab")
                    await _fits(pilot, f"{name} + tab")


@sync
async def test_side_lists_keep_each_entry_to_one_line_at_80x24(case_data: Data) -> None:
    """A long account name is cut with `…` in its heading, not wrapped onto two lines."""

    def long_account() -> CaseNumber:
        with case_data.ctx.uow() as uow:
            replay.insert_accounts_contacts(
                uow,
                [replay.AccountData(LONG_ACCOUNT, "fischer.example")],
                [replay.ContactData(LONG_CONTACT, "Stefan Günther", account=LONG_ACCOUNT)],
            )
            uow.commit()
        numbers = [
            cases.create_case(case_data.ctx, "alice", subject=s, contact=LONG_CONTACT, user="alice")
            for s in ("Webhook kommt nicht an", "Rabatt fehlt")
        ]
        return numbers[-1]

    number = off_loop(long_account)
    async with running(case_data, size=(80, 24)) as (_, pilot):
        await open_case(pilot, number)
        context = pilot.app.screen.query_one("#context", OptionList)
        assert context.option_count >= 4
        assert context.virtual_size.height == context.option_count  # no entry wraps
        assert "Account Fischer Druck" in screen_text(pilot)


def test_a_timeline_heading_never_wraps_the_sender_gives_way() -> None:
    at = Text("2026-11-23 09:00")
    who = Text("Karl Kunde-Langname von und zu Beispielhausen <karl@lange-domain.example>")
    tail = Text("Mail in")
    heading = entry_heading(at, who, tail, width=76)
    assert heading.cell_len <= 76
    assert heading.plain.endswith("  Mail in")
    assert "…" in heading.plain
    assert entry_heading(at, Text("alice"), tail, width=76).plain == (
        "2026-11-23 09:00  alice  Mail in"
    )
    # Narrower than date, author and tail: the author keeps a readable start, the tail
    # is cut at the end of the line (no wrap).
    long_tail = Text("Internal comment  internal  0.25 h spent")
    narrow = entry_heading(at, Text("alice.agent@helpdesk.example"), long_tail, width=44)
    assert narrow.plain.startswith("2026-11-23 09:00  alice.agent…  Internal")
    assert narrow.no_wrap


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
@sync
async def test_the_compose_header_stays_on_one_line(size: tuple[int, int], case_data: Data) -> None:
    """A long subject gives way (cut with `…`): at 120 columns the keys hint after it
    stays; at 80 the line ends with `…` rather than wrap."""
    async with running(case_data, size=size) as (app, pilot):
        await open_case(pilot, HOSTILE)
        await pilot.press("c")
        await settle(pilot)
        title = app.screen.query_one("#compose-title", Static)
        assert title.size.height == 1
        first = screen_text(pilot).splitlines()[0]
        if size[0] == 120:
            assert "ctrl+n: comment / external / phone" in first
        else:
            assert first.rstrip().endswith("…")


@sync
async def test_a_toast_leaves_the_status_line_readable(queue_data: Data) -> None:
    async with running(queue_data, size=(80, 24), notifications=True) as (app, pilot):
        app.notify("A notification that is long enough to need most of its width " * 2)
        await settle(pilot)
        await pilot.pause(0.2)
        status = app.screen.query_one(StatusLine).region
        toasts = [t.region for t in app.screen.query("Toast")]
        assert toasts
        assert not any(toast.overlaps(status) for toast in toasts)


@sync
async def test_the_status_line_keeps_the_mail_state_and_cuts_a_long_path(
    queue_data: Data,
) -> None:
    async with running(queue_data, size=(80, 24)) as (app, pilot):
        status = app.screen.query_one(StatusLine)
        status.database = (
            "/tmp/helpdesk-demo-bfacqln1/a/rather/deep/folder/of/demo/data/demo.sqlite"
        )
        await settle(pilot)
        line = screen_text(pilot).splitlines()[-2].strip()
        # agent, unread count (if any), mail state: all kept; the path gives way
        assert re.match(r"alice · (● \d+ new · )?mail: not configured · …", line), line
        assert line.endswith("/demo.sqlite")
        assert status.size.height == 1


def test_columns_that_say_nothing_in_a_view_go_first() -> None:
    assert idle_columns(view_query("mine")) == {"delegated"}
    assert idle_columns(view_query("waiting")) == {"status"}
    assert idle_columns(view_query("closed")) == {"status"}
    assert idle_columns(view_query("all")) == frozenset()
    assert idle_columns(view_query("unassigned")) == frozenset()
    for width in (40, 60, 80, 98, 120, 200):
        for idle in (frozenset(), frozenset({"delegated"}), frozenset({"status"})):
            keys = [c.key for c, _ in layout(width, idle=idle)]
            assert "priority" in keys, (width, idle)  # at any width
    mine = [c.key for c, _ in layout(80, idle=frozenset({"delegated"}))]
    assert "delegated" not in mine
    assert "contact" in mine  # the room went to a column that says something
    assert "delegated" in [c.key for c, _ in layout(200, idle=frozenset({"delegated"}))]


@sync
async def test_timeline_headings_of_mails_stay_on_one_line_at_120(case_data: Data) -> None:
    sender = "Karl-Theodor Kunde-Langname von Beispielhausen <karl.theodor@sehr-lang.example>"
    number = deliver(case_data, customer_mail("Beamer flackert", sender=sender))
    assert number is not None
    async with running(case_data, size=(120, 36)) as (app, pilot):
        await open_case(pilot, number)
        lines = app.screen.query_one(Timeline).text.splitlines()
        headings = [line for line in lines if line.startswith("20") and ":" in line[:16]]
        assert any(line.rstrip().endswith("Mail in") for line in headings), headings
        assert all("Karl-Theodor" in line for line in headings if "Mail in" in line)
