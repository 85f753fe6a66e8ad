"""Yes or no, with one line saying what exactly will happen."""

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Static

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.widgets.untrusted import literal


class ConfirmDialog(Dialog[bool]):
    """Asks a question; dismisses with True (yes) or False (no, Esc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
    ]
    HINT = "y: yes · n or Esc: no"
    FOCUS = "#yes"

    def __init__(
        self, question: Text | str, detail: Text | str = "", *, yes: str = "Yes", no: str = "No"
    ) -> None:
        """`question` as the title, `detail` under it, buttons labelled `yes` and `no`."""
        super().__init__(question)
        self.detail = detail if isinstance(detail, Text) else literal(detail)
        self.yes_label = yes
        self.no_label = no

    def compose_body(self) -> ComposeResult:
        """The detail (if any) and the two buttons."""
        if self.detail.plain:
            yield Static(self.detail, id="confirm-detail", classes="detail")
        with Horizontal(id="confirm-buttons"):
            yield Button(Text(self.no_label), id="no")
            yield Button(Text(self.yes_label), id="yes", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button answers."""
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """`y` / `n`."""
        self.dismiss(yes)

    def result(self) -> bool:
        """Submitting (Enter, ctrl+s) says yes."""
        return True

    def cancel_result(self) -> bool:
        """Esc says no."""
        return False
