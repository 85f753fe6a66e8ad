"""The notification scheduler (DATE-4): reminders that have come, cases that became overdue.

A pass is `services/notifications.fire_due`: it reads only the due rows through indexes
and writes each (kind, case, date, agent) once, whatever other process (the TUI, `sync
--watch`, a cron'd `sync --once`) passes at the same time. `watch` repeats the pass in a
thread until stopped, and survives a failed pass (a locked database, a server gone) by
logging it and trying again at the next tick.
"""

import logging
import threading
from collections.abc import Callable

from helpdesk_tui.services.context import Context
from helpdesk_tui.services.notifications import fire_due

log = logging.getLogger(__name__)

#: Seconds between two passes: a day's reminders need no finer clock than this.
PASS_SECONDS = 60.0


class Scheduler:
    """Passes of the notification scheduler on one context."""

    def __init__(
        self,
        ctx: Context,
        *,
        every: float = PASS_SECONDS,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self._ctx = ctx
        self._every = every
        self._on_error = on_error

    def run_once(self) -> int:
        """One pass; how many notifications it wrote."""
        return fire_due(self._ctx)

    def watch(self, stop: threading.Event) -> None:
        """Pass every `every` seconds until `stop` is set; a failed pass is reported and
        the next one comes on time."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception as error:  # the loop outlives a locked database or a lost server
                log.exception("scheduler pass failed")
                if self._on_error is not None:
                    self._on_error(error)
            stop.wait(self._every)
