"""The outbox (MAIL-5): outgoing mail not delivered yet — queued, retrying, failed, unknown.

Each row says why it waits (the server's answer, the next attempt). Within the undo window
a queued mail can be cancelled (`x`) or its text edited (`e`); a failed or "unknown —
resend?" mail goes out again only when an agent says so (`r`): nothing is resent silently.
"""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from helpdesk_tui.dialogs.text import TextDialog
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.messages import DataChanged
from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.widgets.key_footer import KeyFooter
from helpdesk_tui.widgets.untrusted import literal_line

if TYPE_CHECKING:
    from helpdesk_tui.storage.outbox import OutboxEntry

STATE_STYLES = {
    "queued": "cyan",
    "sending": "yellow",
    "retrying": "yellow",
    "failed": "bold red",
    "unknown": "bold magenta",
}


def entry_line(entry: "OutboxEntry", now: datetime) -> Text:
    """`0001234  queued (sends in 8 s)  kunde@acme.example  Re: [#0001234] …  reason`."""
    line = Text()
    line.append(str(entry.case or "to agent"), style="bold")
    line.append("  ")
    state = entry.state
    if state == "queued" and entry.send_after > now:
        state = f"queued (sends in {max(1, round((entry.send_after - now).total_seconds()))} s)"
    elif state == "retrying":
        state = f"retrying ({entry.attempts} tries; next {entry.send_after:%H:%M:%S})"
    elif state == "unknown":
        state = "unknown — resend?"
    line.append(f"{state:<28}", style=STATE_STYLES.get(entry.state, ""))
    line.append("  ")
    line.append_text(literal_line(entry.recipient, 30))
    line.append("  ")
    line.append_text(literal_line(entry.subject, 50))
    if entry.error:
        line.append("  ")
        line.append_text(literal_line(entry.error, 80, style="red"))
    return line


class OutboxScreen(WorkerScreen[None]):
    """Unsent mail; `x` cancel, `e` edit (undo window), `r` send again."""

    BINDING_GROUP_TITLE = "Outbox"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="outbox.back"),
        Binding("x", "cancel_mail", "Cancel", id="outbox.cancel"),
        Binding("e", "edit_mail", "Edit", id="outbox.edit"),
        Binding("r", "resend", "Send again", id="outbox.resend"),
        Binding("g", "reload", "Reload", id="outbox.reload", show=False),
    ]
    DEFAULT_CSS = """
    OutboxScreen #outbox-title { height: 1; background: $panel; padding: 0 1; }
    OutboxScreen #outbox-list { height: 1fr; }
    """

    def __init__(self, desk: Desk) -> None:
        """The unsent mail, read and acted on through `desk`."""
        super().__init__()
        self.desk = desk
        self.entries: list[OutboxEntry] = []

    def compose(self) -> ComposeResult:
        """Title, the unsent mail, keys."""
        yield Static(Text("Outbox", style="bold"), id="outbox-title")
        yield OptionList(id="outbox-list")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Read the outbox now and every second (countdowns and retries move)."""
        self.action_reload()
        self.set_interval(1.0, self.action_reload)  # the undo countdown and retries move

    def on_data_changed(self, _: DataChanged) -> None:
        """Someone committed (the sender, another agent): read again."""
        self.action_reload()

    @work(thread=True, exclusive=True, group="outbox", exit_on_error=False, description="outbox")
    def action_reload(self) -> None:
        """Read the outbox in a thread and show it."""
        desk = self.desk
        entries = desk.outbox()
        self.app.call_from_thread(self._show, entries, desk.now())

    def _show(self, entries: "list[OutboxEntry]", now: datetime) -> None:
        listing = self.query_one("#outbox-list", OptionList)
        keep = self.selected.id if self.selected else None
        self.entries = entries
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options([Option(entry_line(e, now), id=e.id.hex) for e in entries])
        title = f"Outbox · {len(entries)} unsent" if entries else "Outbox · nothing unsent"
        self.query_one("#outbox-title", Static).update(Text(title, style="bold"))
        if entries:
            index = next((i for i, e in enumerate(entries) if e.id == keep), highlighted or 0)
            listing.highlighted = min(index, len(entries) - 1)

    @property
    def selected(self) -> "OutboxEntry | None":
        """The highlighted mail."""
        index = self.query_one("#outbox-list", OptionList).highlighted
        return self.entries[index] if index is not None and index < len(self.entries) else None

    def action_cancel_mail(self) -> None:
        """`x`: a queued mail within its undo window is not sent."""
        self._act(self.desk.cancel_mail, "cancelled")

    def action_resend(self) -> None:
        """`r`: a failed or unknown mail goes out again (the agent decided)."""
        self._act(self.desk.resend_mail, "queued again")

    def action_edit_mail(self) -> None:
        """`e`: change the text of a queued mail within its undo window."""
        entry = self.selected
        if entry is None:
            return
        heading = Text("Edit the mail to ").append_text(literal_line(entry.recipient))
        dialog = TextDialog(heading, multiline=True)

        def edited(text: str | None) -> None:
            if text:
                self._act(lambda entry_id: self.desk.edit_mail(entry_id, text), "edited")

        self.app.push_screen(dialog, edited)

    def _act(self, call: Callable[[uuid.UUID], object], done: str) -> None:
        entry = self.selected
        if entry is None:
            self.notify("No mail selected", severity="warning")
            return
        self._run(call, entry.id, f"{entry.case or entry.recipient}: mail {done}")

    @work(thread=True, group="outbox", exit_on_error=False, description="outbox action")
    def _run(self, call: Callable[[uuid.UUID], object], entry_id: uuid.UUID, done: str) -> None:
        try:
            call(entry_id)
        except DomainError as error:
            self.app.call_from_thread(self.notify, error.message, severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, done, markup=False)
        self.app.call_from_thread(self.action_reload)
