"""Time opening a case with many activities in the TUI (issue 3: ≤ 100 ms for 200).

    .venv/bin/python benchmarks/bench_case_open.py --db PATH [--activities 200] [--runs 10]
        [--case NUMBER]

Adds one case with N activities (comments, phone notes, status and delegation changes)
to the database through the services (or reuses `--case`), then runs the app in-process
under Textual's headless driver (120×36) the way an agent uses it: the queue shows the
case under the cursor, Enter opens it, Esc goes back — `--runs` times.

Each open is timed from just before the Enter key press to the first frame the app
renders (to terminal bytes, as it would be written to a terminal) that shows:

- `painted`: the case screen with this case's header and timeline (what the agent reads
  first);
- `complete`: additionally the side lists (sub-cases, the customer's other cases), which
  are read in a worker after the first paint and appear a moment later.

Also times the data read alone (`Desk.detail`). Prints one JSON object.
"""

import argparse
import asyncio
import statistics
import time
from io import StringIO
from pathlib import Path
from typing import Any

from _common import emit, settle, stats_ms

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.location import locate

KINDS = (ActivityKind.COMMENT, ActivityKind.PHONE, ActivityKind.EXTERNAL)
SIZE = (120, 36)
CONTACT = "bench@example.org"


def busy_case(ctx: Context, user: str, activities: int) -> CaseNumber:
    """A case with `activities` timeline entries of several kinds."""
    with ctx.uow(write=False) as uow:
        group = sorted(uow.directory.actor(user).groups)[0]
    number = cases.create_case(
        ctx,
        user,
        subject="Benchmark: a long-running case",
        contact=CONTACT,
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


def _state(screen: Any, number: CaseNumber) -> str | None:
    """What a frame of `screen` shows of case `number`: None, "painted" or "complete"."""
    from textual.widgets import OptionList

    from helpdesk_tui.screens.case import CaseScreen
    from helpdesk_tui.widgets.timeline import Timeline

    if not isinstance(screen, CaseScreen):
        return None
    detail = screen.detail
    if detail is None or detail.case.number != number:
        return None
    timeline = screen.query_one(Timeline)
    if len(timeline.entries) != len(detail.activities) or not timeline.lines_rendered:
        return None
    context = screen.query_one("#context", OptionList)
    return "complete" if context.option_count else "painted"


async def time_opens(desk: Desk, number: CaseNumber, runs: int) -> dict[str, list[float]]:
    """Enter on the case in the queue `runs` times; seconds to painted and to complete."""
    from helpdesk_tui.screens.queue import QueueScreen

    frames: list[tuple[float, str | None]] = []

    class TimedApp(HelpdeskApp):
        """Renders every frame to terminal bytes and notes when, and what it showed."""

        def _display(self, screen: Any, renderable: Any) -> None:
            if renderable is None:
                return
            if hasattr(renderable, "render_segments"):
                StringIO().write(renderable.render_segments(self.console))
            frames.append((time.perf_counter(), _state(screen, number)))

    app = TimedApp(desk, live_interval=0)
    timings: dict[str, list[float]] = {"painted": [], "complete": []}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        await pilot.press("9", "slash", *f"contact:{CONTACT}", "enter")
        await settle(pilot)
        listing = queue.case_list
        index = next(i for i, c in enumerate(listing.window.rows) if c.number == number)
        await pilot.press(*["j"] * index)
        await settle(pilot)
        assert listing.current is not None
        assert listing.current.number == number
        for _ in range(runs):
            mark = len(frames)
            started = time.perf_counter()
            await pilot.press("enter")
            seen: dict[str, float] = {}
            deadline = started + 10
            while "complete" not in seen and time.perf_counter() < deadline:
                for at, state in frames[mark:]:
                    if state is not None:
                        seen.setdefault("painted", at - started)
                    if state == "complete":
                        seen.setdefault("complete", at - started)
                await asyncio.sleep(0.0005)
            if "complete" not in seen:
                raise TimeoutError("the case screen never showed the case")
            timings["painted"].append(seen["painted"])
            timings["complete"].append(seen["complete"])
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is queue
    return timings


def _figures(samples: list[float]) -> dict[str, Any]:
    return {
        **stats_ms(samples),
        "min_ms": round(min(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
        "first_ms": round(samples[0] * 1000, 1),
        "later_median_ms": round(statistics.median(samples[1:] or samples) * 1000, 1),
        "runs": len(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--user", default="alice")
    parser.add_argument("--activities", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--case", help="reuse this case instead of adding one")
    args = parser.parse_args()
    ctx = Context(locate(str(args.db)))
    if args.case:
        number = parse_case_number(args.case)
    else:
        number = busy_case(ctx, args.user, args.activities)
    desk = Desk(ctx, args.user)
    reads = []
    for _ in range(args.runs):
        start = time.perf_counter()
        detail = desk.detail(number)
        reads.append(time.perf_counter() - start)
    opens = asyncio.run(time_opens(desk, number, args.runs))
    ctx.dispose()
    result: dict[str, Any] = {
        "benchmark": "case_open",
        "db": str(args.db),
        "case": str(number),
        "activities": len(detail.activities),
        "how": (
            "run_test 120x36; Enter on the case in the queue → first frame (rendered to "
            "terminal bytes) showing its header and timeline (painted), and with the side "
            "lists filled too (complete)"
        ),
        "read_detail": stats_ms(reads),
        "painted": _figures(opens["painted"]),
        "complete": _figures(opens["complete"]),
    }
    emit(result)


if __name__ == "__main__":
    main()
