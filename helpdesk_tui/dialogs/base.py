"""The frame every dialog shares: a title, a body, a one-line error, Esc and ctrl+s.

A dialog collects input and dismisses with a typed result (or its cancel value). It
never touches the database: the screen that opened it runs the service afterwards.
`result()` raises `DomainError` to refuse a submit; the message shows in the dialog.
"""

from typing import ClassVar, TypeVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from helpdesk_tui.domain.errors import DomainError, ValidationError
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

    def __init__(self, heading: Text | str) -> None:
        """`heading` is the title line (a str is shown as literal text)."""
        super().__init__()
        self.heading = heading if isinstance(heading, Text) else literal(heading)

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

    def result(self) -> ResultT:
        """The value to dismiss with; raise DomainError to refuse the submit."""
        raise NotImplementedError

    def cancel_result(self) -> ResultT:
        """The value Esc dismisses with (None unless a dialog says otherwise)."""
        return cast(ResultT, None)

    def typed(self, input_id: str) -> str:
        """The text typed into the input `#input_id`, trimmed."""
        return self.query_one(f"#{input_id}", Input).value.strip()

    def picked(self, nothing: str) -> str:
        """The key chosen in the dialog's fuzzy picker; refuses with `nothing` if none
        matches what was typed."""
        key = self.query_one(FuzzyPicker).selected
        if key is None:
            raise ValidationError(nothing)
        return key

    def refuse(self, message: str) -> None:
        """Show why the dialog cannot be submitted (one line, literal text)."""
        self.query_one("#dialog-error", Static).update(literal_line(message))

    @property
    def error_text(self) -> str:
        """The refusal currently shown (tests read it)."""
        return str(self.query_one("#dialog-error", Static).render())

    def action_submit(self) -> None:
        """ctrl+s / Enter: dismiss with the result unless it is refused."""
        if not self.is_built:
            return
        try:
            value = self.result()
        except DomainError as error:
            self.refuse(error.message)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        """Esc: dismiss with the cancel value."""
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
