"""Change the status (CASE-4); Waiting demands a comment and a reminder date (CASE-5)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from helpdesk_tui.dialogs.base import Dialog, highlighted_id
from helpdesk_tui.domain.dates import parse_date
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.errors import ValidationError

LABELS = {
    Status.OPEN: "Open",
    Status.IN_PROGRESS: "In progress",
    Status.WAITING: "Waiting (comment and reminder date required)",
    Status.CLOSED: "Closed (asks for a resolution)",
}
WAITING_COMMENT = "waiting needs a comment: what is awaited, from whom, until when"
WAITING_REMINDER = "waiting needs a reminder date"


@dataclass(frozen=True)
class StatusChoice:
    """The status picked, with the comment and reminder that go with it."""

    target: Status
    comment: str = ""
    reminder: date | None = None


class StatusDialog(Dialog[StatusChoice | None]):
    """Offers the statuses the workflow allows; dismisses with a StatusChoice or None."""

    FOCUS = "#status-targets"

    def __init__(
        self,
        heading: Text | str,
        targets: Sequence[Status],
        *,
        today: date,
        current: str | None = None,
    ) -> None:
        """Offers `targets`; dates are read relative to `today`; `current` is shown."""
        super().__init__(heading)
        self.targets = list(targets)
        self.today = today
        self.current = current

    def compose_body(self) -> ComposeResult:
        """The current status, the choices, then comment and reminder date."""
        if self.current:
            yield Static(Text(f"now: {self.current}"), classes="detail")
        yield OptionList(
            *(Option(Text(LABELS[t]), id=t.value) for t in self.targets), id="status-targets"
        )
        yield Static("Comment (what is awaited, from whom, until when):", classes="field-label")
        yield Input(id="status-comment", placeholder="e.g. spare part from ACME, until Friday")
        yield Static("Reminder date:", classes="field-label")
        yield Input(id="status-reminder", placeholder="YYYY-MM-DD, +3d, +2w or today")

    def on_mount(self) -> None:
        """The first status is highlighted (the base class focuses the list)."""
        if self.is_built:
            self.query_one(OptionList).highlighted = 0

    @property
    def target(self) -> Status | None:
        """The highlighted status."""
        option_id = highlighted_id(self.query_one(OptionList))
        return Status(option_id) if option_id else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a status: done, unless Waiting still needs its comment and date."""
        event.stop()
        if self.target is Status.WAITING:
            comment = self.query_one("#status-comment", Input)
            reminder = self.query_one("#status-reminder", Input)
            if not comment.value.strip():
                comment.focus()
                return
            if not reminder.value.strip():
                reminder.focus()
                return
        self.action_submit()

    def result(self) -> StatusChoice | None:
        """The status with its comment and reminder (Waiting requires both)."""
        target = self.target
        if target is None:
            raise ValidationError("no status to change to")
        comment = self.typed("status-comment")
        reminder_text = self.typed("status-reminder")
        reminder = parse_date(reminder_text, self.today) if reminder_text else None
        if target is Status.WAITING:
            if not comment:
                raise ValidationError(WAITING_COMMENT)
            if reminder is None:
                raise ValidationError(WAITING_REMINDER)
        return StatusChoice(target, comment, reminder)
