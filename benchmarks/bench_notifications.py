"""Time notifications (DATE-4) on a big database: the unread count, one scheduler pass
with 10,000 due reminders, and what notifying costs `case comment`.

    .venv/bin/python benchmarks/bench_notifications.py [--db PATH] [--cases 1000000]
                                                       [--due 10000] [--runs 50]

Without --db a temporary database is built first (the demo + --cases generated cases, as
bench_generate.py does). The database is changed: --due open cases get today's reminder,
the scheduler runs, comments are added. Prints one JSON object:
- `scheduler_pass`: one pass over (yesterday, today] with --due reminders due today among
  all cases (budget 1 s), the notifications it wrote, a second pass (nothing new), and
  the query plans of the due-row reads (index ranges, no scan of `cases`);
- `unread_count`: `Desk.unread_count()` of the agent with the most unread notifications
  (connection opened per call, as the TUI does; budget 5 ms);
- `comment`: `cases.record_activity` (a comment that notifies the case's delegate and
  owner, and mentions two agents) with and without the notification step, interleaved;
  the difference is what notifying costs (budget 2 ms).
"""

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import emit, file_bytes, progress_printer, stats_ms

BUDGET_PASS_S = 1.0
BUDGET_UNREAD_MS = 5.0
BUDGET_COMMENT_MS = 2.0


def build(path: Path, cases: int, progress: bool) -> float:
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.demo import seed_demo
    from helpdesk_tui.storage.location import locate

    started = time.perf_counter()
    ctx = Context(locate(str(path)))
    seed_demo(ctx, generate=cases, progress=progress_printer(cases, progress))
    ctx.dispose()
    return time.perf_counter() - started


def prepare_due(path: Path, today: str, yesterday_noon: str, due: int) -> dict[str, int]:
    """Exactly `due` open cases with today's reminder (others moved off today), no date
    notifications yet, and the scheduler's last pass set to yesterday noon."""
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE cases SET reminder = NULL WHERE status != 'closed' AND reminder = ?", (today,)
        )
        db.execute(  # due moves to today where it was earlier: reminder <= due
            "UPDATE cases SET reminder = ?, due = max(due, ?) WHERE id IN (SELECT id FROM cases"
            " WHERE status != 'closed' ORDER BY number LIMIT ?)",
            (today, today, due),
        )
        db.execute("DELETE FROM notifications WHERE kind IN ('reminder', 'overdue')")  # a rerun
        db.execute("DELETE FROM scheduler_state")
        db.execute(
            "INSERT INTO scheduler_state (name, day, at) VALUES ('notifications', ?, ?)",
            (yesterday_noon[:10], yesterday_noon),
        )
        (reminders,) = db.execute(
            "SELECT count(*) FROM cases WHERE status != 'closed' AND reminder = ?", (today,)
        ).fetchone()
        (total,) = db.execute("SELECT count(*) FROM cases").fetchone()
        (activities,) = db.execute("SELECT count(*) FROM activities").fetchone()
    return {"cases": total, "activities": activities, "due_reminders": reminders}


def plans(path: Path, today: str, yesterday: str) -> dict[str, str]:
    queries = {
        "reminders": "SELECT c.id FROM cases c WHERE c.reminder > ? AND c.reminder <= ?"
        " AND c.status != 'closed'",
        "overdue": "SELECT c.id FROM cases c WHERE c.due >= ? AND c.due < ?"
        " AND c.status != 'closed'",
    }
    with sqlite3.connect(path) as db:
        return {
            name: " | ".join(
                row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", (yesterday, today))
            )
            for name, sql in queries.items()
        }


def time_pass(path: Path, now: datetime) -> dict[str, Any]:
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.notifications import fire_due
    from helpdesk_tui.storage.location import locate

    ctx = Context(locate(str(path)), clock=lambda: now)
    with ctx.uow(write=False) as uow:  # the engine and the ORM loaded, as in a running app
        uow.notifications.scheduler_state("notifications")
    started = time.perf_counter()
    written = fire_due(ctx)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = fire_due(ctx)
    second = time.perf_counter() - started
    ctx.dispose()
    with sqlite3.connect(path) as db:
        kinds = dict(db.execute("SELECT kind, count(*) FROM notifications GROUP BY kind"))
    return {
        "seconds": round(first, 3),
        "notifications_written": written,
        "notifications_by_kind": kinds,
        "budget_s": BUDGET_PASS_S,
        "within_budget": first <= BUDGET_PASS_S,
        "second_pass_ms": round(second * 1000, 2),
        "second_pass_written": again,
    }


def busiest_agent(path: Path) -> tuple[str, int]:
    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT a.username, count(*) FROM notifications n JOIN agents a ON a.id = n.agent_id"
            " WHERE n.read = 0 GROUP BY a.username ORDER BY 2 DESC LIMIT 1"
        ).fetchone()
    return (row[0], int(row[1])) if row else ("alice", 0)


def time_unread(path: Path, runs: int) -> dict[str, Any]:
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate

    user, unread = busiest_agent(path)
    desk = Desk(Context(locate(str(path))), user)
    count = desk.unread_count()
    samples = []
    for _ in range(runs * 4):
        started = time.perf_counter()
        desk.unread_count()
        samples.append(time.perf_counter() - started)
    result = stats_ms(samples)
    return {
        "user": user,
        "unread": unread,
        "count_shown": count,
        **result,
        "budget_ms": BUDGET_UNREAD_MS,
        "within_budget": result["p95_ms"] <= BUDGET_UNREAD_MS,
    }


def time_comment(path: Path, now: datetime, runs: int) -> dict[str, Any]:
    from helpdesk_tui.domain.enums import ActivityKind
    from helpdesk_tui.domain.numbering import CaseNumber
    from helpdesk_tui.services import cases
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.storage.location import locate
    from helpdesk_tui.storage.uow import UnitOfWork

    class Silent(Context):
        """The same context without the notification step at commit."""

        def uow(self, *, write: bool = True) -> UnitOfWork:
            return UnitOfWork(self.engine, write=write)

    with sqlite3.connect(path) as db:
        agents = [u for (u,) in db.execute("SELECT username FROM agents WHERE active = 1")]
        (number,) = db.execute(
            "SELECT number FROM cases WHERE status != 'closed' AND sub_number = 0"
            " ORDER BY number DESC LIMIT 1"
        ).fetchone()
    target = CaseNumber(number)
    actor, delegate, owner, *others = agents
    clock = [now]
    loud = Context(locate(str(path)), clock=lambda: clock[0])
    silent = Silent(locate(str(path)), clock=lambda: clock[0])
    cases.delegate_case(loud, actor, target, user=delegate)
    cases.edit_case(loud, actor, target, {"owner": owner})
    text = f"checked again @{others[0]} @{others[1]}" if len(others) > 1 else "checked again"
    samples: dict[str, list[float]] = {"with": [], "without": []}
    for i in range(runs * 2 + 4):
        name, ctx = ("with", loud) if i % 2 == 0 else ("without", silent)
        clock[0] += timedelta(seconds=1)
        started = time.perf_counter()
        cases.record_activity(ctx, actor, target, ActivityKind.COMMENT, text)
        if i >= 4:  # the first rounds warm caches and statements
            samples[name].append(time.perf_counter() - started)
    loud.dispose()
    silent.dispose()
    with_ms, without_ms = stats_ms(samples["with"]), stats_ms(samples["without"])
    cost = round(
        (statistics.median(samples["with"]) - statistics.median(samples["without"])) * 1000, 2
    )
    return {
        "case": str(target),
        "notified_per_comment": 2 + min(2, len(others)),
        "with_notifications": with_ms,
        "without_notifications": without_ms,
        "notification_cost_ms": cost,
        "budget_ms": BUDGET_COMMENT_MS,
        "within_budget": cost <= BUDGET_COMMENT_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing SQLite database (it is changed)")
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to generate")
    parser.add_argument("--due", type=int, default=10_000, help="reminders due today")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per figure")
    parser.add_argument("--progress", action="store_true", help="report batches on stderr")
    args = parser.parse_args()
    build_seconds = None
    path: Path = args.db or Path(tempfile.mkdtemp(prefix="hd-bench-")) / "bench.sqlite"
    if args.db is None:
        build_seconds = round(build(path, args.cases, args.progress), 1)
    now = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    today, yesterday = now.date().isoformat(), (now - timedelta(days=1)).date().isoformat()
    noon = (now - timedelta(hours=20)).strftime("%Y-%m-%d %H:%M:%S.%f")
    data = prepare_due(path, today, noon, args.due)
    emit(
        {
            "benchmark": "notifications",
            "db": str(path),
            "build_seconds": build_seconds,
            "file_bytes": file_bytes(path),
            **data,
            "scheduler_pass": {
                **time_pass(path, now),
                "plans": plans(path, today, yesterday),
            },
            "unread_count": time_unread(path, args.runs),
            "comment": time_comment(path, now, args.runs),
        }
    )


if __name__ == "__main__":
    main()
