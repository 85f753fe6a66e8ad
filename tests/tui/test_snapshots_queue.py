"""Snapshots of the queue screen, its help and its command palette (120×36 and 80×24),
one class per feature.

Frozen clock and the fixed queue data set (pilotkit); the status line's database path (a
temporary directory) is replaced by a fixed name. Regenerate with `--snapshot-update` and
look at the SVGs in `__snapshots__/` before committing them.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from pilotkit import SIZE_IDS, SIZES, Data, make_app, settle
from textual.pilot import Pilot
from textual.widgets import Input

import helpdesk_tui.screens.queue as queue_screen
from helpdesk_tui.widgets.status_line import StatusLine

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
class TestQueue:
    def test_my_cases(
        self, size: tuple[int, int], queue_data: Data, snap_compare: SnapCompare
    ) -> None:
        assert snap_compare(make_app(queue_data), terminal_size=size, run_before=prepare())

    def test_all_with_marks_and_a_query(
        self, size: tuple[int, int], queue_data: Data, snap_compare: SnapCompare
    ) -> None:
        keys = ("9", "slash", *"prio:urgent,high", "enter", "j", "space", "j", "space", "k")
        assert snap_compare(make_app(queue_data), terminal_size=size, run_before=prepare(*keys))


class TestHelp:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_lists_the_live_bindings(
        self, size: tuple[int, int], queue_data: Data, snap_compare: SnapCompare
    ) -> None:
        app = make_app(queue_data)
        assert snap_compare(app, terminal_size=size, run_before=prepare("question_mark"))


class TestPalette:
    def test_filters_the_actions_as_you_type(
        self, queue_data: Data, snap_compare: SnapCompare
    ) -> None:
        keys = ("colon", *"mark")
        app = make_app(queue_data)
        assert snap_compare(app, terminal_size=(120, 36), run_before=prepare(*keys))

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_lists_the_product_first_and_textual_under_app(
        self, size: tuple[int, int], queue_data: Data, snap_compare: SnapCompare
    ) -> None:
        app = make_app(queue_data)
        assert snap_compare(app, terminal_size=size, run_before=prepare("colon"))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
class TestGoToCaseAndQuery:
    """Issue 12: the `#` prompt (with an unknown number refused) and the query bar while
    typing (the text visible, the reason a query cannot apply under it)."""

    def test_go_to_case_prompt(
        self, size: tuple[int, int], queue_data: Data, snap_compare: SnapCompare
    ) -> None:
        keys = ("number_sign", *"4711", "enter")
        assert snap_compare(make_app(queue_data), terminal_size=size, run_before=prepare(*keys))

    def test_query_bar_while_typing(
        self,
        size: tuple[int, int],
        queue_data: Data,
        snap_compare: SnapCompare,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(queue_screen, "DEBOUNCE", 0)  # narrowed at once: a stable picture
        keys = ("9", "slash", *"status:waiting,hot")  # the list as for status:waiting
        assert snap_compare(make_app(queue_data), terminal_size=size, run_before=prepare(*keys))
