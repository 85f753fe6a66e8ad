"""`helpdesk case reply` and `helpdesk outbox`: exit codes, the `error:` line, JSON shapes."""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py

SMTP = """
[smtp]
host = "smtp.example.com"
port = 465
from = "Helpdesk Support <support@helpdesk.example>"
undo_seconds = 10
"""
OUTBOX_KEYS = {
    "id",
    "case",
    "to",
    "subject",
    "kind",
    "automatic",
    "state",
    "attempts",
    "error",
    "queued_at",
    "next_attempt",
    "attempted_at",
    "sent_at",
    "message_id",
    "actor",
}


@pytest.fixture
def smtp_cli(cli: Cli) -> Cli:
    """The `cli` fixture with an [smtp] section in its config."""
    config = Path(os.environ["HELPDESK_CONFIG"])
    config.write_text(config.read_text(encoding="utf-8") + SMTP, encoding="utf-8")
    return cli


def _case(cli: Cli) -> str:
    result = cli(
        "case",
        "create",
        "--subject",
        "Rechnung doppelt",
        "--contact",
        "kunde@acme.de",
        "--group",
        "billing",
        "--contact-name",
        "Kunde Eins",
    )
    assert result.code == 0, result.err
    return str(result.out.strip())


def test_reply_queues_a_mail_and_outbox_lists_it(smtp_cli: Cli, tmp_path: Path) -> None:
    number = _case(smtp_cli)
    attachment = tmp_path / "rechnung.pdf"
    attachment.write_bytes(b"%PDF-1.4")
    result = smtp_cli(
        "case", "reply", number, "Wir erstatten den Betrag.", "--attach", str(attachment),
        "--time", "0.25",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.startswith(
        f"queued reply to kunde@acme.de: Re: [#{number}] Rechnung doppelt (leaves in "
    )
    listed = smtp_cli("outbox", "--json")
    assert listed.code == 0
    (entry,) = json.loads(listed.out)
    assert set(entry) == OUTBOX_KEYS
    assert entry["case"] == number
    assert entry["to"] == "kunde@acme.de"
    assert entry["state"] == "queued"
    assert entry["attempts"] == 0
    assert entry["error"] is None
    assert entry["kind"] == "reply"
    assert entry["actor"] == "alice"
    assert entry["queued_at"].endswith("Z")
    assert entry["next_attempt"] > entry["queued_at"]
    shown = json.loads(smtp_cli("case", "show", number, "--json").out)
    (external,) = [a for a in shown["activities"] if a["kind"] == "external"]
    assert (external["text"], external["time_spent"]) == ("Wir erstatten den Betrag.", 0.25)

    table = smtp_cli("outbox")
    assert table.code == 0
    assert f"{number}  queued" in table.out


def test_cancel_within_the_undo_window(smtp_cli: Cli) -> None:
    number = _case(smtp_cli)
    assert smtp_cli("case", "reply", number, "Doch nicht").code == 0
    (entry,) = json.loads(smtp_cli("outbox", "--json").out)
    cancelled = smtp_cli("outbox", "--cancel", entry["id"][:8])
    assert cancelled.code == 0, cancelled.err
    assert cancelled.out.startswith("cancelled: mail to kunde@acme.de")
    assert json.loads(smtp_cli("outbox", "--json").out) == []
    (gone,) = json.loads(smtp_cli("outbox", "--json", "--all").out)
    assert gone["state"] == "cancelled"
    again = smtp_cli("outbox", "--cancel", entry["id"][:8])
    assert again.code == 1
    assert again.err.startswith("error: cannot cancel the mail to kunde@acme.de: it is cancelled")


def test_reply_refusals_are_one_error_line(smtp_cli: Cli, tmp_path: Path) -> None:
    number = _case(smtp_cli)
    missing = smtp_cli("case", "reply", "0000099", "Hallo")
    assert (missing.code, missing.err) == (1, "error: no case 0000099\n")
    bad = smtp_cli("case", "reply", "12x", "Hallo")
    assert bad.code == 2
    assert bad.err.startswith("error: not a case number")
    no_file = smtp_cli("case", "reply", number, "Hallo", "--attach", str(tmp_path / "nope.pdf"))
    assert no_file.code == 2
    assert no_file.err.startswith("error: cannot read ")
    assert smtp_cli("case", "close", number, "--resolution", "solved").code == 0
    closed = smtp_cli("case", "reply", number, "Zu spät")
    assert closed.code == 1
    assert closed.err == (
        f"error: cannot add an external action or phone note to {number}: the case is closed\n"
    )
    assert json.loads(smtp_cli("outbox", "--json").out) == []
    unknown_id = smtp_cli("outbox", "--resend", "abcdef12")
    assert unknown_id.code == 2
    assert unknown_id.err == "error: no outgoing mail with id 'abcdef12'\n"


def test_reply_without_smtp_config_is_refused(cli: Cli) -> None:
    number = _case(cli)
    result = cli("case", "reply", number, "Hallo")
    assert (result.code, result.err) == (
        1,
        "error: no [smtp] section in the config: replies cannot be mailed\n",
    )


def test_config_check_names_an_unknown_placeholder_in_the_acknowledgement(cli: Cli) -> None:
    config = Path(os.environ["HELPDESK_CONFIG"])
    config.write_text(
        config.read_text(encoding="utf-8")
        + """
[[mail.accounts]]
name = "support"
host = "imap.example.com"
username = "support"
password_command = "pass show imap"
ack_template = "Hallo {contact_name}, Ihr Fall {fall}"
""",
        encoding="utf-8",
    )
    result = cli("config", "check")
    assert result.code == 1
    assert result.err.startswith(
        "error: config " + str(config) + ": mail.accounts.0: Value error, "
        "template 'support ack_template': unknown placeholder {fall}"
    )
