"""The status line: who acts, the mail sync state (TUI-3), and on which database."""

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from helpdesk_tui.domain.safe_text import one_line

#: Until the mail issue lands there is no poller to report on.
SYNC_PLACEHOLDER = "mail: not configured"


class StatusLine(Static):
    """`alice · mail: not configured · /path/to/helpdesk.sqlite`, on one line: a long
    path is cut at its start."""

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
    extra: reactive[str] = reactive("")

    def __init__(self, user: str, database: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.set_reactive(StatusLine.user, user)
        self.set_reactive(StatusLine.database, database)

    def on_mount(self) -> None:
        """Show the line, with the sync state if the poller reported before we mounted."""
        label = getattr(self.app, "sync_label", None)  # the poller may have reported already
        if isinstance(label, str):
            self.set_reactive(StatusLine.sync, label)
        self._show()

    def watch_user(self) -> None:
        """Another agent acts: show it."""
        self._show()

    def watch_database(self) -> None:
        """Another database label: show it."""
        self._show()

    def watch_sync(self) -> None:
        """The poller or the sender reported: show their state."""
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
        line.append(one_line(self.sync))
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
