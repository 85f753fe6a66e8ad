"""A failed worker is told to the user in one line, wherever it was started (TUI-5).

Textual posts `Worker.StateChanged` to the node that started the worker, and the message
does not bubble: a screen's failed save never reaches the app. So the app, the screen
base class (`screens/base.py`, `WorkerScreen`) and every widget that starts workers
handle it by calling `report_failure`, the one place that words a failure and logs its
traceback. A refusal (`DomainError`) shows its own message; anything else shows as
`error: <type>: <first line>`.
"""

import logging
from typing import Any

from textual.app import App
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.safe_text import one_line

log = logging.getLogger("helpdesk_tui.workers")

#: How much of an unexpected error's first line is shown (the log has all of it).
SHORT = 120


def failure_line(error: BaseException | None) -> str:
    """The one line a user sees for `error`."""
    if isinstance(error, DomainError):
        return one_line(error.message)
    kind = type(error).__name__ if error is not None else "unknown"
    lines = str(error or "").strip().splitlines()
    short = one_line(lines[0], SHORT) if lines else ""
    return f"error: {kind}: {short}" if short else f"error: {kind}"


def report_failure(node: Widget | App[Any], event: Worker.StateChanged) -> None:
    """Handle `Worker.StateChanged` for `node`: a failure becomes a notification."""
    if event.state is not WorkerState.ERROR:
        return
    error = event.worker.error
    log.error("worker %r failed", event.worker.description, exc_info=error)
    node.notify(failure_line(error), severity="error", markup=False)
