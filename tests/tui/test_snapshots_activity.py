"""Snapshots of the activity screen (issue 13) at 120×36 and 80×24: a lead's whole-desk
feed, and an agent's feed with the "since you last looked" divider and a filter.

Frozen clock and the fixed case data set (pilotkit); the status line's database path is
replaced by a fixed name. Regenerate with `--snapshot-update` and look at the SVGs.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from pilotkit import SIZE_IDS, SIZES, Data, make_app, off_loop, settle
from textual.pilot import Pilot
from textual.widgets import Input

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import activity as feed_svc
from helpdesk_tui.services import cases
from helpdesk_tui.widgets.status_line import StatusLine

SnapCompare = Callable[..., bool]


def prepare(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Open the feed (`A`), press `keys`, fix the status line, let everything settle."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in ("A", *keys):
            await pilot.press(key)
            await settle(pilot)
        pilot.app.screen.query_one(StatusLine).database = "/data/helpdesk.sqlite"
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False  # a blinking cursor would make screenshots flaky
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
class TestActivity:
    def test_everything_for_a_lead(
        self, size: tuple[int, int], case_data: Data, snap_compare: SnapCompare
    ) -> None:
        app = make_app(case_data, "lena")
        assert snap_compare(app, terminal_size=size, run_before=prepare("3"))

    def test_my_groups_since_i_last_looked_filtered(
        self, size: tuple[int, int], case_data: Data, snap_compare: SnapCompare
    ) -> None:
        seen = case_data.clock.now
        off_loop(feed_svc.mark_seen, case_data.ctx, "alice", seen)
        for minutes, text in ((5, "Kunde meldet sich morgen."), (50, "Rückruf erledigt.")):
            case_data.clock.now = seen + timedelta(minutes=minutes)
            off_loop(
                cases.record_activity,
                case_data.ctx,
                "bob",
                CaseNumber(2),
                ActivityKind.COMMENT,
                text,
            )
        case_data.clock.now = seen + timedelta(hours=1)
        app = make_app(case_data, "alice")
        keys = ("2", "slash", *"since:30d", "enter")
        assert snap_compare(app, terminal_size=size, run_before=prepare(*keys))
