"""Mail out, end to end, against a real SMTP server (aiosmtpd) and a real Dovecot.

`helpdesk` runs as its own process (SIGKILL needs one); what it did is read back from the
SMTP server's recording, `helpdesk outbox --json` and the database it wrote.
"""

import email
import email.policy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from integration.dovecot import Dovecot
from integration.helpdesk_process import HelpdeskProcess
from integration.smtp_server import SmtpServer
from mailmaker import customer_mail, reply_to

from helpdesk_tui.mail.tag import find_case_tag

PEOPLE = """
[[users]]
username = "alice"
name = "Alice Becker"
email = "alice@helpdesk.example"
role = "admin"

[[groups]]
name = "support"
members = ["alice"]
"""

ACCOUNT = """
[[mail.accounts]]
name = "support"
host = "127.0.0.1"
port = {imap_port}
tls = "none"
username = "agent"
password_command = "printf secret"
folders = ["INBOX"]
address = "support@helpdesk.example"

[[mail.rules]]
name = "everything"
group = "support"
"""

SMTP = """
[smtp]
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
from = "Helpdesk Support <support@helpdesk.example>"
undo_seconds = {undo}
retry_seconds = 0.2
{extra}
"""


class Desk(HelpdeskProcess):
    """The `helpdesk` process with a config for the SMTP server (and Dovecot, if given)."""

    def __init__(
        self,
        root: Path,
        smtp: SmtpServer,
        dovecot: Dovecot | None = None,
        *,
        undo: int = 0,
        extra: str = "",
    ) -> None:
        text = PEOPLE
        if dovecot is not None:
            text += ACCOUNT.format(imap_port=dovecot.port)
        text += SMTP.format(smtp_port=smtp.port, undo=undo, extra=extra)
        super().__init__(root, text)
        self.ok("init")  # commands other than init no longer create a database

    def outbox(self, *extra: str) -> list[dict[str, Any]]:
        return list(json.loads(self.ok("outbox", "--json", *extra)))

    def new_case(self) -> str:
        created = self.ok(
            "case", "create", "--subject", "Drucker", "--contact", "kunde@acme.example",
            "--group", "support",
        )  # fmt: skip
        return created.strip()


def parsed(data: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def message_id(raw: bytes) -> str:
    return str(parsed(raw)["Message-ID"]).strip("<>")


def test_round_trip_acknowledgement_then_replies_by_tag_and_by_references(
    tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server, dovecot)
    first = customer_mail("Drucker druckt nicht")
    dovecot.append("INBOX", first)
    out = desk.ok("sync", "--once")
    assert "1 new cases" in out
    assert "outbox: 1 sent" in out
    number = desk.case_of(message_id(first))
    assert number is not None

    (ack,) = smtp_server.wait_for(1)
    assert ack.rcpt_tos == ("kunde@acme.example",)
    assert ack.mail_from == "support@helpdesk.example"
    message = parsed(ack.data)
    assert f"[#{number}]" in str(message["Subject"])
    assert find_case_tag(str(message["Subject"])) == str(number)
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == f"<{message_id(first)}>"
    assert str(message["Message-ID"]).endswith("@helpdesk.example>")

    with_tag = reply_to(ack.data, body="Variante A: mit Tag")
    without_tag = reply_to(ack.data, subject="Re: Drucker druckt nicht", body="Variante B")
    assert find_case_tag(str(parsed(without_tag)["Subject"])) is None
    dovecot.append("INBOX", with_tag)
    dovecot.append("INBOX", without_tag)
    out = desk.ok("sync", "--once")
    assert "2 filed on cases, 0 new cases" in out
    assert desk.case_of(message_id(with_tag)) == number
    assert desk.case_of(message_id(without_tag)) == number  # only References could match
    assert len(smtp_server.messages) == 1  # replies onto a case are not acknowledged
    assert desk.outbox() == []


def test_a_reply_waits_for_the_undo_window_then_goes_out_exactly_once(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server, undo=2)
    number = desk.new_case()
    out = desk.ok("case", "reply", number, "Bitte neu starten.", now="2026-12-07T09:00:00Z")
    assert "leaves in 2 s" in out
    assert "outbox: 0 sent" in desk.ok("sync", "--once", now="2026-12-07T09:00:01.9Z")
    (queued,) = desk.outbox()
    assert queued["state"] == "queued"
    assert "outbox: 1 sent" in desk.ok("sync", "--once", now="2026-12-07T09:00:02Z")
    desk.ok("sync", "--once")
    (mail,) = smtp_server.messages
    message = parsed(mail.data)
    assert str(message["Subject"]) == f"Re: [#{number}] Drucker"
    assert message["Auto-Submitted"] is None
    assert message["Message-ID"] == f"<{queued['message_id']}>"
    assert desk.outbox() == []
    (sent,) = desk.outbox("--all")
    assert sent["state"] == "sent"
    assert sent["attempts"] == 1


def test_server_down_keeps_the_mail_retrying_and_it_goes_out_once_when_back(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server)
    number = desk.new_case()
    desk.ok("case", "reply", number, "Antwort während der Server weg ist")
    smtp_server.stop()
    down = desk.run("sync", "--once")
    assert down.returncode == 1
    assert down.stderr.startswith("error: sending: SMTP 127.0.0.1:")
    assert "Connection refused" in down.stderr
    (entry,) = desk.outbox()
    assert (entry["state"], entry["attempts"]) == ("retrying", 1)
    assert "Connection refused" in entry["error"]
    assert entry["next_attempt"] is not None

    smtp_server.start()
    time.sleep(0.3)  # retry_seconds = 0.2
    assert "outbox: 1 sent" in desk.ok("sync", "--once")
    desk.ok("sync", "--once")
    assert len(smtp_server.messages) == 1
    (sent,) = desk.outbox("--all")
    assert (sent["state"], sent["attempts"]) == ("sent", 2)


def test_a_550_refusal_is_failed_with_the_server_answer_visible(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server)
    number = desk.new_case()
    desk.ok("case", "reply", number, "Das nimmt der Server nicht")
    smtp_server.reject("550 5.7.1 Relaying denied")
    assert "outbox: 0 sent, 0 retrying, 1 failed" in desk.ok("sync", "--once")
    (entry,) = desk.outbox()
    assert entry["state"] == "failed"
    assert "550 5.7.1 Relaying denied" in entry["error"]
    assert entry["case"] == number
    smtp_server.reject(None)
    desk.ok("sync", "--once")  # failed stays failed: nobody resends by themselves
    assert smtp_server.messages == []


@pytest.mark.parametrize("sent_folder", [False, True], ids=["no-sent-folder", "sent-folder"])
def test_sigkill_between_data_and_the_database_update_never_duplicates(
    tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer, sent_folder: bool
) -> None:
    extra = 'sent_folder = "Sent"\nappend_sent = false\n' if sent_folder else ""
    desk = Desk(tmp_path, smtp_server, dovecot if sent_folder else None, extra=extra)
    number = desk.new_case()
    desk.ok("case", "reply", number, "Genau einmal, bitte")
    smtp_server.hold()
    process = desk.start("sync", "--once")
    try:
        smtp_server.wait_for_data()  # the server has the mail; the sender awaits the answer
        process.kill()  # SIGKILL: no chance to record anything
        process.wait(timeout=10)
    finally:
        smtp_server.release()
    (got,) = smtp_server.messages
    (entry,) = desk.outbox()
    assert (entry["state"], entry["attempts"]) == ("sending", 1)

    if sent_folder:  # the server filed its copy, as Gmail or Exchange do
        dovecot.append("Sent", got.data)
    out = desk.ok("sync", "--once")
    desk.ok("sync", "--once")
    assert len(smtp_server.messages) == 1, "resent after a crash"
    (settled,) = desk.outbox("--all")
    if sent_folder:
        assert "1 sent" in out.split("interrupted before:")[1]
        assert settled["state"] == "sent"
    else:
        assert settled["state"] == "unknown"
        assert settled["error"] == "unknown — resend?"
        assert desk.outbox()[0]["state"] == "unknown"  # listed for the agent to decide


def test_rate_limit_and_auto_reply_suppression_hold(
    tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server, dovecot)
    for i in range(12):
        dovecot.append("INBOX", customer_mail(f"Anfrage {i}"))
    dovecot.append(
        "INBOX",
        customer_mail(
            "Abwesend", sender="ooo@acme.example", headers={"Auto-Submitted": "auto-replied"}
        ),
    )
    dovecot.append(
        "INBOX", customer_mail("Liste", sender="l@acme.example", headers={"List-Id": "<x>"})
    )
    dovecot.append("INBOX", customer_mail("Schleife?", sender="support@helpdesk.example"))
    dovecot.append("INBOX", customer_mail("Jemand anderes", sender="b@acme.example"))
    out = desk.ok("sync", "--once")
    assert "13 new cases" in out
    messages = smtp_server.wait_for(11)
    time.sleep(0.2)
    recipients = [m.rcpt_tos[0] for m in smtp_server.messages]
    assert recipients.count("kunde@acme.example") == 10
    assert recipients.count("b@acme.example") == 1
    assert len(messages) == 11
    assert all(parsed(m.data)["Auto-Submitted"] == "auto-replied" for m in messages)


def test_watch_sends_what_is_queued(tmp_path: Path, smtp_server: SmtpServer) -> None:
    desk = Desk(tmp_path, smtp_server)
    number = desk.new_case()
    process = desk.start("sync", "--watch")
    try:
        desk.ok("case", "reply", number, "Kommt von --watch")
        smtp_server.wait_for(1, timeout=10)
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert len(smtp_server.messages) == 1
