"""Change the status (CASE-4); Waiting demands a comment and a reminder date (CASE-5).

The statuses are always listed in the workflow's one order (Open, In progress, Waiting,
Closed); those the workflow does not allow for the case(s) are greyed, not left out, so
`s ↓` means the same status everywhere. For one case the dialog shows its due date and
lets the agent move it with the wait (the reminder may not pass the due).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from helpdesk_tui.dialogs.base import Dialog, highlighted_id
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.errors import ValidationError

LABELS = {
    Status.OPEN: "Open",
    Status.IN_PROGRESS: "In progress",
    Status.WAITING: "Waiting (comment and reminder date required)",
    Status.CLOSED: "Closed (asks for a resolution)",
}
#: The one order the statuses are listed in.
ORDER = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING, Status.CLOSED)
WAITING_COMMENT = "waiting needs a comment: what is awaited, from whom, until when"
WAITING_REMINDER = "waiting needs a reminder date"


@dataclass(frozen=True)
class StatusChoice:
    """The status picked, with the comment, reminder and (moved) due that go with it."""

    target: Status
    comment: str = ""
    reminder: date | None = None
    due: date | None = None
    """A new due date; None: the due stays."""


def status_label(status: Status, allowed: bool, current: bool) -> Text:
    """`Waiting (…)`, greyed with the reason when not allowed."""
    if allowed:
        return Text(LABELS[status])
    why = "now" if current else "not allowed"
    return Text(f"{LABELS[status]} — {why}")


class StatusDialog(Dialog[StatusChoice | None]):
    """Offers the statuses the workflow allows; dismisses with a StatusChoice or None."""

    FOCUS = "#status-targets"
    FIELDS: ClassVar[dict[str, str]] = {
        "comment": "status-comment",
        "reminder": "status-reminder",
        "due": "status-due",
    }

    def __init__(
        self,
        heading: Text | str,
        targets: Collection[Status],
        *,
        today: date,
        current: str | None = None,
        due: date | None = None,
    ) -> None:
        """Lists every status, `targets` (the allowed ones) selectable; dates are read
        relative to `today`; `current` is shown; `due` (one case) can be moved."""
        super().__init__(heading)
        self.allowed = set(targets)
        self.targets = [s for s in ORDER if s in self.allowed]
        self.today = today
        self.current = current
        self.due = due

    def compose_body(self) -> ComposeResult:
        """The current status, the choices, then comment, reminder and due dates."""
        if self.current:
            yield Static(Text(f"now: {self.current}"), classes="detail")
        yield OptionList(
            *(
                Option(
                    status_label(s, s in self.allowed, s.value == self.current),
                    id=s.value,
                    disabled=s not in self.allowed,
                )
                for s in ORDER
            ),
            id="status-targets",
        )
        yield Static("Comment (what is awaited, from whom, until when):", classes="field-label")
        yield Input(id="status-comment", placeholder="e.g. spare part from ACME, until Friday")
        yield self.field_error("status-comment")
        yield Static("Reminder date:", classes="field-label")
        yield Input(id="status-reminder", placeholder="YYYY-MM-DD, +3d, +2w or today")
        yield self.field_error("status-reminder")
        if self.due is not None:
            past = " (past)" if self.due < self.today else ""
            yield Static(
                Text(f"Due date: {self.due}{past} — move it if the wait outlasts it:"),
                classes="field-label",
            )
            yield Input(self.due.isoformat(), id="status-due", placeholder="YYYY-MM-DD, +3d")
            yield self.field_error("status-due")

    def on_mount(self) -> None:
        """The first allowed status is highlighted (the base class focuses the list)."""
        if self.is_built:
            options = self.query_one(OptionList)
            first = next((i for i, s in enumerate(ORDER) if s in self.allowed), None)
            options.highlighted = first

    @property
    def target(self) -> Status | None:
        """The highlighted status."""
        option_id = highlighted_id(self.query_one(OptionList))
        return Status(option_id) if option_id else None

    def _missing_for_waiting(self) -> Input | None:
        """The first field Waiting still needs, if any."""
        if self.target is not Status.WAITING:
            return None
        for input_id in ("status-comment", "status-reminder"):
            field = self.query_one(f"#{input_id}", Input)
            if not field.value.strip():
                return field
        return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a status: done, unless Waiting still needs its comment and date."""
        event.stop()
        missing = self._missing_for_waiting()
        if missing is not None:
            missing.focus()
            return
        self.action_submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field: on to the next field Waiting still needs, else submit (so a
        date typed next goes into the date field, not onto the comment)."""
        event.stop()
        event.prevent_default()  # instead of the base class's Enter, not as well
        missing = self._missing_for_waiting()
        if missing is not None and missing is not event.input:
            missing.focus()
            return
        self.action_submit()

    def result(self) -> StatusChoice | None:
        """The status with its comment, reminder and due (Waiting requires the first two)."""
        target = self.target
        if target is None or target not in self.allowed:
            raise ValidationError("no status to change to")
        comment = self.typed("status-comment")
        reminder = self.typed_date("status-reminder", self.today)
        due = self.typed_date("status-due", self.today) if self.due is not None else None
        if target is Status.WAITING:
            if not comment:
                raise ValidationError(WAITING_COMMENT, field="comment")
            if reminder is None:
                raise ValidationError(WAITING_REMINDER, field="reminder")
        if due is None and self.due is not None:
            raise ValidationError("the case needs a due date", field="due")
        moved = due if due != self.due else None
        return StatusChoice(target, comment, reminder, moved)
