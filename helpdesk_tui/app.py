"""The Textual app: wiring only — screens, global bindings, live refresh, worker errors."""

import logging
import threading
from collections.abc import Iterable
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from helpdesk_tui.commands import BindingCommands
from helpdesk_tui.messages import DataChanged
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.guard import forbid_thread

log = logging.getLogger(__name__)

#: How often the app asks the database whether anyone committed (TUI-3: ≤ 2 s to show).
LIVE_INTERVAL = 0.5


class HelpdeskApp(App[None]):
    """helpdesk-tui."""

    CSS_PATH = "app.tcss"
    TITLE = "helpdesk"
    COMMANDS = App.COMMANDS | {BindingCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("colon,ctrl+p", "command_palette", "Commands", id="palette", show=False),
    ]

    def __init__(
        self,
        desk: Desk,
        *,
        keymap: dict[str, str] | None = None,
        live_interval: float = LIVE_INTERVAL,
    ) -> None:
        super().__init__()
        self.desk = desk
        self.live_interval = live_interval
        self.configured_keymap = dict(keymap or {})
        self._stop_watching = threading.Event()

    def on_mount(self) -> None:
        """Guard the event loop, apply the keymap, open the queue, start watching."""
        forbid_thread(threading.current_thread())
        if self.configured_keymap:
            self.set_keymap(self.configured_keymap)
        from helpdesk_tui.screens.queue import QueueScreen  # lazy import: screens import app

        self.push_screen(QueueScreen())
        if self.live_interval > 0:
            self._watch_changes()
        self.call_after_refresh(self._warm_up)

    @work(thread=True, exit_on_error=False, group="warm-up", description="load the write path")
    def _warm_up(self) -> None:
        """After the first paint, load the write stack (SQLAlchemy, the unit of work).

        The queue paints from plain read queries; importing SQLAlchemy and SQLModel takes
        about a second here, so it happens in the background instead of on first use.
        """
        import helpdesk_tui.storage.uow  # noqa: F401  (imported for its side effect)

        _ = self.desk.ctx.engine

    def on_unmount(self) -> None:
        """Stop the watcher and lift the guard (tests run many apps in one process)."""
        self._stop_watching.set()
        forbid_thread(None)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands, minus those our bindings already offer."""
        for command in super().get_system_commands(screen):
            if command.title in {"Theme", "Screenshot"}:
                yield command

    def action_help(self) -> None:
        """`?`: help generated from the live bindings of the current screen."""
        from helpdesk_tui.screens.help import HelpScreen  # lazy import

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
        worker = get_current_worker()
        with self.desk.watch_changes() as token:
            last = token()
            while not self._stop_watching.wait(self.live_interval) and not worker.is_cancelled:
                now = token()
                if now != last:
                    last = now
                    self.call_from_thread(self._broadcast_change)

    def _broadcast_change(self) -> None:
        self.screen.post_message(DataChanged())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place turns a failed worker into a one-line notification (and a log entry)."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error("worker %s failed", event.worker.description, exc_info=error)
            self.notify(
                f"{event.worker.description} failed: {error}", severity="error", markup=False
            )
