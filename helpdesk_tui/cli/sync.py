"""`helpdesk sync [--once | --watch]`: the mail poller without the TUI (MAIL-1, OPS-3),
the outbox sender, and the notification scheduler (DATE-4) — alone when no mail is
configured."""

from __future__ import annotations

import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Annotated

import typer

from helpdesk_tui.cli.errors import UsageError, refusals
from helpdesk_tui.cli.output import REFUSED, fail, note, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.safe_text import one_line

if TYPE_CHECKING:
    from rich.progress import Progress

    from helpdesk_tui.sync.poller import MailPoller
    from helpdesk_tui.sync.scheduler import Scheduler
    from helpdesk_tui.sync.sender import MailSender
    from helpdesk_tui.sync.status import SyncStatus

#: A first sync bigger than this shows a progress bar (OPS-3).
PROGRESS_FROM = 200


def sync(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="One pass, then exit (the default).")
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep syncing (IDLE or polling) until interrupted.")
    ] = False,
) -> None:
    """Fetch new mail from every configured account, store it once and file it; send
    what waits in the outbox (with [smtp]); notify reminders that have come and cases
    that became overdue (always, so without mail the scheduler runs alone)."""
    runtime: Runtime = ctx.obj
    with refusals():
        if once and watch:
            raise UsageError("--once and --watch exclude each other")
        settings = runtime.settings
        from helpdesk_tui.sync.scheduler import (  # lazy: see `MailPoller` below
            Scheduler,
            notification_mail,
        )

        scheduler = Scheduler(runtime.context, mailing=notification_mail(settings))
        if not settings.mail.accounts and settings.smtp is None:
            if watch:
                _watch(None, None, scheduler)
                return
            done = scheduler.run_once()
            if done.recomputed:
                say(done.recomputed_line())
            say(done.fired_line())
            if done.escalated:
                say(done.escalated_line())
            return
        from helpdesk_tui.sync.poller import MailPoller  # lazy: imports the mail stack

        progress = _Progress()
        # Without accounts only the outbox is sent: no "mail off" status line then.
        quiet = not settings.mail.accounts
        # The context makes its engine on first use: a pass that finds nothing new is meant
        # to read only through the plain read path, never importing SQLAlchemy.
        poller = MailPoller(runtime.context, settings, on_status=None if quiet else progress.update)
        sender = None
        if settings.smtp is not None:
            from helpdesk_tui.sync.sender import MailSender  # lazy: only with [smtp]

            sender = MailSender(runtime.context, settings)
        try:
            if watch:
                _watch(poller, sender, scheduler)
                return
            started = time.perf_counter()
            report = poller.sync_once()
            done = scheduler.run_once()  # before sending: its notification mail goes too
            sent = sender.send_due() if sender is not None else None
        finally:
            progress.close()
            poller.close()
        seconds = time.perf_counter() - started
        for folder in report.folders:
            rescan = " (UIDVALIDITY changed: re-scanned)" if folder.rescanned else ""
            say(
                f"{folder.mailbox}/{folder.folder}: {folder.stored} new — "
                f"{folder.filed} filed on cases, {folder.new_cases} new cases, "
                f"{folder.unfiled} unfiled; {folder.duplicates} already stored{rescan}"
            )
        if settings.mail.accounts:
            say(f"{report.stored} mails stored in {seconds:.2f} s")
        if sent is not None:
            say(sent.line())
        for line in done.lines():
            say(line)
        problems = report.problems()  # failed accounts, mail stored with a filing failure
        if sent is not None:
            problems.extend(f"sending: {error}" for error in sent.errors)
        if problems:
            for line in problems[:-1]:
                note(f"error: {one_line(line)}")
            fail(problems[-1], REFUSED)


def _watch(poller: MailPoller | None, sender: MailSender | None, scheduler: Scheduler) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threads = [threading.Thread(target=scheduler.watch, args=(stop,), name="scheduler")]
    if sender is not None:  # the outbox is sent alongside, on a thread of its own
        threads.append(threading.Thread(target=sender.watch, args=(stop,), name="sender"))
    for thread in threads:
        thread.daemon = True
        thread.start()
    try:
        if poller is not None:
            poller.watch(stop)
        else:
            while not stop.wait(1.0):  # the scheduler alone (no mail configured)
                pass
    except KeyboardInterrupt:
        stop.set()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)


class _Progress:
    """A progress bar on stderr while a big folder syncs; one line per state change else."""

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._last: tuple[str, str] = ("", "")

    def update(self, status: SyncStatus) -> None:
        """Show a status report (called from the poller's threads)."""
        from helpdesk_tui.sync.status import SyncState  # lazy: see `sync`

        if status.state is SyncState.SYNCING:
            if status.total >= PROGRESS_FROM and sys.stderr.isatty():
                self._show(status.done, status.total, status.mailbox)
            return
        key = (status.mailbox, f"{status.state}:{status.message}")
        if key != self._last:  # one line per change, not one per countdown second
            self._last = key
            name = f" {status.mailbox}" if status.mailbox else ""
            note(f"mail{name}: {one_line(status.label())}")

    def _show(self, done: int, total: int, mailbox: str) -> None:
        from rich.progress import Progress  # lazy: only a big first sync shows it

        if self._bar is None:
            self._bar = Progress(transient=True)
            self._bar.start()
            self._bar.add_task(f"syncing {mailbox}", total=total)
        self._bar.update(self._bar.task_ids[0], completed=done, total=total)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
