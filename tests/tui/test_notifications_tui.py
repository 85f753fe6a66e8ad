"""DATE-4 in the TUI: the unread count in the status line, a toast that never takes focus
when another process notifies the agent, and the notification list (enter opens the case
and marks it read, `r` one read, `R` all read)."""

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pilotkit import (
    INVOICE,
    VPN,
    Data,
    notifications,
    off_loop,
    running,
    screen_text,
    settle,
)
from support import Clock, sync
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.notification_mail import MailChoice
from helpdesk_tui.messages import DataChanged, OpenCaseRequested
from helpdesk_tui.screens.activity import ActivityScreen
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.readmodels import NotificationView
from helpdesk_tui.widgets.notification_list import NotificationList, notification_line
from helpdesk_tui.widgets.status_line import StatusLine

#: TUI-3 / issue 13: another process's change shows within 2 s.
LIVE_BUDGET = 2.0
HOSTILE = "[bold red]boom[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07 done"


async def until(pilot: Pilot[Any], condition: Callable[[], bool], budget: float) -> float:
    """Seconds until `condition()` holds, pressing no key (fails after `budget`)."""
    started = time.monotonic()
    while time.monotonic() - started < budget:
        if condition():
            return time.monotonic() - started
        await asyncio.sleep(0.05)  # polling: the app runs meanwhile
    raise AssertionError(f"not within {budget} s")


def elsewhere(data: Data, user: str) -> Desk:
    """A desk of `user` in "another process": its own context on the same file."""
    return Desk(Context(locate(str(data.path)), clock=Clock(data.clock.now)), user)


def unread(data: Data, user: str = "alice") -> list[NotificationView]:
    return off_loop(Desk(data.ctx, user).notifications, unread_only=True)


def status(app: App[Any]) -> StatusLine:
    """The queue's status line (whatever screen is on top)."""
    return next(line for screen in app.screen_stack for line in screen.query(StatusLine))


@sync
async def test_bob_delegates_elsewhere_alice_sees_toast_and_count_within_2_s(
    case_data: Data,
) -> None:
    before = len(unread(case_data))
    async with running(case_data, "alice", live_interval=0.25, notifications=True) as (
        app,
        pilot,
    ):
        await until(pilot, lambda: status(app).counts_shown > 0, LIVE_BUDGET)
        assert status(app).unread == before
        focused = app.focused
        bob = elsewhere(case_data, "bob")
        try:
            off_loop(bob.delegate, INVOICE, user="alice", comment="Bitte übernehmen")
        finally:
            bob.ctx.dispose()
        took = await until(
            pilot,
            lambda: (
                f"● {before + 1} new" in screen_text(pilot)
                and any("Bitte übernehmen" in n for n in notifications(pilot))
            ),
            LIVE_BUDGET,
        )
        assert took < LIVE_BUDGET
        toast = next(n for n in pilot.app._notifications if "Bitte übernehmen" in n.message)
        assert toast.title == "New notification"
        assert "bob" in toast.message
        assert str(INVOICE) in toast.message
        assert app.focused is focused  # the toast took no focus
        await until(pilot, lambda: "Bitte übernehmen" in screen_text(pilot), 1)  # painted


@sync
async def test_own_changes_and_reads_raise_no_toast(case_data: Data) -> None:
    async with running(case_data, "alice", live_interval=0.25) as (app, pilot):
        line = status(app)
        await until(pilot, lambda: line.counts_shown > 0, LIVE_BUDGET)
        shown = len(notifications(pilot))
        alice = Desk(case_data.ctx, "alice")
        off_loop(alice.record_activity, VPN, ActivityKind.COMMENT, "my own note @alice")
        off_loop(alice.delegate, INVOICE, user="alice", comment="mine now")
        ticks = line.counts_shown
        await until(pilot, lambda: line.counts_shown >= ticks + 3, LIVE_BUDGET)  # 3 counts
        assert len(notifications(pilot)) == shown
        assert line.unread == 0
        assert "new ·" not in screen_text(pilot)


@sync
async def test_a_hostile_notification_text_stays_text_in_toast_and_list(
    case_data: Data,
) -> None:
    async with running(case_data, "alice", live_interval=0.25, notifications=True) as (
        app,
        pilot,
    ):
        await until(pilot, lambda: status(app).counts_shown > 0, LIVE_BUDGET)
        bob = elsewhere(case_data, "bob")
        try:
            off_loop(bob.record_activity, VPN, ActivityKind.COMMENT, f"@alice {HOSTILE}")
        finally:
            bob.ctx.dispose()
        await until(pilot, lambda: status(app).unread == 1, LIVE_BUDGET)
        await until(pilot, lambda: any("boom" in n for n in notifications(pilot)), 1)
        toast = next(n.message for n in pilot.app._notifications if "boom" in n.message)
        await until(pilot, lambda: "[bold red]boom[/]" in screen_text(pilot), 1)  # painted
        for shown in (toast, screen_text(pilot)):
            assert "[bold red]boom[/]" in shown  # markup stays text
            assert "\x1b" not in shown
            assert "\x07" not in shown
            assert "ZXZpbA" not in shown


class ListApp(App[None]):
    """The notification list alone (the activity screen mounts it as a tab)."""

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.opened: list[object] = []

    def compose(self) -> ComposeResult:
        yield NotificationList(self.desk)

    def on_open_case_requested(self, event: OpenCaseRequested) -> None:
        self.opened.append(event.number)


def _notify_alice(data: Data) -> None:
    """Three notifications for alice, by bob, a minute apart (newest: the mention)."""
    bob = Desk(data.ctx, "bob")
    off_loop(bob.delegate, INVOICE, user="alice", comment="Übergabe")
    data.clock.advance(minutes=1)
    off_loop(bob.record_activity, VPN, ActivityKind.COMMENT, "ein Kommentar")
    data.clock.advance(minutes=1)
    off_loop(bob.record_activity, INVOICE, ActivityKind.COMMENT, "@alice schau mal")


@sync
async def test_the_list_newest_first_enter_opens_and_marks_read(case_data: Data) -> None:
    _notify_alice(case_data)
    items = unread(case_data)
    assert [i.kind for i in items][:3] == ["mention", "changed", "delegated"]
    app = ListApp(Desk(case_data.ctx, "alice"))
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        listing = app.query_one(NotificationList)
        assert [i.id for i in listing.items] == [i.id for i in items]
        text = screen_text(pilot)
        assert text.index("mentioned") < text.index("changed") < text.index("delegated")
        assert "● " in text
        assert listing.border_title == f"Notifications · {len(items)} unread"
        listing.focus()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.opened == [VPN]
        assert [i.id for i in unread(case_data)] == [items[0].id, *[i.id for i in items[2:]]]
        assert listing.items[1].read
        assert not listing.items[0].read


@sync
async def test_r_marks_the_highlighted_read_and_R_all(case_data: Data) -> None:
    _notify_alice(case_data)
    items = unread(case_data)
    app = ListApp(Desk(case_data.ctx, "alice"))
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        listing = app.query_one(NotificationList)
        listing.focus()
        await pilot.press("r")
        await settle(pilot)
        assert [i.id for i in unread(case_data)] == [i.id for i in items[1:]]
        assert app.opened == []  # r opens nothing
        await pilot.press("R")
        await settle(pilot)
        assert unread(case_data) == []
        assert all(i.read for i in listing.items)
        assert len(listing.items) == len(items)
        assert "●" not in screen_text(pilot)
        assert listing.border_title == "Notifications"


@sync
async def test_the_list_reads_again_on_data_changed(case_data: Data) -> None:
    app = ListApp(Desk(case_data.ctx, "alice"))
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        listing = app.query_one(NotificationList)
        assert listing.items == []
        assert "No notifications." in screen_text(pilot)
        _notify_alice(case_data)
        listing.post_message(DataChanged())
        await settle(pilot)
        assert len(listing.items) == len(unread(case_data)) > 0


def test_a_line_is_one_literal_line() -> None:
    item = NotificationView(
        id=uuid.uuid4(),
        kind="mention",
        case=INVOICE,
        subject="[b]Rechnung[/b]",
        at=datetime(2026, 11, 23, 9, 5, tzinfo=UTC),
        by="bob",
        text=f"bob mentioned you\n{HOSTILE}",
        read=False,
    )
    line = notification_line(item)
    assert line.plain.startswith("● 2026-11-23 09:05  mentioned")
    assert "[b]Rechnung[/b]" in line.plain
    assert "\n" not in line.plain
    assert "\x1b" not in line.plain
    assert "\x07" not in line.plain
    assert line.style == "bold"
    read = notification_line(replace(item, read=True))
    assert read.style == ""
    assert read.plain.startswith("\u00a0 2026-11-23 09:05")


@sync
async def test_the_activity_screens_tab_opens_the_case_and_the_count_follows(
    case_data: Data,
) -> None:
    _notify_alice(case_data)
    items = unread(case_data)
    async with running(case_data, "alice", live_interval=0.25) as (app, pilot):
        line = status(app)
        await until(pilot, lambda: line.unread == len(items), LIVE_BUDGET)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        assert app.screen.query_one(StatusLine).unread == len(items)  # shown there too
        await pilot.press("t")
        await settle(pilot)
        listing = app.screen.query_one(NotificationList)
        assert app.focused is listing
        assert listing.current is not None
        assert listing.current.id == items[0].id  # the newest: the mention on INVOICE
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == INVOICE
        await until(pilot, lambda: line.unread == len(items) - 1, LIVE_BUDGET)
        # Another agent's note arrives while the list is shown: it reads again.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ActivityScreen)
        case_data.clock.advance(minutes=1)  # newer than the mention
        bob = elsewhere(case_data, "bob")
        try:
            off_loop(bob.record_activity, VPN, ActivityKind.COMMENT, "noch eine Notiz")
        finally:
            bob.ctx.dispose()
        await until(pilot, lambda: len(listing.items) == len(items) + 1, LIVE_BUDGET)
        assert "noch eine Notiz" in listing.items[0].text


@sync
async def test_m_cycles_my_notification_mail_and_says_why_none_goes(case_data: Data) -> None:
    desk = Desk(case_data.ctx, "alice", mail_default=MailChoice.DIGEST)
    app = ListApp(desk)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        app.query_one(NotificationList).focus()
        said = []
        for _ in range(4):
            await pilot.press("m")
            await settle(pilot)
            said.append(notifications(pilot)[-1])
            stored = off_loop(desk.mail_choice)
            assert str(stored or "the configured default") in said[-1]
        assert said[0] == "notification mail: off (your choice)"
        assert said[1].startswith("notification mail: each (your choice) — but no [smtp]")
        assert said[2].startswith("notification mail: digest (your choice)")
        assert said[3].startswith("notification mail: digest (the configured default)")
        assert off_loop(desk.mail_choice) is None
