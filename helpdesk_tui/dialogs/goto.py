"""Go to case (`#`): type a case number, Enter opens it; an unknown one is said in the
prompt, which keeps what was typed."""

from collections.abc import Callable
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.messages import OpenCaseRequested
from helpdesk_tui.widgets.failure import report_failure


class GoToCaseDialog(Dialog[CaseNumber | None]):
    """A one-line prompt for a case number (`27`, `0000027`, `27-2`, `#27`)."""

    #: A prompt for seven digits needs no dialog's full width.
    WIDTH = 44
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="goto.cancel"),
        Binding("ctrl+s", "submit", "Open", id="goto.submit", priority=True),
    ]
    HINT = "Enter: open · Esc: cancel"
    FOCUS = "#goto-number"

    def __init__(self, exists: Callable[[CaseNumber], bool]) -> None:
        """`exists` says whether a case exists (blocking: it runs in a thread worker)."""
        super().__init__("Go to case")
        self.exists = exists

    def on_mount(self) -> None:
        """A narrow box; the cursor in the number field."""
        super().on_mount()
        if self.is_built:
            self.query_one("#dialog-box").styles.width = self.WIDTH

    def compose_body(self) -> ComposeResult:
        """The number field."""
        yield Input(placeholder="0001234, 27, 27-2, #27", id="goto-number")

    def result(self) -> CaseNumber | None:
        """The case number typed (refused when it is none)."""
        return parse_case_number(self.typed("goto-number"))

    def action_submit(self) -> None:
        """Enter: open the case if it exists; say so in the prompt if not."""
        if not self.is_built:
            return
        try:
            number = self.result()
        except DomainError as error:
            self.refuse(error.message)
            return
        if number is not None:
            self._look_up(number)

    @work(thread=True, exclusive=True, exit_on_error=False, description="look up the case")
    def _look_up(self, number: CaseNumber) -> None:
        found = self.exists(number)
        self.app.call_from_thread(self._found, number, found)

    def _found(self, number: CaseNumber, found: bool) -> None:
        if not self.is_attached:
            return
        try:
            still = parse_case_number(self.typed("goto-number")) == number
        except DomainError:
            still = False
        if not still:
            return  # typed on meanwhile: Enter again looks that up
        if found:
            self.dismiss(number)
        else:
            self.refuse(f"no case {number}")

    def on_input_changed(self, _: Input.Changed) -> None:
        """A new number: the old refusal no longer applies."""
        if self.is_built:
            self.refuse("")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The look-up failed (the database): one line on screen."""
        report_failure(self, event)


def go_to_case(screen: Screen[Any], exists: Callable[[CaseNumber], bool]) -> None:
    """`#` on `screen`: ask for a number; the case chosen is asked of the app to open
    (`OpenCaseRequested`), from the queue and from a case alike."""

    def chosen(number: CaseNumber | None) -> None:
        if number is not None:
            screen.post_message(OpenCaseRequested(number))

    screen.app.push_screen(GoToCaseDialog(exists), chosen)
