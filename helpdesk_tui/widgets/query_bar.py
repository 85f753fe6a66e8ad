"""The query bar (`/`): VIEW-1 filters, case numbers and full-text words, narrowing the list
as they are typed; ↑/↓ recall the queries applied before (kept for the session)."""

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, Static

from helpdesk_tui.widgets.untrusted import literal_line

PLACEHOLDER = 'status:open prio:high @me type:complaint overdue "printer jam" 0001234'
#: Queries kept for ↑/↓ (the oldest go first).
HISTORY = 100


class QueryBar(Input):
    """A one-line input that narrows the current view; Esc gives up the edit."""

    DEFAULT_CSS = """
    QueryBar, QueryBar:focus {
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
        Binding("up", "recall(-1)", "Earlier query", id="query.earlier"),
        Binding("down", "recall(1)", "Later query", id="query.later"),
    ]

    class Cancelled(Message):
        """Esc in the bar: back to the view as it was before the bar opened."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(placeholder=PLACEHOLDER, id=id, select_on_focus=False)
        self.applied = ""
        self.history: list[str] = []
        self._recalled: int | None = None  # index into history while ↑/↓ walk it
        self._draft = ""  # what was typed before ↑ walked away from it

    @property
    def active(self) -> bool:
        """Whether the bar is open for typing."""
        return self.has_class("-active")

    def open(self) -> None:
        """Show the bar and type into it."""
        self._recalled = None
        self.add_class("-active")
        self.focus()
        self.cursor_position = len(self.value)

    def close(self, applied: str) -> None:
        """Hide the bar unless a query is in force (then it stays as a reminder)."""
        self.applied = applied
        self.value = applied
        self.remove_class("-active")
        self.set_class(bool(applied), "-applied")

    def remember(self, text: str) -> None:
        """Keep an applied query for ↑ (once, as the newest)."""
        if not text:
            return
        if text in self.history:
            self.history.remove(text)
        self.history.append(text)
        del self.history[:-HISTORY]

    def action_recall(self, step: int) -> None:
        """↑ (-1) / ↓ (+1): an earlier or later query of this session; below the newest
        comes back what was being typed."""
        if not self.history:
            return
        if self._recalled is None:
            if step > 0:
                return
            self._draft = self.value
            index = len(self.history) - 1
            if self.history[index] == self.value:  # the query shown is no recall
                index -= 1
        else:
            index = self._recalled + step
        if index < 0:
            return
        if index >= len(self.history):
            self._recalled = None
            self.value = self._draft
        else:
            self._recalled = index
            self.value = self.history[index]
        self.cursor_position = len(self.value)

    def action_cancel(self) -> None:
        """Esc: back to the applied query."""
        self.post_message(self.Cancelled())


class QueryNote(Static):
    """The one line under the query bar: why what is typed cannot narrow the list."""

    DEFAULT_CSS = """
    QueryNote {
        height: 1;
        padding: 0 1;
        color: $text-error;
        background: $boost;
        display: none;
    }
    QueryNote.-shown {
        display: block;
    }
    """

    def say(self, message: str) -> None:
        """Show `message` (literal text, one line); "" hides the line."""
        self.update(literal_line(message) if message else Text())
        self.set_class(bool(message), "-shown")

    @property
    def message(self) -> str:
        """The line shown now ("" when hidden)."""
        return str(self.render()) if self.has_class("-shown") else ""
