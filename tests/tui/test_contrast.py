"""Contrast (issue 12, finding 10): every piece of text the shipped theme paints is at
least 4.5:1 against the background it is painted on (WCAG 2.x, AA for normal text).

The check reads what Textual actually composes — each cell's resolved foreground and
background after the CSS variables, component classes, Rich styles and the dim filter —
on every screen and dialog, so a colour from any source (a `.tcss` rule, a
`DEFAULT_CSS` block, a style in Python) is covered. Not text, so not checked: blank
cells, box and block drawing (borders, scrollbars) and the entries of an inactive control
(WCAG's exception for disabled components; they use `$text-disabled`).
"""

from collections.abc import Iterator
from typing import Any

import pytest
from mailmaker import customer_mail, reply_to
from pilotkit import (
    INVOICE,
    PASSWORD,
    PRINTER,
    Data,
    deliver,
    off_loop,
    open_case,
    running,
    settle,
)
from rich.color import Color as RichColor
from rich.segment import Segment
from support import sync
from textual.color import Color
from textual.errors import NoWidget
from textual.pilot import Pilot

from helpdesk_tui.dialogs.text import TextDialog
from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.services.desk import Desk

#: WCAG 2.x minimum contrast for normal-size text (AA).
MINIMUM = 4.5


def luminance(color: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours (1 … 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class TestArithmetic:
    def test_black_on_white_is_21_and_equal_colours_are_1(self) -> None:
        assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
        assert contrast((120, 30, 200), (120, 30, 200)) == pytest.approx(1)

    def test_a_known_pair(self) -> None:
        # #767676 on white is the classic smallest grey that passes AA: 4.54:1.
        assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def _is_decoration(char: str) -> bool:
    """Box drawing, block elements (borders, scrollbars, the footer's separator)."""
    return char.isspace() or 0x2500 <= ord(char) <= 0x259F or char in "▏▕"


def _rgb(color: RichColor | None) -> tuple[int, int, int] | None:
    if color is None:
        return None
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def _is_disabled_entry(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> bool:
    """Painted in `$text-disabled` (Textual's `auto 38%`) on `bg`: an inactive entry."""
    back = Color(*bg)
    disabled = back + back.get_contrast_text(0.38)
    return max(abs(a - b) for a, b in zip(disabled.rgb, fg, strict=True)) <= 2


def _cells(pilot: Pilot[Any]) -> Iterator[tuple[str, Segment]]:
    """Each segment on screen with its line, except what a modal screen covers: a
    screen below a dialog is deliberately dimmed and not read meanwhile."""
    app = pilot.app
    screen = app.screen
    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for y, line in enumerate(update.strips):
        text = "".join(strip.text for strip in line)
        x = 0
        for strip in line:
            for segment in strip:
                width = segment.cell_length
                try:
                    widget, _ = screen.get_widget_at(x, y)
                except NoWidget:  # the screen's own cells
                    widget = screen
                x += width
                if widget is screen and screen.is_modal:
                    continue
                yield text, segment


def low_contrast(pilot: Pilot[Any]) -> list[str]:
    """Text on screen below `MINIMUM`, as `ratio 'text' fg/bg  in: line`."""
    found: dict[str, str] = {}
    for line, segment in _cells(pilot):
        style = segment.style
        if style is None or segment.control or all(map(_is_decoration, segment.text)):
            continue
        fg, bg = _rgb(style.color), _rgb(style.bgcolor)
        if style.reverse:
            fg, bg = bg, fg
        if fg is None or bg is None or _is_disabled_entry(fg, bg):
            continue
        ratio = contrast(fg, bg)
        if ratio < MINIMUM:
            fg_hex, bg_hex = Color(*fg).hex, Color(*bg).hex
            key = f"{segment.text.strip()!r} {fg_hex} on {bg_hex}"
            found.setdefault(key, f"{ratio:.2f} {key}  in: {line.strip()[:70]!r}")
    return sorted(found.values())


async def _check(pilot: Pilot[Any], scene: str, failures: dict[str, list[str]]) -> None:
    await settle(pilot)
    await pilot.pause()
    if bad := low_contrast(pilot):
        failures[scene] = bad


def _report(failures: dict[str, list[str]]) -> str:
    return "\n".join(f"{scene}:\n  " + "\n  ".join(lines) for scene, lines in failures.items())


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
class TestShippedTheme:
    @sync
    async def test_queue_help_and_palette(self, size: tuple[int, int], queue_data: Data) -> None:
        failures: dict[str, list[str]] = {}
        async with running(queue_data, size=size) as (_, pilot):
            await _check(pilot, "queue", failures)
            await pilot.press("9", "slash", *"prio:urgent,high", "enter", "j", "space")
            await _check(pilot, "queue_all_query_marked", failures)
            await pilot.press("question_mark")
            await _check(pilot, "help", failures)
            await pilot.press("escape", "colon")
            await _check(pilot, "palette", failures)
            for keys, scene in (
                (("escape", "escape", "number_sign"), "go_to_case"),
                (("escape", "N"), "new_case"),
                (("escape", "1", "space", "j", "space", "s"), "bulk_status"),
                (("escape", "x"), "bulk_close"),
            ):
                await pilot.press(*keys)
                await _check(pilot, scene, failures)
                assert type(pilot.app.screen).__name__ != "QueueScreen", scene  # it opened
        assert not failures, _report(failures)

    @sync
    async def test_case_compose_and_dialogs(self, size: tuple[int, int], case_data: Data) -> None:
        failures: dict[str, list[str]] = {}
        mail = customer_mail("Beamer flackert", body="Hallo,\nder Beamer flackert.\nGruß")
        with_mail = deliver(case_data, mail)
        deliver(case_data, reply_to(mail, body="Jetzt ist er ganz aus."))
        assert with_mail is not None
        async with running(case_data, size=size) as (app, pilot):
            await open_case(pilot, PRINTER)
            await _check(pilot, "case", failures)
            await open_case(pilot, with_mail)
            await _check(pilot, "case_with_mail", failures)
            await open_case(pilot, INVOICE)
            for keys, scene in (
                (("s",), "status"),
                (("down", "ctrl+s"), "status_refused"),
                (("escape", "x"), "close"),
                (("escape", "d"), "delegate"),
                (("escape", "e"), "edit"),
                (("escape", "plus"), "subcase"),
                (("escape", "c"), "compose"),
                (("ctrl+o",), "canned"),
            ):
                await pilot.press(*keys)
                await _check(pilot, scene, failures)
            await pilot.press("escape", "escape", "y")
            await settle(pilot)
            app.push_screen(TextDialog("Internal comment on 3 cases", label="Text:"))
            await _check(pilot, "text", failures)
            await pilot.press("escape")
            await open_case(pilot, PASSWORD)
            await _check(pilot, "case_closed", failures)
            await pilot.press("r")
            await _check(pilot, "reopen", failures)
            await pilot.press("escape", "escape")
            await settle(pilot)
            await pilot.press("i")
            await _check(pilot, "conversations", failures)
            await pilot.press("k")
            await _check(pilot, "classify", failures)
            await pilot.press("escape", "C")
            await _check(pilot, "customer", failures)
            await pilot.press("escape", "escape", "u")
            await _check(pilot, "outbox", failures)
        assert not failures, _report(failures)

    @sync
    async def test_notifications_and_mentions(self, size: tuple[int, int], case_data: Data) -> None:
        """Issue 13: the notification list (unread bold, read plain, the cursor row), the
        count in the status line, compose's list of agents, a highlighted @mention."""
        failures: dict[str, list[str]] = {}
        bob = Desk(case_data.ctx, "bob")
        off_loop(bob.delegate, INVOICE, user="alice", comment="Bitte übernehmen")
        off_loop(Desk(case_data.ctx, "alice").mark_all_read)
        case_data.clock.advance(minutes=2)
        off_loop(bob.record_activity, INVOICE, ActivityKind.COMMENT, "@alice und @lena, bitte")
        async with running(case_data, size=size) as (_, pilot):
            await _check(pilot, "queue_with_unread", failures)
            await pilot.press("A", "t")
            await _check(pilot, "notifications", failures)
            await pilot.press("down")
            await _check(pilot, "notifications_read_row", failures)
            await pilot.press("escape")
            await open_case(pilot, INVOICE)
            await _check(pilot, "case_with_mention", failures)
            await pilot.press("c", *"@l")
            await _check(pilot, "compose_agents", failures)
        assert not failures, _report(failures)


@sync
async def test_waiting_is_not_the_red_of_overdue_and_high_priority(queue_data: Data) -> None:
    """As painted (the terminal theme turned ANSI magenta and red into one colour), and
    each state also says itself in a word or a mark, for readers who do not see colour."""
    async with running(queue_data) as (app, pilot):
        await pilot.press("9")  # All
        await settle(pilot)
        cursor = Color.parse(app.get_css_variables()["block-cursor-background"]).rgb
        colours: dict[str, set[tuple[int, int, int]]] = {"waiting": set(), "high": set()}
        colours["!"] = set()
        lines = []
        for line, segment in _cells(pilot):
            lines.append(line)
            text = segment.text.strip()
            style = segment.style
            if text not in colours or style is None or _rgb(style.bgcolor) == cursor:
                continue
            if fg := _rgb(style.color):
                colours[text].add(fg)
    assert all(colours.values()), colours
    assert not colours["waiting"] & (colours["high"] | colours["!"])
    assert any("waiting" in line and "!" in line for line in lines)  # said, not only coloured
