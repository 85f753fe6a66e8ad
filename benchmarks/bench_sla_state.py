"""Time what maintaining the SLA state adds to a case change (issue 15: "maintaining the SLA
state adds ≤ 2 ms to a case change").

    .venv/bin/python benchmarks/bench_sla_state.py [--cases 200] [--db PATH]

Two SQLite databases, the same work on each through the real services: create --cases
cases, then per case a status change to In progress, an external action (the first
response), a priority change (re-matches the policy) and Waiting and back. One run without
`[[sla.policies]]` (no SLA), one with two policies on a Berlin calendar with Bavarian
holidays; the two run interleaved change by change, so a busy machine slows both alike.
Figures: the medians per kind of change and their difference, in ms; and the time spent
in `maintain_sla` itself (inside the transaction), median and p95.

Prints one JSON object.
"""

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from _common import emit, remove_database, stats_ms

from helpdesk_tui.config import holiday_source
from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import ActivityKind, Priority, Role, Status
from helpdesk_tui.domain.policy import Policy
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services import sla as sla_service
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    """A clock moved by hand (a minute per change)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def rules() -> SlaRules:
    calendar = BusinessCalendar(
        ZoneInfo("Europe/Berlin"),
        parse_hours("mon-thu 08:00-12:00,13:00-17:00; fri 08:00-14:00"),
        holiday_source("DE-BY"),
    )
    urgent = SlaPolicy(
        "Urgent",
        first_response=parse_duration("1h"),
        resolution=parse_duration("4h"),
        priorities=frozenset({"urgent", "high"}),
    )
    standard = SlaPolicy(
        "Standard", first_response=parse_duration("4h"), resolution=parse_duration("3d")
    )
    return SlaRules((urgent, standard), calendar)


KINDS = ("create", "status", "reply", "priority", "wait", "resume")


def context(path: Path, sla: SlaRules | None) -> Context:
    remove_database(path)
    ctx = Context(locate(str(path)), policy=replace(Policy(), sla=sla), clock=Clock())
    ctx.migrate()
    sync_people(
        ctx,
        (AgentSpec("alice", "Alice", "alice@example.org", Role.AGENT),),
        (GroupSpec("support", "Support", members=("alice",)),),
    )
    return ctx


def changes(ctx: Context, index: int) -> list[tuple[str, Any]]:
    """The changes of one case, in order, as (kind, call); the first call creates it."""
    number: list[Any] = []

    def create() -> None:
        number.append(
            svc.create_case(
                ctx,
                "alice",
                subject=f"Case {index}",
                contact=f"c{index}@example.org",
                group="support",
            )
        )

    return [
        ("create", create),
        ("status", lambda: svc.change_status(ctx, "alice", number[0], Status.IN_PROGRESS)),
        (
            "reply",
            lambda: svc.record_activity(ctx, "alice", number[0], ActivityKind.EXTERNAL, "Hi"),
        ),
        ("priority", lambda: svc.edit_case(ctx, "alice", number[0], {"priority": Priority.HIGH})),
        (
            "wait",
            lambda: svc.change_status(
                ctx, "alice", number[0], Status.WAITING, comment="logs", reminder=date(2026, 12, 1)
            ),
        ),
        ("resume", lambda: svc.change_status(ctx, "alice", number[0], Status.OPEN)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    folder = args.db.parent if args.db else Path(tempfile.mkdtemp())
    paths = (folder / "bench_sla_off.sqlite", folder / "bench_sla_on.sqlite")
    off, on = context(paths[0], None), context(paths[1], rules())
    times: dict[str, dict[str, list[float]]] = {
        side: {k: [] for k in KINDS} for side in ("off", "on")
    }
    inside: list[float] = []
    maintain = sla_service.maintain_sla

    def timed_maintain(uow: Any, sla: SlaRules) -> None:
        began = time.perf_counter()
        maintain(uow, sla)
        inside.append(time.perf_counter() - began)

    sla_service.maintain_sla = timed_maintain  # type: ignore[assignment]
    for index in range(args.cases + 5):  # the first 5: warm-up, not counted
        # Interleaved, change by change: a busy machine slows both sides alike.
        for (kind, call_off), (_, call_on) in zip(
            changes(off, index), changes(on, index), strict=True
        ):
            for side, call in (("off", call_off), ("on", call_on)):
                began = time.perf_counter()
                call()
                if index >= 5:
                    times[side][kind].append(time.perf_counter() - began)
        if index == 4:
            inside.clear()
    result: dict[str, Any] = {"cases": args.cases, "per_change_ms": {}}
    for kind in KINDS:
        a, b = statistics.median(times["off"][kind]), statistics.median(times["on"][kind])
        result["per_change_ms"][kind] = {
            "without_sla": round(a * 1000, 3),
            "with_sla": round(b * 1000, 3),
            "added": round((b - a) * 1000, 3),
        }
    all_off = [t for kind in KINDS for t in times["off"][kind]]
    all_on = [t for kind in KINDS for t in times["on"][kind]]
    result["median_added_ms"] = round(
        (statistics.median(all_on) - statistics.median(all_off)) * 1000, 3
    )
    result["maintain_sla_in_transaction_ms"] = stats_ms(inside)
    result["target_ms"] = 2.0
    off.dispose()
    on.dispose()
    for path in paths:
        remove_database(path)
    emit(result)


if __name__ == "__main__":
    main()
