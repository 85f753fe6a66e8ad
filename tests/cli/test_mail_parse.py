"""`helpdesk mail parse FILE [--json]`: the CLI.md shape, a readable summary, the `error:` line."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py

MAIL_KEYS = {
    "subject",
    "from_email",
    "from_name",
    "to",
    "cc",
    "date",
    "message_id",
    "in_reply_to",
    "references",
    "body_text",
    "attachments",
    "case_number",
    "auto_submitted",
    "defects",
}
RAW = (
    b"From: =?utf-8?q?J=C3=B6rg_B=C3=A4cker?= <J.Baecker@werkstatt.example>\r\n"
    b"To: Support <support@helpdesk.example>\r\n"
    b"Subject: AW: [#0001234] Drucker \x1b[31mkaputt\r\n"
    b"Date: Mon, 02 Jan 2023 10:39:23 +0100\r\n"
    b"Message-ID: <m1@werkstatt.example>\r\n"
    b"In-Reply-To: <case-1234-0@helpdesk.example>\r\n"
    b"References: <case-1234-0@helpdesk.example>\r\n"
    b"Auto-Submitted: auto-replied\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=M\r\n\r\n"
    b"--M\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo,\r\nder Drucker.\r\n\r\n"
    b"Am 01.01.2023 um 10:00 schrieb Support:\r\n> alt\r\n"
    b"--M\r\nContent-Type: application/pdf\r\n"
    b'Content-Disposition: attachment; filename="scan.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--M--\r\n"
)


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "mail.eml"
    path.write_bytes(RAW)
    return path


def test_json_has_exactly_the_documented_keys(cli: Cli, tmp_path: Path) -> None:
    result = cli("mail", "parse", str(_file(tmp_path)), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == MAIL_KEYS
    assert data["subject"] == "AW: [#0001234] Drucker \x1b[31mkaputt"  # stored as given
    assert (data["from_email"], data["from_name"]) == ("j.baecker@werkstatt.example", "Jörg Bäcker")
    assert data["to"] == ["support@helpdesk.example"]
    assert data["cc"] == []
    assert data["date"] == "2023-01-02T09:39:23.000Z"
    assert data["message_id"] == "m1@werkstatt.example"
    assert data["in_reply_to"] == "case-1234-0@helpdesk.example"
    assert data["references"] == ["case-1234-0@helpdesk.example"]
    assert data["body_text"].startswith("Hallo,\nder Drucker.\n")
    assert data["attachments"] == [
        {"filename": "scan.pdf", "content_type": "application/pdf", "size": 9}
    ]
    assert data["case_number"] == "0001234"
    assert data["auto_submitted"] is True
    assert data["defects"] == []


def test_summary_is_readable_and_safe(cli: Cli, tmp_path: Path) -> None:
    result = cli("mail", "parse", str(_file(tmp_path)))
    assert result.code == 0, result.err
    assert "Jörg Bäcker <j.baecker@werkstatt.example>" in result.out
    assert "0001234" in result.out
    assert "scan.pdf" in result.out
    assert "Hallo," in result.out
    assert "> alt" not in result.out  # quoted history folded
    assert "\x1b" not in result.out  # SEC-2: no escape sequence reaches the terminal


def test_tag_prefix_option(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "hd.eml"
    path.write_bytes(b"From: a@b.example\r\nSubject: Re: [HD-0000042] x\r\n\r\nbody\r\n")
    result = cli("mail", "parse", str(path), "--json", "--tag-prefix", "HD-")
    assert json.loads(result.out)["case_number"] == "0000042"


def test_malformed_mail_reports_defects_not_errors(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.eml"
    path.write_bytes(b"\x00\xff garbage without headers")
    result = cli("mail", "parse", str(path), "--json")
    assert result.code == 0
    assert json.loads(result.out)["defects"]


def test_missing_file_is_one_error_line(cli: Cli, tmp_path: Path) -> None:
    result = cli("mail", "parse", str(tmp_path / "nope.eml"), "--json")
    assert result.code == 1
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: cannot read")
