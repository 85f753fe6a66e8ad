"""SEC-2/SEC-7: every CLI command's output on hostile data reaches the terminal as text.

The database holds escape sequences, controls and bidi overrides in every text a command
can print: subjects, descriptions, contact names and addresses, account names, comments,
change values, outbox rows, and a mail that arrived with them in its headers, body and
attachment names. Stored data is seeded where input checks cannot refuse it (a raw SQL
update), because data from older versions, replicas or imports must be safe to show too.
"""

import json
import os
import sqlite3
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import typer

from helpdesk_tui.cli.main import app
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage import replay
from helpdesk_tui.storage.location import locate

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py

#: Clear screen, OSC 52 clipboard write, OSC 8 hyperlink, 8-bit CSI, BEL, NUL, DEL, CR, a
#: right-to-left override that turns `gnp.exe` into `exe.png`, an isolate, a mark.
HOSTILE = (
    "A\x1b[2J\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\"
    "\x9b31m\x07\x00\x7f\r\u202egnp.exe \u2067iso\u2069\u200fZ"
)
#: Fit for a mail header (no NUL, CR or LF): still escapes and bidi controls.
HOSTILE_HEADER = "M\x1b[31m\x1b]0;title\x07\u202egnp.exe\u2066"
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
VISIBLE = "⟨U+202E⟩gnp.exe"

SMTP = """
[smtp]
host = "127.0.0.1"
port = 9
from = "Helpdesk Support <support@helpdesk.example>"
undo_seconds = 10
"""
#: Commands that print no plain text of their own.
NOT_RUN = {"tui": "starts the TUI: tests/tui show its screens are safe"}


def unsafe(text: str) -> list[str]:
    """The characters of `text` a terminal would act on, or would reorder text by."""
    return sorted(
        {
            f"U+{ord(c):04X}"
            for c in text
            if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c in BIDI
        }
    )


def hostile_mail() -> bytes:
    message = EmailMessage()
    message["From"] = f'"{HOSTILE_HEADER}" <eve@evil.example>'
    message["To"] = "support@helpdesk.example"
    message["Subject"] = f"Invoice {HOSTILE_HEADER}"
    message["Message-ID"] = "<hostile-1@evil.example>"
    message.set_content(f"Hello\n{HOSTILE}\nbye\n")
    message.add_attachment(
        b"MZ", maintype="application", subtype="octet-stream", filename=f"{HOSTILE_HEADER}.exe"
    )
    return message.as_bytes()


def seed_hostile(db: Path, eml: Path) -> None:
    """Put HOSTILE into every text the CLI can print, as stored data."""
    ctx = Context(locate(str(db)))
    try:
        raw = hostile_mail()
        eml.write_bytes(raw)
        settings = FilingSettings(rules=(RoutingRule("all", group="billing"),))
        ingest(ctx, settings, FolderBatch("support", "INBOX", 7, [Incoming(1, raw, parse(raw))]))
    finally:
        ctx.dispose()
    changes = json.dumps({"subject": [HOSTILE, HOSTILE], HOSTILE: [HOSTILE, None]})
    with sqlite3.connect(db) as con:
        con.execute("UPDATE cases SET subject = ?, description = ?", (HOSTILE, HOSTILE))
        con.execute("UPDATE contacts SET email = ? || email, name = ?", (HOSTILE, HOSTILE))
        con.execute("UPDATE accounts SET name = ?", (HOSTILE,))
        con.execute("UPDATE agents SET name = ?, email = ?", (HOSTILE, HOSTILE))
        con.execute("UPDATE agents SET role = 'admin' WHERE username = 'lena'")
        con.execute("UPDATE activities SET text = ? WHERE text != ''", (HOSTILE,))
        con.execute("UPDATE activities SET changes = ? WHERE changes != '{}'", (changes,))
        con.execute(
            "UPDATE outbox SET recipient = ?, subject = ?, error = ?, state = 'failed'",
            (HOSTILE, HOSTILE, HOSTILE),
        )


def command_paths(command: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every command of the CLI, as its words (`("case", "show")`)."""
    subcommands = getattr(command, "commands", None)  # a group (Typer's, not click's class)
    if subcommands:
        found: set[tuple[str, ...]] = set()
        for name, sub in subcommands.items():
            found |= command_paths(sub, (*prefix, name))
        return found
    return {prefix}


@pytest.fixture
def hostile(cli: Cli, tmp_path: Path) -> tuple[Cli, dict[str, str]]:
    config = Path(os.environ["HELPDESK_CONFIG"])
    config.write_text(config.read_text(encoding="utf-8") + SMTP, encoding="utf-8")
    db = Path(os.environ["HELPDESK_DB"])
    with sqlite3.connect(db):
        pass
    ctx = Context(locate(str(db)))
    try:
        with ctx.uow() as uow:
            replay.insert_accounts_contacts(
                uow,
                [replay.AccountData("Evil Corp")],
                [replay.ContactData("mallory@evil.example", "Mallory", account="Evil Corp")],
            )
            uow.commit()
    finally:
        ctx.dispose()

    def create(*extra: str) -> str:
        result = cli(
            "case", "create", "--subject", "Rechnung", "--contact", "mallory@evil.example",
            "--group", "billing", "--description", "text", *extra,
        )  # fmt: skip
        assert result.code == 0, result.err
        return str(result.out.strip())

    main = create()
    sub = create("--parent", main)
    spare = create()
    assert cli("case", "comment", main, "note").code == 0
    assert cli("case", "comment", main, "told them", "--external").code == 0
    assert cli("case", "edit", main, "--subject", "Rechnung 2").code == 0
    attachment = tmp_path / "rechnung.pdf"
    attachment.write_bytes(b"%PDF-1.4")
    assert cli("case", "reply", main, "Antwort", "--attach", str(attachment)).code == 0
    eml = tmp_path / "hostile.eml"
    seed_hostile(db, eml)
    listed = json.loads(cli("outbox", "--json").out)
    mailed = cli("case", "list", "--view", "all", "--json")
    numbers = {c["number"] for c in json.loads(mailed.out)} - {main, sub, spare}
    [hostile_mail_id] = [m["id"] for m in json.loads(cli("mail", "list", "--json").out)]
    return cli, {
        "main": main,
        "sub": sub,
        "spare": spare,
        "mailed": numbers.pop(),
        "outbox": listed[0]["id"][:8],
        "eml": str(eml),
        "mail": hostile_mail_id,
        "demo": str(tmp_path / "demo.sqlite"),
    }


def invocations(n: dict[str, str]) -> list[tuple[str, ...]]:
    """Every command, plain and JSON, on the hostile data (refusals included)."""
    return [
        ("init",),
        ("config", "check"),
        ("demo", "--no-tui", "--db", n["demo"]),
        ("case", "list", "--view", "all"),
        ("case", "list", "--view", "all", "--json"),
        ("case", "show", n["main"]),
        ("case", "show", n["main"], "--json"),
        ("case", "show", n["mailed"]),
        ("case", "show", n["sub"]),
        (
            "case",
            "create",
            "--subject",
            HOSTILE,
            "--contact",
            "x@evil.example",
            "--group",
            "billing",
            "--contact-name",
            HOSTILE,
            "--description",
            HOSTILE,
        ),
        ("case", "create", "--subject", "s", "--contact", "x@evil.example", "--user", HOSTILE),
        (
            "case",
            "create",
            "--subject",
            "s",
            "--contact",
            "x@evil.example",
            "--group",
            "billing",
            "--json",
        ),
        ("case", "assign", n["main"], "--me", "--comment", HOSTILE),
        ("case", "assign", n["main"], "--user", HOSTILE),
        ("case", "status", n["main"], "in_progress", "--comment", HOSTILE),
        ("case", "status", n["main"], HOSTILE),
        ("case", "edit", n["main"], "--priority", "high"),
        ("case", "edit", n["main"], "--owner", HOSTILE),
        ("case", "comment", n["main"], HOSTILE, "--time", "0.25"),
        ("case", "reply", n["main"], HOSTILE),
        ("case", "reply", n["main"], "x", "--attach", HOSTILE),
        ("outbox",),
        ("outbox", "--all"),
        ("outbox", "--json"),
        ("outbox", "--resend", n["outbox"]),
        ("outbox", "--cancel", n["outbox"]),
        ("case", "close", n["sub"], "--resolution", "solved", "--comment", HOSTILE),
        ("case", "close", n["main"], "--resolution", "duplicate", "--duplicate-of", n["spare"]),
        ("case", "reopen", n["main"], "--comment", HOSTILE),
        ("case", "delete", n["spare"], "--yes"),
        ("case", "show", HOSTILE),
        ("attachment", "list", n["main"]),
        ("attachment", "list", n["mailed"], "--json"),
        ("attachment", "save", n["main"], "rechnung.pdf", "--to", str(Path(n["eml"]).parent)),
        ("attachment", "save", n["main"], HOSTILE),
        ("mail", "parse", n["eml"]),
        ("mail", "parse", n["eml"], "--json"),
        ("sync", "--once"),
        ("mail", "list"),
        ("mail", "list", "--json", "--limit", "0"),
        ("mail", "show", n["mail"]),
        ("mail", "show", n["mail"], "--json"),
        ("mail", "show", HOSTILE),
        ("mail", "classify", n["mail"], "customer"),
        ("mail", "classify", "--sender", HOSTILE, "customer"),
        ("mail", "classify", n["mail"], HOSTILE),
        ("mail", "file", n["mail"], n["main"]),
        ("mail", "file", n["mail"], HOSTILE),
        ("mail", "open-case", n["mail"], "--group", HOSTILE),
        ("mail", "archive", n["mail"]),
        ("mail", "list", "--archived"),
        ("mail", "stats"),
        ("mail", "stats", "--json"),
        ("contact", "show", "eve@evil.example"),
        ("contact", "show", "eve@evil.example", "--json"),
        ("contact", "show", HOSTILE),
        ("activity", "--scope", "all"),
        ("activity", "--json", "--kind", "comment"),
        ("notifications",),
        ("notifications", "--unread", "--json"),
        ("notifications", "read", HOSTILE),
        ("notifications", "read", "--all"),
        ("notifications", "email"),
        ("notifications", "email", "each"),
        ("notifications", "email", HOSTILE),
        ("user", "add", "mallory", "--name", HOSTILE, "--email", HOSTILE, "--groups", HOSTILE),
        ("user", "add", "eve", "--name", HOSTILE),
        ("user", "role", "eve", "lead"),
        ("user", "role", HOSTILE, "lead"),
        ("user", "remove", "eve"),
        ("user", "list"),
        ("user", "list", "--json"),
        ("user", "log"),
        ("user", "log", "--json"),
        ("report", "kpi"),
        ("report", "kpi", "--group", HOSTILE),
        ("report", "sla"),
        ("report", "sla", "--json"),
        ("report", "time", "--by", "account"),
        ("report", "time", "--by", "case", "--csv"),
        ("report", "time", "--by", "agent", "--json"),
    ]


def test_every_command_prints_hostile_data_as_harmless_text(
    hostile: tuple[Cli, dict[str, str]],
) -> None:
    cli, names = hostile
    runs = invocations(names)
    commands = command_paths(typer.main.get_command(app))
    missing = {
        " ".join(c)
        for c in commands
        if c[0] not in NOT_RUN and not any(run[: len(c)] == c for run in runs)
    }
    assert not missing, f"commands without a hostile-data run: {sorted(missing)}"

    shown = ""
    for args in runs:
        admin = args[0] == "user" or args[:2] == ("case", "delete")
        result = cli(*args, as_="lena" if admin else "alice")
        for stream, text in (("stdout", result.out), ("stderr", result.err)):
            assert not unsafe(text), f"{' '.join(args)!r} {stream}: {unsafe(text)}\n{text}"
        if "--json" in args and result.code == 0:
            json.loads(result.out)  # still JSON, the values intact (checked below)
        shown += result.out + result.err
    assert VISIBLE in shown  # the override is shown, not obeyed

    show = cli("case", "show", names["main"])
    assert VISIBLE in show.out
    assert "2J" not in show.out.replace("\n", " ").split("contact")[1].split("\n")[0]
    listed = cli("mail", "parse", names["eml"])
    assert f"{VISIBLE}⟨U+2066⟩.exe" in listed.out  # the attachment name, visibly crafted


def test_json_keeps_the_data_intact(hostile: tuple[Cli, dict[str, str]]) -> None:
    cli, names = hostile
    result = cli("case", "show", names["main"], "--json")
    assert result.code == 0
    assert not unsafe(result.out)
    data = json.loads(result.out)
    assert data["subject"] == HOSTILE  # consumers of JSON get the data as stored
    assert data["contact"]["name"] == HOSTILE
    assert data["contact"]["email"].startswith(HOSTILE)
    assert any(HOSTILE in a["changes"] for a in data["activities"])
