"""Actions on one case or on the marked cases, shared by the queue and the case screen.

A screen mixes this in and provides `target_cases()` (the marked cases, else the one under
the cursor / on screen). Every action only starts work: dialogs collect input, a thread
worker calls one service, and the outcome comes back as a one-line notification plus a
`CasesChanged` message. Domain refusals are notifications, never crashes.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen

from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.messages import CasesChanged
from helpdesk_tui.services import cases, queue
from helpdesk_tui.storage.reads import CaseSummary

if TYPE_CHECKING:
    from helpdesk_tui.app import HelpdeskApp


class CaseActions(Screen[Any]):
    """Mix-in base for screens that act on cases."""

    @property
    def desk_app(self) -> "HelpdeskApp":
        """The app, typed."""
        from helpdesk_tui.app import HelpdeskApp  # lazy import: app imports screens

        assert isinstance(self.app, HelpdeskApp)
        return self.app

    def target_cases(self) -> list[CaseSummary]:
        """The cases an action applies to: marked ones, else the current one."""
        raise NotImplementedError

    # -- assign to me (ASSIGN-2): no dialog ---------------------------------------------
    def action_assign_me(self) -> None:
        """`a`: assign the current case (or every marked case) to me, atomically."""
        targets = self.target_cases()
        if not targets:
            self.notify("No case selected", severity="warning")
            return
        desk = self.desk_app.desk
        numbers = [c.number for c in targets]
        if len(numbers) == 1:
            number = numbers[0]
            self.run_service(
                lambda: cases.assign_to_me(desk.ctx, desk.user, number),
                done=lambda r: (
                    f"{number} assigned to you" if r.changed else f"{number} is already yours"
                ),
                changed=numbers,
            )
        else:
            self.run_service(
                lambda: queue.each_case(
                    numbers, lambda n: cases.assign_to_me(desk.ctx, desk.user, n)
                ),
                done=lambda r: r.line("assigned to you"),
                changed=numbers,
            )

    # -- plumbing -------------------------------------------------------------------------
    @work(thread=True, group="case-action", exclusive=False, description="case action")
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
            self.app.call_from_thread(self.notify, error.message, severity="error")
            return
        self.app.call_from_thread(self.notify, done(result))
        self.app.call_from_thread(self.post_message, CasesChanged(list(changed)))
