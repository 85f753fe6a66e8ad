"""Time opening a case with many activities in the TUI (issue 3: ≤ 100 ms for 200).

    .venv/bin/python benchmarks/bench_case_open.py --db PATH [--activities 200] [--runs 10]

Adds one case with N activities (comments, phone notes, status and delegation changes)
to the database through the services, then, in-process under Textual's headless driver
(120×36), pushes the case screen `--runs` times and times push → screen loaded and
painted (all workers done, a frame rendered). Also times the data read alone
(`Desk.detail`). Prints one JSON object.
"""

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from _common import emit, stats_ms

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.location import locate

KINDS = (ActivityKind.COMMENT, ActivityKind.PHONE, ActivityKind.EXTERNAL)


def busy_case(ctx: Context, user: str, activities: int) -> CaseNumber:
    """A case with `activities` timeline entries of several kinds."""
    with ctx.uow(write=False) as uow:
        group = sorted(uow.directory.actor(user).groups)[0]
    number = cases.create_case(
        ctx,
        user,
        subject="Benchmark: a long-running case",
        contact="bench@example.org",
        group=group,
        description="Viele Aktivitäten.\n" * 5,
    )
    written, status = 1, Status.OPEN
    while written < activities:
        if written % 10 == 0:
            status = Status.OPEN if status is Status.IN_PROGRESS else Status.IN_PROGRESS
            cases.change_status(ctx, user, number, status, comment=f"Schritt {written}")
            written += 2 if written == 10 else 1  # the first also delegates (ASSIGN-3)
        else:
            kind = KINDS[written % len(KINDS)]
            cases.record_activity(
                ctx,
                user,
                number,
                kind,
                f"Eintrag {written}: Kunde meldet sich erneut.\n" * 3,
                time_spent_centi=5,
            )
            written += 1
    return number


async def time_opens(desk: Desk, number: CaseNumber, runs: int) -> list[float]:
    """Push the case screen `runs` times; seconds from push to loaded and painted."""
    from helpdesk_tui.screens.case import CaseScreen

    app = HelpdeskApp(desk, live_interval=0)
    timings = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(runs):
            start = time.perf_counter()
            await app.push_screen(CaseScreen(number))
            for _ in range(6):
                await app.workers.wait_for_complete()
                await pilot.pause()
                if all(worker.is_finished for worker in app.workers):
                    break
            timings.append(time.perf_counter() - start)
            app.pop_screen()
            await pilot.pause()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--user", default="alice")
    parser.add_argument("--activities", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    ctx = Context(locate(str(args.db)))
    number = busy_case(ctx, args.user, args.activities)
    desk = Desk(ctx, args.user)
    reads = []
    for _ in range(args.runs):
        start = time.perf_counter()
        detail = desk.detail(number)
        reads.append(time.perf_counter() - start)
    opens = asyncio.run(time_opens(desk, number, args.runs))
    result: dict[str, Any] = {
        "benchmark": "case_open",
        "db": str(args.db),
        "case": str(number),
        "activities": len(detail.activities),
        "read_detail": stats_ms(reads),
        "open_case_screen": stats_ms(opens),
        "first_open_ms": round(opens[0] * 1000, 1),
    }
    emit(result)


if __name__ == "__main__":
    main()
