"""The Textual app: wiring only — screens, global bindings, live refresh, worker errors."""

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, get_current_worker

from helpdesk_tui.commands import BindingCommands
from helpdesk_tui.domain.safe_text import one_line, safe_text
from helpdesk_tui.messages import (
    ComposeRequested,
    DataChanged,
    NewCaseRequested,
    OpenCaseRequested,
)
from helpdesk_tui.screens.help import HelpScreen
from helpdesk_tui.screens.queue import QueueScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.guard import forbid_thread
from helpdesk_tui.widgets.colours import THEME
from helpdesk_tui.widgets.failure import failure_line, report_failure
from helpdesk_tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from helpdesk_tui.domain.numbering import CaseNumber
    from helpdesk_tui.domain.templates import CannedResponse
    from helpdesk_tui.screens.case import CaseScreen
    from helpdesk_tui.services.notification_mail import NotificationMail
    from helpdesk_tui.storage.reads import ActivityEntry, CaseDetail
    from helpdesk_tui.sync.poller import MailPoller
    from helpdesk_tui.sync.sender import MailSender
    from helpdesk_tui.sync.status import SyncStatus

#: Builds the mail poller, given where to report its state (None: no mail configured).
MailPollerFactory = Callable[[Callable[["SyncStatus"], None]], "MailPoller"]
#: Builds the outbox sender, given what to call after each pass (None: no [smtp]).
MailSenderFactory = Callable[[Callable[[object], None]], "MailSender"]

HERE = Path(__file__).resolve().parent

#: How often the app asks the database whether anyone committed (TUI-3: ≤ 2 s to show).
LIVE_INTERVAL = 0.5
#: How often the app checks that its terminal is still there (seconds).
HANGUP_CHECK_SECONDS = 1.0


class HelpdeskApp(App[None]):
    """helpdesk-tui."""

    # Every screen's and dialog's styles, read once at start: a screen whose CSS is new to
    # the app makes Textual re-parse all styles and restyle every widget when it is first
    # shown (~100 ms on the first case opened). Absolute, so subclasses find them too.
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        HERE / "app.tcss",
        HERE / "screens" / "queue.tcss",
        HERE / "screens" / "case.tcss",
        HERE / "screens" / "compose.tcss",
        HERE / "screens" / "new_case.tcss",
        HERE / "screens" / "dashboard.tcss",
        HERE / "dialogs" / "dialogs.tcss",
    ]
    TITLE = "helpdesk"
    #: Screens and dialogs under 30 rows get the class `-short` (compact dialogs: 80x24).
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # noqa: RUF012 - Textual's
    #: One provider, so the product's commands come first and Textual's after them.
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {BindingCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("A", "activity", "Activity", id="activity", show=False),
        Binding("colon,ctrl+p", "command_palette", "Commands", id="palette", show=False),
    ]

    def __init__(
        self,
        desk: Desk,
        *,
        keymap: dict[str, str] | None = None,
        live_interval: float = LIVE_INTERVAL,
        load_canned: "Callable[[], tuple[CannedResponse, ...]] | None" = None,
        mail_sync: MailPollerFactory | None = None,
        mail_sender: MailSenderFactory | None = None,
        scheduler_every: float | None = None,
        notification_mail: "NotificationMail | None" = None,
    ) -> None:
        """`load_canned`, if given, reads the canned responses after the first paint;
        `mail_sync`, if given, runs the mail poller in a background thread (MAIL-1);
        `scheduler_every`, if given, runs a notification scheduler pass that often, and
        with `notification_mail` queues the notification mail that is due."""
        super().__init__()
        self.register_theme(THEME)
        self.theme = THEME.name  # the shipped theme: its contrast is tested
        self._mail_sync = mail_sync
        self._mail_sender = mail_sender
        self._scheduler_every = scheduler_every
        self._notification_mail = notification_mail
        self._wake_sender = threading.Event()
        desk.wake_sender = self._wake_sender.set
        self._sync_state = "starting" if mail_sync else "not configured"
        self._unsent = 0
        self._unfiled = 0
        self.sync_label = f"mail: {self._sync_state}"
        self.team_label = ""  # PostgreSQL: `team: live` / `team: reconnecting`
        self.desk = desk
        self._load_canned = load_canned
        self.live_interval = live_interval
        self.configured_keymap = dict(keymap or {})
        self._stop_watching = threading.Event()
        self._case_screen: CaseScreen | None = None

    def on_mount(self) -> None:
        """Guard the event loop, apply the keymap, open the queue, start watching."""
        forbid_thread(threading.current_thread())
        if self.configured_keymap:
            self.set_keymap(self.configured_keymap)
        self.push_screen(QueueScreen(self.desk))
        if self.live_interval > 0:
            self._watch_changes()
        self.call_after_refresh(self._warm_up)
        if self._mail_sync is not None:
            self.call_after_refresh(self._run_mail_sync)
            self.call_after_refresh(self._count_mail)
        if self._mail_sender is not None:
            self.call_after_refresh(self._run_mail_sender)
        if self._scheduler_every is not None:
            self.call_after_refresh(self._run_scheduler)
        if not self.is_headless and sys.__stdin__ is not None and sys.__stdin__.isatty():
            self.set_interval(HANGUP_CHECK_SECONDS, self._leave_if_hung_up)

    def _leave_if_hung_up(self) -> None:
        """Quit once the terminal is gone (a closed tmux pane or ssh session).

        Under `make demo` the app is not the session leader, so the hang-up's SIGHUP goes
        to make alone; the app would live on and Textual's input thread would spin on the
        dead terminal at full CPU. A hung-up terminal answers `tcgetpgrp` with EIO.
        """
        try:
            os.tcgetpgrp(sys.__stdin__.fileno())  # type: ignore[union-attr]
        except OSError:
            self.exit()

    @work(thread=True, exit_on_error=False, group="warm-up", description="load the write path")
    def _warm_up(self) -> None:
        """After the first paint, load the write stack (SQLAlchemy, the unit of work).

        The queue paints from plain read queries; importing SQLAlchemy and SQLModel takes
        about a second here, so it happens in the background instead of on first use.
        """
        import helpdesk_tui.screens.case  # the first case opened needs no import

        load_canned = self._load_canned
        if load_canned is not None:
            self.call_from_thread(self._set_canned, load_canned())
        import helpdesk_tui.storage.uow  # noqa: F401  (imported for its side effect)

        _ = self.desk.ctx.engine
        # Everything loaded so far lives as long as the app: move it out of the collector's
        # sight, so a collection during the first case opened does not walk it (that
        # pause was most of the difference between the first open and later ones).
        gc.collect()
        gc.freeze()

    @work(thread=True, exit_on_error=False, group="mail", description="mail sync")
    def _run_mail_sync(self) -> None:
        """The poller (IDLE or polling, back-off) until the app quits; never on the loop."""
        assert self._mail_sync is not None
        poller = self._mail_sync(lambda status: self.call_from_thread(self.show_sync, status))
        try:
            poller.watch(self._stop_watching)
        finally:
            poller.close()

    @work(thread=True, exit_on_error=False, group="mail-out", description="mail sender")
    def _run_mail_sender(self) -> None:
        """The outbox sender until the app quits; replies wake it (after their undo time)."""
        assert self._mail_sender is not None

        def after_pass(_: object) -> None:
            self.call_from_thread(self._count_mail)

        sender = self._mail_sender(after_pass)
        after_pass(None)
        sender.watch(self._stop_watching, self._wake_sender)

    @work(thread=True, exit_on_error=False, group="scheduler", description="scheduler")
    def _run_scheduler(self) -> None:
        """Reminders that have come and overdue cases (DATE-4), a pass every
        `scheduler_every` seconds until the app quits; a failed pass shows its line."""
        from helpdesk_tui.sync.scheduler import Scheduler  # lazy: the write stack

        assert self._scheduler_every is not None

        def failed(error: Exception) -> None:
            self.call_from_thread(self.notify, failure_line(error), severity="error", markup=False)

        scheduler = Scheduler(
            self.desk.ctx,
            every=self._scheduler_every,
            mailing=self._notification_mail,
            on_error=failed,
            on_mailed=self._wake_sender.set,
        )
        scheduler.watch(self._stop_watching)

    @work(thread=True, exclusive=True, group="mail-count", exit_on_error=False, description="count")
    def _count_mail(self) -> None:
        """Unfiled mail (with a poller) and unsent mail (with a sender), for the status line."""
        unfiled = self.desk.unfiled_count() if self._mail_sync is not None else 0
        unsent = self.desk.unsent_count() if self._mail_sender is not None else 0
        self.call_from_thread(self._show_counts, unfiled, unsent)

    def _show_counts(self, unfiled: int, unsent: int) -> None:
        self._unfiled, self._unsent = unfiled, unsent
        self._show_mail_state()

    def show_sync(self, status: "SyncStatus") -> None:
        """Put the poller's state on every status line (idle / syncing n of m / offline)."""
        self._sync_state = status.label()
        self._show_mail_state()

    def _show_mail_state(self) -> None:
        """`mail: idle · 3 unfiled · 2 unsent` on every status line."""
        unfiled = f" · {self._unfiled} unfiled" if self._unfiled else ""
        unsent = f" · {self._unsent} unsent" if self._unsent else ""
        self.sync_label = f"mail: {self._sync_state}{unfiled}{unsent}"
        for screen in self.screen_stack:
            for line in screen.query(StatusLine):
                line.sync = self.sync_label

    def _set_canned(self, canned: tuple["CannedResponse", ...]) -> None:
        if self._load_canned is not None:
            self._load_canned = None
            self.desk.canned = canned

    def canned_responses(self) -> tuple["CannedResponse", ...]:
        """The canned responses (read now if the warm-up has not read them yet)."""
        if self._load_canned is not None:
            self._set_canned(self._load_canned())
        return self.desk.canned

    def _case_screen_made(self) -> "CaseScreen":
        # Lazy: the queue paints first; the warm-up worker imports this module meanwhile.
        from helpdesk_tui.screens.case import CaseScreen

        if self._case_screen is None:
            self._case_screen = CaseScreen(self.desk)
            self.install_screen(self._case_screen, name="case")
        return self._case_screen

    def open_case(
        self,
        number: "CaseNumber",
        *,
        replace_top: bool = False,
        detail: "CaseDetail | None" = None,
        entry: "ActivityEntry | None" = None,
    ) -> None:
        """Show case `number` on the one case screen the app keeps (made on first use);
        `replace_top`: in the place of the screen on top (the new-case form); `detail`:
        the case as just read, shown at once; `entry`: the timeline entry to scroll to."""
        screen = self._case_screen_made()
        screen.history.clear()
        screen.open(number, detail, entry=entry)
        if replace_top and self.screen is not screen:
            if screen in self.screen_stack:
                self.pop_screen()  # the form was opened from the case screen under it
            else:
                self.switch_screen(screen)
        elif screen not in self.screen_stack:
            self.push_screen(screen)

    def on_open_case_requested(self, event: OpenCaseRequested) -> None:
        """A screen asks for a case (Enter in the queue, `n`, a saved new case)."""
        self.open_case(
            event.number, replace_top=event.replace_top, detail=event.detail, entry=event.entry
        )

    def on_new_case_requested(self, _event: NewCaseRequested) -> None:
        """A screen asks for the new-case form; the case opens once it is saved."""
        from helpdesk_tui.screens.new_case import NewCaseScreen  # lazy: needed on first use

        self.push_screen(NewCaseScreen(self.desk))

    def on_compose_requested(self, event: ComposeRequested) -> None:
        """A screen asks to write on one case: compose, with the canned responses."""
        from helpdesk_tui.screens.compose import ComposeScreen  # lazy: needed on first write

        screen = ComposeScreen(
            self.desk,
            event.case,
            event.kind,
            by_mail=event.by_mail,
            canned=self.canned_responses,
        )
        self.push_screen(screen)

    def on_unmount(self) -> None:
        """Stop the watcher and lift the guard (tests run many apps in one process)."""
        self._stop_watching.set()
        forbid_thread(None)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands, minus those our bindings already offer."""
        for command in super().get_system_commands(screen):
            if command.title in {"Theme", "Screenshot"}:
                yield command

    def action_activity(self) -> None:
        """`A`: the activity feed and notifications, from any screen (not over a dialog)."""
        from helpdesk_tui.screens.activity import ActivityScreen  # lazy: needed on first use

        if not isinstance(self.screen, ActivityScreen | ModalScreen):
            self.push_screen(ActivityScreen(self.desk))

    def action_help(self) -> None:
        """`?`: help generated from the live bindings of the current screen."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    @work(
        thread=True,
        exclusive=True,
        group="live",
        exit_on_error=False,
        description="watch for changes",
    )
    def _watch_changes(self) -> None:
        # One long-lived connection: SQLite's data_version only moves between calls on
        # the same connection. Commits by this app move it too, which costs one extra
        # refresh and keeps the rule simple: any commit anywhere → refresh.
        if not self.desk.ctx.location.is_sqlite:
            self._listen_for_changes()  # PostgreSQL: LISTEN/NOTIFY (TEAM-2)
            return
        worker = get_current_worker()
        with self.desk.watch_changes() as token:
            last = token()
            while not self._stop_watching.wait(self.live_interval) and not worker.is_cancelled:
                now = token()
                if now != last:
                    last = now
                    self.call_from_thread(self._broadcast_change)

    def _listen_for_changes(self) -> None:
        """PostgreSQL: a dedicated connection LISTENs for every commit's NOTIFY (coalesced
        to one refresh per 0.2 s); a lost one shows `team: reconnecting`, polls the change
        token meanwhile and comes back with back-off to `team: live` (sync/live.py)."""
        from helpdesk_tui.storage.listen import ChangeListener  # lazy: team mode only
        from helpdesk_tui.storage.reads import open_reads
        from helpdesk_tui.sync.live import Listening

        location = self.desk.ctx.location

        def token() -> object:
            with open_reads(location) as store:
                return store.change_token()

        def changed(_notices: object) -> None:
            if not self._stop_watching.is_set():
                self.call_from_thread(self._broadcast_change)

        def state(label: str) -> None:
            if not self._stop_watching.is_set():
                self.call_from_thread(self._show_team, f"team: {label}")

        listening = Listening(
            lambda: ChangeListener(location),
            changed,
            state,
            poll=token,
            poll_every=self.live_interval,
        )
        listening.watch(self._stop_watching)

    def _show_team(self, label: str) -> None:
        """`team: live` / `team: reconnecting` on every status line."""
        self.team_label = label
        for screen in self.screen_stack:
            for line in screen.query(StatusLine):
                line.team = label

    def _broadcast_change(self) -> None:
        self.screen.post_message(DataChanged())
        if self._mail_sender is not None or self._mail_sync is not None:
            self._count_mail()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers: a failure becomes a one-line notification (and a log
        entry). Screens (`WorkerScreen`) and widgets report theirs the same way."""
        report_failure(self, event)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification, whoever raises it, is literal and terminal-safe (SEC-7):
        messages quote data (names, subjects, server replies), so never markup."""
        del markup  # no caller may opt into markup: the message may carry data
        super().notify(
            safe_text(message),
            title=one_line(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )
