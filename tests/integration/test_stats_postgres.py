"""Per-day counters on PostgreSQL (issue 15 §5): two writers racing on the same counter
rows (same day, group, metric) lose no increment — the upsert adds in the database — and
the dashboard reads them through psycopg."""

import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk

WRITES = 15  # per writer


def test_two_writers_lose_no_increment(pg: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    number = cases.create_case(
        Context(pg.location, clock=lambda: start),
        "alice",
        subject="Shared",
        contact="c@acme.example",
        group="billing",
    )
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        ctx = Context(pg.location, clock=lambda: start + timedelta(hours=1))
        try:
            barrier.wait()
            for n in range(WRITES):
                cases.create_case(
                    ctx, name, subject=f"{name} {n}", contact="c@acme.example", group="billing"
                )
                cases.record_activity(
                    ctx, name, number, ActivityKind.COMMENT, f"{name} {n}", time_spent_centi=10
                )
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            ctx.dispose()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("alice", "lena")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with psycopg.connect(pg.location.libpq_url, autocommit=True) as conn:
        counted = dict(
            conn.execute("SELECT metric, sum(value) FROM stats_daily GROUP BY metric").fetchall()
        )
        made = conn.execute("SELECT count(*) FROM cases").fetchone()
        spent = conn.execute("SELECT sum(time_spent_centi) FROM activities").fetchone()
    assert made is not None
    assert spent is not None
    assert counted["created"] == made[0] == 1 + 2 * WRITES
    assert counted["time_centi"] == spent[0] == 2 * WRITES * 10
    board = Desk(Context(pg.location, clock=lambda: start + timedelta(hours=2)), "lena").dashboard(
        None
    )
    assert board.kpi.open == made[0]
    assert board.kpi.created_per_day[-1].count == made[0]
    assert board.time_this_week_hours == pytest.approx(2 * WRITES * 10 / 100)
    pg.dispose()
