"""Time recomputing the SLA of every open case after the SLA configuration changed
(services/sla_refresh.py; issue 15 §2 "recomputed when the policy, priority or calendar
changes").

    .venv/bin/python benchmarks/bench_sla_recompute.py [--open 100000] [--db PATH]

Without --db a temporary database is built first (the demo plus generated cases, as
bench_generate.py does, enough for --open open cases; the generated ones have no SLA).
Then, on a fresh Context each (what a scheduler pass of `helpdesk sync` does):
- `first`: policies configured for the first time — every open case gets its SLA (started
  from its creation, its first response looked up on its timeline) and an `sla` entry;
- `retarget`: a target changed — every open case re-targeted, an entry each;
- `unchanged`: a new fingerprint that changes no case (an extra closed date at the end of 2027) —
  every open case read and folded, nothing written;
- `anchor`: in the same run, a plain sqlite3 executemany UPDATE of the same SLA columns
  of the same open rows, 2,000 per committed transaction (the least any recompute must
  write), and `anchor_one_statement`: one set-based UPDATE of those rows.
Figures: seconds and cases/s each, and the ratios to the anchor.

Prints one JSON object.
"""

import argparse
import json
import sqlite3
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _common import build_database, emit

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.policy import Policy
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules
from helpdesk_tui.services.sla_refresh import refresh_sla

NOW = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)
HOURS = "mon-fri 08:00-17:00"


def rules(first_response: str = "4h", closed: tuple[date, ...] = ()) -> SlaRules:
    calendar = BusinessCalendar(ZoneInfo("Europe/Berlin"), parse_hours(HOURS), closed)
    urgent = SlaPolicy(
        "Urgent",
        first_response=parse_duration("1h"),
        resolution=parse_duration("1d"),
        priorities=frozenset({"urgent", "high"}),
    )
    standard = SlaPolicy(
        "Standard", first_response=parse_duration(first_response), resolution=parse_duration("3d")
    )
    return SlaRules((urgent, standard), calendar)


def recompute(path: Path, sla: SlaRules) -> dict[str, Any]:
    import helpdesk_tui.storage.sla_refresh  # noqa: F401 - loaded before the timing
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.storage.location import locate

    ctx = Context(locate(str(path)), policy=replace(Policy(), sla=sla), clock=lambda: NOW)
    began = time.perf_counter()
    done = refresh_sla(ctx)
    seconds = time.perf_counter() - began
    again = refresh_sla(ctx)
    ctx.dispose()
    return {
        "seconds": round(seconds, 2),
        "cases": done.cases,
        "changed": done.changed,
        "cases_per_s": round(done.cases / seconds),
        "second_pass_cases": again.cases,
    }


def anchor(path: Path, one_statement: bool) -> float:
    """A plain UPDATE of the SLA columns of the open cases (values of the same shape)."""
    db = sqlite3.connect(path, isolation_level=None)
    ids = [row[0] for row in db.execute("SELECT id FROM cases WHERE status != 'closed'")]
    state = json.dumps({"policy": "Standard", "clocks": {}}, separators=(",", ":"))
    due = "2026-12-10 13:00:00.000000"
    began = time.perf_counter()
    if one_statement:
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "UPDATE cases SET sla_policy = 'Standard', sla_state = ?, sla_first_response_due = ?,"
            " sla_resolution_due = ?, sla_breach_at = ?, sla_risk_at = ?, sla_rank = number"
            " WHERE status != 'closed'",
            (state, due, due, due, due),
        )
        db.execute("COMMIT")
    else:
        for start in range(0, len(ids), 2000):
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "UPDATE cases SET sla_policy = 'Standard', sla_state = ?,"
                " sla_first_response_due = ?, sla_resolution_due = ?, sla_breach_at = ?,"
                " sla_risk_at = ?, sla_rank = ? WHERE id = ?",
                [
                    (state, due, due, due, due, n, i)
                    for n, i in enumerate(ids[start : start + 2000])
                ],
            )
            db.execute("COMMIT")
    seconds = time.perf_counter() - began
    db.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--open", type=int, default=100_000)
    args = parser.parse_args()
    # About 30 % of generated cases are open (services/demo.generate_cases).
    path = args.db.expanduser().resolve() if args.db else build_database(int(args.open / 0.3))
    with sqlite3.connect(path) as db:
        total, open_cases = db.execute(
            "SELECT count(*), sum(status != 'closed') FROM cases"
        ).fetchone()
    result: dict[str, Any] = {"database": str(path), "cases": total, "open_cases": open_cases}
    result["first"] = recompute(path, rules())
    result["retarget"] = recompute(path, rules("6h"))
    result["unchanged"] = recompute(path, rules("6h", (date(2027, 12, 31),)))
    plain = anchor(path, one_statement=False)
    single = anchor(path, one_statement=True)
    result["anchor_executemany_2000_per_tx"] = {
        "seconds": round(plain, 2),
        "cases_per_s": round(open_cases / plain),
    }
    result["anchor_one_statement"] = {
        "seconds": round(single, 2),
        "cases_per_s": round(open_cases / single),
    }
    for name in ("first", "retarget", "unchanged"):
        result[f"{name}_over_anchor"] = round(result[name]["seconds"] / plain, 1)
    emit(result)


if __name__ == "__main__":
    main()
