"""Time SLA escalation (issue 15: "a scheduler pass over 1M cases with 10,000 due
escalations ≤ 1 s") and what keeping `cases.sla_escalation_at` adds to a case change.

    .venv/bin/python benchmarks/bench_escalation.py [--db PATH] [--cases 1000000]
                                                    [--due 10000] [--raise 100]
                                                    [--runs 3] [--changes 100]

Without --db a temporary database is built first (the demo + --cases generated cases, as
bench_generate.py does). The database is changed: every open case gets an escalation
instant; --due of them (open, delegated) are due now — a stored SLA state whose first
response has used 75 % of its 4 h (one level each), and --raise of those 8 h and more
(all three levels, the last raising the priority through the domain). Then per run:
- `pass`: one `services/escalation.escalate_due` on a fresh Context (what `helpdesk sync
  --once` does), levels fired and notifications written;
- `anchor`: in the same run, on the same rows, a plain SELECT of the due rows through the
  index plus one executemany UPDATE of those rows, committed — the least a pass can
  do; `pass / anchor` says how much the pass does beyond that; and `floor`: the anchor
  plus plain executemany INSERTs of as many timeline and notification rows as the pass
  wrote (what any pass must write), committed;
after each run the due rows are put back (outside the timing). Also the query plan of the
due read, and `per_change`: the changes of bench_sla_state.py (create, status, reply,
priority, wait, resume) through the real services with the same SLA policies with and
without three escalation levels, interleaved: the median added per change and
`maintain_sla` inside the transaction (target: SLA upkeep adds ≤ 2 ms to a change).

Prints one JSON object.
"""

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import bench_sla_state
from _common import build_database, emit, stats_ms

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules, escalation_at, parse_escalation, start_sla
from helpdesk_tui.services import sla as sla_service
from helpdesk_tui.storage.dialect import Dialect

BUDGET_PASS_S = 1.0
#: The pass's instant: a Wednesday 14:00 UTC after every change of the database (set by
#: `main`); the due cases were created 3.5 business hours before (first response 4 h at
#: 75 %) or a day before (9 h: all three levels).
NOW = datetime(2026, 12, 9, 14, 0, tzinfo=UTC)


def created(raise_levels: bool) -> datetime:
    return NOW - (timedelta(days=1) if raise_levels else timedelta(hours=3, minutes=30))


def wednesday_after(path: Path) -> datetime:
    with sqlite3.connect(path) as db:
        newest = db.execute("SELECT max(updated_at) FROM cases").fetchone()[0]
    day = datetime.fromisoformat(newest).date() + timedelta(days=1)
    while day.weekday() != 2:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 14, 0, tzinfo=UTC)


LEVELS = (
    parse_escalation("75%", "delegate"),
    parse_escalation("100%", "lead"),
    parse_escalation("100%+4h", "owner", raise_priority=True),
)


def rules(levels: tuple[Any, ...] = LEVELS) -> SlaRules:
    calendar = BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00"))
    standard = SlaPolicy(
        "Standard", first_response=parse_duration("4h"), resolution=parse_duration("3d")
    )
    return SlaRules((standard,), calendar, levels)


def prepare(path: Path, sla: SlaRules, due: int, raised: int) -> list[str]:
    """Every open case an escalation instant in the coming weeks; `due` delegated open
    cases due now (their SLA state as maintaining it leaves it); returns their ids."""
    dialect = Dialect(sqlite=True)
    policy, calendar = sla.policies[0], sla.calendar
    with sqlite3.connect(path) as db:
        db.execute(  # spread over two weeks from a week on (index order, not one value)
            "UPDATE cases SET sla_escalated = NULL, sla_escalation_at ="
            " strftime('%Y-%m-%d %H:%M:%S.000000', ?, '+' || (number % 20000) || ' minutes')"
            " WHERE status != 'closed'",
            (dialect.datetime_param(NOW + timedelta(days=7)),),
        )
        ids = [
            row[0]
            for row in db.execute(
                "SELECT id FROM cases WHERE status != 'closed' AND (delegated_user_id IS NOT NULL"
                " OR delegated_group_id IS NOT NULL) ORDER BY number DESC LIMIT ?",
                (due,),
            )
        ]
        states = []
        for index, _ in enumerate(ids):
            began = created(index < raised)
            state = start_sla(policy, calendar, began).status_changed(Status.OPEN, began)
            states.append(state)
        rows = [
            (
                json.dumps({**state.data(), "mailbox": None}, separators=(",", ":")),
                dialect.datetime_param(escalation_at(sla.escalations, state)),
                dialect.datetime_param(state.first_response.due)  # type: ignore[union-attr]
                if state.first_response
                else None,
                "normal",
                case_id,
            )
            for state, case_id in zip(states, ids, strict=True)
        ]
        db.executemany(
            "UPDATE cases SET sla_state = ?, sla_policy = 'Standard', sla_escalation_at = ?,"
            " sla_first_response_due = ?, priority = ?, sla_escalated = NULL WHERE id = ?",
            rows,
        )
    return ids


def clean(path: Path, ids: list[str]) -> None:
    """Take back what a pass wrote on the due cases (outside the timing)."""
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM notifications WHERE kind IN ('sla_warning', 'sla_breach')")
        db.executemany(
            "DELETE FROM activities WHERE case_id = ? AND at >= ?",
            [(case_id, Dialect(sqlite=True).datetime_param(NOW)) for case_id in ids],
        )


def anchor(path: Path) -> float:
    """The plain SELECT of the due rows and one executemany UPDATE of them, committed."""
    db = sqlite3.connect(path, isolation_level=None)
    began = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    rows = db.execute(
        "SELECT c.id, c.number, c.sub_number, c.priority, c.sla_state, c.sla_escalated,"
        " c.delegated_user_id, c.delegated_group_id, c.owner_id FROM cases c"
        " WHERE c.sla_escalation_at <= ? AND c.status != 'closed'"
        " ORDER BY c.sla_escalation_at, c.number, c.sub_number",
        (Dialect(sqlite=True).datetime_param(NOW),),
    ).fetchall()
    db.executemany(
        "UPDATE cases SET sla_escalated = ?, sla_escalation_at = NULL WHERE id = ?"
        " AND sla_escalated IS ? AND status != 'closed'",
        [('["first_response:0:75%"]', row[0], row[5]) for row in rows],
    )
    db.execute("COMMIT")
    seconds = time.perf_counter() - began
    db.close()
    return seconds


def floor(path: Path, ids: list[str], notes_per_case: float) -> float:
    """`anchor` plus what any pass must write besides: one timeline row per due case and
    the same number of notification rows as the pass wrote, plain executemany INSERTs
    (no bookkeeping), committed; taken back after."""
    import uuid

    dialect = Dialect(sqlite=True)
    at = dialect.datetime_param(NOW)
    with sqlite3.connect(path) as db:
        agents = [row[0] for row in db.execute("SELECT id FROM agents WHERE active = 1")]
    db = sqlite3.connect(path, isolation_level=None)
    began = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    rows = db.execute(
        "SELECT c.id, c.sla_escalated FROM cases c"
        " WHERE c.sla_escalation_at <= ? AND c.status != 'closed'"
        " ORDER BY c.sla_escalation_at, c.number, c.sub_number",
        (at,),
    ).fetchall()
    db.executemany(
        "UPDATE cases SET sla_escalated = ?, sla_escalation_at = NULL WHERE id = ?"
        " AND sla_escalated IS ? AND status != 'closed'",
        [('["first_response:0:75%"]', row[0], row[1]) for row in rows],
    )
    db.executemany(
        "INSERT INTO activities (id, case_id, kind, actor_id, at, internal, text, changes,"
        " time_spent_centi, mail_id) VALUES (?, ?, 'edit', NULL, ?, 0, '', ?, NULL, NULL)",
        [
            (uuid.uuid4().hex, row[0], at, '{"escalation": ["first response at 75%", "told x"]}')
            for row in rows
        ],
    )
    count = round(len(rows) * notes_per_case)
    db.executemany(
        "INSERT INTO notifications (id, at, agent_id, group_id, case_id, text, read, kind,"
        " actor_id, dedupe_key) VALUES (?, ?, ?, NULL, ?, 'SLA first response at 75%', 0,"
        " 'sla_warning', NULL, ?)",
        [
            (uuid.uuid4().hex, at, agents[i % len(agents)], rows[i % len(rows)][0], f"f:{i}")
            for i in range(count)
        ],
    )
    db.execute("COMMIT")
    seconds = time.perf_counter() - began
    db.close()
    clean(path, ids)
    return seconds


def plan(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [
            row[-1]
            for row in db.execute(
                "EXPLAIN QUERY PLAN SELECT c.id FROM cases c WHERE c.sla_escalation_at <= ?"
                " AND c.status != 'closed' ORDER BY c.sla_escalation_at, c.number, c.sub_number",
                (Dialect(sqlite=True).datetime_param(NOW),),
            )
        ]


def passes(path: Path, sla: SlaRules, runs: int, due: int, raised: int) -> dict[str, Any]:
    from helpdesk_tui.domain.policy import Policy
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.escalation import escalate_due
    from helpdesk_tui.storage.location import locate

    timings, anchors, floors, fired = [], [], [], []
    for _ in range(runs):
        ids = prepare(path, sla, due, raised)
        ctx = Context(locate(str(path)), policy=replace(Policy(), sla=sla), clock=lambda: NOW)
        ctx.migrate()  # at head already: what `sync` checks on start
        began = time.perf_counter()
        done = escalate_due(ctx)
        timings.append(time.perf_counter() - began)
        fired.append({"levels": done.levels, "notified": done.notified, "raised": len(done.raised)})
        again = escalate_due(ctx)
        fired[-1]["second_pass_levels"] = again.levels
        ctx.dispose()
        clean(path, ids)
        prepare(path, sla, due, raised)
        anchors.append(anchor(path))
        prepare(path, sla, due, raised)
        floors.append(floor(path, ids, done.notified / max(done.levels, 1)))
    ratio = statistics.median(timings) / statistics.median(anchors)
    return {
        "pass": stats_ms(timings),
        "anchor_select_and_update": stats_ms(anchors),
        "pass_over_anchor": round(ratio, 2),
        "floor_anchor_plus_plain_inserts": stats_ms(floors),
        "pass_over_floor": round(statistics.median(timings) / statistics.median(floors), 2),
        "fired": fired,
        "budget_s": BUDGET_PASS_S,
        "within_budget": max(timings) <= BUDGET_PASS_S,
    }


def per_change(cases: int) -> dict[str, Any]:
    """bench_sla_state's changes with the same policies without and with escalation
    levels, interleaved change by change."""
    folder = Path(tempfile.mkdtemp(prefix="hd-esc-"))
    base = bench_sla_state.rules()
    sides = {
        "without_levels": bench_sla_state.context(folder / "off.sqlite", base),
        "with_levels": bench_sla_state.context(
            folder / "on.sqlite", replace(base, escalations=LEVELS)
        ),
    }
    times: dict[str, list[float]] = {side: [] for side in sides}
    inside: dict[str, list[float]] = {side: [] for side in sides}
    maintain = sla_service.maintain_sla
    current = ["without_levels"]

    def timed_maintain(uow: Any, sla: SlaRules) -> None:
        began = time.perf_counter()
        maintain(uow, sla)
        inside[current[0]].append(time.perf_counter() - began)

    sla_service.maintain_sla = timed_maintain  # type: ignore[assignment]
    try:
        for index in range(cases + 5):
            calls = {side: bench_sla_state.changes(ctx, index) for side, ctx in sides.items()}
            for step in range(len(bench_sla_state.KINDS)):
                for side in sides:
                    current[0] = side
                    began = time.perf_counter()
                    calls[side][step][1]()
                    if index >= 5:
                        times[side].append(time.perf_counter() - began)
            if index == 4:
                for samples in inside.values():
                    samples.clear()
    finally:
        sla_service.maintain_sla = maintain  # type: ignore[assignment]
    for ctx in sides.values():
        ctx.dispose()
    off, on = statistics.median(times["without_levels"]), statistics.median(times["with_levels"])
    return {
        "changes": len(times["with_levels"]),
        "change_ms": {"without_levels": round(off * 1000, 3), "with_levels": round(on * 1000, 3)},
        "added_by_levels_ms": round((on - off) * 1000, 3),
        "maintain_sla_ms": {side: stats_ms(samples) for side, samples in inside.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--raise", dest="raised", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--changes", type=int, default=100)
    args = parser.parse_args()
    path = args.db.expanduser().resolve() if args.db else build_database(args.cases)
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.storage.location import locate

    ctx = Context(locate(str(path)))
    ctx.migrate()
    ctx.dispose()
    with sqlite3.connect(path) as db:
        counts = db.execute("SELECT count(*), sum(status != 'closed') FROM cases").fetchone()
    global NOW
    NOW = wednesday_after(path)
    sla = rules()
    result: dict[str, Any] = {
        "now": NOW.isoformat(),
        "cases": counts[0],
        "open": counts[1],
        "due": args.due,
    }
    result["scheduler_pass"] = passes(path, sla, args.runs, args.due, args.raised)
    result["due_read_plan"] = plan(path)
    result["per_change"] = per_change(args.changes)
    emit(result)


if __name__ == "__main__":
    main()
