"""`helpdesk demo` (issue 12, findings 15 and 16): one demo path that a rerun re-seeds
instead of doubling, a config next to it whose Maildir transport lets the demo send mail
with no server, and a temporary demo that is removed when the TUI ends.
"""

import json
import mailbox
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli import tui
from helpdesk_tui.cli.demo import CONFIG_MARK
from helpdesk_tui.cli.main import app
from helpdesk_tui.services import demo


def _run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env)


def _cases(db: Path) -> list[tuple[str, str, str]]:
    listed = _run("--db", str(db), "--as", "alice", "case", "list", "--view", "all",
                  "--limit", "1000", "--json")  # fmt: skip
    assert listed.exit_code == 0, listed.stderr
    return [(c["number"], c["subject"], c["status"]) for c in json.loads(listed.stdout)]


def test_a_rerun_with_reset_reseeds_the_same_demo_at_the_same_path(isolated: Path) -> None:
    db = isolated / ".demo" / "demo.sqlite"
    first = _run("demo", "--no-tui", "--db", str(db), "--json")
    assert first.exit_code == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["maildir"] == str(isolated / ".demo" / "demo-sent")
    config = Path(summary["config"])
    assert config == isolated / ".demo" / "demo-config.toml"
    assert config.read_text(encoding="utf-8").startswith(CONFIG_MARK)
    before = _cases(db)
    assert len(before) == summary["cases"]

    again = _run("demo", "--no-tui", "--db", str(db))
    assert again.exit_code == 1
    assert "already exists; demo wants a fresh database (--reset" in again.stderr

    reset = _run("demo", "--no-tui", "--db", str(db), "--reset")
    assert reset.exit_code == 0, reset.stderr
    assert f"outgoing mail: {isolated / '.demo' / 'demo-sent'}" in reset.stdout
    assert _cases(db) == before  # not doubled, and the same demo
    assert sorted(p.name for p in db.parent.iterdir()) == ["demo-config.toml", "demo.sqlite"]
    # (no -wal/-shm left behind: the command closes the database; nothing sent, no Maildir)


def test_reset_never_replaces_a_database_the_demo_did_not_make(isolated: Path) -> None:
    db = isolated / "helpdesk.sqlite"
    assert _run("--db", str(db), "--as", "alice", "init").exit_code == 0
    size = db.stat().st_size
    refused = _run("demo", "--no-tui", "--db", str(db), "--reset")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"error: {db} is not a demo database")
    assert db.stat().st_size == size


def test_the_demo_config_sends_a_reply_into_the_maildir(isolated: Path) -> None:
    db = isolated / "demo.sqlite"
    seeded = _run("demo", "--no-tui", "--db", str(db), "--json")
    assert seeded.exit_code == 0, seeded.stderr
    summary = json.loads(seeded.stdout)
    env = {"HELPDESK_CONFIG": summary["config"], "HELPDESK_DB": str(db)}
    listed = _run("case", "list", "--query", "portal", "--json", env=env)
    [case] = [c for c in json.loads(listed.stdout) if c["subject"].startswith("Cannot log in")]
    reply = _run("case", "reply", case["number"], "Fixed: please log in again.", env=env)
    assert reply.exit_code == 0, reply.stderr
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    synced = _run("sync", "--once", env={**env, "HELPDESK_NOW": later})
    assert synced.exit_code == 0, synced.stderr
    box = mailbox.Maildir(summary["maildir"], create=False)
    # The demo agents' notification digests go out too (auto-generated, to the agents).
    notices = [m for m in box if m["Auto-Submitted"] == "auto-generated"]
    assert all(m["To"].endswith("@helpdesk.example>") for m in notices)
    [message] = [m for m in box if m["Auto-Submitted"] != "auto-generated"]
    assert message["To"].endswith("<kgarcia@greenfield-office.co.uk>")
    assert message["From"] == "Helpdesk Support <support@helpdesk.example>"
    assert f"[#{case['number']}]" in message["Subject"]
    assert message["In-Reply-To"].split() == [
        "<DB9PR01MB7425A1C2E3F4@DB9PR01MB7425.eurprd01.prod.outlook.example>"
    ]
    outbox = _run("outbox", "--json", env=env)
    assert sorted(e["state"] for e in json.loads(outbox.stdout)) == [
        "failed",
        "retrying",
        "unknown",
    ]


@pytest.fixture
def launched(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_launch(context: Any, user: str, **kwargs: Any) -> None:
        folder = context.location.sqlite_path.parent
        calls.append({"context": context, "user": user, "folder": folder, **kwargs})
        assert folder.is_dir()  # there while the TUI runs

    monkeypatch.setattr(tui, "launch", fake_launch)
    real_summary = demo.demo_summary
    monkeypatch.setattr(demo, "seed_demo", lambda ctx, **_: real_summary(ctx))  # fast
    return calls


def test_a_temporary_demo_sends_by_maildir_and_is_removed_after_the_tui(
    launched: list[dict[str, Any]],
) -> None:
    result = _run("demo")
    assert result.exit_code == 0, result.output
    [call] = launched
    assert call["user"] == "alice"
    assert call["mail_out"].sender == "Helpdesk Support <support@helpdesk.example>"
    sender = call["mail_sender"](lambda report: None)
    assert sender._smtp.transport == "maildir"
    assert Path(sender._smtp.maildir) == call["folder"] / "demo-sent"
    assert not call["folder"].exists()
    assert f"removed the demo folder {call['folder']}" in result.stderr
