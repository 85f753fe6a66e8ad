"""The notification scheduler (DATE-4): reminders that have come, cases that became overdue,
SLA escalation levels that are due (with [[sla.escalations]]), and the notification mail
that is due (with [smtp]).

A pass is `services/notifications.fire_due`: it reads only the due rows through indexes
and writes each (kind, case, date, agent) once, whatever other process (the TUI, `sync
--watch`, a cron'd `sync --once`) passes at the same time. `watch` repeats the pass in a
thread until stopped, and survives a failed pass (a locked database, a server gone) by
logging it and trying again at the next tick.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from helpdesk_tui.config import Settings
from helpdesk_tui.domain.notification_mail import MailChoice
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.escalation import escalate_due
from helpdesk_tui.services.notification_mail import NotificationMail, mail_due
from helpdesk_tui.services.notifications import fire_due
from helpdesk_tui.services.sla_refresh import refresh_sla

log = logging.getLogger(__name__)

#: Seconds between two passes: a day's reminders need no finer clock than this.
PASS_SECONDS = 60.0


def notification_mail(settings: Settings) -> NotificationMail | None:
    """What notification mail needs, or None without [smtp] (then none is sent)."""
    from helpdesk_tui.sync.sender import mail_out  # lazy: the mail stack

    out = mail_out(settings)
    if out is None:
        return None
    config = settings.notifications
    return NotificationMail(
        out, MailChoice(config.email), timedelta(minutes=config.digest_minutes())
    )


@dataclass(frozen=True)
class Pass:
    """What one pass did."""

    fired: int
    """Notifications written (reminders, overdue cases)."""
    mailed: int
    """Notification mails queued in the outbox."""
    escalated: int = 0
    """SLA escalation levels fired (services/escalation.py)."""
    recomputed: int = 0
    """Open cases whose SLA was recomputed after the SLA configuration changed."""

    def fired_line(self) -> str:
        """How many reminder and overdue notifications this pass created."""
        noun = "notification" if self.fired == 1 else "notifications"
        return f"{self.fired} {noun} of reminders and overdue cases"

    def escalated_line(self) -> str:
        """How many SLA escalation levels this pass fired."""
        noun = "SLA escalation level" if self.escalated == 1 else "SLA escalation levels"
        return f"{self.escalated} {noun} fired"

    def recomputed_line(self) -> str:
        """`SLA recomputed for N open cases` (services/sla_refresh.py)."""
        noun = "open case" if self.recomputed == 1 else "open cases"
        return f"SLA recomputed for {self.recomputed} {noun}"

    def lines(self) -> list[str]:
        """What `helpdesk sync` says about it (nothing when it did nothing)."""
        said = []
        if self.recomputed:
            said.append(self.recomputed_line())
        if self.fired:
            said.append(self.fired_line())
        if self.escalated:
            said.append(self.escalated_line())
        if self.mailed:
            noun = "notification mail" if self.mailed == 1 else "notification mails"
            said.append(f"{self.mailed} {noun} queued")
        return said


class Scheduler:
    """Passes of the notification scheduler on one context."""

    def __init__(
        self,
        ctx: Context,
        *,
        every: float = PASS_SECONDS,
        mailing: NotificationMail | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_mailed: Callable[[], None] | None = None,
    ) -> None:
        """`mailing`, if given, queues notification mail after each pass's reminders;
        `on_mailed` is called when a pass queued some (to wake the sender)."""
        self._ctx = ctx
        self._every = every
        self._mailing = mailing
        self._on_error = on_error
        self._on_mailed = on_mailed

    def run_once(self) -> Pass:
        """One pass: the notifications that are due, the SLA escalations that are due,
        then the mail that is due (which includes the escalations' notifications)."""
        recomputed = refresh_sla(self._ctx).cases  # a changed SLA configuration first
        fired = fire_due(self._ctx)
        escalated = escalate_due(self._ctx).levels
        mailed = mail_due(self._ctx, self._mailing) if self._mailing is not None else 0
        if mailed and self._on_mailed is not None:
            self._on_mailed()
        return Pass(fired, mailed, escalated, recomputed)

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
