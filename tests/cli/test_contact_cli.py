"""`helpdesk contact show EMAIL [--json]` (issue 14, VIEW-4, CLI.md): the contact shape
with its cases (open first, as `case list --json` shows a case) and its mail (as `mail
list --json` shows one)."""

import json
import os
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest

from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.location import locate

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py


def mail(serial: int, sender: str, subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@helpdesk.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<contact-{serial}@acme.example>"
    message.set_content("Hallo\n")
    message.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="a.pdf")
    return message.as_bytes()


def deliver(raw: bytes, uid: int) -> None:
    """One mail into the inbox, through the real intake (no rule: it stays unfiled)."""
    ctx = Context(locate(os.environ["HELPDESK_DB"]))
    try:
        batch = FolderBatch("support", "INBOX", 1, [Incoming(uid, raw, parse(raw))])
        ingest(ctx, FilingSettings(), batch)
    finally:
        ctx.dispose()


@pytest.fixture
def karl(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Karl's cases (one closed) and two mails from him; a mail from someone else."""
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-01T09:00:00+00:00")
    for subject in ("Drucker", "Toner", "Rechnung"):
        made = cli(
            "case", "create", "--subject", subject, "--contact", "karl@acme.de", "--user", "alice"
        )
        assert made.code == 0, made.err
    assert cli("case", "comment", "0000002", "erledigt", "--time", "0.5").code == 0
    closed = cli("case", "close", "0000001", "--resolution", "solved")
    assert closed.code == 0, closed.err
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-02T09:00:00+00:00")
    deliver(mail(1, "Karl Kunde <karl@acme.de>", "Erste Frage"), 1)
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-02T10:00:00+00:00")
    deliver(mail(2, "Karl Kunde <karl@acme.de>", "Zweite Frage"), 2)
    deliver(mail(3, "Otto <otto@example.org>", "Andere"), 3)
    return cli


def _show(cli: Cli, email: str) -> dict[str, Any]:
    result = cli("contact", "show", email, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_json_has_the_contract_keys_cases_open_first_and_the_mail(karl: Cli) -> None:
    shown = _show(karl, "Karl@ACME.de")
    assert list(shown) == ["email", "name", "phone", "account", "class", "cases", "mails"]
    assert (shown["email"], shown["phone"], shown["account"], shown["class"]) == (
        "karl@acme.de",
        None,
        None,
        None,
    )
    assert [c["number"] for c in shown["cases"]] == ["0000002", "0000003", "0000001"]
    listed = json.loads(karl("case", "list", "--view", "all", "--json").out)
    assert shown["cases"][0] == next(c for c in listed if c["number"] == "0000002")
    assert [m["subject"] for m in shown["mails"]] == ["Zweite Frage", "Erste Frage"]
    first = shown["mails"][0]
    assert list(first) == [
        "id", "from_email", "from_name", "subject", "received_at", "class", "classified_by",
        "account", "case", "read", "archived", "attachments",
    ]  # fmt: skip
    assert [a["filename"] for a in first["attachments"]] == ["a.pdf"]


def test_the_class_follows_a_classification(karl: Cli) -> None:
    mails = _show(karl, "karl@acme.de")["mails"]
    done = karl("mail", "classify", mails[0]["id"], "customer", "--account", "ACME GmbH")
    assert done.code == 0, done.err
    shown = _show(karl, "karl@acme.de")
    assert shown["class"] == "customer"
    assert shown["mails"][0]["class"] == "customer"


def test_plain_text_and_an_unknown_address(karl: Cli) -> None:
    shown = karl("contact", "show", "karl@acme.de")
    assert shown.code == 0, shown.err
    assert "cases (3):" in shown.out
    assert "Zweite Frage" in shown.out
    assert "0.5 h on its cases" in shown.out
    missing = karl("contact", "show", "nobody@nowhere.example")
    assert (missing.code, missing.err) == (1, "error: no contact nobody@nowhere.example\n")
