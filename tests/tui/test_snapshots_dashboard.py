"""Snapshots of the dashboard (issue 15 §5 and §8 "dashboard snapshot") at 120×36 and
80×24: the tiles and the charts of the queue set for the lead, all groups and one group.

Frozen clock and the fixed queue data set (pilotkit); the status line's database path is
replaced by a fixed name. Regenerate with `--snapshot-update` and look at the SVGs.
"""

from collections.abc import Callable
from typing import Any

import pytest
from pilotkit import SIZE_IDS, SIZES, Data, make_app, settle
from textual.pilot import Pilot

from helpdesk_tui.widgets.status_line import StatusLine

SnapCompare = Callable[..., bool]


def press(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Open the dashboard from the queue, press `keys`, fix the status line."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in ("D", *keys):
            await pilot.press(key)
            await settle(pilot)
        for line in pilot.app.screen.query(StatusLine):
            line.database = "/data/helpdesk.sqlite"
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
class TestDashboard:
    def test_all_groups(
        self, size: tuple[int, int], queue_data: Data, snap_compare: SnapCompare
    ) -> None:
        app = make_app(queue_data, "lena")
        assert snap_compare(app, terminal_size=size, run_before=press())

    def test_group_billing(
        self, size: tuple[int, int], queue_data: Data, snap_compare: SnapCompare
    ) -> None:
        app = make_app(queue_data, "lena")
        assert snap_compare(app, terminal_size=size, run_before=press("g"))
