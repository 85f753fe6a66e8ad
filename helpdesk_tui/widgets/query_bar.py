"""The query bar (`/`): VIEW-1 filters and full-text words, applied on Enter."""

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

PLACEHOLDER = 'status:open prio:high @me type:complaint overdue "printer jam"'


class QueryBar(Input):
    """An input that narrows the current view; Esc gives up the edit."""

    DEFAULT_CSS = """
    QueryBar {
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
        display: none;
    }
    QueryBar.-active, QueryBar.-applied {
        display: block;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="query.cancel"),
    ]

    class Cancelled(Message):
        """Esc in the bar: keep the query that was applied before."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(placeholder=PLACEHOLDER, id=id, select_on_focus=False)
        self.applied = ""

    def open(self) -> None:
        """Show the bar and type into it."""
        self.add_class("-active")
        self.focus()
        self.cursor_position = len(self.value)

    def close(self, applied: str) -> None:
        """Hide the bar unless a query is in force (then it stays as a reminder)."""
        self.applied = applied
        self.value = applied
        self.remove_class("-active")
        self.set_class(bool(applied), "-applied")

    def action_cancel(self) -> None:
        """Esc: back to the applied query."""
        self.post_message(self.Cancelled())
