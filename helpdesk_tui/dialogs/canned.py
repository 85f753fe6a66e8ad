"""Pick a canned response (ACT-5) by fuzzy search over its name and first line."""

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import OptionList, Static

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.domain.templates import CannedResponse
from helpdesk_tui.widgets.fuzzy_picker import FuzzyPicker


class CannedDialog(Dialog[CannedResponse | None]):
    """Dismisses with the chosen canned response, or None."""

    FOCUS = "FuzzyPicker Input"

    def __init__(self, canned: Sequence[CannedResponse]) -> None:
        """Offers `canned` (none: says where to configure them)."""
        super().__init__("Insert a canned response")
        self.canned = list(canned)

    def compose_body(self) -> ComposeResult:
        """A note when nothing is configured, then the picker."""
        if not self.canned:
            yield Static(Text("No canned responses configured ([[canned]] in the config file)."))
        choices = [
            (str(index), f"{c.name} — {one_line(c.text, 50)}")
            for index, c in enumerate(self.canned)
        ]
        yield FuzzyPicker(choices, placeholder="type a few letters of the name")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a response inserts it."""
        event.stop()
        self.action_submit()

    def result(self) -> CannedResponse | None:
        """The picked response."""
        return self.canned[int(self.picked("no canned response matches"))]
