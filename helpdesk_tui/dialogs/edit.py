"""Edit a case's header fields; only what changed is returned (edit_case records old → new)."""

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Select, Static

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.dates import parse_date
from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.policy import CaseType
from helpdesk_tui.storage.reads import CaseSummary
from helpdesk_tui.widgets.untrusted import literal_line, plain


class EditDialog(Dialog[dict[str, object] | None]):
    """Subject, priority, type, due, reminder and owner of one open case."""

    FOCUS = "#edit-subject"

    def __init__(self, case: CaseSummary, types: Sequence[CaseType], *, today: date) -> None:
        """`case`'s fields filled in; `types` offered; dates read relative to `today`."""
        super().__init__(f"Edit {case.number}")
        self.case = case
        self.types = list(types)
        self.today = today

    def compose_body(self) -> ComposeResult:
        """One field per header value, filled with the case's."""
        case = self.case
        yield Static("Subject:", classes="field-label")
        yield Input(plain(case.subject), id="edit-subject")
        with Horizontal(classes="edit-row"):
            with Vertical():
                yield Static("Priority:", classes="field-label")
                yield Select(
                    [(Text(p.value), p.value) for p in Priority],
                    value=case.priority,
                    allow_blank=False,
                    id="edit-priority",
                )
            with Vertical():
                yield Static("Type:", classes="field-label")
                known = [t.key for t in self.types]
                options = [(literal_line(t.label), t.key) for t in self.types]
                if case.type not in known:
                    options.append((literal_line(case.type), case.type))
                yield Select(options, value=case.type, allow_blank=False, id="edit-type")
        with Horizontal(classes="edit-row"):
            with Vertical():
                yield Static("Due:", classes="field-label")
                yield Input(case.due.isoformat(), id="edit-due")
            with Vertical():
                yield Static("Reminder (empty: none):", classes="field-label")
                reminder = case.reminder.isoformat() if case.reminder else ""
                yield Input(reminder, id="edit-reminder")
            with Vertical():
                yield Static("Owner (empty: none):", classes="field-label")
                yield Input(case.owner or "", id="edit-owner")

    def result(self) -> dict[str, object] | None:
        """Only the fields that changed, by name (empty: nothing changed)."""
        case = self.case

        def text(field: str) -> str:
            return self.typed(f"edit-{field}")

        values: dict[str, object] = {}
        if text("subject") != plain(case.subject).strip():
            values["subject"] = text("subject")
        priority = self.query_one("#edit-priority", Select).value
        if priority != case.priority:
            values["priority"] = str(priority)
        type_key = self.query_one("#edit-type", Select).value
        if type_key != case.type:
            values["type"] = str(type_key)
        due = parse_date(text("due"), self.today)
        if due != case.due:
            values["due"] = due
        reminder = parse_date(text("reminder"), self.today) if text("reminder") else None
        if reminder != case.reminder:
            values["reminder"] = reminder
        owner = text("owner").lower() or None
        if owner != case.owner:
            values["owner"] = owner
        return values
