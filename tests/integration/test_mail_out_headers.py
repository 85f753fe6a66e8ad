"""Hostile values at the real SMTP server (SEC-5; issue 10 Found 1, 2, 12).

A contact name, subject or attachment name with CR LF (and a From display name that is
an RFC 2047 word decoding to one) reaches the server as a message with exactly the
headers we set, one of each, Auto-Submitted intact, and no Bcc recipient anywhere.
"""

import base64
import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from integration.dovecot import Dovecot
from integration.smtp_server import SmtpServer
from integration.test_mail_out import Desk
from mailmaker import customer_mail

HOSTILE = "Name\r\nBcc : v@evil.example\r\n\r\nbody"
FLAT = "Name Bcc : v@evil.example body"
REPLY = {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}
ACK = REPLY | {"In-Reply-To", "References", "Auto-Submitted", "X-Auto-Response-Suppress"}


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def header_names(message: EmailMessage) -> list[str]:
    return [k for k in message if k != "Content-Transfer-Encoding"]


def test_a_hostile_name_subject_and_attachment_reach_the_server_as_text(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server)
    number = desk.ok(
        "case", "create", "--subject", f"Drucker {HOSTILE}", "--contact", "kunde@acme.example",
        "--contact-name", HOSTILE, "--group", "support",
    ).strip()  # fmt: skip
    attachment = tmp_path / "plan\r\nBcc: v@evil.example.pdf"
    attachment.write_bytes(b"%PDF-1.4")
    desk.ok("case", "reply", number, "Anbei der Plan.", "--attach", str(attachment))
    assert "outbox: 1 sent" in desk.ok("sync", "--once")

    (mail,) = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ("kunde@acme.example",)
    message = parsed(mail.data)
    assert sorted(header_names(message)) == sorted(REPLY)
    assert message["Bcc"] is None
    assert message["To"].addresses[0].display_name == FLAT
    assert str(message["Subject"]) == f"Re: [#{number}] Drucker {FLAT}"
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == "plan Bcc: v@evil.example.pdf"
    assert all(len(line) <= 998 for line in mail.data.split(b"\r\n"))


def test_a_bad_contact_address_is_one_error_line(tmp_path: Path, smtp_server: SmtpServer) -> None:
    desk = Desk(tmp_path, smtp_server)
    done = desk.run(
        "case", "create", "--subject", "Drucker", "--contact",
        "kunde@acme.example\r\nBcc: v@evil.example", "--group", "support",
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: 'kunde@acme.example Bcc: v@evil.example' is not a valid e-mail")


def test_an_encoded_crlf_from_name_is_acknowledged_with_our_headers(
    tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server, dovecot)
    word = "=?utf-8?b?" + base64.b64encode(b"Name\r\nBcc: x@evil.example").decode() + "?="
    subject = "Drucker " + "kaputt " * 20_000  # 140 kB: cut in the acknowledgement
    raw = customer_mail("Platzhalter").replace(b"Platzhalter", subject.encode())
    raw = raw.replace(b"From: Kunde Eins <", f"From: {word} <".encode(), 1)
    dovecot.append("INBOX", raw)
    out = desk.ok("sync", "--once")
    assert "outbox: 1 sent" in out

    (ack,) = smtp_server.wait_for(1)
    assert ack.rcpt_tos == ("kunde@acme.example",)
    message = parsed(ack.data)
    assert sorted(header_names(message)) == sorted(ACK)
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["To"].addresses[0].display_name == "Name Bcc: x@evil.example"
    assert len(str(message["Subject"])) <= 200
    assert str(message["Subject"]).endswith("…")
    body = message.get_body(("plain",))
    assert body is not None
    assert "Please keep [#" in body.get_content()
    assert all(len(line) <= 998 for line in ack.data.split(b"\r\n"))
