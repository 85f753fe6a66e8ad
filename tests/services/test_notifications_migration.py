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
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.migrate import _config

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AGENTS = [AgentSpec(name) for name in ("alice", "bob", "lena", "root")]
GROUPS = [GroupSpec("billing", members=("alice", "lena"))]


def upgrade(ctx: Context, revision: str) -> None:
    config = _config()
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_legacy_notes_become_per_agent_notifications(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    ctx = Context(locate(str(path)), clock=Clock(START))
    upgrade(ctx, "0007")
    sync_people(ctx, AGENTS, GROUPS)
    with sqlite3.connect(path) as db:
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
