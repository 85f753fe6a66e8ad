"""Snapshots of the notification list (issue 13, DATE-4) at 120×36 and 80×24: the
Notifications tab of the activity screen with unread and read notifications, the count in
the status line.

Frozen clock and the fixed case data set (pilotkit); the status line's database path is
replaced by a fixed name. Regenerate with `--snapshot-update` and look at the SVGs.
"""

from collections.abc import Callable
from typing import Any

import pytest
from pilotkit import HOSTILE as HOSTILE_CASE
from pilotkit import (
    INVOICE,
    SIZE_IDS,
    SIZES,
    VPN,
    Data,
    make_app,
    off_loop,
    settle,
)
from textual.pilot import Pilot

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.widgets.status_line import StatusLine

SnapCompare = Callable[..., bool]


def notify_alice(data: Data) -> None:
    """Four notifications for alice from bob, minutes apart; the oldest already read."""
    bob = Desk(data.ctx, "bob")
    off_loop(bob.delegate, INVOICE, user="alice", comment="Bitte übernehmen, Kunde wartet.")
    off_loop(Desk(data.ctx, "alice").mark_all_read)
    data.clock.advance(minutes=3)
    off_loop(bob.record_activity, VPN, ActivityKind.COMMENT, "Router getauscht.")
    data.clock.advance(minutes=4)
    off_loop(bob.record_activity, HOSTILE_CASE, ActivityKind.COMMENT, "[b]fett?[/b] gesehen")
    data.clock.advance(minutes=5)
    off_loop(bob.record_activity, INVOICE, ActivityKind.COMMENT, "@alice kannst du das prüfen?")
    data.clock.advance(minutes=10)


async def show_notifications(pilot: Pilot[Any]) -> None:
    """Open the activity screen (`A`), its Notifications tab (`t`), fix the status line."""
    await settle(pilot)
    for key in ("A", "t"):
        await pilot.press(key)
        await settle(pilot)
    for line in pilot.app.screen.query(StatusLine):
        line.database = "/data/helpdesk.sqlite"
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
class TestNotifications:
    def test_the_list_with_unread_and_read(
        self, size: tuple[int, int], case_data: Data, snap_compare: SnapCompare
    ) -> None:
        notify_alice(case_data)
        app = make_app(case_data, "alice")
        assert snap_compare(app, terminal_size=size, run_before=show_notifications)

    def test_after_r_on_the_newest(
        self, size: tuple[int, int], case_data: Data, snap_compare: SnapCompare
    ) -> None:
        notify_alice(case_data)
        app = make_app(case_data, "alice")

        async def run_before(pilot: Pilot[Any]) -> None:
            await show_notifications(pilot)
            await pilot.press("r")
            await settle(pilot)

        assert snap_compare(app, terminal_size=size, run_before=run_before)
