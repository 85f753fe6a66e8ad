"""The agent's notifications (DATE-4), newest first: the second tab of the activity screen.

Each row: a mark if unread (`●`, and bold), when, what kind, the case and its subject, who
caused it and the notification's text — all untrusted text literal (SEC-2). `enter` opens
the case and marks the notification read, `r` marks the highlighted one read, `R` all,
`m` cycles how they reach me by mail (default, off, each, digest).
The list is read through `Desk.notifications` in a thread worker, on mount, on `reload()`
and on `DataChanged` (the screen showing it passes that on).
"""

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker

from helpdesk_tui.domain.notification_mail import next_choice
from helpdesk_tui.messages import DataChanged, OpenCaseRequested
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.readmodels import NotificationView
from helpdesk_tui.widgets.failure import report_failure
from helpdesk_tui.widgets.status_line import StatusLine
from helpdesk_tui.widgets.untrusted import literal_line

#: How a kind reads in the list (a kind not named here shows as stored).
KIND_LABELS = {
    "delegated": "delegated",
    "changed": "changed",
    "closed_activity": "closed case",
    "mention": "mentioned",
    "reminder": "reminder",
    "overdue": "overdue",
    "sla_warning": "SLA warning",
    "sla_breach": "SLA breach",
}
#: The widest label, so the case numbers line up.
KIND_WIDTH = max(len(label) for label in KIND_LABELS.values())
UNREAD_MARK = "●"
NO_MARK = "\u00a0"
#: Notifications read at once (the newest; older ones are marked read with `R`).
LIMIT = 200


def notification_line(item: NotificationView) -> Text:
    """`● 2026-11-23 09:05  delegated    0000002 Rechnung doppelt · bob · <text>`."""
    line = Text(no_wrap=True, overflow="ellipsis", style="" if item.read else "bold")
    # A no-break space where a read one has no mark: leading spaces would be dropped.
    line.append(f"{NO_MARK if item.read else UNREAD_MARK} ")
    line.append(item.at.astimezone().strftime("%Y-%m-%d %H:%M"))
    line.append("  ")
    line.append(literal_line(KIND_LABELS.get(item.kind, item.kind)).plain.ljust(KIND_WIDTH))
    line.append("  ")
    if item.case is not None:
        line.append(str(item.case))
        line.append(" ")
        line.append_text(literal_line(item.subject, 50))
    if item.by:
        line.append(" · ")
        line.append_text(literal_line(item.by, 30))
    if item.text.strip():
        line.append(" · ")
        line.append_text(literal_line(item.text, 200))
    return line


class NotificationList(OptionList):
    """The acting agent's notifications, newest first; unread ones marked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "mark_read", "Read", id="notifications.read"),
        Binding("R", "mark_all_read", "All read", id="notifications.all_read"),
        Binding("m", "mail_choice", "Mail me", id="notifications.mail"),
    ]
    DEFAULT_CSS = """
    NotificationList { height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, desk: Desk, *, id: str | None = None) -> None:  # noqa: A002
        """The notifications of `desk`'s agent, read and marked through `desk`."""
        super().__init__(id=id)
        self.desk = desk
        self.items: list[NotificationView] = []
        self.loaded = False  # False until the first read arrived

    def on_mount(self) -> None:
        """Say that the list is being read, and read it."""
        self.border_title = "Notifications"
        self.add_option(Option(Text("reading notifications…")))
        self.reload()

    # -- reading ---------------------------------------------------------------------
    @work(
        thread=True,
        exclusive=True,
        group="notifications",
        exit_on_error=False,
        description="read notifications",
    )
    def reload(self) -> None:
        """Read the notifications again (off the event loop)."""
        items = self.desk.notifications(limit=LIMIT)
        self.app.call_from_thread(self.show, items)

    def on_data_changed(self, _: DataChanged) -> None:
        """Someone committed: read again (a notification may have come or been read)."""
        self.reload()

    def show(self, items: Sequence[NotificationView]) -> None:
        """Show `items` (newest first), keeping the highlighted one where it still is."""
        current = self.current
        self.items = list(items)
        self.loaded = True
        self.clear_options()
        if not self.items:
            self.add_option(Option(Text("No notifications.")))
        else:
            self.add_options([Option(notification_line(i), id=str(i.id)) for i in self.items])
        ids = [item.id for item in self.items]
        self.highlighted = ids.index(current.id) if current and current.id in ids else 0
        unread = self.unread
        self.border_title = f"Notifications · {unread} unread" if unread else "Notifications"

    @property
    def unread(self) -> int:
        """How many of the shown notifications are unread."""
        return sum(not item.read for item in self.items)

    @property
    def current(self) -> NotificationView | None:
        """The highlighted notification (None in an empty list)."""
        index = self.highlighted
        if index is None or not 0 <= index < len(self.items):
            return None
        return self.items[index]

    # -- acting ----------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """enter: open the notification's case and mark the notification read."""
        if event.option_list is not self:
            return
        event.stop()
        item = self.current
        if item is None:
            return
        if item.case is not None:
            self.post_message(OpenCaseRequested(item.case))
        if not item.read:
            self._mark([item.id])

    def action_mark_read(self) -> None:
        """r: mark the highlighted notification read."""
        item = self.current
        if item is not None and not item.read:
            self._mark([item.id])

    def action_mark_all_read(self) -> None:
        """R: mark every notification of the agent read."""
        if self.items:
            self._mark(None)

    def action_mail_choice(self) -> None:
        """m: the next way notifications reach me by mail (default → off → each →
        digest → default); the toast says what it now is."""
        self._cycle_mail_choice()

    @work(thread=True, group="notifications-mail", exit_on_error=False, description="mail choice")
    def _cycle_mail_choice(self) -> None:
        desk = self.desk
        said = desk.set_mail_choice(next_choice(desk.mail_choice()))
        self.app.call_from_thread(self.notify, " — ".join(said), markup=False)

    def _mark(self, ids: list[uuid.UUID] | None) -> None:
        """Show them read at once, then write it (None: all of them)."""
        self.show(
            [
                replace(item, read=True) if ids is None or item.id in ids else item
                for item in self.items
            ]
        )
        self._write_read(ids)

    @work(thread=True, group="notifications-read", exit_on_error=False, description="mark read")
    def _write_read(self, ids: list[uuid.UUID] | None) -> None:
        desk = self.desk
        if ids is None:
            desk.mark_all_read()
        else:
            desk.mark_read(ids)
        self.app.call_from_thread(self._written)

    def _written(self) -> None:
        """Read the list again; the status lines count again (not waiting for a tick)."""
        self.reload()
        for screen in self.app.screen_stack:
            for line in screen.query(StatusLine):
                line.recount()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed read or write is said in one line."""
        report_failure(self, event)
