"""The status line: who acts, on which database, and the mail sync state (TUI-3)."""

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from helpdesk_tui.domain.safe_text import one_line

#: Until the mail issue lands there is no poller to report on.
SYNC_PLACEHOLDER = "mail: not configured"


class StatusLine(Static):
    """`alice · /path/to/helpdesk.sqlite · mail: not configured`, and a position on the right."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
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

    def _show(self) -> None:
        line = Text()
        line.append(one_line(self.user), style="bold")
        line.append(" · ")
        line.append(one_line(self.database))
        line.append(" · ")
        line.append(one_line(self.sync))
        if self.extra:
            line.append(" · ")
            line.append(one_line(self.extra))
        self.update(line)
