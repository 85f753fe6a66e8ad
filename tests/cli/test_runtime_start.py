"""What a command's start costs and writes: configured people seed a new database only.

`helpdesk sync --once` with nothing new must start in a fraction of a second (issue 4), so
a start on an unchanged config and database writes nothing and imports no SQLAlchemy.
"""

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app
from helpdesk_tui.cli.runtime import Options, Runtime
from helpdesk_tui.storage.reads import AgentEntry, GroupEntry, open_reads

CONFIG = """
[[users]]
username = "ann"
name = "Ann Arndt"
email = "ann@helpdesk.example"
role = "lead"

[[users]]
username = "ben"
name = "Ben Brandt"

[[groups]]
name = "billing"
title = "Billing"
lead = "ann"
members = ["ann", "ben"]
"""


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config with people and a database that holds them (after one start)."""
    for name in list(os.environ):
        if name.upper().startswith("HELPDESK_"):
            monkeypatch.delenv(name)
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    folder = str(tmp_path)
    init = CliRunner().invoke(
        app, ["--db", f"{folder}/hd.sqlite", "--config", f"{folder}/config.toml", "init"]
    )
    assert init.exit_code == 0, init.output  # migrates; the config seeds the people
    return tmp_path


def _runtime(folder: Path) -> Runtime:
    options = Options(db=str(folder / "hd.sqlite"), as_user="ann", config=folder / "config.toml")
    return Runtime(options)


def _people(folder: Path) -> tuple[dict[str, AgentEntry], dict[str, GroupEntry]]:
    with open_reads(_runtime(folder).location) as store:
        return store.people.agents(), store.people.groups()


def _fresh_start(folder: Path) -> list[str]:
    """Build a command's context in a new interpreter; which heavy modules got imported."""
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        from helpdesk_tui.cli.runtime import Options, Runtime
        folder = Path({str(folder)!r})
        options = Options(db=str(folder / "hd.sqlite"), as_user="ann",
                          config=folder / "config.toml")
        runtime = Runtime(options)
        runtime.context
        heavy = ("sqlalchemy", "sqlmodel", "alembic")
        print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("HELPDESK_")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    imported: list[str] = json.loads(done.stdout)
    return imported


def test_an_unchanged_start_imports_no_sqlalchemy(desk: Path) -> None:
    assert _fresh_start(desk) == []


def test_an_unchanged_start_takes_no_write_lock(desk: Path) -> None:
    writer = sqlite3.connect(desk / "hd.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process is writing (a long sync, say)
    try:
        # Syncing the people would wait for the lock (busy timeout, then "locked").
        context = _runtime(desk).context
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert context.location == _runtime(desk).location


def _changed_config(desk: Path) -> None:
    """ben made admin, moved out of billing; cem and sales added — in the config only."""
    changed = CONFIG.replace('name = "Ben Brandt"', 'name = "Ben B."\nrole = "admin"')
    changed = changed.replace('members = ["ann", "ben"]', 'members = ["ann"]')
    changed += '\n[[users]]\nusername = "cem"\n\n[[groups]]\nname = "sales"\nmembers = ["cem"]\n'
    (desk / "config.toml").write_text(changed, encoding="utf-8")


def _unchanged_people(desk: Path) -> None:
    agents, groups = _people(desk)
    assert agents["ben"] == AgentEntry("ben", "Ben Brandt", "", "agent")
    assert "cem" not in agents
    assert groups["billing"] == GroupEntry("billing", "Billing", "ann", frozenset({"ann", "ben"}))
    assert "sales" not in groups


def test_a_new_database_is_seeded_from_the_config(desk: Path) -> None:
    agents, groups = _people(desk)
    assert agents["ann"] == AgentEntry("ann", "Ann Arndt", "ann@helpdesk.example", "lead")
    assert groups["billing"] == GroupEntry("billing", "Billing", "ann", frozenset({"ann", "ben"}))


def test_a_changed_config_is_not_applied_to_a_database_with_users(desk: Path) -> None:
    _changed_config(desk)
    writes = sqlite3.connect(desk / "hd.sqlite")
    before = writes.execute("PRAGMA data_version").fetchone()[0]

    _runtime(desk).context.dispose()

    assert writes.execute("PRAGMA data_version").fetchone()[0] == before  # wrote nothing
    writes.close()
    _unchanged_people(desk)


def test_the_tui_start_writes_no_people_either(desk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpdesk_tui.cli import tui

    _changed_config(desk)
    started: list[str] = []
    # The app itself is not what is tested here: what the start does before it.
    monkeypatch.setattr(tui, "launch", lambda _context, user, **_: started.append(user))
    monkeypatch.setenv("HELPDESK_USERS", '[{"username": "ann", "role": "admin"}]')
    monkeypatch.setenv("HELPDESK_GROUPS", "[]")

    tui.start(_runtime(desk))

    assert started == ["ann"]
    _unchanged_people(desk)
    assert _people(desk)[0]["ann"].role == "lead"


def test_a_start_on_an_unchanged_config_writes_nothing(desk: Path) -> None:
    writes = sqlite3.connect(desk / "hd.sqlite")
    before = writes.execute("PRAGMA data_version").fetchone()[0]
    _runtime(desk).context.dispose()
    assert writes.execute("PRAGMA data_version").fetchone()[0] == before
    writes.close()
