"""Snapshots of the queue screen, its help and its command palette (120×36 and 80×24).

Frozen clock and the fixed queue data set (queuefixtures); the status line's database
path (a temporary directory) is replaced by a fixed name. Regenerate with
`--snapshot-update` and look at the SVGs in `__snapshots__/` before committing them.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from queuefixtures import Queue, make_app, settle
from textual.pilot import Pilot
from textual.widgets import Input

from helpdesk_tui.widgets.status_line import StatusLine

SIZES = ((120, 36), (80, 24))
SIZE_IDS = [f"{w}x{h}" for w, h in SIZES]
SnapCompare = Callable[..., bool]


def prepare(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Load the queue, fix the status line, press `keys`, and let everything settle."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.screen_stack[1].query_one(StatusLine).database = "/data/helpdesk.sqlite"
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False  # a blinking cursor would make screenshots flaky
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_queue(size: tuple[int, int], data: Queue, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app(data), terminal_size=size, run_before=prepare())


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_queue_all_with_marks_and_a_query(
    size: tuple[int, int], data: Queue, snap_compare: SnapCompare
) -> None:
    keys = ("9", "slash", *"prio:urgent,high", "enter", "j", "space", "j", "space", "k")
    assert snap_compare(make_app(data), terminal_size=size, run_before=prepare(*keys))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_help(size: tuple[int, int], data: Queue, snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app(data), terminal_size=size, run_before=prepare("question_mark"))


def test_palette(data: Queue, snap_compare: SnapCompare) -> None:
    keys = ("colon", *"mark")
    assert snap_compare(make_app(data), terminal_size=(120, 36), run_before=prepare(*keys))
