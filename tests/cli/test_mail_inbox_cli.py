"""`helpdesk mail list/show/classify/file/open-case/archive/stats` (MAIL-8, CLI.md).

Mail arrives through the real filing service (parser included) into the database the
CLI uses; HELPDESK_NOW moves the CLI's clock.
"""

import itertools
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mailmaker import customer_mail

from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.mails import FolderState

Cli = Any  # the `cli` fixture of tests/cli/conftest.py
MAIL_KEYS = [
    "id",
    "from_email",
    "from_name",
    "subject",
    "received_at",
    "class",
    "classified_by",
    "account",
    "case",
    "read",
    "archived",
    "attachments",
]
STATS_KEYS = ["unclassified", "old_open", "classification_rate", "median_reaction_hours"]
_uids = itertools.count(1)
# Mail from news.example stays unfiled; everything else opens a case for billing.
SETTINGS = FilingSettings(
    rules=(
        RoutingRule("news", sender_domain="news.example", create_case=False),
        RoutingRule("rest", group="billing"),
    ),
    own_addresses=frozenset({"support@helpdesk.example"}),
)


class Inbox:
    """Delivers mail into the CLI's database at a chosen moment."""

    def __init__(self, path: Path) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        self.ctx = Context(locate(str(path)), clock=lambda: self.now)

    def mail(self, sender: str, subject: str = "Frage", **headers: str) -> str:
        raw = customer_mail(subject, sender=sender, headers=headers or None)
        uid = next(_uids)
        batch = FolderBatch("support", "INBOX", 1, [Incoming(uid, raw, parse(raw))])
        batch = FolderBatch("support", "INBOX", 1, batch.mails, FolderState(1, uid, None))
        [filed] = ingest(self.ctx, SETTINGS, batch).filed
        return str(filed.mail_id)


@pytest.fixture
def inbox(cli: Cli) -> Inbox:
    return Inbox(Path(os.environ["HELPDESK_DB"]))


def listed(cli: Cli, *args: str) -> list[dict[str, Any]]:
    done = cli("mail", "list", *args, "--json")
    assert done.code == 0, done.err
    rows: list[dict[str, Any]] = json.loads(done.out)
    return rows


def test_list_json_shape_and_filters(cli: Cli, inbox: Inbox) -> None:
    first = inbox.mail("Anna Kundin <anna@kunde.de>", "Rechnung offen")
    inbox.now = inbox.now.replace(hour=10)
    news = inbox.mail("info@news.example", "Newsletter Dezember", Precedence="bulk")
    rows = listed(cli)
    assert [r["id"] for r in rows] == [news, first]
    assert list(rows[0]) == MAIL_KEYS
    assert rows[1] == {
        "id": first,
        "from_email": "anna@kunde.de",
        "from_name": "Anna Kundin",
        "subject": "Rechnung offen",
        "received_at": "2026-12-01T09:00:00.000Z",
        "class": None,
        "classified_by": None,
        "account": None,
        "case": rows[1]["case"],
        "read": False,
        "archived": False,
        "attachments": [],
    }
    assert rows[1]["case"] is not None
    assert rows[0]["case"] is None
    assert [r["id"] for r in listed(cli, "--unfiled")] == [news]
    assert [r["id"] for r in listed(cli, "--from", "anna@kunde.de")] == [first]
    assert [r["id"] for r in listed(cli, "--limit", "1")] == [news]
    text = cli("mail", "list")
    assert text.code == 0
    assert [line[2:10] for line in text.out.splitlines()] == [news[:8], first[:8]]
    assert text.out.startswith("* ")  # unread


def test_classify_by_id_prefix_then_by_domain_and_the_next_mail_arrives_classified(
    cli: Cli, inbox: Inbox
) -> None:
    anna = inbox.mail("anna@kunde.de")
    done = cli("mail", "classify", anna[:8], "customer", "--account", "Kunde GmbH")
    assert (done.code, done.out) == (0, "classified 1 mail as customer\n")
    [row] = listed(cli, "--class", "customer")
    assert (row["class"], row["classified_by"], row["account"]) == (
        "customer",
        "agent",
        "Kunde GmbH",
    )
    bernd = inbox.mail("bernd@kunde.de")
    done = cli("mail", "classify", "--domain", "kunde.de", "customer", "--account", "Kunde GmbH")
    assert done.code == 0, done.err
    assert done.out.splitlines() == [
        "classified 1 mail as customer",
        "remembered: domain kunde.de → customer (Kunde GmbH)",
    ]
    carla = inbox.mail("carla@kunde.de")
    rows = {r["id"]: r for r in listed(cli, "--account", "Kunde GmbH")}
    assert set(rows) == {anna, bernd, carla}
    assert rows[carla]["classified_by"] == "rule"
    shown = cli("mail", "show", carla)
    assert "customer (classified by rule: domain kunde.de)" in shown.out


def test_classify_sender_and_refusals(cli: Cli, inbox: Inbox) -> None:
    inbox.mail("info@news.example")
    inbox.mail("info@news.example")
    done = cli("mail", "classify", "--sender", "info@news.example", "newsletter")
    assert done.out.splitlines() == [
        "classified 2 mails as newsletter",
        "remembered: address info@news.example → newsletter",
    ]
    assert listed(cli, "--unclassified") == []
    bad = cli("mail", "classify", "--domain", "gmail.com", "customer")
    assert bad.code == 1
    assert bad.err.startswith("error: gmail.com is a public mail service")
    assert cli("mail", "classify", "--sender", "x@y.de", "spam").code == 2
    assert cli("mail", "classify", "newsletter").code == 2  # nothing named
    both = cli("mail", "classify", "abcdef12", "--sender", "x@y.de", "customer")
    assert both.code == 2
    missing = cli("mail", "classify", "abcdef12", "customer")
    assert (missing.code, missing.err) == (1, "error: no mail 'abcdef12'\n")
    short = cli("mail", "classify", "abc", "customer")
    assert short.code == 2
    wrong = cli("mail", "classify", "--sender", "a@b.de", "internal", "--account", "X")
    assert wrong.code == 1
    assert "only customers and suppliers" in wrong.err


def test_show_marks_read_and_json(cli: Cli, inbox: Inbox) -> None:
    mail = inbox.mail("anna@kunde.de", "Lieferung")
    done = cli("mail", "show", mail, "--json")
    assert done.code == 0, done.err
    shape = json.loads(done.out)
    assert list(shape)[: len(MAIL_KEYS)] == MAIL_KEYS
    assert shape["read"] is True
    assert "Drucker" in shape["text"]
    assert listed(cli, "--unread") == []
    text = cli("mail", "show", mail[:6])
    assert "  subject   Lieferung" in text.out.splitlines()
    assert cli("mail", "show", "ffffff").code == 1


def test_file_open_case_and_archive(cli: Cli, inbox: Inbox) -> None:
    one = inbox.mail("info@news.example", "Eins")
    two = inbox.mail("info@news.example", "Zwei")
    three = inbox.mail("info@news.example", "Drei")
    opened = cli("mail", "open-case", one, "--group", "technical")
    assert opened.code == 0, opened.err
    number = opened.out.strip()
    case = json.loads(cli("case", "show", number, "--json").out)
    assert case["delegated_group"] == "technical"
    filed = cli("mail", "file", two[:8], number)
    assert (filed.code, filed.out) == (0, f"filed {two[:8]} onto {number}\n")
    assert [r["id"] for r in listed(cli, "--unfiled")] == [three]
    assert cli("mail", "open-case", three, "--group", "g", "--user", "u").code == 2
    archived = cli("mail", "archive", two, three)
    assert (archived.code, archived.out) == (0, "archived 2 mails\n")
    assert [r["id"] for r in listed(cli)] == [one]
    assert {r["id"] for r in listed(cli, "--archived")} == {two, three}
    assert all(r["archived"] for r in listed(cli, "--archived"))
    assert cli("mail", "file", one, "9999999").code == 1


def test_stats(cli: Cli, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox.mail("anna@kunde.de")
    inbox.mail("info@news.example")
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-10T09:00:00Z")
    done = cli("mail", "stats", "--json")
    assert done.code == 0, done.err
    shape = json.loads(done.out)
    assert list(shape) == STATS_KEYS
    assert shape == {
        "unclassified": 2,
        "old_open": 2,
        "classification_rate": 0.0,
        "median_reaction_hours": None,
    }
    text = cli("mail", "stats").out.splitlines()
    assert text[0].startswith("unclassified")
    assert "goal < 10" in text[0]
    assert "2" in text[1]
    assert "goal < 20" in text[1]
    older = listed(cli, "--older-than", "7d")
    assert len(older) == 2
    assert listed(cli, "--older-than", "30d") == []
    assert cli("mail", "list", "--older-than", "week").code == 2
