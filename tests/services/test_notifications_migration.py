"""Migration 0008 on SQLite: legacy notes (MAIL-6, before kinds) keep their text, a
group's note becomes one per member, every row gets a unique key; the downgrade works."""

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from support import Clock

from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.migrate import _config

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AGENTS = ("alice", "bob", "lena", "root")
GROUPS = {"billing": ("alice", "lena")}


def add_people(db: sqlite3.Connection) -> None:
    """The agents and groups as a database at revision 0007 holds them (plain SQL: the
    ORM's tables are those of the newest revision)."""
    ids = {name: uuid.uuid4().hex for name in AGENTS}
    for name, agent_id in ids.items():
        db.execute(
            "INSERT INTO agents (id, username, name, email, role, active)"
            " VALUES (?, ?, '', '', 'agent', 1)",
            (agent_id, name),
        )
    for group, members in GROUPS.items():
        group_id = uuid.uuid4().hex
        db.execute("INSERT INTO groups (id, name, title) VALUES (?, ?, '')", (group_id, group))
        for member in members:
            db.execute("INSERT INTO group_members VALUES (?, ?)", (group_id, ids[member]))


def upgrade(ctx: Context, revision: str) -> None:
    config = _config()
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_legacy_notes_become_per_agent_notifications(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    ctx = Context(locate(str(path)), clock=Clock(START))
    upgrade(ctx, "0007")
    with sqlite3.connect(path) as db:
        add_people(db)
        db.execute(
            "INSERT INTO notifications (id, at, agent_id, group_id, case_id, text, read)"
            " SELECT ?, '2026-11-23 09:00:00.000000', NULL, id, NULL, 'closed mail', 0"
            " FROM groups WHERE name = 'billing'",
            (uuid.uuid4().hex,),
        )
        db.execute(
            "INSERT INTO notifications (id, at, agent_id, group_id, case_id, text, read)"
            " SELECT ?, '2026-11-23 09:00:00.000000', id, NULL, NULL, 'for bob', 1"
            " FROM agents WHERE username = 'bob'",
            (uuid.uuid4().hex,),
        )
    ctx.migrate()
    seen = {u: [(n.kind, n.text, n.read) for n in Desk(ctx, u).notifications()] for u in
            ("alice", "lena", "bob", "root")}  # fmt: skip
    assert seen == {
        "alice": [("closed_activity", "closed mail", False)],
        "lena": [("closed_activity", "closed mail", False)],
        "bob": [("closed_activity", "for bob", True)],
        "root": [],
    }
    with sqlite3.connect(path) as db:
        keys = [k for (k,) in db.execute("SELECT dedupe_key FROM notifications")]
        plan = " ".join(
            str(row)
            for row in db.execute(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM notifications"
                " WHERE agent_id = ? AND read = ?",
                ("x", 0),
            )
        )
    assert len(set(keys)) == 3
    assert all(k.startswith("legacy:") for k in keys)
    assert "ix_notifications_agent_unread" in plan
    config = _config()
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    ctx.dispose()
