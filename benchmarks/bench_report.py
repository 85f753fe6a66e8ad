"""Time the statistics (issue 15 §5/§6) on a big database: `helpdesk report kpi --json`
as a whole process, `Desk.dashboard` in-process (the dashboard's first paint), and what
keeping the per-day counters adds to a case change.

    .venv/bin/python benchmarks/bench_report.py [--db PATH] [--cases 1000000] [--runs 10]

Without --db a temporary database is built first (the demo + --cases generated cases). A
database made before migration 0015 is migrated first (the counters are rebuilt from its
history; `migrate_s` says how long). The database is changed: comments with time are
added. Prints one JSON object:
- `report_kpi_process`: `helpdesk report kpi --json` (budget 600 ms) next to two anchors
  in the same run: `python -c pass` and `helpdesk --help` (process start, the CLI imports);
- `dashboard`: `Desk.dashboard(None)` of a lead and of an agent (scoped to their groups),
  a connection opened per call as the TUI does (budget for the first paint: 500 ms);
- `change`: `cases.record_activity` (a comment with time spent) with and without the
  counters' step, interleaved; the difference is what the counters cost per change.
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import ROOT, build_database, emit, stats_ms, timed

BUDGET_KPI_MS = 600.0
BUDGET_DASHBOARD_MS = 500.0


def process_ms(command: list[str], runs: int, env: dict[str, str]) -> dict[str, float]:
    subprocess.run(command, check=True, capture_output=True, env=env)  # warm the page cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        samples.append(time.perf_counter() - started)
    return stats_ms(samples)


def people(path: Path) -> tuple[str, str]:
    """A lead or admin, and an agent who belongs to a group."""
    with sqlite3.connect(path) as db:
        lead = db.execute(
            "SELECT username FROM agents WHERE role IN ('lead', 'admin') ORDER BY username"
        ).fetchone()[0]
        agent = db.execute(
            "SELECT a.username FROM agents a JOIN group_members gm ON gm.agent_id = a.id"
            " WHERE a.role = 'agent' ORDER BY a.username"
        ).fetchone()[0]
    return str(lead), str(agent)


def change_cost(path: Path, user: str, runs: int) -> dict[str, Any]:
    from helpdesk_tui.domain.enums import ActivityKind
    from helpdesk_tui.domain.numbering import CaseNumber
    from helpdesk_tui.services import cases, stats
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.storage.location import locate

    ctx = Context(locate(str(path)))
    with sqlite3.connect(path) as db:
        number = db.execute(
            "SELECT number FROM cases WHERE status != 'closed' AND sub_number = 0"
            " ORDER BY number DESC LIMIT 1"
        ).fetchone()[0]
    case = CaseNumber(int(number))
    real = stats.maintain_stats

    def comment() -> float:
        started = time.perf_counter()
        cases.record_activity(ctx, user, case, ActivityKind.COMMENT, "bench", time_spent_centi=5)
        return time.perf_counter() - started

    comment()
    with_counters, without = [], []
    for _ in range(runs):
        stats.maintain_stats = real
        with_counters.append(comment())
        stats.maintain_stats = lambda uow, zone: None
        without.append(comment())
    stats.maintain_stats = real
    ctx.dispose()
    return {
        "with_counters_ms": stats_ms(with_counters),
        "without_counters_ms": stats_ms(without),
        "counters_add_ms": round(
            (statistics.median(with_counters) - statistics.median(without)) * 1000, 3
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    path = args.db or build_database(args.cases)
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate

    started = time.perf_counter()
    ctx = Context(locate(str(path)))
    ctx.migrate()
    ctx.dispose()
    migrate_s = time.perf_counter() - started
    lead, agent = people(path)
    with sqlite3.connect(path) as db:
        counts = {
            "cases": db.execute("SELECT count(*) FROM cases").fetchone()[0],
            "activities": db.execute("SELECT count(*) FROM activities").fetchone()[0],
            "counters": db.execute("SELECT count(*) FROM stats_daily").fetchone()[0],
        }
    helpdesk = str(Path(sys.executable).with_name("helpdesk"))
    env = {**os.environ, "HELPDESK_DB": str(path), "HELPDESK_CONFIG": os.devnull}
    env.pop("HELPDESK_USER", None)
    kpi = process_ms([helpdesk, "--as", lead, "report", "kpi", "--json"], args.runs, env)
    result: dict[str, Any] = {
        "database": {**counts, "path": str(path), "migrate_s": round(migrate_s, 2)},
        "report_kpi_process": {
            "report_kpi_ms": kpi,
            "anchor_python_pass_ms": process_ms([sys.executable, "-c", "pass"], args.runs, env),
            "anchor_helpdesk_help_ms": process_ms([helpdesk, "--help"], args.runs, env),
            "budget_ms": BUDGET_KPI_MS,
            "within_budget": kpi["median_ms"] <= BUDGET_KPI_MS,
        },
    }
    ctx = Context(locate(str(path)))
    result["dashboard"] = {
        "lead_ms": timed(args.runs, lambda: Desk(ctx, lead).dashboard(None)),
        "agent_ms": timed(args.runs, lambda: Desk(ctx, agent).dashboard(None)),
        "budget_ms": BUDGET_DASHBOARD_MS,
    }
    ctx.dispose()
    result["change"] = change_cost(path, lead, args.runs * 5)
    result["root"] = str(ROOT)
    emit(result)


if __name__ == "__main__":
    main()
