"""Time the queue with SLA (issue 15 §3): the list pages before and after the SLA columns
were added to the read, the SLA views and sort by SLA on their partial indexes, and the
Desk's labelling of a page (the SLA column's text as of now).

    .venv/bin/python benchmarks/bench_queue_sla.py [--db PATH] [--generate 100000]
                                                  [--before COMMIT] [--runs 20]

Without --db a temporary demo database with --generate cases is built. Every open case
then gets an SLA state (SQL, as maintaining it would leave it: a standard policy, clocks
started at creation, due instants spread over the past and next days), so the SLA views
have work. "before" runs `storage/reads.py` as it was at --before (the commit before the
SLA columns joined the list's SELECT) on the same database; "after" is the current one.

Prints one JSON object: median and p95 in ms per figure.
"""

import argparse
import importlib.util
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import ROOT, build_database, emit, timed

from helpdesk_tui.config import CalendarConfig
from helpdesk_tui.domain.calendar import parse_duration
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.query import view_query
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules, start_sla
from helpdesk_tui.services.sla import rank_of
from helpdesk_tui.storage.dialect import Dialect
from helpdesk_tui.storage.readmodels import Sort, SortKey

PAGE = 50
DEPTH = 2_000
VIEWS = ("open", "mine", "overdue", "groups")


def old_reads(commit: str) -> Any:
    """`storage/reads.py` as of `commit`, loaded as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:helpdesk_tui/storage/reads.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "reads_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("reads_before", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_sla(path: Path, rules: SlaRules, now: datetime) -> int:
    """Give every open case a stored SLA state (what maintaining it leaves)."""
    policy = rules.policies[0]
    connection = sqlite3.connect(path)
    rows = connection.execute(
        "SELECT id, created_at, status FROM cases WHERE status != 'closed'"
    ).fetchall()
    rng = random.Random(15)
    updates = []
    for case_id, created_text, status in rows:
        created = datetime.fromisoformat(created_text).replace(tzinfo=UTC)
        created = min(created, now) - timedelta(minutes=rng.randrange(0, 5 * 24 * 60))
        state = start_sla(policy, rules.calendar, created).status_changed(Status(status), now)
        breach = state.breach_at()
        updates.append(
            (
                json.dumps({**state.data(), "mailbox": None}),
                policy.name,
                rank_of(breach) if breach else 253402300799,
                Dialect(sqlite=True).datetime_param(b) if (b := state.breach_at()) else None,
                Dialect(sqlite=True).datetime_param(r) if (r := state.risk_at()) else None,
                case_id,
            )
        )
    connection.executemany(
        "UPDATE cases SET sla_state = ?, sla_policy = ?, sla_rank = ?, sla_breach_at = ?,"
        " sla_risk_at = ? WHERE id = ?",
        updates,
    )
    connection.commit()  # no ANALYZE: the app never runs it, the planner goes without
    connection.close()
    return len(updates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--generate", type=int, default=100_000)
    parser.add_argument("--before", default="57e5d7f")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--user", default="alice")
    args = parser.parse_args()
    path = args.db.expanduser().resolve() if args.db else build_database(args.generate)
    now = datetime.now(UTC)
    calendar = CalendarConfig(timezone="Europe/Berlin").calendar()
    rules = SlaRules(
        (
            SlaPolicy(
                "standard", first_response=parse_duration("4h"), resolution=parse_duration("3d")
            ),
        ),
        calendar,
    )
    with_sla = add_sla(path, rules, now)

    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate
    from helpdesk_tui.storage.reads import ReadStore

    before_module = old_reads(args.before)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA query_only = 1")
    stores = {
        "before": before_module.ReadStore(connection, Dialect(sqlite=True)),
        "after": ReadStore(connection, Dialect(sqlite=True)),
    }
    today, user, runs = now.date(), args.user, args.runs
    result: dict[str, Any] = {
        "cases": connection.execute("SELECT count(*) FROM cases").fetchone()[0],
        "with_sla": with_sla,
        "lists": {},
    }
    for view in VIEWS:
        query = view_query(view)
        figures = {}
        for name, store in stores.items():
            figures[name] = timed(
                runs,
                lambda s=store, q=query: s.list_cases(q, me=user, today=today, limit=PAGE),
            )
        result["lists"][view] = figures
    after = stores["after"]
    sla: dict[str, Any] = {}
    horizons = {"sla_at_risk": rules.risk_horizon(now), "sla_breached": None}
    by_sla = Sort(SortKey.SLA)

    def views(label: str) -> None:
        for view in ("sla_at_risk", "sla_breached"):
            query = view_query(view)
            bound = {"now": now, "sla_horizon": horizons[view], "sort": by_sla}

            def first(q: Any = query, b: Any = bound) -> Any:
                return after.list_cases(q, me=user, today=today, limit=PAGE, **b)

            skipped = after.list_cases(query, me=user, today=today, limit=DEPTH, **bound)
            deep = None
            if skipped:
                cursor = skipped[-1].cursor_for(by_sla)
                deep = timed(
                    runs,
                    lambda q=query, c=cursor, b=bound: after.list_cases(
                        q, me=user, today=today, limit=PAGE, after=c, **b
                    ),
                )
            counted = {k: v for k, v in bound.items() if k != "sort"}
            count = timed(
                runs, lambda q=query, b=counted: after.count_cases(q, me=user, today=today, **b)
            )
            sla[f"{view} ({label})"] = {
                "rows": len(skipped),
                "first_page": timed(runs, first),
                "deep_page": deep,
                "capped_count": count,
            }

    views("as generated")
    # A healthy desk: all but ten open cases breach within the 30 days after now.
    writer = sqlite3.connect(path)
    base = rank_of(now) + 86400
    writer.execute(
        "UPDATE cases SET sla_rank = ? + sla_rank % (30 * 86400), sla_breach_at = NULL,"
        " sla_risk_at = NULL WHERE sla_state IS NOT NULL AND id NOT IN"
        " (SELECT id FROM cases WHERE sla_state IS NOT NULL LIMIT 10)",
        (base,),
    )
    writer.commit()
    writer.close()
    views("ten breached")
    sort = Sort(SortKey.SLA)
    open_query = view_query("open")
    sla["sort_by_sla_open"] = timed(
        runs, lambda: after.list_cases(open_query, me=user, today=today, limit=PAGE, sort=sort)
    )
    page = after.list_cases(open_query, me=user, today=today, limit=PAGE, sort=sort)
    ctx = Context(locate(str(path)), clock=lambda: now)
    from dataclasses import replace

    ctx.policy = replace(ctx.policy, sla=rules)
    desk = Desk(ctx, user)
    sla["label_a_page"] = timed(runs, lambda: desk.with_sla(page))
    result["sla"] = sla
    plans = {}
    for view in ("sla_at_risk", "sla_breached"):
        where, params = after._where(
            view_query(view), me=user, today=today, now=now, sla_horizon=horizons[view]
        )
        sql = "EXPLAIN QUERY PLAN SELECT c.id FROM cases c WHERE " + " AND ".join(where)
        sql += " ORDER BY c.sla_rank, c.number, c.sub_number LIMIT 50"
        plans[view] = [row[-1] for row in connection.execute(sql, params)]
    result["plans"] = plans
    connection.close()
    emit(result)


if __name__ == "__main__":
    sys.exit(main())
