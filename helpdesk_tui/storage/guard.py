"""A cheap guard: database work on the UI's event-loop thread raises.

The TUI registers its event-loop thread at start-up (tests always do); any unit of work
or read connection opened on that thread is then a bug — it would freeze the screen.
"""

import threading

_forbidden: threading.Thread | None = None


def forbid_thread(thread: threading.Thread | None) -> None:
    """Make `thread` (the event loop) refuse database work; None lifts the guard."""
    global _forbidden
    _forbidden = thread


def check_thread() -> None:
    """Raise if called on the forbidden thread."""
    if _forbidden is not None and threading.current_thread() is _forbidden:
        raise RuntimeError("database work on the event-loop thread; run it in a worker")
