"""What every case-acting screen shares: the data facade, the cases an action targets,
and running one service call in a worker that reports in one line (see case_actions)."""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import ModalScreen, Screen
from textual.worker import Worker

from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.messages import CasesChanged
from helpdesk_tui.storage.reads import CaseSummary
from helpdesk_tui.widgets.failure import report_failed_worker

if TYPE_CHECKING:
    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.services.desk import Desk


def label(targets: Sequence[CaseSummary]) -> str:
    """`0001234` for one case, `3 cases` for several."""
    return str(targets[0].number) if len(targets) == 1 else f"{len(targets)} cases"


class ActionBase(Screen[Any]):
    """Base of the action mix-ins: the screen provides `target_cases()`."""

    @property
    def desk_app(self) -> "HelpdeskApp":
        """The app, typed."""
        from helpdesk_tui.app import HelpdeskApp  # lazy import: app imports screens

        assert isinstance(self.app, HelpdeskApp)
        return self.app

    @property
    def desk(self) -> "Desk":
        """The data facade (call it only inside thread workers)."""
        return self.desk_app.desk

    def target_cases(self) -> list[CaseSummary]:
        """The cases an action applies to: marked ones, else the current one."""
        raise NotImplementedError

    def _targets(self) -> list[CaseSummary]:
        targets = self.target_cases()
        if not targets:
            self.notify("No case selected", severity="warning")
        return targets

    # -- plumbing -------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker this screen started failed: one line on screen (never silently)."""
        report_failed_worker(self, event)

    @work(thread=True, group="case-action", exit_on_error=False, description="case action")
    def run_service(
        self,
        call: Callable[[], Any],
        *,
        done: Callable[[Any], str],
        changed: list[Any],
    ) -> None:
        """Run one service call in a thread; report its outcome in one line."""
        try:
            result = call()
        except DomainError as error:
            self._refused(error)
            return
        self._report(done(result), changed)

    def _refused(self, error: DomainError) -> None:
        """From a worker thread: show a domain refusal as one line."""
        self.app.call_from_thread(self.notify, error.message, severity="error", markup=False)

    def _report(self, line: str, changed: list[CaseNumber]) -> None:
        """From a worker thread: show the outcome and tell every screen what changed."""
        self.app.call_from_thread(self.notify, line, markup=False)
        self.app.call_from_thread(self.announce_change, changed)

    def announce_change(self, numbers: list[CaseNumber]) -> None:
        """Post CasesChanged to every screen in the stack (the queue under a case too)."""
        for screen in self.app.screen_stack:
            if not isinstance(screen, ModalScreen):
                screen.post_message(CasesChanged(list(numbers)))
