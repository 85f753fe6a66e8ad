"""Notification mail to agents, end to end (DATE-4): `helpdesk sync --once` queues it in
the outbox and a real SMTP server (aiosmtpd) receives it — each notification once, or a
digest once its interval has passed (time moved by HELPDESK_NOW), never for the agent's
own action, and a hostile case subject never becomes a header of its own.
"""

import email
import email.policy
import sys
from email.message import EmailMessage
from pathlib import Path

from integration.helpdesk_process import HelpdeskProcess
from integration.smtp_server import SmtpServer

CONFIG = """
[[users]]
username = "alice"
name = "Alice Becker"
email = "alice@helpdesk.example"
role = "admin"

[[users]]
username = "bob"
name = "Bob Brandt"
email = "bob@helpdesk.example"

[[groups]]
name = "support"
members = ["alice", "bob"]

[smtp]
host = "127.0.0.1"
port = {port}
tls = "none"
from = "Helpdesk Support <support@helpdesk.example>"
undo_seconds = 0

[notifications]
email = "{mode}"
digest_interval = "1h"
"""


class Team(HelpdeskProcess):
    """`helpdesk` for alice or bob (`as_user`), with notification mail configured."""

    def __init__(self, root: Path, smtp: SmtpServer, mode: str) -> None:
        super().__init__(root, CONFIG.format(port=smtp.port, mode=mode))
        self.user = "alice"
        self.ok("init")

    def command(self, *args: str) -> list[str]:
        return [
            sys.executable, "-m", "helpdesk_tui.cli", "--db", str(self.db),
            "--config", str(self.config), "--as", self.user, *args,
        ]  # fmt: skip

    def as_user(self, user: str, *args: str, now: str) -> str:
        self.user = user
        try:
            return self.ok(*args, now=now)
        finally:
            self.user = "alice"


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_each_notification_is_mailed_to_the_agent_once(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    team = Team(tmp_path, smtp_server, "each")
    now = "2026-12-07T09:00:00Z"
    number = team.ok(
        "case", "create", "--subject", "Drucker\r\nBcc: evil@attacker.example",
        "--contact", "kunde@acme.example", "--user", "alice", now=now,
    ).strip()  # fmt: skip
    team.ok("case", "assign", number, "--user", "bob", "--comment", "bitte @bob", now=now)
    out = team.ok("sync", "--once", now="2026-12-07T09:00:05Z")
    assert "1 notification mail queued" in out
    assert "outbox: 1 sent" in out
    (mail,) = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ("bob@helpdesk.example",)  # not alice: she acted
    message = parsed(mail.data)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"])
    assert "delegated to you" in str(message["Subject"])
    assert f"[#{number}]" not in str(message["Subject"])
    assert "bitte @bob" in message.get_content()
    team.ok("sync", "--once", now="2026-12-07T09:10:00Z")
    assert len(smtp_server.messages) == 1  # mailed once


def test_a_digest_goes_out_once_its_interval_has_passed(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    team = Team(tmp_path, smtp_server, "off")
    start = "2026-12-07T09:00:00Z"
    assert "digest (your choice)" in team.as_user(
        "bob", "notifications", "email", "digest", now=start
    )
    assert "off (the configured default)" in team.ok("notifications", "email", now=start)
    for subject in ("Drucker", "VPN"):
        number = team.ok(
            "case", "create", "--subject", subject, "--contact", "kunde@acme.example",
            "--user", "bob", now=start,
        ).strip()  # fmt: skip
        team.ok("case", "comment", number, "Kunde ruft an", now="2026-12-07T09:05:00Z")
    assert "notification mails" not in team.ok("sync", "--once", now="2026-12-07T09:30:00Z")
    assert smtp_server.messages == []
    out = team.ok("sync", "--once", now="2026-12-07T10:06:00Z")
    assert "1 notification mail queued" in out
    (mail,) = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ("bob@helpdesk.example",)
    assert str(parsed(mail.data)["Subject"]) == "Helpdesk Support: 4 notifications on 2 cases"
    team.ok("sync", "--once", now="2026-12-07T12:00:00Z")
    assert len(smtp_server.messages) == 1
