"""Mail in, end to end, against a real Dovecot: `helpdesk sync` stores and files exactly once.

The sync runs as the real `helpdesk` process (SIGKILL, restarts and `--watch` need a
process of its own); what it did is read back from the database it wrote.
"""

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from integration.dovecot import Dovecot
from integration.helpdesk_process import HelpdeskProcess
from mailmaker import customer_mail, reply_to

from helpdesk_tui.storage.tables import CaseRow, MailRow, MailSeenRow, NotificationRow

CONFIG = """
[[users]]
username = "alice"
name = "Alice Becker"
email = "alice@helpdesk.example"
role = "admin"

[[groups]]
name = "support"
members = ["alice"]

[mail]
batch_size = {batch}
poll_seconds = 5
reopen_closed = {reopen}

[[mail.accounts]]
name = "support"
host = "127.0.0.1"
port = {port}
tls = "none"
username = "agent"
password_command = "printf secret"
folders = {folders}
address = "support@helpdesk.example"
after_filing = "{after}"
move_to = "Filed"

[[mail.rules]]
name = "everything"
group = "support"
"""


class Desk(HelpdeskProcess):
    """The `helpdesk` process and its database, for one Dovecot."""

    def __init__(
        self,
        root: Path,
        dovecot: Dovecot,
        *,
        batch: int = 200,
        reopen: bool = False,
        folders: tuple[str, ...] = ("INBOX",),
        after: str = "leave",
    ) -> None:
        config = CONFIG.format(
            port=dovecot.port,
            batch=batch,
            reopen=str(reopen).lower(),
            folders=json.dumps(list(folders)),
            after=after,
        )
        super().__init__(root, config)
        self.ok("init")  # only init creates a database
        self.dovecot = dovecot

    def sync(self) -> str:
        return self.ok("sync", "--once")


def message_id(raw: bytes) -> str:
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().strip(b"<>").decode()
    raise AssertionError("no Message-ID")


def drop_into_maildir(dovecot: Dovecot, raws: list[bytes]) -> None:
    """Deliver like an MDA does (a file per mail in new/): much faster than APPEND."""
    owner = os.stat(dovecot.maildir)
    for i, raw in enumerate(raws):
        path = dovecot.maildir / "new" / f"{time.time_ns()}.{i}.test"
        path.write_bytes(raw)
        os.chown(path, owner.st_uid, owner.st_gid)


@pytest.fixture
def desk(tmp_path: Path, dovecot: Dovecot) -> Desk:
    return Desk(tmp_path, dovecot)


@pytest.fixture
def watcher(desk: Desk) -> Iterator[subprocess.Popen[str]]:
    process = desk.start("sync", "--watch")
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_new_mail_then_replies_by_tag_and_by_references_land_on_one_case(
    desk: Desk, dovecot: Dovecot
) -> None:
    first = customer_mail("Drucker druckt nicht")
    dovecot.append("INBOX", first)
    out = desk.sync()
    assert "1 new — 0 filed on cases, 1 new cases, 0 unfiled" in out
    number = desk.case_of(message_id(first))
    assert number is not None

    tagged = customer_mail(f"AW: [#{number}] Drucker druckt nicht", body="Seriennummer 4711")
    by_references = reply_to(first, subject="Re: Drucker druckt nicht")
    stranger = customer_mail(f"Re: [#{number}] her mit den Daten", sender="evil@attacker.example")
    for raw in (tagged, by_references, stranger):
        dovecot.append("INBOX", raw)
    desk.sync()
    assert desk.case_of(message_id(tagged)) == number
    assert desk.case_of(message_id(by_references)) == number
    assert desk.case_of(message_id(stranger)) != number
    assert desk.count(MailRow) == 4


def test_mail_for_a_closed_case_is_attached_notified_and_reopens_when_configured(
    tmp_path: Path, dovecot: Dovecot
) -> None:
    desk = Desk(tmp_path, dovecot, reopen=True)
    first = customer_mail("Passwort vergessen")
    dovecot.append("INBOX", first)
    desk.sync()
    number = desk.case_of(message_id(first))
    assert number is not None
    closed = desk.run("case", "close", str(number), "--resolution", "solved")
    assert closed.returncode == 0, closed.stderr
    dovecot.append("INBOX", reply_to(first, body="Geht schon wieder nicht"))
    desk.sync()
    shown = desk.run("case", "show", str(number), "--json")
    assert '"status": "open"' in shown.stdout
    assert desk.count(NotificationRow) == 1


def test_sigkill_during_a_2000_mail_ingest_then_resume_stores_every_mail_once(
    tmp_path: Path, dovecot: Dovecot
) -> None:
    desk = Desk(tmp_path, dovecot, batch=10)  # 200 transactions: many points to die at
    raws = [customer_mail(f"Anfrage {i}", sender=f"k{i % 97}@acme.example") for i in range(2000)]
    drop_into_maildir(dovecot, raws)
    rng = random.Random(4711)
    kills = 0
    for _ in range(5):
        before = desk.count(MailRow) if desk.db.exists() else 0
        process = desk.start("sync", "--once")
        # Kill once this run has stored something, at a random point after that.
        desk.wait_for(lambda b=before: desk.count(MailRow) > b, 60, "the sync to store mail")
        time.sleep(rng.uniform(0.0, 0.3))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
    assert kills >= 2, "the sync finished before it could be killed: make the load bigger"
    desk.sync()
    assert desk.count(MailRow) == 2000
    assert desk.count(CaseRow) == 2000  # every mail opened exactly one case
    assert desk.count(MailSeenRow) == 2000


def test_uidvalidity_reset_rescans_without_duplicates(desk: Desk, dovecot: Dovecot) -> None:
    for i in range(5):
        dovecot.append("INBOX", customer_mail(f"Fall {i}"))
    desk.sync()
    dovecot.reset_uidvalidity("INBOX")
    dovecot.append("INBOX", customer_mail("Fall 6"))
    out = desk.sync()
    assert "UIDVALIDITY changed" in out
    assert "1 new" in out
    assert desk.count(MailRow) == 6
    assert desk.count(CaseRow) == 6


def test_watch_files_an_appended_mail_within_two_seconds(
    desk: Desk, dovecot: Dovecot, watcher: subprocess.Popen[str]
) -> None:
    warm_up = customer_mail("Erste Mail")
    dovecot.append("INBOX", warm_up)
    desk.wait_for(lambda: desk.case_of(message_id(warm_up)) is not None, 30, "first sync")
    time.sleep(0.5)  # the watcher is in IDLE now
    raw = customer_mail("Neue Mail während IDLE")
    dovecot.append("INBOX", raw)
    took = desk.wait_for(lambda: desk.case_of(message_id(raw)) is not None, 5, "IDLE delivery")
    assert took <= 2.0, f"filed after {took:.2f} s"


def test_watch_survives_a_server_restart_and_files_what_arrived_meanwhile(
    desk: Desk, dovecot: Dovecot, watcher: subprocess.Popen[str]
) -> None:
    first = customer_mail("Vor dem Neustart")
    dovecot.append("INBOX", first)
    desk.wait_for(lambda: desk.case_of(message_id(first)) is not None, 30, "first sync")
    dovecot.stop()
    time.sleep(1.0)
    dovecot.start()
    meanwhile = customer_mail("Während der Server weg war")
    dovecot.append("INBOX", meanwhile)
    desk.wait_for(lambda: desk.case_of(message_id(meanwhile)) is not None, 30, "after restart")
    assert watcher.poll() is None, "the watcher must keep running"
    assert desk.count(MailRow) == 2


def test_the_same_mail_in_two_folders_is_stored_once(tmp_path: Path, dovecot: Dovecot) -> None:
    desk = Desk(tmp_path, dovecot, folders=("INBOX", "Archive"))
    raw = customer_mail("Doppelt abgelegt")
    dovecot.append("INBOX", raw)
    dovecot.append("Archive", raw)
    out = desk.sync()
    assert "support/INBOX: 1 new" in out
    assert "support/Archive: 0 new" in out
    assert "1 already stored" in out
    assert desk.count(MailRow) == 1
    assert desk.count(MailSeenRow) == 2  # both server copies are known


def folder_contents(dovecot: Dovecot, folder: str) -> list[tuple[int, bool]]:
    """(UID, seen) of every message in `folder`, through a fresh connection."""
    from helpdesk_tui.mail.imap import ImapMailbox

    with ImapMailbox(dovecot.endpoint()) as box:
        box.select(folder)
        uids = box.uids_after(0)
        flags = box.flags(uids) if uids else {}
    return [(uid, b"\\Seen" in flags.get(uid, ())) for uid in uids]


def test_after_filing_seen_marks_the_server_copy_read(tmp_path: Path, dovecot: Dovecot) -> None:
    desk = Desk(tmp_path, dovecot, after="seen")
    dovecot.append("INBOX", customer_mail("Bitte als gelesen markieren"))
    desk.sync()
    assert [seen for _, seen in folder_contents(dovecot, "INBOX")] == [True]


def test_after_filing_move_moves_it_out_of_the_inbox(tmp_path: Path, dovecot: Dovecot) -> None:
    desk = Desk(tmp_path, dovecot, after="move")
    dovecot.append("INBOX", customer_mail("Bitte verschieben"))
    desk.sync()
    assert folder_contents(dovecot, "INBOX") == []
    assert len(folder_contents(dovecot, "Filed")) == 1
    assert desk.count(MailRow) == 1
