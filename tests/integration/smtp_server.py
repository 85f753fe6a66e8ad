"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), recording what it receives.

It can refuse every message (`reject`), hold the final answer to DATA until released
(`hold`: the moment to SIGKILL a sender between "the server has the mail" and "the sender
knows it"), and be stopped and started again on the same port.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes


class _Recorder:
    """The aiosmtpd handler: records, refuses or holds."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self.reject: str | None = None
        self.hold = False
        self.release = threading.Event()
        self.arrived = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reject is not None:
            return self.reject
        with self.lock:
            self.messages.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.content))
            )
        self.arrived.set()
        if self.hold:
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return "250 2.0.0 Ok: queued"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """The server; `messages` is what it accepted, in order."""

    def __init__(self) -> None:
        self.port = _free_port()
        self._handler = _Recorder()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[Received]:
        with self._handler.lock:
            return list(self._handler.messages)

    def start(self) -> None:
        deadline = time.monotonic() + 10
        while True:
            controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
            try:
                controller.start()
                break
            except (OSError, RuntimeError):  # the port is still in TIME_WAIT after a stop
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._controller = controller

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            self._handler.release.set()
            controller.stop()

    def reject(self, answer: str | None) -> None:
        """Answer every DATA with `answer` (e.g. "550 5.7.1 no"), or accept again (None)."""
        self._handler.reject = answer

    def hold(self) -> None:
        """Keep the answer to the next DATA back until `release` (the mail is recorded)."""
        self._handler.release.clear()
        self._handler.arrived.clear()
        self._handler.hold = True

    def wait_for_data(self, timeout: float = 30) -> None:
        """Until a message arrived (after `hold`)."""
        if not self._handler.arrived.wait(timeout):
            raise AssertionError(f"no message within {timeout} s")

    def release(self) -> None:
        """Answer held DATA and stop holding."""
        self._handler.hold = False
        self._handler.release.set()

    def wait_for(self, count: int, timeout: float = 15) -> list[Received]:
        """Until at least `count` messages arrived; returns them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        raise AssertionError(f"{len(self.messages)} messages, not {count}, within {timeout} s")
