"""One SMTP connection for many messages (MAIL-5, SEC-1); the only smtplib import.

TLS is verified by default: "ssl" is implicit TLS (port 465), "starttls" upgrades a
plain connection and refuses to go on when the server does not offer it, "none" is for
loopback hosts only (tests), exactly like the IMAP side.

Every failure becomes one of three one-line exceptions, because the outbox must know
whether a message may be sent again:

- `SmtpTransientError`: the server did not take the message and may later (connection
  refused, 4xx). Retry with back-off.
- `SmtpPermanentError`: the server refused this message for good (5xx); the text is the
  server's answer. Do not retry.
- `SmtpUnknownOutcome`: the message body went out but no answer came back (connection
  lost, timeout). The server may have accepted it: never resend without asking.
"""

import re
import smtplib
import socket
import ssl
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Literal

from helpdesk_tui.domain.closing import Closing
from helpdesk_tui.domain.errors import ConfigError
from helpdesk_tui.domain.header_values import header_text, is_address
from helpdesk_tui.mail.imap import is_loopback

TlsMode = Literal["ssl", "starttls", "none"]

_LINE_END = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass(frozen=True)
class SmtpEndpoint:
    """Where and how to connect; the password (if any) is already resolved."""

    host: str
    port: int
    tls: TlsMode
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        return (
            f"SmtpEndpoint(host={self.host!r}, port={self.port}, tls={self.tls!r}, "
            f"username={self.username!r}, timeout={self.timeout})"
        )


class SmtpError(Exception):
    """Sending failed; `str()` is one line naming the server and the reason."""


class SmtpTransientError(SmtpError):
    """Not accepted, may be accepted later: retry with back-off."""


class SmtpAuthError(SmtpTransientError):
    """The login was refused: the mail is fine, the configuration is not."""


class SmtpPermanentError(SmtpError):
    """Refused for good (5xx); the message carries the server's answer."""


class SmtpUnknownOutcome(SmtpError):
    """The body was sent but no final answer came: it may or may not have been accepted."""


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}".strip()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate verification failed: {exc.verify_message or exc.reason}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


def dot_stuff(raw: bytes) -> bytes:
    """CRLF line ends, leading dots doubled, and the terminating `CRLF.CRLF` (RFC 5321)."""
    data = _LEADING_DOT.sub(b"..", _LINE_END.sub(b"\r\n", raw))
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class SmtpConnection(Closing):
    """A logged-in SMTP session; `send` may be called many times. Not thread-safe."""

    def __init__(self, endpoint: SmtpEndpoint) -> None:
        """Connect, secure and log in. Raises ConfigError or SmtpTransientError/AuthError."""
        self._endpoint = endpoint
        self._where = f"SMTP {endpoint.host}:{endpoint.port}"
        if endpoint.tls not in ("ssl", "starttls", "none"):
            raise ConfigError(f"{self._where}: tls = {endpoint.tls!r} is not ssl, starttls, none")
        if endpoint.tls == "none" and not is_loopback(endpoint.host):
            raise ConfigError(
                f'{self._where}: tls = "none" is only allowed for loopback hosts '
                "(127.0.0.0/8, ::1, localhost); use ssl or starttls"
            )
        self._client: smtplib.SMTP | None = None
        try:
            if endpoint.tls == "ssl":
                self._client = smtplib.SMTP_SSL(
                    endpoint.host,
                    endpoint.port,
                    timeout=endpoint.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                self._client = smtplib.SMTP(endpoint.host, endpoint.port, timeout=endpoint.timeout)
            self._client.ehlo_or_helo_if_needed()
            if endpoint.tls == "starttls":
                if not self._client.has_extn("starttls"):
                    raise SmtpTransientError(
                        f"{self._where}: server does not offer STARTTLS; "
                        "refusing to go on in clear text"
                    )
                self._client.starttls(context=ssl.create_default_context())
                self._client.ehlo()
            if endpoint.username:
                self._client.login(endpoint.username, endpoint.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise SmtpAuthError(
                f"{self._where}: login as {endpoint.username!r} refused: "
                f"{_answer(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except SmtpError:
            self.close()
            raise
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            self.close()
            raise SmtpTransientError(f"{self._where}: connect failed: {_reason(exc)}") from None

    def close(self) -> None:
        """QUIT and close; never raises."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if client.sock is not None:
                client.sock.settimeout(min(self._endpoint.timeout, 5.0))
                client.quit()
        except (smtplib.SMTPException, OSError, ValueError):
            pass
        with suppress(smtplib.SMTPException, OSError, ValueError):  # best effort
            client.close()

    @property
    def alive(self) -> bool:
        """False once the connection was lost (the caller reconnects)."""
        return self._client is not None

    def send(self, sender: str, recipients: Sequence[str], raw: bytes) -> str:
        """Send one message; returns the server's final answer (e.g. `250 2.0.0 Ok`).

        Raises SmtpPermanentError (5xx, or a sender/recipient that is no valid address),
        SmtpTransientError (4xx, or the connection broke before the body went out) or
        SmtpUnknownOutcome (broke after the body went out).
        After a refusal the session is reset, so the next message can follow.
        """
        for address in (sender, *recipients):
            # Never hand the server a path with CR LF or spaces in it (SEC-5): refused
            # for good, as the server would, and the session stays usable.
            if not is_address(address):
                shown = header_text(address, 80)
                raise SmtpPermanentError(f"{self._where}: {shown!r} is not a valid address")
        client = self._client
        if client is None:
            raise SmtpTransientError(f"{self._where}: connection is closed")
        body_sent = False
        try:
            code, text = client.mail(sender)
            self._check(client, code, text, f"MAIL FROM {sender}")
            for recipient in recipients:
                code, text = client.rcpt(recipient)
                self._check(client, code, text, f"RCPT TO {recipient}")
            client.putcmd("data")
            code, text = client.getreply()
            if code != 354:
                self._check(client, code, text, "DATA")
            body_sent = True
            client.send(dot_stuff(raw))
            code, text = client.getreply()
        except SmtpError:
            raise
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            self.close()
            if body_sent:
                raise SmtpUnknownOutcome(
                    f"{self._where}: no answer after the message was sent: {_reason(exc)}"
                ) from None
            raise SmtpTransientError(f"{self._where}: {_reason(exc)}") from None
        if code == 250:
            return _answer(code, text)
        self._check(client, code, text, "end of DATA")
        raise AssertionError("unreachable")  # pragma: no cover

    def _check(self, client: smtplib.SMTP, code: int, text: bytes, step: str) -> None:
        """Raise for anything but 2xx at `step`, after resetting the session."""
        if 200 <= code < 300:
            return
        answer = _answer(code, text)
        if code == 421 or code < 0:  # the server is closing the connection
            self.close()
        else:
            try:
                client.rset()
            except (smtplib.SMTPException, OSError, ValueError):
                self.close()
        if 500 <= code < 600:
            raise SmtpPermanentError(f"{self._where}: {step}: {answer}")
        raise SmtpTransientError(f"{self._where}: {step}: {answer}")
