"""Reopen a closed case (CASE-7): why (optional), and the new due and reminder dates.

The dates are filled with today + the configured days, so a reopened case does not come
back overdue; the agent may type others. A date left as offered is not sent, so the
domain's own default applies (a sub-case's due stops at its parent's).
"""

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input, Static

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.errors import ValidationError


@dataclass(frozen=True)
class ReopenChoice:
    """Why the case is reopened and its new dates (None: the default)."""

    comment: str = ""
    due: date | None = None
    reminder: date | None = None


class ReopenDialog(Dialog[ReopenChoice | None]):
    """Asks why and until when; dismisses with a ReopenChoice or None."""

    FOCUS = "#reopen-comment"
    FIELDS: ClassVar[dict[str, str]] = {
        "comment": "reopen-comment",
        "due": "reopen-due",
        "reminder": "reopen-reminder",
    }

    def __init__(self, label: str, *, today: date, due: date, reminder: date) -> None:
        """`label` names the case(s): `0001234` or `3 cases`; `due` and `reminder` are the
        defaults offered; dates typed are read relative to `today`."""
        super().__init__(f"Reopen {label}")
        self.today = today
        self.default_due = due
        self.default_reminder = reminder

    def compose_body(self) -> ComposeResult:
        """Why, then the new due and reminder dates."""
        yield Static("Why? (optional)", classes="field-label")
        yield Input(id="reopen-comment", placeholder="e.g. the customer reports the problem again")
        yield self.field_error("reopen-comment")
        yield Static("New due date:", classes="field-label")
        yield Input(self.default_due.isoformat(), id="reopen-due", placeholder="YYYY-MM-DD, +3d")
        yield self.field_error("reopen-due")
        yield Static("New reminder date:", classes="field-label")
        yield Input(
            self.default_reminder.isoformat(), id="reopen-reminder", placeholder="YYYY-MM-DD, +3d"
        )
        yield self.field_error("reopen-reminder")

    def result(self) -> ReopenChoice | None:
        """The comment and the dates the agent changed (each None when left as offered)."""
        due = self.typed_date("reopen-due", self.today)
        reminder = self.typed_date("reopen-reminder", self.today)
        if due is None:
            raise ValidationError("a reopened case needs a due date", field="due")
        if reminder is None:
            raise ValidationError("a reopened case needs a reminder date", field="reminder")
        return ReopenChoice(
            self.typed("reopen-comment"),
            None if due == self.default_due else due,
            None if reminder == self.default_reminder and due == self.default_due else reminder,
        )
