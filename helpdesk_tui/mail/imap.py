"""One IMAP connection, the only place imapclient is imported (MAIL-1, SEC-1).

`ImapMailbox` is deliberately small: the sync loop decides what to fetch and when;
this module only talks IMAP and turns every library, socket and TLS failure into
`MailServerError` (transient: retry with back-off) or `MailAuthError` (login refused).
Untyped imapclient values never leave this module.
"""

import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Literal

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imapclient import join_message_ids
from imapclient.response_parser import parse_fetch_response

from helpdesk_tui.domain.closing import Closing
from helpdesk_tui.domain.errors import ConfigError

TlsMode = Literal["ssl", "starttls", "none"]

IDLE_RENEW_SECONDS = 25 * 60
"""Re-issue IDLE this often: RFC 2177 lets servers drop an IDLE after 30 minutes."""

_SLICE_SECONDS = 1.0
"""Longest single wait, so a stop request is honoured within about a second."""

_POLL_NOOP_SECONDS = 5.0
"""Without IDLE: how often NOOP asks the server for news while waiting."""

_NEW_MAIL = frozenset({b"EXISTS", b"RECENT"})
_BYTES_REPR = re.compile(r"""\bb['"](.*?)['"]""")
# OSError covers socket, ssl and timeout errors; ValueError: imaplib on a closed
# connection; IMAPClientError: NO/BAD/BYE and protocol errors.
_TRANSPORT_ERRORS = (IMAPClientError, OSError, EOFError, ValueError)
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True)
class ImapEndpoint:
    """Where and how to connect; the password is already resolved (see credentials)."""

    host: str
    port: int
    tls: TlsMode
    username: str
    password: str
    timeout: float = 30.0

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        return (
            f"ImapEndpoint(host={self.host!r}, port={self.port}, tls={self.tls!r}, "
            f"username={self.username!r}, timeout={self.timeout})"
        )


@dataclass(frozen=True)
class FolderStatus:
    """What SELECT reported: the sync state is keyed on these (MAIL-2)."""

    uidvalidity: int
    uidnext: int
    exists: int
    highestmodseq: int | None


class MailServerError(Exception):
    """The server cannot be used right now (refused, reset, timeout, BYE, NO/BAD).

    Transient by default: the caller retries with back-off. `str()` is one line naming
    host:port and the reason.
    """


class MailAuthError(MailServerError):
    """The server refused the login; retrying quickly will not help."""


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: the only hosts allowed without TLS."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _one_line(exc: BaseException) -> str:
    """A readable one-line reason for any exception."""
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        text = f"TLS certificate verification failed: {exc.verify_message or exc.reason}"
    elif isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    else:
        text = str(exc)
    if isinstance(exc, IMAPClientError):
        # imaplib hands over server text as bytes reprs: "b'[AUTHENTICATIONFAILED] ...'"
        text = _BYTES_REPR.sub(r"\1", text)
    text = " ".join(text.split())
    return text or type(exc).__name__


class ImapMailbox(Closing):
    """One logged-in IMAP connection; use as a context manager.

    Not thread-safe: one thread drives it. `wait_for_changes` leaves IDLE before it
    returns, so any other command may follow.
    """

    capabilities: frozenset[str]
    """Upper-case capability names after login (e.g. "IDLE", "MOVE", "CONDSTORE")."""

    def __init__(self, endpoint: ImapEndpoint) -> None:
        """Connect and log in. Raises ConfigError, MailAuthError or MailServerError."""
        self._endpoint = endpoint
        self._where = f"{endpoint.host}:{endpoint.port}"
        self._condstore = False
        if endpoint.tls not in ("ssl", "starttls", "none"):
            raise ConfigError(
                f"IMAP {self._where}: tls = {endpoint.tls!r} is not one of ssl, starttls, none"
            )
        if endpoint.tls == "none" and not is_loopback(endpoint.host):
            raise ConfigError(
                f'IMAP {self._where}: tls = "none" is only allowed for loopback hosts '
                "(127.0.0.0/8, ::1, localhost); use ssl or starttls"
            )
        self._client: Any = None
        with self._errors("connect"):
            self._client = imapclient.IMAPClient(
                endpoint.host,
                port=endpoint.port,
                use_uid=True,
                ssl=endpoint.tls == "ssl",
                ssl_context=ssl.create_default_context() if endpoint.tls == "ssl" else None,
                timeout=endpoint.timeout,
            )
            # imapclient turns on imaplib's debug level 5, which formats the repr of
            # every literal for its logger even when nobody listens: 2/3 of the time
            # of a bulk FETCH (benchmarks/bench_imap_fetch.py), and mail text in logs.
            self._client._imap.debug = 0
        try:
            self._login()
        except BaseException:
            self._shutdown()
            raise

    def _login(self) -> None:
        endpoint = self._endpoint
        if endpoint.tls == "starttls":
            with self._errors("STARTTLS"):
                offered = self._client.has_capability("STARTTLS")
            if not offered:
                raise MailServerError(
                    f"IMAP {self._where}: server does not offer STARTTLS; "
                    "refusing to send the password in clear text"
                )
            with self._errors("STARTTLS"):
                self._client.starttls(ssl.create_default_context())
        try:
            self._client.login(endpoint.username, endpoint.password)
        except LoginError as exc:
            raise MailAuthError(
                f"IMAP {self._where}: login as {endpoint.username!r} refused: {_one_line(exc)}"
            ) from None
        except _TRANSPORT_ERRORS as exc:
            raise self._wrap("login", exc) from exc
        with self._errors("CAPABILITY"):
            raw = self._client.capabilities()
        self.capabilities = frozenset(_text(c).upper() for c in raw)

    # -- errors -----------------------------------------------------------------------

    def _wrap(self, action: str, exc: BaseException) -> MailServerError:
        if isinstance(exc, MailServerError):
            return exc
        return MailServerError(f"IMAP {self._where}: {action} failed: {_one_line(exc)}")

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except (MailServerError, ConfigError):
            raise
        except LoginError as exc:  # e.g. the server drops us with an auth-related NO
            raise MailAuthError(f"IMAP {self._where}: {action}: {_one_line(exc)}") from exc
        except _TRANSPORT_ERRORS as exc:
            raise self._wrap(action, exc) from exc

    # -- closing (`with` closes: domain/closing.py) ------------------------------------

    def close(self) -> None:
        """Log out and close the socket; never raises."""
        client = self._client
        if client is None:
            return
        try:
            # A dead server would make LOGOUT wait for the full timeout.
            client._imap.sock.settimeout(min(self._endpoint.timeout, 5.0))
            client.logout()
        except Exception:  # noqa: S110 - best effort: the connection may be gone already
            pass
        self._shutdown()

    def _shutdown(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        with suppress(Exception):  # already closed
            client.shutdown()

    @property
    def _live(self) -> Any:
        if self._client is None:
            raise MailServerError(f"IMAP {self._where}: connection is closed")
        return self._client

    # -- commands ---------------------------------------------------------------------

    def select(self, folder: str) -> FolderStatus:
        """SELECT `folder` read-write; enables CONDSTORE first so HIGHESTMODSEQ is known."""
        client = self._live
        with self._errors(f"SELECT {folder}"):
            if not self._condstore and "CONDSTORE" in self.capabilities:
                if "ENABLE" in self.capabilities:
                    client.enable("CONDSTORE")
                self._condstore = True
            info = client.select_folder(folder)
            uidnext = info.get(b"UIDNEXT")
            if uidnext is None:  # optional in RFC 3501 SELECT responses
                uidnext = client.folder_status(folder, [b"UIDNEXT"])[b"UIDNEXT"]
        modseq = info.get(b"HIGHESTMODSEQ")
        return FolderStatus(
            uidvalidity=int(info[b"UIDVALIDITY"]),
            uidnext=int(uidnext),
            exists=int(info.get(b"EXISTS", 0)),
            highestmodseq=int(modseq) if modseq is not None else None,
        )

    def uids_after(self, last_uid: int) -> list[int]:
        """Sorted UIDs greater than `last_uid` in the selected folder."""
        client = self._live
        with self._errors("UID SEARCH"):
            # "n:*" always matches the highest UID, even when it is below n: filter.
            found = client.search(["UID", f"{last_uid + 1}:*"])
        return sorted(uid for uid in (int(u) for u in found) if uid > last_uid)

    def sizes_after(self, last_uid: int) -> dict[int, int]:
        """UID → RFC822.SIZE of the messages above `last_uid` (in UID order): what a pass
        will fetch, so batches can be cut by bytes before any body is downloaded."""
        client = self._live
        with self._errors("UID FETCH RFC822.SIZE"):
            imap = client._imap  # as in `fetch_raw`: one short line per message
            tag = imap._command("UID", "FETCH", f"{last_uid + 1}:*", "(RFC822.SIZE)")
            typ, data = imap._command_complete("FETCH", tag)
            client._checkok("fetch", typ, data)
            typ, data = imap._untagged_response(typ, data, "FETCH")
            sizes = _sizes(data)
        # "n:*" always matches the highest UID, even when it is below n: filter.
        return {uid: sizes[uid] for uid in sorted(sizes) if uid > last_uid}

    def fetch_headers(self, uids: Sequence[int]) -> dict[int, bytes]:
        """The header blocks of `uids` (BODY.PEEK[HEADER]): for mail too large to fetch."""
        if not uids:
            return {}
        with self._errors("UID FETCH BODY.PEEK[HEADER]"):
            response = self._live.fetch(list(uids), ["BODY.PEEK[HEADER]"])
        return {
            int(uid): bytes(items.get(b"BODY[HEADER]", b""))
            for uid, items in response.items()
            if int(uid) in set(uids)
        }

    def fetch_raw(self, uids: Sequence[int]) -> dict[int, bytes]:
        """The full raw messages for `uids` (BODY.PEEK[]: never sets \\Seen).

        UIDs that no longer exist are missing from the result. Call it in batches of a
        few hundred UIDs.
        """
        wanted = set(uids)
        if not wanted:
            return {}
        client = self._live
        with self._errors("UID FETCH"):
            # imapclient's `fetch` runs every response through its general tokenizer,
            # a third of a large sync's time for what is just "UID n, then a literal";
            # so the command goes out the way `fetch` sends it and only a response of an
            # unexpected shape takes the general parser.
            imap = client._imap
            tag = imap._command("UID", "FETCH", join_message_ids(sorted(wanted)), "(BODY.PEEK[])")
            typ, data = imap._command_complete("FETCH", tag)
            client._checkok("fetch", typ, data)
            typ, data = imap._untagged_response(typ, data, "FETCH")
            result = fetched_bodies(data)
        return {uid: body for uid, body in result.items() if uid in wanted}

    def search_header(self, name: str, value: str) -> list[int]:
        """UIDs of the selected folder's messages whose header `name` contains `value`."""
        with self._errors(f"UID SEARCH HEADER {name}"):
            found = self._live.search(["HEADER", name, value])
        return sorted(int(uid) for uid in found)

    def flags(self, uids: Sequence[int]) -> dict[int, tuple[bytes, ...]]:
        """The flags of `uids` (e.g. `b"\\Seen"`), by UID."""
        if not uids:
            return {}
        with self._errors("UID FETCH FLAGS"):
            response = self._live.get_flags(list(uids))
        return {int(uid): tuple(flags) for uid, flags in response.items()}

    def mark_seen(self, uids: Sequence[int]) -> None:
        """Add \\Seen to `uids`."""
        if not uids:
            return
        with self._errors("UID STORE"):
            self._live.add_flags(list(uids), [imapclient.SEEN], silent=True)

    def move(self, uids: Sequence[int], folder: str) -> None:
        """Move `uids` to `folder`: MOVE when offered, else COPY + \\Deleted + EXPUNGE."""
        if not uids:
            return
        client = self._live
        with self._errors(f"move to {folder}"):
            if "MOVE" in self.capabilities:
                client.move(list(uids), folder)
                return
            client.copy(list(uids), folder)
            client.add_flags(list(uids), [imapclient.DELETED], silent=True)
            if "UIDPLUS" in self.capabilities:
                client.uid_expunge(list(uids))
            else:
                client.expunge()

    def append(self, folder: str, raw: bytes, flags: Sequence[str] = ()) -> None:
        """APPEND `raw` to `folder` with `flags` (e.g. "\\Seen")."""
        with self._errors(f"APPEND {folder}"):
            self._live.append(folder, raw, flags=tuple(flags))

    def ensure_folder(self, folder: str) -> None:
        """Create `folder` unless it exists."""
        client = self._live
        with self._errors(f"CREATE {folder}"):
            if client.folder_exists(folder):
                return
            try:
                client.create_folder(folder)
            except IMAPClientError:
                # Someone else may have created it in between; only that is fine.
                if not client.folder_exists(folder):
                    raise

    def noop(self) -> bool:
        """NOOP; True when the server reported new mail (EXISTS/RECENT)."""
        with self._errors("NOOP"):
            _, responses = self._live.noop()
        return _has_new_mail(responses)

    def wait_for_changes(self, timeout: float, stop: threading.Event) -> bool:
        """Wait up to `timeout` seconds for new mail in the selected folder.

        IDLE when the server offers it, else NOOP every few seconds. Returns True as
        soon as EXISTS/RECENT is seen, False on timeout or when `stop` is set (checked
        at least once a second). Always leaves IDLE before returning.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        if stop.is_set():
            return False
        if "IDLE" in self.capabilities:
            return self._idle(deadline, stop)
        return self._poll(deadline, stop)

    def _idle(self, deadline: float, stop: threading.Event) -> bool:
        client = self._live
        with self._errors("IDLE"):
            client.idle()
        try:
            with self._errors("IDLE"):
                changed = self._idle_loop(client, deadline, stop)
        except BaseException:
            self._shutdown()  # mid-IDLE the protocol state is unknown: drop the connection
            raise
        with self._errors("IDLE DONE"):
            _, responses = client.idle_done()
        self._raise_on_bye(responses)
        return changed or _has_new_mail(responses)

    def _idle_loop(self, client: Any, deadline: float, stop: threading.Event) -> bool:
        renew_at = time.monotonic() + IDLE_RENEW_SECONDS
        quick_empty = 0
        while not stop.is_set():
            now = time.monotonic()
            if now >= deadline:
                return False
            if now >= renew_at:
                _, responses = client.idle_done()
                if _has_new_mail(responses):
                    client.idle()  # the caller expects to leave IDLE itself
                    return True
                client.idle()
                renew_at = time.monotonic() + IDLE_RENEW_SECONDS
            wait = min(_SLICE_SECONDS, deadline - now)
            started = time.monotonic()
            responses = client.idle_check(timeout=wait)
            self._raise_on_bye(responses)
            if _has_new_mail(responses):
                return True
            # idle_check swallows EOF and returns [] at once: a closed connection shows
            # up as empty answers long before the timeout.
            if not responses and time.monotonic() - started < wait / 2:
                quick_empty += 1
                if quick_empty >= 3:
                    raise MailServerError(f"IMAP {self._where}: IDLE: connection closed by server")
            else:
                quick_empty = 0
        return False

    def _poll(self, deadline: float, stop: threading.Event) -> bool:
        next_noop = time.monotonic() + _POLL_NOOP_SECONDS
        while not stop.is_set():
            now = time.monotonic()
            if now >= deadline:
                return self.noop()
            if now >= next_noop:
                if self.noop():
                    return True
                next_noop = time.monotonic() + _POLL_NOOP_SECONDS
            stop.wait(min(_SLICE_SECONDS, deadline - now, max(0.0, next_noop - now)))
        return False

    def _raise_on_bye(self, responses: Any) -> None:
        for response in responses or ():
            if isinstance(response, tuple) and response and response[0] == b"BYE":
                text = " ".join(_text(part) for part in response[1:])
                raise MailServerError(f"IMAP {self._where}: server said BYE: {text}".rstrip())


def _has_new_mail(responses: Any) -> bool:
    for response in responses or ():
        if (
            isinstance(response, tuple)
            and len(response) >= 2
            and isinstance(response[1], bytes)
            and response[1].upper() in _NEW_MAIL
        ):
            return True
    return False


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", errors="replace")
    return str(value)


_BODY_LITERAL = re.compile(rb"BODY\[\] \{\d+\}$")
_UID = re.compile(rb"[( ]UID (\d+)[ )]")


def raw_bodies(data: Sequence[Any]) -> dict[int, bytes] | None:
    """UID → raw message from an imaplib FETCH (UID BODY[]) response; None if it has
    another shape (then the general parser reads it).

    The usual shape, per message: `(b"7 (UID 12 BODY[] {3456}", literal)` then `b")"`.
    """
    result: dict[int, bytes] = {}
    for item in data:
        if isinstance(item, tuple):
            head, literal = item
            uid = _UID.search(head)
            if uid is None or not _BODY_LITERAL.search(head):
                return None
            result[int(uid.group(1))] = bytes(literal)
        elif item is not None and item.strip() != b")":
            return None  # unsolicited data, or the UID after the literal
    return result


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _sizes(data: Sequence[Any]) -> dict[int, int]:
    """UID → size from a UID FETCH (RFC822.SIZE) response: `n (UID u RFC822.SIZE s)`
    lines, read directly (the general parser takes ~20 µs a line); other shapes by it."""
    found: dict[int, int] = {}
    for item in data:
        if item is None:  # an empty folder
            continue
        line = item if isinstance(item, bytes) else None
        uid = _UID.search(line) if line is not None else None
        size = _SIZE.search(line) if line is not None else None
        if uid is None or size is None:
            parsed = parse_fetch_response(data, False, True)
            return {
                int(u): int(i[b"RFC822.SIZE"]) for u, i in parsed.items() if b"RFC822.SIZE" in i
            }
        found[int(uid.group(1))] = int(size.group(1))
    return found


def fetched_bodies(data: Sequence[Any]) -> dict[int, bytes]:
    """UID → raw message from an imaplib UID FETCH (BODY.PEEK[]) response of any shape."""
    fast = raw_bodies(data)
    if fast is not None:
        return fast
    result: dict[int, bytes] = {}
    for uid, items in parse_fetch_response(data, False, True).items():
        body = items.get(b"BODY[]")
        if body is None:
            body = items.get(b"BODY.PEEK[]")
        if body is not None:
            result[int(uid)] = bytes(body)
    return result
