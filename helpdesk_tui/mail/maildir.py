"""The `maildir` transport (`[smtp] transport = "maildir"`): outgoing mail is delivered
into a local Maildir instead of to an SMTP server.

For the demo and for trying the helpdesk without a mail server: every reply, update,
closing mail and acknowledgement lands as one file in `PATH/new`, where any mail client
(mutt -f PATH, aerc, Thunderbird's local folders) opens it. The message is stored as it
would have gone out, with the `Return-Path` and `Delivered-To` lines a local delivery
agent adds. The stdlib `mailbox.Maildir` writes each file to `tmp/` and renames it into
`new/`, so a reader never sees half a message.

`MaildirTransport` has the interface of `SmtpConnection` (`send`, `alive`, `close`) and
raises the same errors, so the outbox sender treats both alike: a disk that cannot be
written is a transient failure (retried), an invalid address a permanent one.
"""

import mailbox
from collections.abc import Sequence
from pathlib import Path

from helpdesk_tui.domain.closing import Closing
from helpdesk_tui.domain.header_values import header_text, is_address
from helpdesk_tui.mail.smtp import SmtpPermanentError, SmtpTransientError


class MaildirTransport(Closing):
    """Delivers messages into the Maildir at `path` (created 0700 if missing)."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the Maildir. Raises SmtpTransientError if it cannot be made."""
        self.path = path
        self._where = f"maildir {path}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._box: mailbox.Maildir | None = mailbox.Maildir(path, create=True)
        except OSError as exc:
            raise SmtpTransientError(f"{self._where}: cannot open: {exc.strerror or exc}") from None

    @property
    def alive(self) -> bool:
        """False once closed."""
        return self._box is not None

    def close(self) -> None:
        """Nothing is held open between messages; never raises."""
        self._box = None

    def send(self, sender: str, recipients: Sequence[str], raw: bytes) -> str:
        """Store one message; returns `250 delivered to maildir PATH as KEY`.

        Raises SmtpPermanentError for a sender or recipient that is no plain address and
        SmtpTransientError when the file cannot be written (full disk, permissions).
        """
        for address in (sender, *recipients):
            if not is_address(address):
                shown = header_text(address, 80)
                raise SmtpPermanentError(f"{self._where}: {shown!r} is not a valid address")
        box = self._box
        if box is None:
            raise SmtpTransientError(f"{self._where}: transport is closed")
        envelope = f"Return-Path: <{sender}>\r\n".encode("ascii")
        envelope += b"".join(f"Delivered-To: {r}\r\n".encode("ascii") for r in recipients)
        message = mailbox.MaildirMessage(envelope + raw)
        message.set_subdir("new")
        try:
            key = box.add(message)
        except OSError as exc:
            raise SmtpTransientError(
                f"{self._where}: cannot write: {exc.strerror or exc}"
            ) from None
        return f"250 delivered to {self._where} as {key}"
