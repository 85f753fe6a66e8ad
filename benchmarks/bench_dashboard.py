"""Time the dashboard (issue 15 §5) on a million cases: `D` → first paint with data.

    .venv/bin/python benchmarks/bench_dashboard.py --db PATH [--user lena] [--runs 10]

`--db`: a database with generated cases (benchmarks/bench_generate.py makes one of a
million; it is migrated to the current schema first, which builds the per-day counters
once). The app runs in-process (Textual's headless driver, 120×36) on the real Desk;
every frame is rendered to terminal bytes, as it would be written to a terminal.

Prints one JSON object: median and p95 in milliseconds of

- `dashboard_first_paint`: `D` pressed in the queue → the first frame of the dashboard
  that shows the numbers (the read of `Desk.dashboard` in its worker included);
- `group_switch`: `g` on the dashboard → the first frame showing the next group's
  numbers (all → each group → all);
- `dashboard_read`: `Desk.dashboard(None)` alone, off the app (the data part);
- anchor, same run and same way of timing: `activity_first_paint`: `A` pressed in the
  queue → the first frame of the activity screen that shows its entries.

Target (issue 15): dashboard first paint ≤ 500 ms.
"""

import argparse
import asyncio
import sqlite3
import sys
import time
from io import StringIO
from pathlib import Path
from typing import Any

from _common import emit, file_bytes, settle, stats_ms, timed


def migrate(db: Path) -> float:
    """Bring the database to the current schema; seconds it took."""
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.storage.location import locate

    started = time.perf_counter()
    ctx = Context(locate(str(db)))
    ctx.migrate()
    ctx.dispose()
    return time.perf_counter() - started


async def screens(db: Path, user: str, runs: int) -> dict[str, Any]:
    """The screen timings, in one app session on the database."""
    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.screens.activity import ActivityScreen
    from helpdesk_tui.screens.dashboard import DashboardScreen
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate

    frames: list[tuple[float, str, object]] = []
    event = asyncio.Event()

    class TimedApp(HelpdeskApp):
        """Renders every frame to terminal bytes; notes what each frame shows."""

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None:
                return
            if hasattr(renderable, "render_segments"):
                StringIO().write(renderable.render_segments(self.console))
            if isinstance(screen, DashboardScreen) and screen.board is not None:
                frames.append((time.perf_counter(), "dashboard", screen.board.group))
                event.set()
            elif isinstance(screen, ActivityScreen) and screen.entries:
                frames.append((time.perf_counter(), "activity", None))
                event.set()

    async def until(kind: str, started: float, group: object = None) -> float:
        while True:
            for at, shown, detail in frames:
                if at >= started and shown == kind and detail == group:
                    return at - started
            event.clear()
            await asyncio.wait_for(event.wait(), timeout=60)

    ctx = Context(locate(str(db)))
    desk = Desk(ctx, user)
    app = TimedApp(desk, live_interval=0)
    app.animation_level = "none"
    paint: list[float] = []
    anchor: list[float] = []
    switch: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for n in range(runs + 1):  # the first of each includes importing the screen
            for key, kind, into in (("D", "dashboard", paint), ("A", "activity", anchor)):
                frames.clear()
                started = time.perf_counter()
                await pilot.press(key)
                took = await until(kind, started)
                if n:
                    into.append(took)
                await settle(pilot)
                await pilot.press("escape")
                await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        groups = [*(screen.board.groups if screen.board else ()), None]
        for _ in range(max(1, runs // max(len(groups), 1))):
            for group in groups:
                frames.clear()
                started = time.perf_counter()
                await pilot.press("g")
                switch.append(await until("dashboard", started, group))
                await settle(pilot)
    ctx.dispose()
    return {
        "dashboard_first_paint": stats_ms(paint),
        "group_switch": stats_ms(switch),
        "groups": len(groups) - 1,
        "activity_first_paint (anchor)": stats_ms(anchor),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a database with many cases")
    parser.add_argument("--user", default="alice", help="the viewer (the demo's admin: all groups)")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    db = args.db.expanduser().resolve()
    migrated = migrate(db)
    connection = sqlite3.connect(db)
    cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
    connection.close()

    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate

    ctx = Context(locate(str(db)))
    read = timed(args.runs, lambda: Desk(ctx, args.user).dashboard(None))
    ctx.dispose()
    timings = asyncio.run(screens(db, args.user, args.runs))
    emit(
        {
            "benchmark": "dashboard",
            "db": str(db),
            "cases": cases,
            "file_mb": round(file_bytes(db) / 1e6, 1),
            "migrate_seconds": round(migrated, 1),
            "dashboard_read": read,
            **timings,
            "target_first_paint_ms": 500,
            "sqlite_version": sqlite3.sqlite_version,
            "python": sys.version.split()[0],
        }
    )


if __name__ == "__main__":
    main()
