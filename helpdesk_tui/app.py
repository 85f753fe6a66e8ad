"""The Textual app: wiring only — screens, global bindings, live refresh, worker errors."""

import logging
import threading
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

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
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("colon", "command_palette", "Commands", id="palette", show=False),
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
        self._keymap = keymap or {}
        self._change_token: object = None

    def on_mount(self) -> None:
        """Guard the event loop, apply the keymap, open the queue, start watching."""
        forbid_thread(threading.current_thread())
        if self._keymap:
            self.set_keymap(self._keymap)
        from helpdesk_tui.screens.queue import QueueScreen  # lazy import: screens import app

        self.push_screen(QueueScreen())
        if self.live_interval > 0:
            self.set_interval(self.live_interval, self._poll_changes)

    def on_unmount(self) -> None:
        """Lift the guard (tests run many apps in one process)."""
        forbid_thread(None)

    def action_help(self) -> None:
        """`?`: help generated from the live bindings."""
        from helpdesk_tui.screens.help import HelpScreen  # lazy import

        self.push_screen(HelpScreen())

    def _poll_changes(self) -> None:
        self._check_changes()

    @work(thread=True, exclusive=True, group="live", description="watch for changes")
    def _check_changes(self) -> None:
        token = self.desk.change_token()
        if self._change_token is not None and token != self._change_token:
            self.call_from_thread(self._broadcast_change)
        self._change_token = token

    def _broadcast_change(self) -> None:
        self.screen.post_message(DataChanged())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place turns a failed worker into a one-line notification (and a log entry)."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error("worker %s failed", event.worker.description, exc_info=error)
            self.notify(f"{event.worker.description} failed: {error}", severity="error")
