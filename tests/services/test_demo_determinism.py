"""The demo is the same every run (issue 12, finding 15): a fixed seed, dates relative to
"now". Two databases seeded at the same instant are identical in every stable field
(ids and Message-IDs are random); seeded a day and some hours later, the cases, their
statuses, timelines and mails are the same — only the dates move.
"""

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from helpdesk_tui.domain.policy import Policy
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.demo import demo_policy, seed_demo
from helpdesk_tui.storage.location import locate

Rows = list[tuple[object, ...]]

# Stable fields only: no ids, no Message-IDs (signed with a key each database makes); a
# mail's text up to its quoted history (our replies quote "On DATE, NAME wrote:").
_CASES = """
SELECT c.number, c.sub_number, c.subject, c.type, c.status, c.priority, c.resolution,
       ct.email, u.username, g.name, d.number, c.custom
  FROM cases c JOIN contacts ct ON ct.id = c.contact_id
  LEFT JOIN agents u ON u.id = c.delegated_user_id
  LEFT JOIN groups g ON g.id = c.delegated_group_id
  LEFT JOIN cases d ON d.id = c.duplicate_of_id
 ORDER BY c.number, c.sub_number"""
_ACTIVITIES = """
SELECT c.number, c.sub_number, a.kind, a.text, ag.username, a.internal, a.time_spent_centi,
       m.subject
  FROM activities a JOIN cases c ON c.id = a.case_id
  LEFT JOIN agents ag ON ag.id = a.actor_id
  LEFT JOIN mails m ON m.id = a.mail_id
 ORDER BY c.number, c.sub_number, a.at, a.kind, a.text"""
_MAILS = """
SELECT m.direction, m.subject, m.from_email, m.filed_by, m.noise, m.attachments, c.number,
       substr(m.body_text, 1, coalesce(m.quote_start, length(m.body_text)))
  FROM mails m LEFT JOIN cases c ON c.id = m.case_id
 ORDER BY m.received_at, m.direction, m.subject"""
_OUTBOX = """
SELECT o.kind, o.state, o.recipient, o.subject, o.error, c.number
  FROM outbox o JOIN cases c ON c.id = o.case_id ORDER BY o.queued_at"""
_DATES = """
SELECT c.number, c.sub_number, c.created_at, c.updated_at, c.due, c.reminder
  FROM cases c ORDER BY c.number, c.sub_number"""
_TIMES = "SELECT a.at FROM activities a ORDER BY a.at, a.kind, a.text"

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday morning


def _seed(folder: Path, now: datetime) -> Callable[[str], Rows]:
    location = locate(str(folder / "demo.sqlite"))
    context = Context(location, policy=demo_policy(Policy()), clock=lambda: now)  # as the CLI
    try:
        seed_demo(context)
    finally:
        context.dispose()
    connection = sqlite3.connect(folder / "demo.sqlite")

    def rows(sql: str) -> Rows:
        return connection.execute(sql).fetchall()

    return rows


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Rows]:
    return _seed(tmp_path_factory.mktemp("first"), NOW)


def test_seeding_twice_at_the_same_moment_gives_the_same_demo(
    first: Callable[[str], Rows], tmp_path: Path
) -> None:
    second = _seed(tmp_path, NOW)
    for sql in (_CASES, _ACTIVITIES, _MAILS, _OUTBOX, _DATES, _TIMES):
        assert first(sql) == second(sql), sql
    assert len(first(_CASES)) >= 480
    assert first(_MAILS)
    assert first(_OUTBOX)


@pytest.mark.parametrize(
    "later",
    [
        NOW + timedelta(days=1, hours=7, minutes=13),  # Tuesday afternoon
        NOW + timedelta(days=5, hours=2),  # Saturday
    ],
    ids=["next-day", "weekend"],
)
def test_a_later_day_gives_the_same_cases_timelines_and_mail(
    first: Callable[[str], Rows], tmp_path: Path, later: datetime
) -> None:
    second = _seed(tmp_path, later)
    for sql in (_CASES, _ACTIVITIES, _MAILS, _OUTBOX):
        assert first(sql) == second(sql), sql
    # … with dates relative to its own "now"
    newest = max(str(at) for (at,) in second(_TIMES))
    assert newest <= later.replace(tzinfo=None).isoformat(sep=" ")
    assert newest > (later - timedelta(days=1)).replace(tzinfo=None).isoformat(sep=" ")
