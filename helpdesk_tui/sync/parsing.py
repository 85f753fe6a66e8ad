"""Parsing many mails on the other cores: the sync's CPU-bound step (issue 4's speed target).

A pass with few new mails parses them in this process (`parallel=False`, the poller
decides): starting the workers costs more than it saves. A large pass splits its
batches across a process pool, which starts once and is reused. The pool uses the
`forkserver` start method: forking a process that runs threads (the TUI, IDLE watchers)
can copy a held lock into the child.
"""

import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial

from helpdesk_tui.mail.parse import ParsedMail, parse

#: How often a worker checks that the process it works for is still there.
OWNER_CHECK_SECONDS = 1.0


def _parse_all(
    raws: Sequence[bytes], tag_prefix: str, own_domains: tuple[str, ...]
) -> list[ParsedMail]:
    return [parse(raw, tag_prefix=tag_prefix, own_domains=own_domains) for raw in raws]


class ParserPool:
    """Parses batches of raw mails, in parallel when the batch is large."""

    def __init__(
        self, *, tag_prefix: str = "#", own_domains: Sequence[str] = (), workers: int | None = None
    ) -> None:
        self._parse = partial(_parse_all, tag_prefix=tag_prefix, own_domains=tuple(own_domains))
        # All cores but one: the process that fetches and stores needs one of its own
        # (on two cores, one worker synced 10,000 mails ~3 % faster than two).
        self._workers = workers or max(1, (os.cpu_count() or 1) - 1)
        self._pool: ProcessPoolExecutor | None = None

    def submit(
        self, raws: Sequence[bytes], *, parallel: bool = True
    ) -> "Future[list[ParsedMail]] | list[ParsedMail]":
        """Start parsing `raws`; returns the parsed mails or a future of them (see `result`).

        `parallel=False` parses them here and now.
        """
        if not parallel:
            return self._parse(raws)
        pool = self._ensure_pool()
        size = -(-len(raws) // self._workers)
        parts = [
            pool.submit(self._parse, list(raws[i : i + size])) for i in range(0, len(raws), size)
        ]
        joined: Future[list[ParsedMail]] = Future()
        _join(parts, joined)
        return joined

    @staticmethod
    def result(pending: "Future[list[ParsedMail]] | list[ParsedMail]") -> list[ParsedMail]:
        """The parsed mails of a `submit`, waiting for them if needed."""
        return pending.result() if isinstance(pending, Future) else pending

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            # The fork server imports the parser once; each worker forked from it has it.
            context.set_forkserver_preload([__name__])
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=context,
                initializer=_leave_with,
                initargs=(os.getpid(),),
            )
        return self._pool

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _leave_with(owner: int) -> None:
    """In a worker: exit once the process that started the pool is gone.

    A worker waits on its task queue forever, and it holds the fork server's and the
    resource tracker's pipes open: when `helpdesk sync` is killed (kill -9, the OOM
    killer), its workers, fork server and resource tracker would live on. Polling the
    owner is the portable way (PR_SET_PDEATHSIG would name the fork server, not it).
    """

    def watch() -> None:
        while True:
            time.sleep(OWNER_CHECK_SECONDS)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # the pid now belongs to someone else's process
                os._exit(0)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def _join(parts: list["Future[list[ParsedMail]]"], joined: "Future[list[ParsedMail]]") -> None:
    """Complete `joined` with the parts' results, in order, once all are done."""
    remaining = [len(parts)]

    def done(_: object) -> None:
        remaining[0] -= 1
        if remaining[0]:
            return
        try:
            joined.set_result([mail for part in parts for mail in part.result()])
        except BaseException as error:  # a worker died: the caller sees it on result()
            joined.set_exception(error)

    for part in parts:
        part.add_done_callback(done)
