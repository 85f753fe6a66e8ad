"""Pick a canned response (ACT-5) by fuzzy search over its name and first line."""

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import OptionList, Static

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.domain.templates import CannedResponse
from helpdesk_tui.widgets.fuzzy_picker import FuzzyPicker


class CannedDialog(Dialog[CannedResponse | None]):
    """Dismisses with the chosen canned response, or None."""

    def __init__(self, canned: Sequence[CannedResponse]) -> None:
        super().__init__("Insert a canned response")
        self.canned = list(canned)

    def compose_body(self) -> ComposeResult:
        if not self.canned:
            yield Static(Text("No canned responses configured ([[canned]] in the config file)."))
        choices = [
            (str(index), f"{c.name} — {one_line(c.text, 50)}")
            for index, c in enumerate(self.canned)
        ]
        yield FuzzyPicker(choices, placeholder="type a few letters of the name")

    def on_mount(self) -> None:
        if not self.is_built:
            return  # pushed while the app quits: nothing to focus
        self.query_one(FuzzyPicker).focus_input()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_submit()

    def result(self) -> CannedResponse | None:
        key = self.query_one(FuzzyPicker).selected
        if key is None:
            raise ValidationError("no canned response matches")
        return self.canned[int(key)]
