"""The sender loop (MAIL-5): delivers due outbox mail over ONE SMTP connection (or into
the local Maildir of `[smtp] transport = "maildir"`, which stands in for one).

Used by `helpdesk sync` (after each mail pass, and as a thread of `--watch`) and later by
the TUI's sender worker. Per mail: claim it (state "sending", committed) → SMTP → mark it
sent / retrying / failed / unknown. Before each pass, mail left in "sending" by a sender
that is gone (a killed process) is settled: looked up in the Sent folder where one is
configured, else "unknown — resend?" for an agent to decide. Nothing is resent silently.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from helpdesk_tui.config import MailAccountConfig, Settings, csat_rules, own_addresses
from helpdesk_tui.domain.errors import ConfigError
from helpdesk_tui.mail.credentials import resolve_password
from helpdesk_tui.mail.imap import ImapEndpoint, ImapMailbox, MailServerError
from helpdesk_tui.mail.maildir import MaildirTransport
from helpdesk_tui.mail.outgoing import address_of
from helpdesk_tui.mail.smtp import (
    SmtpConnection,
    SmtpEndpoint,
    SmtpError,
    SmtpPermanentError,
    SmtpUnknownOutcome,
)
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.delivery import (
    claim,
    deferred,
    delivered,
    due_mail,
    next_due,
    outcome_unknown,
    recover_interrupted,
    refused,
)
from helpdesk_tui.services.outbox import DEFAULT_ACK, MailOut

if TYPE_CHECKING:
    from helpdesk_tui.storage.outbox import OutboxEntry

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
"""A "sending" row of another machine is abandoned after this long (SMTP timeouts are
far shorter); on this machine a dead process id settles it at once."""
POLL_SECONDS = 2.0
"""`watch`: how often the outbox is looked at when nothing wakes the sender."""


def mail_out(settings: Settings) -> MailOut | None:
    """The outgoing-mail settings, or None without an [smtp] section."""
    smtp = settings.smtp
    if smtp is None:
        return None
    return MailOut(
        sender=smtp.sender,
        tag_prefix=settings.mail.case_tag_prefix,
        undo_seconds=smtp.undo_seconds,
        auto_limit=smtp.auto_limit,
        auto_window=timedelta(hours=smtp.auto_window_hours),
        max_attempts=smtp.max_attempts,
        retry_seconds=smtp.retry_seconds,
        own_addresses=own_addresses(settings),
        acknowledgements={
            a.name: a.ack_template or DEFAULT_ACK for a in settings.mail.accounts if a.acknowledge
        },
        csat_request=csat.request if (csat := csat_rules(settings)) else None,
    )


class Transport(Protocol):
    """What the sender needs of a connection: `SmtpConnection` or `MaildirTransport`."""

    @property
    def alive(self) -> bool:
        """False once the connection was lost (the sender reconnects)."""

    def send(self, sender: str, recipients: Sequence[str], raw: bytes) -> str:
        """Deliver one message; the server's answer. Raises the `SmtpError`s."""

    def close(self) -> None:
        """Let go; never raises."""


@dataclass
class SendReport:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unknown: int = 0
    recovered: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def count(self, state: str) -> None:
        """Count one mail that ended in `state`."""
        setattr(self, state, getattr(self, state) + 1)

    def line(self) -> str:
        """`outbox: 3 sent, 1 retrying, 0 failed, 0 unknown`."""
        text = (
            f"outbox: {self.sent} sent, {self.retrying} retrying, {self.failed} failed, "
            f"{self.unknown} unknown"
        )
        settled = ", ".join(f"{n} {state}" for state, n in self.recovered.items() if n)
        if settled:
            text += f" (interrupted before: {settled})"
        return text


class SentFolder:
    """The IMAP Sent folder: searched for interrupted mail, and given a copy of sent mail."""

    def __init__(self, connect: Callable[[], ImapMailbox], folder: str) -> None:
        self._connect = connect
        self._folder = folder
        self._box: ImapMailbox | None = None

    def _mailbox(self) -> ImapMailbox:
        if self._box is None:
            self._box = self._connect()
            self._box.ensure_folder(self._folder)
        return self._box

    def find(self, message_ids: Sequence[str]) -> set[str]:
        """Which of these Message-IDs are in the folder (one SEARCH HEADER each)."""
        box = self._mailbox()
        box.select(self._folder)
        found: set[str] = set()
        for message_id in {m.strip().strip("<>") for m in message_ids}:
            if message_id and box.search_header("Message-ID", message_id):
                found.add(message_id)
        return found

    def append(self, raw: bytes) -> None:
        """Store a copy, marked read."""
        self._mailbox().append(self._folder, raw, ["\\Seen"])

    def close(self) -> None:
        """Log out."""
        box, self._box = self._box, None
        if box is not None:
            box.close()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class MailSender:
    """Delivers due outbox mail; one instance per process (it has an identity)."""

    def __init__(
        self,
        ctx: Context,
        settings: Settings,
        *,
        on_report: Callable[[SendReport], None] | None = None,
    ) -> None:
        out = mail_out(settings)
        if out is None or settings.smtp is None:
            raise ConfigError("no [smtp] section in the config: nothing can be sent")
        self._ctx = ctx
        self._settings = settings
        self._smtp = settings.smtp
        self._out = out
        self._on_report = on_report or (lambda report: None)
        self._host = socket.gethostname()
        self._token = uuid.uuid4().hex[:8]
        self.claimant = f"{self._host}:{os.getpid()}:{self._token}"
        """Written into every row this sender claims."""
        self._passwords: dict[str, str] = {}

    # -- connections -------------------------------------------------------------
    def _password(self, key: str, command: str | None, service: str | None, user: str) -> str:
        if key not in self._passwords:
            self._passwords[key] = resolve_password(
                password_command=command, keyring_service=service, username=user, what=key
            )
        return self._passwords[key]

    def _connect_smtp(self) -> Transport:
        smtp = self._smtp
        if smtp.transport == "maildir":
            assert smtp.maildir is not None  # the config checks it
            return MaildirTransport(Path(smtp.maildir).expanduser())
        password = None
        if smtp.username:
            password = self._password(
                "smtp", smtp.password_command, smtp.keyring_service, smtp.username
            )
        endpoint = SmtpEndpoint(
            smtp.host, smtp.port, smtp.tls, smtp.username, password, timeout=smtp.timeout
        )
        return SmtpConnection(endpoint)

    def _sent_account(self) -> MailAccountConfig | None:
        accounts = self._settings.mail.accounts
        if self._smtp.sent_folder is None or not accounts:
            return None
        name = self._smtp.sent_account
        return next((a for a in accounts if a.name == name), accounts[0])

    def _sent_folder(self) -> SentFolder | None:
        account = self._sent_account()
        if account is None or self._smtp.sent_folder is None:
            return None

        def connect() -> ImapMailbox:
            password = self._password(
                f"mail account {account.name!r}",
                account.password_command,
                account.keyring_service,
                account.username,
            )
            return ImapMailbox(
                ImapEndpoint(account.host, account.port, account.tls, account.username, password)
            )

        return SentFolder(connect, self._smtp.sent_folder)

    # -- exactly once ------------------------------------------------------------
    def abandoned(self, entry: OutboxEntry) -> bool:
        """Whether a "sending" row's sender is gone (so its outcome must be settled)."""
        host, _, rest = entry.claimed_by.partition(":")
        pid_text, _, token = rest.partition(":")
        if host == self._host and pid_text.isdigit():
            pid = int(pid_text)
            if pid == os.getpid():
                # This process: our own leftover (we are not mid-send while recovering),
                # or another sender in this process, which may still be talking SMTP.
                return token == self._token or self._expired(entry)
            return not _pid_alive(pid) or self._expired(entry)
        return self._expired(entry)

    def _expired(self, entry: OutboxEntry) -> bool:
        return entry.attempted_at is None or entry.attempted_at < self._ctx.clock() - LEASE

    def recover(self) -> dict[str, int]:
        """Settle mail whose sender died between "sending" and the answer."""
        folder = self._sent_folder()

        def in_sent(message_ids: Sequence[str]) -> set[str]:
            if folder is None:
                return set()
            try:
                return folder.find(message_ids)
            except (MailServerError, ConfigError) as error:
                log.warning("Sent folder not searchable: %s", error)
                return set()

        try:
            return recover_interrupted(
                self._ctx, abandoned=self.abandoned, in_sent_folder=in_sent if folder else None
            )
        finally:
            if folder is not None:
                folder.close()

    # -- one pass ----------------------------------------------------------------
    def send_due(self, stop: threading.Event | None = None) -> SendReport:
        """Deliver every mail that is due, over one connection; failures are recorded."""
        report = SendReport(recovered=self.recover())
        connection: Transport | None = None
        sent_folder: SentFolder | None = None
        tried: set[uuid.UUID] = set()  # each mail once per pass, even if due again at once
        try:
            while not (stop is not None and stop.is_set()):
                ids = [i for i in due_mail(self._ctx) if i not in tried]
                if not ids:
                    break
                for index, entry_id in enumerate(ids):
                    if stop is not None and stop.is_set():
                        break
                    if connection is None or not connection.alive:
                        try:
                            connection = self._connect_smtp()
                        except (SmtpError, ConfigError) as error:
                            self._postpone(ids[index:], str(error), report)
                            return report
                    if sent_folder is None and self._smtp.append_sent:
                        sent_folder = self._sent_folder()
                    tried.add(entry_id)
                    self._send_one(connection, entry_id, report, sent_folder)
        finally:
            if connection is not None:
                connection.close()
            if sent_folder is not None:
                sent_folder.close()
            self._on_report(report)
        return report

    def _postpone(self, ids: Sequence[uuid.UUID], reason: str, report: SendReport) -> None:
        """The server cannot be reached: every due mail waits for its next attempt."""
        report.errors.append(reason)
        for entry_id in ids:
            report.count(deferred(self._ctx, self._out, entry_id, reason, claimed=False))

    def _send_one(
        self,
        connection: Transport,
        entry_id: uuid.UUID,
        report: SendReport,
        sent_folder: SentFolder | None,
    ) -> None:
        claimed = claim(self._ctx, entry_id, self.claimant)  # committed before any SMTP
        if claimed is None:
            return  # cancelled meanwhile, or another sender took it
        entry = claimed.entry
        try:
            answer = connection.send(address_of(entry.sender), [entry.recipient], claimed.raw)
        except SmtpPermanentError as error:
            refused(self._ctx, entry.id, str(error))
            report.failed += 1
        except SmtpUnknownOutcome as error:
            outcome_unknown(self._ctx, entry.id, str(error))
            report.unknown += 1
        except SmtpError as error:  # transient
            report.count(deferred(self._ctx, self._out, entry.id, str(error), claimed=True))
        else:
            delivered(self._ctx, entry, answer)
            report.sent += 1
            if sent_folder is not None:
                try:
                    sent_folder.append(claimed.raw)
                except (MailServerError, ConfigError) as error:
                    report.errors.append(f"copy to the Sent folder failed: {error}")
                    sent_folder.close()

    # -- watching ----------------------------------------------------------------
    def watch(self, stop: threading.Event, wake: threading.Event | None = None) -> None:
        """Send until `stop` is set; `wake` (set after queueing) sends at once."""
        wake = wake or threading.Event()
        while not stop.is_set():
            try:
                self.send_due(stop)
                upcoming = next_due(self._ctx)
            except Exception:  # a database hiccup must not end the sender thread
                log.exception("sender pass failed")
                upcoming = None
            wait = POLL_SECONDS
            if upcoming is not None:
                left = (upcoming - self._ctx.clock()).total_seconds()
                wait = max(0.05, min(POLL_SECONDS, left))
            deadline = wait
            while deadline > 0 and not stop.is_set() and not wake.is_set():
                step = min(0.25, deadline)
                wake.wait(step)
                deadline -= step
            wake.clear()
