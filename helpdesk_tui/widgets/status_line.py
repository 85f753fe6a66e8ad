"""The status line: who acts, their unread notifications (DATE-4), the mail sync state
(TUI-3), on PostgreSQL the live updates' state (`team: live` / `team: reconnecting`,
TEAM-2), and on which database.

Given the `Desk`, the line counts the agent's unread notifications in a thread worker
(`Desk.unread_count`, one indexed count) when it is mounted and then every live interval
of the app (the change watcher's, 0.5 s: a notification written by another process shows
within 2 s), on whatever screen the agent is; when the count grew it raises a toast with
the newest one's text (a toast never takes focus; its text stays literal: `App.notify`).
"""

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.reactive import reactive
from textual.widgets import Static
from textual.worker import Worker

from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.widgets.case_pages import count_text
from helpdesk_tui.widgets.failure import report_failure

if TYPE_CHECKING:
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.readmodels import NotificationView

#: Until the mail issue lands there is no poller to report on.
SYNC_PLACEHOLDER = "mail: not configured"


#: How long a toast about a new notification stays (seconds).
TOAST_SECONDS = 8


def toast_for(newest: "NotificationView", grew_by: int) -> tuple[str, str]:
    """(title, message) of the toast about new notifications: the newest one's text."""
    title = "New notification" if grew_by == 1 else f"{grew_by} new notifications"
    where = f"{newest.case} " if newest.case is not None else ""
    message = newest.text.strip() or f"{newest.kind}: {where}{newest.subject}".strip()
    return title, message


class StatusLine(Static):
    """`alice · ● 3 new · mail: not configured · /path/to/helpdesk.sqlite`, on one line: a
    long path is cut at its start."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    user: reactive[str] = reactive("")
    database: reactive[str] = reactive("")
    sync: reactive[str] = reactive(SYNC_PLACEHOLDER)
    team: reactive[str] = reactive("")  # PostgreSQL only: `team: live` / `team: reconnecting`
    extra: reactive[str] = reactive("")
    unread: reactive[int] = reactive(0)

    def __init__(
        self,
        user: str,
        database: str,
        *,
        desk: "Desk | None" = None,
        id: str | None = None,  # noqa: A002
    ) -> None:
        """The line of `user` on `database`; with `desk`, it counts unread notifications."""
        super().__init__(id=id)
        self.set_reactive(StatusLine.user, user)
        self.set_reactive(StatusLine.database, database)
        self.desk = desk
        self._counted: int | None = None  # the last count read (None: none read yet)
        self._counting = False  # a count is under way: a tick meanwhile is skipped
        self._again = False  # count once more when the count under way arrives
        self.counts_shown = 0  # how many counts arrived (tests wait for ticks by it)

    def on_mount(self) -> None:
        """Show the line, with the sync state if the poller reported before we mounted."""
        label = getattr(self.app, "sync_label", None)  # the poller may have reported already
        if isinstance(label, str):
            self.set_reactive(StatusLine.sync, label)
        team = getattr(self.app, "team_label", None)  # the listener may have reported too
        if isinstance(team, str):
            self.set_reactive(StatusLine.team, team)
        self._show()
        if self.desk is None:  # a line that does not count shows the count of one that does
            counted = [
                line._counted
                for screen in self.app.screen_stack
                for line in screen.query(StatusLine)
                if line._counted is not None
            ]
            self.unread = counted[0] if counted else 0
        else:
            self.call_after_refresh(self.recount)  # after the first paint
            interval = getattr(self.app, "live_interval", 0)
            if isinstance(interval, int | float) and interval > 0:
                self.set_interval(interval, self._tick)

    def _tick(self) -> None:
        """The timer: count unless a count is under way (its result is as fresh)."""
        if not self._counting:
            self.recount()

    def recount(self) -> None:
        """Count the unread notifications again now (unless a count is under way; a line
        without a desk does nothing)."""
        if self.desk is None:
            return
        if self._counting:
            self._again = True  # the count under way may have read before the change
        else:
            self._counting = True
            self.count_unread()

    @work(
        thread=True,
        exclusive=True,
        group="unread",
        exit_on_error=False,
        description="count unread notifications",
    )
    def count_unread(self) -> None:
        """Count the unread notifications again; a toast names the newest if there are
        more than at the last count."""
        desk = self.desk
        if desk is None:
            return
        try:
            count = desk.unread_count()
            before = self._counted
            newest = None
            if before is not None and count > before:
                found = desk.notifications(unread_only=True, limit=1)
                newest = found[0] if found else None
        except BaseException:
            self._counting = False  # the next tick tries again
            raise
        self.app.call_from_thread(self._show_unread, count, before, newest)

    def _show_unread(
        self, count: int, before: int | None, newest: "NotificationView | None"
    ) -> None:
        self._counting = False
        if self._again:
            self._again = False
            self.call_later(self.recount)
        self._counted = count
        self.counts_shown += 1
        for screen in self.app.screen_stack:  # lines of other screens show the same count
            for line in screen.query(StatusLine):
                line.unread = count
        if newest is not None and before is not None:
            title, message = toast_for(newest, count - before)
            self.app.notify(message, title=title, timeout=TOAST_SECONDS)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed count is said in one line (the count shown stays)."""
        report_failure(self, event)

    def watch_user(self) -> None:
        """Another agent acts: show it."""
        self._show()

    def watch_database(self) -> None:
        """Another database label: show it."""
        self._show()

    def watch_sync(self) -> None:
        """The poller or the sender reported: show their state."""
        self._show()

    def watch_team(self) -> None:
        """The live updates' connection came or went: show it."""
        self._show()

    def watch_unread(self) -> None:
        """The unread count changed: show it."""
        self._show()

    def watch_extra(self) -> None:
        """The screen's own note changed: show it."""
        self._show()

    def on_resize(self) -> None:
        """The line is fitted to a width: fit it again."""
        self._show()

    def _show(self) -> None:
        line = Text()
        line.append(one_line(self.user), style="bold")
        line.append(" · ")
        if self.unread:
            line.append(f"● {count_text(self.unread)} new", style="bold")
            line.append(" · ")
        line.append(one_line(self.sync))
        if self.team:
            line.append(" · ")
            line.append(one_line(self.team))
        if self.extra:
            line.append(" · ")
            line.append(one_line(self.extra))
        line.append(" · ")
        # The database path goes last and gives way first: cut at its start (`…/x.sqlite`),
        # so the agent, the mail state and the file name stay on the one line.
        database = one_line(self.database)
        room = self.content_size.width - line.cell_len
        if self.content_size.width and cell_len(database) > room:
            database = "…" + database[len(database) - max(0, room - 1) :] if room > 1 else ""
        line.append(database)
        line.no_wrap = True
        line.overflow = "ellipsis"
        self.update(line)
