"""The base of every screen that starts workers: a failed worker is reported in one line.

`Worker.StateChanged` goes to the node that started the worker and does not bubble to
the app (Textual 8), so the app's handler never sees a screen's failures. Screens that
start workers derive from `WorkerScreen`, which hands them to the same `report_failure`
the app uses.
"""

from typing import TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import Worker

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.messages import CasesChanged
from helpdesk_tui.widgets.failure import report_failure

ResultT = TypeVar("ResultT")


class WorkerScreen(Screen[ResultT]):
    """A screen whose workers, when they fail, say so in one line (never silently)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker this screen started failed: one line on screen."""
        report_failure(self, event)

    def announce_change(self, numbers: list[CaseNumber]) -> None:
        """Tell every screen in the stack (the queue under a case too) what this app changed."""
        for screen in self.app.screen_stack:
            if not isinstance(screen, ModalScreen):
                screen.post_message(CasesChanged(list(numbers)))
