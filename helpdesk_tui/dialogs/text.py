"""One text field: a comment, a reason, a bulk comment."""

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static, TextArea

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.widgets.untrusted import plain


class TextDialog(Dialog[str | None]):
    """Asks for one text; dismisses with it (stripped) or None on Esc."""

    def __init__(
        self,
        heading: Text | str,
        *,
        label: str = "",
        value: str = "",
        placeholder: str = "",
        required: bool = True,
        multiline: bool = False,
    ) -> None:
        """`label` above the field, `value` in it; `required` refuses an empty text;
        `multiline` gives a text area (Enter is a new line, ctrl+s submits)."""
        super().__init__(heading)
        self.label = label
        self.value = plain(value)  # may quote mail text: shown as text
        self.placeholder = placeholder
        self.required = required
        self.multiline = multiline
        if multiline:
            self.HINT = "ctrl+s: OK · Esc: cancel"

    def compose_body(self) -> ComposeResult:
        """The label and the field."""
        if self.label:
            yield Static(Text(self.label), classes="field-label")
        if self.multiline:
            yield TextArea(self.value, id="text-value", soft_wrap=True, show_line_numbers=False)
        else:
            yield Input(self.value, placeholder=self.placeholder, id="text-value")

    @property
    def text(self) -> str:
        """What was typed so far."""
        if self.multiline:
            return self.query_one("#text-value", TextArea).text
        return self.query_one("#text-value", Input).value

    def result(self) -> str | None:
        """The text, stripped."""
        text = self.text.strip()
        if self.required and not text:
            raise ValidationError(f"{(self.label or 'the text').rstrip(':')} is empty")
        return text
