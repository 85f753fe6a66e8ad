"""The mail poller (MAIL-1, MAIL-2): fetch what is new, parse, store and file — exactly once.

Per folder the database keeps UIDVALIDITY, the last UID stored (and HIGHESTMODSEQ where
the server has CONDSTORE). A pass asks the server for the UIDs above the last one with
their sizes, fetches them in batches cut by count and by bytes with BODY.PEEK[] (nothing
is marked read by looking; a mail above `mail.max_size` only its header, stored as a stub
with a defect: memory stays bounded whatever arrives), parses them on all
cores while the next batch downloads (in this process when a pass brings fewer than
PARALLEL_FROM mails), and hands each batch to `services.filing.ingest`,
which stores, files and advances the folder state in one transaction. Only after that
commit does the server-side action (mark seen / move) happen, so a crash at any point
costs at most a re-fetch, never a lost or doubled mail. A changed UIDVALIDITY means the
server renumbered the folder: it is read again from the start and the dedupe key drops
what is already stored.

`MailPoller.watch` keeps going: IDLE where the server offers it (polling otherwise), and
reconnects with capped exponential back-off when the server is away. Each account runs
under a supervisor: whatever else stops its loop is reported (`error: …`) and the loop
starts again after the same back-off, so an account never goes quiet (MAIL-10).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from helpdesk_tui.config import (
    MailAccountConfig,
    Settings,
    csat_rules,
    own_addresses,
    routing_rules,
)
from helpdesk_tui.domain.errors import ConfigError
from helpdesk_tui.domain.filing import FiledBy
from helpdesk_tui.mail.credentials import resolve_password
from helpdesk_tui.mail.imap import (
    FolderStatus,
    ImapEndpoint,
    ImapMailbox,
    MailAuthError,
    MailServerError,
)
from helpdesk_tui.services.folders import folder_state, save_folder_state
from helpdesk_tui.sync.status import SyncState, SyncStatus

if TYPE_CHECKING:
    from concurrent.futures import Future

    from helpdesk_tui.mail.parse import ParsedMail
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.filing import FilingSettings, IngestResult
    from helpdesk_tui.sync.parsing import ParserPool

#: A pass with fewer new mails parses them in this process: starting the parser workers
#: (a process each, importing the parser) costs ~0.2 s, a mail parses in ~0.2 ms.
PARALLEL_FROM = 1000
#: A batch holds at most this many bytes of mail (or one mail, if that is larger): two
#: batches are in memory at once (one parsing while the next downloads).
BATCH_BYTES = 32 * 1024 * 1024
#: What a stub's header is counted as when batches are cut.
STUB_BYTES = 64 * 1024
BACKOFF_START = 2.0
BACKOFF_CAP = 300.0


@dataclass
class FolderReport:
    """What one pass did in one folder."""

    mailbox: str
    folder: str
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    new_cases: int = 0
    filed: int = 0
    unfiled: int = 0
    rescanned: bool = False
    failures: list[str] = field(default_factory=list)
    """Mails stored with a filing failure: `UID n: why` (they wait in the inbox)."""


@dataclass
class SyncReport:
    """What one pass over every account did; `errors` names accounts that failed."""

    folders: list[FolderReport] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        """New mails stored in this pass."""
        return sum(f.stored for f in self.folders)

    def problems(self) -> list[str]:
        """One line per failure of the pass: accounts that failed, mails not filed."""
        lines = [f"mail account {name!r}: {message}" for name, message in self.errors.items()]
        for folder in self.folders:
            where = f"{folder.mailbox}/{folder.folder}"
            lines.extend(f"{where} {failure}" for failure in folder.failures)
        return lines


@dataclass(frozen=True)
class _Fetched:
    """A downloaded batch whose parsing may still be running."""

    uids: list[int]
    raws: dict[int, bytes]
    parsing: Future[list[ParsedMail]] | list[ParsedMail]
    stubs: dict[int, int] = field(default_factory=dict)
    """UID → size of the mails fetched as headers only (above `mail.max_size`)."""


StatusCallback = Callable[[SyncStatus], None]
BatchCallback = Callable[["IngestResult"], None]


class MailPoller:
    """Syncs every configured account: once, or continuously until stopped."""

    def __init__(
        self,
        ctx: Context,
        settings: Settings,
        *,
        on_status: StatusCallback | None = None,
        on_batch: BatchCallback | None = None,
        workers: int | None = None,
        backoff: float = BACKOFF_START,
    ) -> None:
        self._ctx = ctx
        self._settings = settings
        self._on_status = on_status or (lambda status: None)
        self._on_batch = on_batch or (lambda result: None)
        self._workers = workers
        self._backoff = backoff
        self._passwords: dict[str, str] = {}

    # Filing and parsing load the mail and storage stacks: only a pass that finds new
    # mail pays for them, so a poll with nothing new starts and ends quickly.
    @cached_property
    def _filing(self) -> FilingSettings:
        from helpdesk_tui.services.filing import FilingSettings
        from helpdesk_tui.sync.sender import mail_out

        return FilingSettings(
            rules=routing_rules(self._settings),
            reopen_closed=self._settings.mail.reopen_closed,
            own_addresses=own_addresses(self._settings),
            mail_out=mail_out(self._settings),  # acknowledgements of new cases (MAIL-5)
            max_attachment_size=self._settings.mail.max_attachment_size_bytes,  # ACT-6
            csat=csat_rules(self._settings),  # a rating reply is recorded, not reopening
        )

    @cached_property
    def _pool(self) -> ParserPool:
        from helpdesk_tui.sync.parsing import ParserPool

        own = own_addresses(self._settings)
        domains = sorted({a.rpartition("@")[2] for a in own if "@" in a})
        return ParserPool(
            tag_prefix=self._settings.mail.case_tag_prefix,
            own_domains=domains,
            workers=self._workers,
        )

    @property
    def accounts(self) -> list[MailAccountConfig]:
        """The configured accounts."""
        return list(self._settings.mail.accounts)

    def close(self) -> None:
        """Stop the parser workers (if a pass started them)."""
        if "_pool" in self.__dict__:
            self._pool.close()

    # -- one pass ----------------------------------------------------------------
    def sync_once(self) -> SyncReport:
        """One pass over every account and folder; failures are reported, not raised."""
        report = SyncReport()
        if not self.accounts:
            self._on_status(SyncStatus(SyncState.OFF))
            return report
        for account in self.accounts:
            try:
                with self._connect(account) as box:
                    report.folders.extend(self._sync_account(box, account))
            except (MailServerError, ConfigError) as error:
                report.errors[account.name] = str(error)
                state = SyncState.OFFLINE if _transient(error) else SyncState.ERROR
                self._on_status(SyncStatus(state, account.name, message=str(error)))
            except Exception as error:  # anything else: this account failed, the next goes on
                report.errors[account.name] = _describe(error)
                self._on_status(SyncStatus(SyncState.ERROR, account.name, message=_describe(error)))
        if not report.errors:  # mail that could not be filed: `report.problems()`
            self._on_status(SyncStatus(SyncState.IDLE))
        return report

    def _after_pass(self, folders: Sequence[FolderReport], mailbox: str = "") -> SyncStatus:
        """Idle, or an error naming the mail a pass could not file (it waits unfiled)."""
        failures = [f for folder in folders for f in folder.failures]
        if not failures:
            return SyncStatus(SyncState.IDLE, mailbox)
        many = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        message = f"mail stored unfiled, {failures[0]}{many}"
        return SyncStatus(SyncState.ERROR, mailbox, message=message)

    def _sync_account(self, box: ImapMailbox, account: MailAccountConfig) -> list[FolderReport]:
        return [self._sync_folder(box, account, folder) for folder in account.folders]

    def _sync_folder(
        self, box: ImapMailbox, account: MailAccountConfig, folder: str
    ) -> FolderReport:
        report = FolderReport(account.name, folder)
        status = box.select(folder)
        stored = folder_state(self._ctx, account.name, folder)
        last_uid = 0
        if stored is not None and stored[0] == status.uidvalidity:
            last_uid = stored[1]
        elif stored is not None:
            report.rescanned = True  # the server renumbered the folder: read it again
        if stored is not None and not report.rescanned and status.uidnext - 1 <= last_uid:
            return report  # nothing new: no SEARCH, no FETCH
        sizes = box.sizes_after(last_uid)
        if not sizes:
            save_folder_state(
                self._ctx,
                account.name,
                folder,
                uidvalidity=status.uidvalidity,
                last_uid=last_uid,
                highestmodseq=status.highestmodseq,
            )
            return report
        self._ingest_all(box, account, folder, status, sizes, report)
        return report

    def _ingest_all(
        self,
        box: ImapMailbox,
        account: MailAccountConfig,
        folder: str,
        status: FolderStatus,
        sizes: dict[int, int],
        report: FolderReport,
    ) -> None:
        """Fetch batch n+1 while batch n parses on the other cores, then store batch n.

        Parsed here (a small pass), a batch is stored before the next one downloads:
        nothing would overlap, and only one batch is then in memory.
        """
        total = len(sizes)
        self._on_status(SyncStatus(SyncState.SYNCING, account.name, 0, total))
        parallel = total >= PARALLEL_FROM
        limit = self._settings.mail.max_size_bytes
        previous: _Fetched | None = None
        for chunk in cut_batches(sizes, self._settings.mail.batch_size, BATCH_BYTES, limit):
            fetched = self._fetch(box, chunk, sizes, limit, parallel, report)
            if previous is not None:
                self._store(box, account, folder, status, previous, report, total)
            previous = fetched
            del fetched  # the names a batch is held by: gone before the next download
            if not parallel:
                self._store(box, account, folder, status, previous, report, total)
                previous = None
        if previous is not None:
            self._store(box, account, folder, status, previous, report, total)

    def _fetch(
        self,
        box: ImapMailbox,
        chunk: list[int],
        sizes: dict[int, int],
        limit: int,
        parallel: bool,
        report: FolderReport,
    ) -> _Fetched:
        """Download a batch (mail above `limit`: its header only) and start parsing it."""
        stubs = {uid: sizes[uid] for uid in chunk if sizes[uid] > limit}
        raws = box.fetch_raw([uid for uid in chunk if uid not in stubs])
        raws.update(box.fetch_headers(sorted(stubs)))
        report.fetched += len(raws)
        present = [raws[u] for u in chunk if u in raws]
        return _Fetched(chunk, raws, self._pool.submit(present, parallel=parallel), stubs)

    def _store(
        self,
        box: ImapMailbox,
        account: MailAccountConfig,
        folder: str,
        status: FolderStatus,
        batch: _Fetched,
        report: FolderReport,
        total: int,
    ) -> None:
        from helpdesk_tui.services.filing import FolderBatch, Incoming, ingest
        from helpdesk_tui.storage.mails import FolderState  # lazy: SQLAlchemy
        from helpdesk_tui.sync.parsing import ParserPool

        chunk, raws = batch.uids, batch.raws
        parsed = ParserPool.result(batch.parsing)
        present = [u for u in chunk if u in raws]
        mails = [
            Incoming(uid, raws[uid], _stub(mail, batch.stubs[uid], account.name, folder, uid))
            if uid in batch.stubs
            else Incoming(uid, raws[uid], mail)
            for uid, mail in zip(present, parsed, strict=True)
        ]
        reaches = FolderState(status.uidvalidity, max(chunk), status.highestmodseq)
        result = ingest(
            self._ctx,
            self._filing,
            FolderBatch(account.name, folder, status.uidvalidity, mails, reaches),
        )
        for filed in result.filed:
            if filed.filed_by is FiledBy.DUPLICATE:
                report.duplicates += 1
            elif filed.new_case:
                report.new_cases += 1
            elif filed.case is not None:
                report.filed += 1
            else:
                report.unfiled += 1
        report.stored += result.stored
        report.failures.extend(f"UID {f.uid}: {f.failure}" for f in result.failures)
        self._after_filing(box, account, present)
        done = report.duplicates + report.stored
        self._on_status(SyncStatus(SyncState.SYNCING, account.name, done, total))
        self._on_batch(result)

    def _after_filing(
        self, box: ImapMailbox, account: MailAccountConfig, uids: Sequence[int]
    ) -> None:
        """The server-side action, only once the batch is committed."""
        if not uids or account.after_filing == "leave":
            return
        if account.after_filing == "seen":
            box.mark_seen(uids)
        else:
            box.ensure_folder(account.move_to)
            box.move(uids, account.move_to)

    # -- connections -------------------------------------------------------------
    def _connect(self, account: MailAccountConfig) -> ImapMailbox:
        password = self._passwords.get(account.name)
        if password is None:
            password = resolve_password(
                password_command=account.password_command,
                keyring_service=account.keyring_service,
                username=account.username,
                what=f"mail account {account.name!r}",
            )
            self._passwords[account.name] = password
        endpoint = ImapEndpoint(account.host, account.port, account.tls, account.username, password)
        return ImapMailbox(endpoint)

    # -- watching ----------------------------------------------------------------
    def watch(self, stop: threading.Event) -> None:
        """Sync until `stop` is set: one thread per account, IDLE or polling, back-off."""
        if not self.accounts:
            self._on_status(SyncStatus(SyncState.OFF))
            stop.wait()
            return
        threads = [
            threading.Thread(
                target=self._watch_account,
                args=(account, stop),
                name=f"mail-{account.name}",
                daemon=True,
            )
            for account in self.accounts
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _watch_account(self, account: MailAccountConfig, stop: threading.Event) -> None:
        """The account's loop under a supervisor: a server away or a refusal waits and
        reconnects; any other error is reported as `error: …` and the loop starts again
        after the same back-off (a thread that died would leave the account silent)."""
        delay = self._backoff
        while not stop.is_set():
            try:
                with self._connect(account) as box:
                    delay = self._backoff
                    self._on_status(
                        self._after_pass(self._sync_account(box, account), account.name)
                    )
                    while not stop.is_set():
                        box.select(account.folders[0])
                        box.wait_for_changes(self._settings.mail.poll_seconds, stop)
                        if stop.is_set():
                            break
                        folders = self._sync_account(box, account)
                        self._on_status(self._after_pass(folders, account.name))
            except (MailServerError, ConfigError) as error:
                if isinstance(error, ConfigError | MailAuthError):
                    self._passwords.pop(account.name, None)
                state = SyncState.OFFLINE if _transient(error) else SyncState.ERROR
                self._wait(account, state, str(error), delay, stop)
                delay = min(delay * 2, BACKOFF_CAP)
            except Exception as error:  # a bug or the database: report it, start again
                self._wait(account, SyncState.ERROR, _describe(error), delay, stop)
                delay = min(delay * 2, BACKOFF_CAP)

    def _wait(
        self,
        account: MailAccountConfig,
        state: SyncState,
        message: str,
        delay: float,
        stop: threading.Event,
    ) -> None:
        """Show the state with a countdown until the next attempt.

        The back-off holds even when showing fails (a status callback that raises would
        otherwise end the account's thread here, or make it retry without pause)."""
        wait = delay * random.uniform(0.8, 1.2)
        end = time.monotonic() + wait
        try:
            self._on_status(SyncStatus(state, account.name, message=message))
            for left in _countdown(wait, stop):
                self._on_status(SyncStatus(state, account.name, retry_in=left, message=message))
        except Exception:  # nowhere left to show it: wait out the back-off, then go on
            stop.wait(max(0.0, end - time.monotonic()))


def _describe(error: BaseException) -> str:
    """An unexpected error as one line of plain text."""
    text = "".join(c if c.isprintable() else " " for c in f"{type(error).__name__}: {error}")
    return text if len(text) <= 300 else text[:299] + "…"


def _transient(error: Exception) -> bool:
    """Server away (retry soon) vs. a refusal a person must fix (login, config)."""
    return isinstance(error, MailServerError) and not isinstance(error, MailAuthError)


def _countdown(seconds: float, stop: threading.Event) -> Iterator[float]:
    """Yield the seconds left once a second until `seconds` passed or `stop` is set."""
    end = time.monotonic() + seconds
    while not stop.is_set():
        left = end - time.monotonic()
        if left <= 0:
            return
        yield left
        stop.wait(min(1.0, left))


def cut_batches(
    sizes: dict[int, int], count: int, max_bytes: int, stub_above: int
) -> Iterator[list[int]]:
    """UIDs in order, cut after `count` mails or before `max_bytes` would be passed."""
    chunk: list[int] = []
    held = 0
    for uid, size in sizes.items():
        size = STUB_BYTES if size > stub_above else size
        if chunk and (len(chunk) >= count or held + size > max_bytes):
            yield chunk
            chunk, held = [], 0
        chunk.append(uid)
        held += size
    if chunk:
        yield chunk


def _stub(mail: ParsedMail, size: int, mailbox: str, folder: str, uid: int) -> ParsedMail:
    """A mail fetched as its header only: say so where the agent looks (its defects)."""
    note = (
        f"too large ({size:,} bytes, above mail.max_size): only its headers are stored; "
        f"the whole mail stays on the server ({mailbox}/{folder} UID {uid})"
    )
    return replace(mail, defects=(*mail.defects, note), size=size)
