"""Time the list queries, `case show`, assign-to-me and the CLI on an existing database.

    .venv/bin/python benchmarks/bench_queries.py --db PATH [--user alice] [--runs 20]

Without --db a temporary database is built first (demo + --generate cases). Prints one
JSON object: median and p95 in milliseconds for ReadStore.list_cases per saved view
(first page, and a page deep in through the keyset cursor), case_detail, the
assign_to_me service call, and whole `helpdesk` CLI commands run as subprocesses
(null where the CLI is missing or fails), plus EXPLAIN QUERY PLAN of the main lists.
Note: assign_to_me really assigns `--runs` unassigned cases to the user.
"""

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import ROOT, build_database, emit, file_bytes, stats_ms, timed

VIEWS = ("open", "mine", "overdue", "groups", "unassigned", "waiting", "reminder")
EXPLAINED = ("open", "mine", "overdue", "groups")
CLI_COMMANDS = (
    ("case list --view open", ["case", "list", "--view", "open", "--limit", "50"]),
    ("case list --view mine", ["case", "list", "--view", "mine", "--limit", "50"]),
    ("case list --view overdue", ["case", "list", "--view", "overdue", "--limit", "50"]),
    ("case show", ["case", "show", "{number}"]),
)
PAGE = 50
DEPTH = 5_000  # rows skipped before the "deep" page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing SQLite database")
    parser.add_argument("--user", default="alice", help="the agent for `mine` and assign")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per figure")
    parser.add_argument(
        "--generate", type=int, default=100_000, help="cases to generate without --db"
    )
    args = parser.parse_args()
    path = args.db.expanduser().resolve() if args.db else build_database(args.generate)
    if not path.exists():
        parser.error(f"no database at {path}")

    from helpdesk_tui.domain.numbering import CaseNumber
    from helpdesk_tui.domain.query import view_query
    from helpdesk_tui.storage.dialect import Dialect
    from helpdesk_tui.storage.reads import ReadStore

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA query_only = 1")
    reads = ReadStore(connection, Dialect(sqlite=True))
    today = datetime.now(UTC).date()
    user, runs = args.user, args.runs
    if not reads.people.agent_exists(user):
        parser.error(f"no agent {user!r} in {path}")

    lists: dict[str, Any] = {}
    for view in VIEWS:
        query = view_query(view)

        def page(query: Any = query, after: Any = None) -> list[Any]:
            return reads.list_cases(query, me=user, today=today, limit=PAGE, after=after)

        first = timed(runs, page)
        skipped = reads.list_cases(query, me=user, today=today, limit=DEPTH)
        deep: dict[str, Any] | None = None
        if skipped:
            cursor = skipped[-1].cursor
            deep = {**timed(runs, lambda q=query, c=cursor: page(q, c)), "after_rows": len(skipped)}
        lists[view] = {"rows_first_page": len(page()), "first_page": first, "deep_page": deep}

    number, activity_count = connection.execute(
        "SELECT c.number, count(*) AS n FROM cases c JOIN activities a ON a.case_id = c.id"
        " WHERE c.sub_number = 0 GROUP BY c.id ORDER BY n DESC, c.number LIMIT 1"
    ).fetchone()
    detail = {
        "number": str(CaseNumber(number)),
        "activities": activity_count,
        **timed(runs, lambda: reads.case_detail(CaseNumber(number))),
    }
    explain = explain_plans(path, user, today)
    connection.close()

    assign = time_assign(path, user, today, runs)
    cli = time_cli(path, user, str(CaseNumber(number)), runs)
    with sqlite3.connect(path) as db:
        total = db.execute("SELECT count(*) FROM cases").fetchone()[0]
    emit(
        {
            "benchmark": "queries",
            "db": str(path),
            "cases": total,
            "file_mb": round(file_bytes(path) / 1e6, 1),
            "user": user,
            "runs": runs,
            "page": PAGE,
            "list_cases": lists,
            "case_detail": detail,
            "assign_to_me": assign,
            "cli": cli,
            "explain": explain,
            "sqlite_version": sqlite3.sqlite_version,
        }
    )


def explain_plans(path: Path, user: str, today: Any) -> dict[str, Any]:
    """EXPLAIN QUERY PLAN of the SQL ReadStore actually runs (captured by a trace)."""
    from helpdesk_tui.domain.query import view_query
    from helpdesk_tui.storage.dialect import Dialect
    from helpdesk_tui.storage.reads import ReadStore

    connection = sqlite3.connect(path)
    statements: list[str] = []
    connection.set_trace_callback(statements.append)  # SQL with the values filled in
    reads = ReadStore(connection, Dialect(sqlite=True))
    plans: dict[str, Any] = {}
    for view in EXPLAINED:
        statements.clear()
        reads.list_cases(view_query(view), me=user, today=today, limit=PAGE)
        sql = next(s for s in statements if s.lstrip().upper().startswith("SELECT"))
        connection.set_trace_callback(None)
        rows = connection.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        connection.set_trace_callback(statements.append)
        lines = [str(row[3]) for row in rows]
        plans[view] = {
            "plan": lines,
            "index_scan": any("USING INDEX" in line or "USING COVERING INDEX" in line
                              for line in lines if "SCAN c " in line or "SEARCH c " in line),
            "sorts": any("TEMP B-TREE" in line for line in lines),
        }  # fmt: skip
    connection.close()
    return plans


def time_assign(path: Path, user: str, today: Any, runs: int) -> dict[str, Any] | None:
    """The whole assign_to_me service call on `runs` unassigned cases (they get assigned)."""
    from helpdesk_tui.domain.query import view_query
    from helpdesk_tui.services.cases import assign_to_me
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.storage.location import locate
    from helpdesk_tui.storage.reads import open_reads

    location = locate(str(path))
    with open_reads(location) as reads:
        queue = reads.list_cases(view_query("unassigned"), me=user, today=today, limit=runs + 1)
    if len(queue) < 2:
        return None
    ctx = Context(location)
    started = time.perf_counter()
    assign_to_me(ctx, user, queue[0].number)  # first call: connection, caches
    cold = time.perf_counter() - started
    samples = []
    for case in queue[1:]:
        started = time.perf_counter()
        result = assign_to_me(ctx, user, case.number)
        samples.append(time.perf_counter() - started)
        assert result.changed
    ctx.dispose()
    return {"cases": len(samples), "first_call_ms": round(cold * 1000, 2), **stats_ms(samples)}


def time_cli(path: Path, user: str, number: str, runs: int) -> dict[str, Any]:
    """Whole `helpdesk` processes, start to exit; null where the CLI is missing or fails."""
    exe = ROOT / ".venv" / "bin" / "helpdesk"
    results: dict[str, Any] = {}
    env = {**os.environ, "HELPDESK_CONFIG": str(Path(tempfile.gettempdir()) / "hd-no-config.toml")}
    for label, command in CLI_COMMANDS:
        argv = [str(exe), "--db", str(path), "--as", user,
                *(part.replace("{number}", number) for part in command)]  # fmt: skip
        results[label] = None
        if not exe.exists():
            continue
        samples = []
        try:
            for attempt in range(runs + 1):
                started = time.perf_counter()
                done = subprocess.run(argv, capture_output=True, env=env, timeout=60, check=False)
                elapsed = time.perf_counter() - started
                if done.returncode != 0:
                    print(f"{label}: exit {done.returncode}: {done.stderr.decode()[:200]}",
                          file=sys.stderr)  # fmt: skip
                    samples = []
                    break
                if attempt:  # the first run warms the OS file cache
                    samples.append(elapsed)
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"{label}: {error}", file=sys.stderr)
            samples = []
        if samples:
            results[label] = stats_ms(samples)
    return results


if __name__ == "__main__":
    main()
