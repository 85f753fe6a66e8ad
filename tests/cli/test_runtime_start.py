"""What a command's start costs: configured people and settings are only re-done on change.

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
    _runtime(tmp_path).context.dispose()  # migrates and syncs the people
    return tmp_path


def _runtime(folder: Path) -> Runtime:
    options = Options(db=str(folder / "hd.sqlite"), as_user="ann", config=folder / "config.toml")
    return Runtime(options)


def _people(folder: Path) -> tuple[dict[str, AgentEntry], dict[str, GroupEntry]]:
    with open_reads(_runtime(folder).location) as store:
        return store.agents(), store.groups()


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


def test_a_changed_config_is_still_written(desk: Path) -> None:
    changed = CONFIG.replace('name = "Ben Brandt"', 'name = "Ben B."\nrole = "admin"')
    changed = changed.replace('members = ["ann", "ben"]', 'members = ["ann"]')
    changed += '\n[[users]]\nusername = "cem"\n\n[[groups]]\nname = "sales"\nmembers = ["cem"]\n'
    (desk / "config.toml").write_text(changed, encoding="utf-8")
    writes = sqlite3.connect(desk / "hd.sqlite")
    before = writes.execute("PRAGMA data_version").fetchone()[0]

    _runtime(desk).context.dispose()

    assert writes.execute("PRAGMA data_version").fetchone()[0] != before  # it wrote
    writes.close()
    agents, groups = _people(desk)
    assert agents["ben"] == AgentEntry("ben", "Ben B.", "", "admin")
    assert agents["cem"] == AgentEntry("cem", "", "", "agent")
    assert groups["billing"] == GroupEntry("billing", "Billing", "ann", frozenset({"ann"}))
    assert groups["sales"] == GroupEntry("sales", "", None, frozenset({"cem"}))


def test_a_start_on_an_unchanged_config_writes_nothing(desk: Path) -> None:
    writes = sqlite3.connect(desk / "hd.sqlite")
    before = writes.execute("PRAGMA data_version").fetchone()[0]
    _runtime(desk).context.dispose()
    assert writes.execute("PRAGMA data_version").fetchone()[0] == before
    writes.close()
