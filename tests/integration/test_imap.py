"""ImapMailbox against a real, private Dovecot (see integration/dovecot.py)."""

import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest
from integration.dovecot import Dovecot

from helpdesk_tui.domain.errors import ConfigError
from helpdesk_tui.mail import imap
from helpdesk_tui.mail.imap import (
    ImapEndpoint,
    ImapMailbox,
    MailAuthError,
    MailServerError,
    is_loopback,
)


def _mail(n: int, size: int = 0) -> bytes:
    body = "".join(f"line {i} of mail {n}\r\n" for i in range(max(1, size // 20)))
    return (
        f"From: Kunde {n} <kunde{n}@example.com>\r\n"
        f"To: support@example.com\r\n"
        f"Subject: Drucker {n} =?utf-8?q?kaputt?=\r\n"
        f"Message-ID: <m{n}@example.com>\r\n"
        f"\r\n{body}"
    ).encode()


@pytest.fixture
def box(dovecot: Dovecot) -> Iterator[ImapMailbox]:
    with ImapMailbox(dovecot.endpoint()) as mailbox:
        yield mailbox


def _flags(dovecot: Dovecot, folder: str = "INBOX") -> dict[int, set[str]]:
    """Flags per UID, read through a separate connection."""
    with ImapMailbox(dovecot.endpoint()) as other:
        other.select(folder)
        client = other._client  # test-only peek at the raw client
        return {
            int(uid): {f.decode() for f in flags}
            for uid, flags in client.get_flags(other.uids_after(0)).items()
        }


def test_select_reports_folder_state(dovecot: Dovecot, box: ImapMailbox) -> None:
    assert {"IDLE", "CONDSTORE", "MOVE", "UIDPLUS"} <= box.capabilities
    empty = box.select("INBOX")
    assert empty.uidvalidity > 0
    assert empty.uidnext == 1
    assert empty.exists == 0
    assert empty.highestmodseq is not None

    dovecot.append("INBOX", _mail(1))
    status = box.select("INBOX")
    assert status.uidvalidity == empty.uidvalidity
    assert status.uidnext == 2
    assert status.exists == 1
    assert status.highestmodseq is not None
    assert status.highestmodseq > empty.highestmodseq


def test_uids_after_filters_the_star_trap(dovecot: Dovecot, box: ImapMailbox) -> None:
    for n in range(3):
        dovecot.append("INBOX", _mail(n))
    box.select("INBOX")
    uids = box.uids_after(0)
    assert uids == sorted(uids)
    assert len(uids) == 3
    assert box.uids_after(uids[0]) == uids[1:]
    # "UID 4:*" matches the highest UID (3) on the wire; it must not come back.
    assert box.uids_after(max(uids)) == []
    assert box.uids_after(max(uids) + 100) == []


def test_fetch_raw_returns_exact_bytes_and_leaves_them_unseen(
    dovecot: Dovecot, box: ImapMailbox
) -> None:
    mails = [_mail(n, size=n * 3000) for n in range(1, 4)]
    mails.append(b"Subject: binary-ish\r\n\r\n\xe4\xf6\xfc {5}\r\nnot a literal\r\n")
    for raw in mails:
        dovecot.append("INBOX", raw)
    box.select("INBOX")
    uids = box.uids_after(0)
    fetched = box.fetch_raw(uids)
    assert [fetched[uid] for uid in uids] == mails
    assert box.fetch_raw([]) == {}
    assert box.fetch_raw([max(uids) + 1]) == {}  # expunged/unknown UIDs are left out
    assert all("\\Seen" not in flags for flags in _flags(dovecot).values())


def test_mark_seen(dovecot: Dovecot, box: ImapMailbox) -> None:
    for n in range(3):
        dovecot.append("INBOX", _mail(n))
    box.select("INBOX")
    first, second, third = box.uids_after(0)
    box.mark_seen([first, third])
    flags = _flags(dovecot)
    assert "\\Seen" in flags[first]
    assert "\\Seen" not in flags[second]
    assert "\\Seen" in flags[third]


@pytest.mark.parametrize("use_move", [True, False], ids=["MOVE", "COPY+EXPUNGE"])
def test_move_to_another_folder(dovecot: Dovecot, box: ImapMailbox, use_move: bool) -> None:
    if not use_move:  # exercise the fallback for servers without MOVE on the real server
        box.capabilities = box.capabilities - {"MOVE"}
    dovecot.append("INBOX", _mail(1))
    dovecot.append("INBOX", _mail(2))
    box.ensure_folder("Filed/2026")
    box.ensure_folder("Filed/2026")  # idempotent
    box.select("INBOX")
    keep, moved = box.uids_after(0)
    box.move([moved], "Filed/2026")
    assert box.uids_after(0) == [keep]
    assert box.select("INBOX").exists == 1
    assert box.select("Filed/2026").exists == 1
    (uid,) = box.uids_after(0)
    assert box.fetch_raw([uid]) == {uid: _mail(2)}


def test_append_with_flags(dovecot: Dovecot, box: ImapMailbox) -> None:
    box.ensure_folder("Sent")
    box.append("Sent", _mail(7), flags=["\\Seen"])
    box.select("Sent")
    (uid,) = box.uids_after(0)
    assert box.fetch_raw([uid]) == {uid: _mail(7)}
    assert "\\Seen" in _flags(dovecot, "Sent")[uid]


def test_wait_for_changes_sees_append_from_another_connection(
    dovecot: Dovecot, box: ImapMailbox
) -> None:
    box.select("INBOX")
    timer = threading.Timer(0.3, dovecot.append, args=("INBOX", _mail(1)))
    timer.start()
    try:
        started = time.monotonic()
        assert box.wait_for_changes(10, threading.Event()) is True
        assert time.monotonic() - started < 2.0
    finally:
        timer.join()
    # The connection left IDLE: ordinary commands work right away.
    assert len(box.uids_after(0)) == 1


def test_wait_for_changes_times_out(box: ImapMailbox) -> None:
    box.select("INBOX")
    started = time.monotonic()
    assert box.wait_for_changes(1.2, threading.Event()) is False
    assert 1.1 < time.monotonic() - started < 2.5
    assert box.uids_after(0) == []


def test_wait_for_changes_honours_stop(box: ImapMailbox) -> None:
    box.select("INBOX")
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    assert box.wait_for_changes(60, stop) is False
    assert time.monotonic() - started < 1.5
    box.select("INBOX")  # still usable


def test_idle_is_renewed(
    dovecot: Dovecot, box: ImapMailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imap, "IDLE_RENEW_SECONDS", 0.2)  # 25 min in production
    box.select("INBOX")
    assert box.wait_for_changes(1.0, threading.Event()) is False
    timer = threading.Timer(0.5, dovecot.append, args=("INBOX", _mail(1)))
    timer.start()
    try:
        assert box.wait_for_changes(10, threading.Event()) is True
    finally:
        timer.join()
    assert len(box.uids_after(0)) == 1


def test_wait_for_changes_polls_without_idle(dovecot: Dovecot, box: ImapMailbox) -> None:
    box.capabilities = box.capabilities - {"IDLE"}
    box.select("INBOX")
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    assert box.wait_for_changes(60, stop) is False
    assert time.monotonic() - started < 1.5

    dovecot.append("INBOX", _mail(1))
    assert box.wait_for_changes(0.1, threading.Event()) is True  # the final NOOP sees it


def test_stopped_server_raises_mail_server_error(dovecot: Dovecot, box: ImapMailbox) -> None:
    box.select("INBOX")
    dovecot.stop()
    with pytest.raises(MailServerError) as err:
        box.uids_after(0)
    assert f"127.0.0.1:{dovecot.port}" in str(err.value)
    assert "\n" not in str(err.value)
    box.close()  # never raises, even on a dead connection
    with pytest.raises(MailServerError, match="Connection refused"):
        ImapMailbox(dovecot.endpoint())


def test_server_going_away_during_idle_raises_mail_server_error(
    dovecot: Dovecot, box: ImapMailbox
) -> None:
    box.select("INBOX")
    threading.Timer(0.3, dovecot.stop).start()
    started = time.monotonic()
    with pytest.raises(MailServerError) as err:
        box.wait_for_changes(30, threading.Event())
    assert time.monotonic() - started < 5
    assert "\n" not in str(err.value)


def test_restart_then_a_new_mailbox_works(dovecot: Dovecot, box: ImapMailbox) -> None:
    dovecot.append("INBOX", _mail(1))
    box.select("INBOX")
    dovecot.restart()
    with pytest.raises(MailServerError):
        box.select("INBOX")
    with ImapMailbox(dovecot.endpoint()) as fresh:
        assert fresh.select("INBOX").exists == 1


def test_reset_uidvalidity_keeps_messages(dovecot: Dovecot) -> None:
    for n in range(3):
        dovecot.append("INBOX", _mail(n))
    with ImapMailbox(dovecot.endpoint()) as box:
        before = box.select("INBOX")
        raw_before = box.fetch_raw(box.uids_after(0))
    new_value = dovecot.reset_uidvalidity()
    with ImapMailbox(dovecot.endpoint()) as box:
        after = box.select("INBOX")
        assert after.uidvalidity == new_value != before.uidvalidity
        assert after.exists == 3
        assert sorted(box.fetch_raw(box.uids_after(0)).values()) == sorted(raw_before.values())


def test_wrong_password_is_an_auth_error(dovecot: Dovecot) -> None:
    with pytest.raises(MailAuthError) as err:
        ImapMailbox(dovecot.endpoint(password="wrong"))
    message = str(err.value)
    assert f"127.0.0.1:{dovecot.port}" in message
    assert "agent" in message
    assert "wrong" not in message
    assert "\n" not in message


def test_unknown_folder_is_a_mail_server_error(box: ImapMailbox) -> None:
    with pytest.raises(MailServerError, match="SELECT Nope"):
        box.select("Nope")


@pytest.mark.parametrize("host", ["imap.example.com", "10.0.0.1", "::2"])
def test_tls_none_is_refused_for_remote_hosts_without_connecting(host: str) -> None:
    endpoint = ImapEndpoint(host=host, port=1, tls="none", username="u", password="p")
    with pytest.raises(ConfigError, match='tls = "none" is only allowed for loopback'):
        ImapMailbox(endpoint)


def test_loopback_hosts() -> None:
    for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("10.0.0.1", "example.com", "::2", "localhost.example.com", ""):
        assert not is_loopback(host), host


def test_endpoint_repr_hides_the_password(dovecot: Dovecot) -> None:
    endpoint = dataclasses.replace(dovecot.endpoint(), password="hunter2")
    assert "hunter2" not in repr(endpoint)


def test_ssl_to_a_plain_server_is_a_mail_server_error(dovecot: Dovecot) -> None:
    endpoint = dataclasses.replace(dovecot.endpoint(), tls="ssl", timeout=5)
    with pytest.raises(MailServerError) as err:
        ImapMailbox(endpoint)
    assert "\n" not in str(err.value)


def test_starttls_is_refused_when_not_offered(dovecot: Dovecot) -> None:
    endpoint = dataclasses.replace(dovecot.endpoint(), tls="starttls")
    with pytest.raises(MailServerError, match="does not offer STARTTLS"):
        ImapMailbox(endpoint)


def test_search_header_finds_a_message_by_message_id(dovecot: Dovecot) -> None:
    from mailmaker import customer_mail

    wanted = customer_mail("Gesucht", message_id="<needle-42@helpdesk.example>")
    dovecot.append("Sent", customer_mail("Anderes"))
    dovecot.append("Sent", wanted)
    with ImapMailbox(dovecot.endpoint()) as box:
        box.select("Sent")
        assert box.search_header("Message-ID", "needle-42@helpdesk.example") == [2]
        assert box.search_header("Message-ID", "missing@helpdesk.example") == []
