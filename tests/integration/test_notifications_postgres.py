"""Notifications on PostgreSQL (DATE-4): migration 0008 over a legacy group note, the
reads (booleans, the unread index), read marks, and the scheduler exactly once when two
processes pass at the same moment."""

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg
from alembic import command

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.notifications import fire_due
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.migrate import _config

NOW = datetime(2026, 12, 9, 7, 0, tzinfo=UTC)


def fresh(url: str) -> None:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def test_migration_0008_fans_a_legacy_group_note_out_to_its_members(postgres_url: str) -> None:
    fresh(postgres_url)
    ctx = Context(locate(postgres_url), clock=lambda: NOW)
    config = _config()
    with ctx.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as conn:
        # The people as a database at 0007 holds them (plain SQL: the ORM's tables are
        # those of the newest revision).
        ids = {name: uuid.uuid4() for name in ("alice", "lena", "bob")}
        for name, agent_id in ids.items():
            conn.execute(
                "INSERT INTO agents (id, username, name, email, role, active)"
                " VALUES (%s, %s, '', '', 'agent', true)",
                (agent_id, name),
            )
        group_id = uuid.uuid4()
        conn.execute("INSERT INTO groups (id, name, title) VALUES (%s, 'billing', '')", (group_id,))
        for member in ("alice", "lena"):
            conn.execute("INSERT INTO group_members VALUES (%s, %s)", (group_id, ids[member]))
        conn.execute(
            "INSERT INTO notifications (id, at, agent_id, group_id, case_id, text, read)"
            " SELECT %s, %s, NULL, id, NULL, 'mail on a closed case', false FROM groups",
            (uuid.uuid4(), NOW),
        )
        conn.execute(
            "INSERT INTO notifications (id, at, agent_id, group_id, case_id, text, read)"
            " SELECT %s, %s, id, NULL, NULL, 'for bob', true FROM agents WHERE username='bob'",
            (uuid.uuid4(), NOW),
        )
    ctx.migrate()
    for user, expected in (
        ("alice", [("closed_activity", "mail on a closed case", False)]),
        ("lena", [("closed_activity", "mail on a closed case", False)]),
        ("bob", [("closed_activity", "for bob", True)]),
    ):
        notes = Desk(ctx, user).notifications()
        assert [(n.kind, n.text, n.read) for n in notes] == expected
    with psycopg.connect(postgres_url.replace("+psycopg", "")) as conn:
        keys = [row[0] for row in conn.execute("SELECT dedupe_key FROM notifications")]
        indexes = {
            row[0]
            for row in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'notifications'"
            )
        }
    assert len(keys) == 3
    assert all(k.startswith("legacy:") for k in keys)
    assert {"ix_notifications_dedupe_key", "ix_notifications_agent_unread"} <= indexes
    ctx.dispose()


def test_notify_read_and_fire_once_across_two_processes(pg: Context) -> None:
    clock = [NOW]
    ctx = Context(pg.location, clock=lambda: clock[0])
    number = cases.create_case(
        ctx,
        "lena",
        subject="Drucker",
        contact="kunde@acme.example",
        user="alice",
        reminder=date(2026, 12, 10),
        due=date(2026, 12, 20),
    )
    cases.record_activity(ctx, "lena", number, ActivityKind.COMMENT, "@alice schau mal")
    alice = Desk(ctx, "alice")
    assert [n.kind for n in alice.notifications()] == ["mention", "delegated"]
    assert alice.unread_count() == 2
    assert alice.mark_read([alice.notifications()[0].id]) == 1
    assert [n.kind for n in alice.notifications(unread_only=True)] == ["delegated"]

    assert fire_due(ctx) == 0  # the first pass: nothing due today
    clock[0] = NOW + timedelta(days=1)  # the reminder's day, two processes at once
    others = [Context(pg.location, clock=lambda: clock[0]) for _ in range(2)]
    fired: list[int] = []
    threads = [threading.Thread(target=lambda c=c: fired.append(fire_due(c))) for c in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fire_due(ctx) == 0
    reminders = [n for n in alice.notifications() if n.kind == "reminder"]
    assert len(reminders) == 1
    assert sorted(fired) in ([0, 1], [1, 1])  # a racing insert is ignored, never doubled
    assert alice.mark_all_read() == 2  # the handover and the reminder
    assert alice.unread_count() == 0
    for context in (*others, ctx):
        context.dispose()
