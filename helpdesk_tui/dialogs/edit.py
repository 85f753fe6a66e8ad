"""Edit a case's header fields and the custom fields of its type; only what changed is
returned (edit_case records old → new).

One line per field (label, then field), so the dialog fits 80×24 with a type's custom
fields too. Changing the type shows the new type's custom fields; fields the new type
does not have are cleared when it is saved.
"""

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.policy import CaseType
from helpdesk_tui.storage.reads import CaseSummary
from helpdesk_tui.widgets.case_header import field_label
from helpdesk_tui.widgets.untrusted import literal_line, plain


class EditDialog(Dialog[dict[str, object] | None]):
    """Subject, priority, type, due, reminder, owner and custom fields of one open case."""

    FOCUS = "#edit-subject"
    FIELDS: ClassVar[dict[str, str]] = {
        name: f"edit-{name}" for name in ("subject", "priority", "type", "due", "reminder", "owner")
    }
    DEFAULT_CSS: ClassVar[str] = """
    EditDialog .edit-line { height: auto; }
    EditDialog .edit-line > .edit-label { width: 14; color: $text-muted; }
    EditDialog .edit-line > .edit-label-next { width: auto; padding: 0 1 0 2; color: $text-muted; }
    EditDialog #edit-fields { height: auto; }
    EditDialog .edit-gap { margin-top: 1; }
    EditDialog .field-error { padding-left: 14; }
    """

    def __init__(self, case: CaseSummary, types: Sequence[CaseType], *, today: date) -> None:
        """`case`'s fields filled in; `types` offered; dates read relative to `today`."""
        super().__init__(f"Edit {case.number}")
        self.case = case
        self.types = list(types)
        self.today = today
        self.typed_fields = dict(case.fields or ())  # custom field values by key, across types
        self.shown_type = case.type

    def compose_body(self) -> ComposeResult:
        """One line per header value, filled with the case's, then the custom fields."""
        case = self.case
        yield _line(("Subject", Input(plain(case.subject), id="edit-subject", compact=True)))
        yield self.field_error("edit-subject")
        known = [t.key for t in self.types]
        types = [(literal_line(t.label), t.key) for t in self.types]
        if case.type not in known:
            types.append((literal_line(case.type), case.type))
        yield _line(
            (
                "Priority",
                Select(
                    [(Text(p.value), p.value) for p in Priority],
                    value=case.priority,
                    allow_blank=False,
                    compact=True,
                    id="edit-priority",
                ),
            ),
            (
                "Type",
                Select(types, value=case.type, allow_blank=False, compact=True, id="edit-type"),
            ),
            gap=True,
        )
        yield self.field_error("edit-priority")
        yield self.field_error("edit-type")
        reminder = case.reminder.isoformat() if case.reminder else ""
        yield _line(
            ("Due", Input(case.due.isoformat(), id="edit-due", compact=True)),
            ("Reminder", Input(reminder, placeholder="none", id="edit-reminder", compact=True)),
            ("Owner", Input(case.owner or "", placeholder="none", id="edit-owner", compact=True)),
        )
        for name in ("due", "reminder", "owner"):
            yield self.field_error(f"edit-{name}")
        lines = self._field_lines(case.type)
        box = Vertical(*lines, id="edit-fields", classes="edit-gap")
        box.display = bool(lines)  # no blank line for a type without custom fields
        yield box

    def _field_keys(self, type_key: str) -> tuple[str, ...]:
        for case_type in self.types:
            if case_type.key == type_key:
                return case_type.custom_fields
        return ()

    def _field_lines(self, type_key: str) -> list[Widget]:
        lines: list[Widget] = []
        for i, key in enumerate(self._field_keys(type_key)):
            value = self.typed_fields.get(key, "")
            lines.append(
                _line((field_label(key), Input(value, id=f"edit-field-{i}", compact=True)))
            )
            lines.append(self.field_error(f"edit-field-{i}"))
        return lines

    def refuse(self, message: str, field: str | None = None) -> None:
        """A refusal about a custom field (`fields.<key>`) shows under that field."""
        keys = self._field_keys(self.shown_type)
        key = (field or "").removeprefix("fields.")
        if not (field or "").startswith("fields.") or key not in keys:
            super().refuse(message, field)
            return
        super().refuse("")  # clears every refusal shown
        input_id = f"edit-field-{keys.index(key)}"
        slot = self.query_one(f"#{input_id}-error", Static)
        slot.update(literal_line(message))
        slot.remove_class("hidden")
        self.query_one(f"#{input_id}").focus()

    def _remember_fields(self) -> None:
        for i, key in enumerate(self._field_keys(self.shown_type)):
            for field in self.query(f"#edit-field-{i}").results(Input):
                self.typed_fields[key] = field.value.strip()

    async def on_select_changed(self, event: Select.Changed) -> None:
        """A new type shows its custom fields (what was typed into a field is kept)."""
        if event.select.id != "edit-type" or event.value == self.shown_type:
            return
        self._remember_fields()
        box = self.query_one("#edit-fields", Vertical)
        await box.remove_children()
        self.shown_type = str(event.value)
        lines = self._field_lines(self.shown_type)
        await box.mount_all(lines)
        box.display = bool(lines)

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
        type_key = str(self.query_one("#edit-type", Select).value)
        if type_key != case.type:
            values["type"] = type_key
        due = self.typed_date("edit-due", self.today)
        if due is None:
            raise ValidationError("a case needs a due date", field="due")
        if due != case.due:
            values["due"] = due
        reminder = self.typed_date("edit-reminder", self.today)
        if reminder != case.reminder:
            values["reminder"] = reminder
        owner = text("owner").lower() or None
        if owner != case.owner:
            values["owner"] = owner
        fields = self._changed_fields(type_key)
        if fields:
            values["fields"] = fields
        return values

    def _changed_fields(self, type_key: str) -> dict[str, str]:
        """Custom fields typed differently from the case's; on a new type, the old type's
        fields it does not have are cleared."""
        self._remember_fields()
        before = dict(self.case.fields or ())
        keys = self._field_keys(type_key)
        changed = {
            key: self.typed_fields.get(key, "")
            for key in keys
            if self.typed_fields.get(key, "") != before.get(key, "")
        }
        if type_key != self.case.type:
            changed.update({key: "" for key in before if key not in keys})
        return changed


def _line(*pairs: tuple[str, Widget], gap: bool = False) -> Horizontal:
    """Label/field pairs on one line: the first label in the label column."""
    parts: list[Widget] = []
    for index, (label, field) in enumerate(pairs):
        style = "edit-label" if index == 0 else "edit-label-next"
        field.styles.width = "1fr"  # inline: dialogs.tcss makes every Input and Select 100%
        parts += [Static(Text(label), classes=style), field]
    return Horizontal(*parts, classes="edit-line edit-gap" if gap else "edit-line")
