"""The frame every dialog shares: a title, a body, a one-line error, Esc and ctrl+s.

A dialog collects input and dismisses with a typed result (or its cancel value).
`result()` raises `DomainError` to refuse a submit; the message shows in the dialog.

A dialog that writes keeps its input until the write succeeds: the screen that opens it
hands it the write with `submitting(call)`. On submit, `call(value)` runs in a thread
worker (it calls the `Desk`); a `DomainError` it raises is shown in the dialog — under
the input it concerns when the error names a field (`FIELDS` maps the domain's field
names to input ids), else on the error line — and the dialog stays open with what was
typed. Only a write that went through dismisses the dialog. The dialog itself never
touches the database: the callable is the screen's.
"""

from collections.abc import Callable
from datetime import date
from typing import ClassVar, Self, TypeVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.worker import Worker, WorkerState

from helpdesk_tui.domain.dates import parse_date
from helpdesk_tui.domain.errors import DomainError, ValidationError
from helpdesk_tui.widgets.failure import failure_line, report_failure
from helpdesk_tui.widgets.fuzzy_picker import FuzzyPicker
from helpdesk_tui.widgets.untrusted import literal, literal_line

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """Base of the modal dialogs."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "submit", "OK", id="dialog.submit", priority=True),
    ]
    #: The keys line under the body.
    HINT = "Enter or ctrl+s: OK · Esc: cancel"
    #: The field that has the cursor when the dialog opens (a selector; "": Textual's pick).
    FOCUS: ClassVar[str] = ""
    #: The domain's field names (`DomainError.field`) → the id of the input they concern.
    FIELDS: ClassVar[dict[str, str]] = {}
    #: The keys line while a write runs.
    BUSY_HINT = "saving…"

    DEFAULT_CSS = """
    Dialog .field-error {
        color: $text-error;
        height: auto;
    }
    """

    def __init__(self, heading: Text | str) -> None:
        """`heading` is the title line (a str is shown as literal text)."""
        super().__init__()
        self.heading = heading if isinstance(heading, Text) else literal(heading)
        self.write: Callable[[ResultT], None] | None = None
        self.busy = False

    def submitting(self, write: Callable[[ResultT], None]) -> Self:
        """Write before dismissing: on submit `write(value)` runs in a thread worker; a
        `DomainError` it raises keeps the dialog open with the reason shown."""
        self.write = write
        return self

    def compose(self) -> ComposeResult:
        """Title, the dialog's own fields, the error line and the keys line."""
        with Vertical(id="dialog-box"):
            yield Static(self.heading, id="dialog-title")
            yield from self.compose_body()
            yield Static("", id="dialog-error")
            yield Static(Text(self.HINT), id="dialog-hint")

    @property
    def is_built(self) -> bool:
        """Whether the fields are mounted: Textual mounts nothing into a screen pushed
        while the app quits, yet still sends it Mount and key events."""
        return bool(self.query("#dialog-box"))

    def on_mount(self) -> None:
        """Put the cursor into the `FOCUS` field."""
        if self.is_built and self.FOCUS:
            self.query_one(self.FOCUS).focus()

    def compose_body(self) -> ComposeResult:
        """The dialog's fields."""
        yield from ()

    def field_error(self, input_id: str) -> Static:
        """The line under input `#input_id` where a refusal concerning it shows."""
        return Static("", id=f"{input_id}-error", classes="field-error hidden")

    def result(self) -> ResultT:
        """The value to dismiss with; raise DomainError to refuse the submit."""
        raise NotImplementedError

    def cancel_result(self) -> ResultT:
        """The value Esc dismisses with (None unless a dialog says otherwise)."""
        return cast(ResultT, None)

    def typed(self, input_id: str) -> str:
        """The text typed into the input `#input_id`, trimmed."""
        return self.query_one(f"#{input_id}", Input).value.strip()

    def typed_date(self, input_id: str, today: date) -> date | None:
        """The date typed into `#input_id` (None: empty); a refusal names that field."""
        text = self.typed(input_id)
        if not text:
            return None
        try:
            return parse_date(text, today)
        except DomainError as error:
            field = next((f for f, i in self.FIELDS.items() if i == input_id), input_id)
            raise ValidationError(error.message, field=field) from None

    def picked(self, nothing: str) -> str:
        """The key chosen in the dialog's fuzzy picker; refuses with `nothing` if none
        matches what was typed."""
        key = self.query_one(FuzzyPicker).selected
        if key is None:
            raise ValidationError(nothing)
        return key

    def refuse(self, message: str, field: str | None = None) -> None:
        """Show why the dialog cannot be submitted (one line, literal text): under the
        input `field` concerns (and the cursor goes there), else on the error line."""
        for slot in self.query(".field-error"):
            assert isinstance(slot, Static)
            slot.update("")
            slot.add_class("hidden")
        general = self.query_one("#dialog-error", Static)
        input_id = self.FIELDS.get(field or "")
        slots = self.query(f"#{input_id}-error") if input_id else None
        if input_id and slots:
            slot = slots.first(Static)
            slot.update(literal_line(message))
            slot.remove_class("hidden")
            general.update("")
            self.query_one(f"#{input_id}").focus()
        else:
            general.update(literal_line(message))
            if input_id and self.query(f"#{input_id}"):
                self.query_one(f"#{input_id}").focus()  # no line of its own: the cursor goes

    @property
    def error_text(self) -> str:
        """The refusal currently shown, wherever it is (tests read it)."""
        for widget in (*self.query(".field-error"), self.query_one("#dialog-error")):
            assert isinstance(widget, Static)
            text = str(widget.render())
            if text:
                return text
        return ""

    def field_error_text(self, input_id: str) -> str:
        """The refusal shown under input `#input_id` ("" for none)."""
        return str(self.query_one(f"#{input_id}-error", Static).render())

    def action_submit(self) -> None:
        """ctrl+s / Enter: check the input; then write (if the dialog writes) and dismiss,
        or show the refusal and keep everything typed."""
        if not self.is_built or self.busy:
            return
        try:
            value = self.result()
        except DomainError as error:
            self.refuse(error.message, error.field)
            return
        if self.write is None:
            self.busy = True  # dismissed: a second Enter must not dismiss the screen below
            self.dismiss(value)
            return
        self.busy = True
        self.query_one("#dialog-hint", Static).update(Text(self.BUSY_HINT))
        self._write(value, self.write)

    @work(thread=True, exclusive=True, group="dialog-write", exit_on_error=False)
    def _write(self, value: ResultT, write: Callable[[ResultT], None]) -> None:
        """Run the write; dismiss once it went through, else show the refusal."""
        try:
            write(value)
        except DomainError as error:
            self.app.call_from_thread(self._refused, error.message, error.field)
            return
        self.app.call_from_thread(self.dismiss, value)

    def _refused(self, message: str, field: str | None) -> None:
        self.busy = False
        self.query_one("#dialog-hint", Static).update(Text(self.HINT))
        self.refuse(message, field)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A write that failed for another reason (a disk, a lost server): one line in the
        dialog and as a notification; the input stays."""
        report_failure(self, event)
        if event.state is WorkerState.ERROR and self.is_built:
            self._refused(failure_line(event.worker.error), None)

    def action_cancel(self) -> None:
        """Esc: dismiss with the cancel value (not while a write runs: it may go through)."""
        if not self.busy:
            self.dismiss(self.cancel_result())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a one-line field submits the dialog."""
        event.stop()
        self.action_submit()


def highlighted_id(options: OptionList) -> str | None:
    """The id of the highlighted option of `options` (None: nothing highlighted)."""
    if options.highlighted is None:
        return None
    return options.get_option_at_index(options.highlighted).id
