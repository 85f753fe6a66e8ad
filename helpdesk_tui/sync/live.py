"""The TUI's live updates on PostgreSQL (TEAM-2, TUI-3): a thread that LISTENs for the
notices every commit sends (storage/listen.py) and hands them on, coalesced.

The first notice after a quiet spell is handed on at once; what arrives within the next
`coalesce` seconds (a burst of a hundred) goes on as one batch at the end of that window,
so a busy team costs a TUI at most one refresh per window. A lost connection (server
restart, network, `pg_terminate_backend`) reports `reconnecting`, falls back to polling
the change token every `poll_every` seconds, and reconnects with back-off; once back it
reports `live` and hands on one `reconnected` notice, so whatever was committed while
nobody listened is read too.
"""

import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from helpdesk_tui.storage.listen import ListenerLost, Notice

LIVE = "live"
RECONNECTING = "reconnecting"
#: Notices within this many seconds of a refresh wait and go on together.
COALESCE = 0.2
#: How often the loop looks at its stop flag while nothing arrives (seconds).
STOP_CHECK = 0.5
#: Waits between reconnection attempts (the last one repeats), seconds.
BACKOFF = (0.5, 1.0, 2.0, 5.0)


class Listening:
    """What a listener thread needs: a way to connect, where notices go, where its state
    goes, and (while reconnecting) a change token to poll, which may raise."""

    def __init__(
        self,
        connect: Callable[[], "Listener"],
        on_change: Callable[[Sequence[Notice]], None],
        on_state: Callable[[str], None],
        *,
        poll: Callable[[], object] | None = None,
        coalesce: float = COALESCE,
        poll_every: float = 0.5,
        backoff: Sequence[float] = BACKOFF,
    ) -> None:
        """`connect` opens a listening connection or raises `ListenerLost`."""
        self._connect = connect
        self._on_change = on_change
        self._on_state = on_state
        self._poll = poll
        self._coalesce = coalesce
        self._poll_every = poll_every
        self._backoff = tuple(backoff) or (1.0,)
        self._state = ""
        self.reconnects = 0  # how many times the line came back (tests, benchmarks)

    def _report(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self._on_state(state)

    def watch(self, stop: threading.Event) -> None:
        """Listen until `stop` is set; never raises for a lost connection."""
        first = True
        while not stop.is_set():
            listener = self._reconnect(stop)
            if listener is None:
                return  # stopped while reconnecting
            self._report(LIVE)
            if not first:
                self.reconnects += 1
                self._on_change([Notice(kind="reconnected")])
            first = False
            try:
                self._listen(listener, stop)
            except ListenerLost:
                self._report(RECONNECTING)
            finally:
                listener.close()

    def _reconnect(self, stop: threading.Event) -> "Listener | None":
        """A listening connection; meanwhile (after a failed attempt) poll the token."""
        attempt = 0
        baseline = self._token()
        next_try = time.monotonic() + (self._backoff[0] if self._state == RECONNECTING else 0.0)
        while not stop.is_set():
            if time.monotonic() >= next_try:
                try:
                    return self._connect()
                except ListenerLost:
                    self._report(RECONNECTING)
                    attempt += 1
                    next_try = (
                        time.monotonic() + self._backoff[min(attempt, len(self._backoff) - 1)]
                    )
            stop.wait(max(0.0, min(self._poll_every, next_try - time.monotonic())))
            token = self._token()
            if token is not None and baseline is not None and token != baseline:
                self._on_change([Notice(kind="polled")])
            if token is not None:
                baseline = token
        return None

    def _token(self) -> object:
        if self._poll is None:
            return None
        try:
            return self._poll()
        except Exception:  # the server is away: the next poll tries again
            return None

    def _listen(self, listener: "Listener", stop: threading.Event) -> None:
        pending: list[Notice] = []
        last = float("-inf")
        while not stop.is_set():
            now = time.monotonic()
            if pending and now - last >= self._coalesce:
                batch, pending = pending, []
                last = now
                self._on_change(batch)
                continue
            timeout = last + self._coalesce - now if pending else STOP_CHECK
            pending += listener.wait(timeout)


class Listener(Protocol):
    """A listening connection (storage/listen.ChangeListener)."""

    def wait(self, timeout: float) -> list[Notice]:
        """Notices within `timeout` seconds; raises `ListenerLost`."""

    def close(self) -> None:
        """Close the connection."""
