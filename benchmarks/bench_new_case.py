"""Time saving the new-case form (issue 12: ≤ 50 ms on the 1M-case demo).

    .venv/bin/python benchmarks/bench_new_case.py --db PATH [--user alice] [--runs 20]

Adds `--runs` cases to the database (a hardware type with two custom fields is added
to the policy, so the custom fields are written too). Two figures:

- `desk_create`: `Desk.create_case` alone, the call the form's save worker makes (the
  domain's checks, the contact, the number, the insert, the commit).
- `save_to_painted`: the app in-process under Textual's headless driver (120×36): `N`
  opens the form, the fields are filled (a new contact each run, the type's custom
  fields, a group to delegate to), then ctrl+s is pressed. Timed from just before the
  key press to the first frame the app renders (to terminal bytes, as it would be
  written to a terminal) that shows the case screen with the new case's header and
  timeline.

Prints one JSON object.
"""

import argparse
import asyncio
import time
from io import StringIO
from pathlib import Path
from typing import Any

from _common import emit, settle, stats_ms

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.domain.policy import CaseType, Policy
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk, NewCase
from helpdesk_tui.storage.location import locate

SIZE = (120, 36)
HARDWARE = CaseType("hardware", "Hardware", ("serial_number", "device"))


def with_hardware(policy: Policy) -> Policy:
    """`policy` with a hardware type that has custom fields (if it has none such)."""
    if any(t.key == HARDWARE.key for t in policy.case_types):
        return policy
    from dataclasses import replace

    return replace(policy, case_types=(*policy.case_types, HARDWARE))


def time_desk(desk: Desk, runs: int, stamp: int) -> list[float]:
    """`Desk.create_case` `runs` times, each with a new contact and custom fields."""
    group = desk.groups()[0]
    samples = []
    for run in range(runs):
        new = NewCase(
            subject=f"Benchmark intake {run}",
            contact=f"bench-desk-{stamp}-{run}@intake.example",
            type_key=HARDWARE.key,
            priority=desk.ctx.policy.default_priority,
            group=group,
            contact_name="Bench Caller",
            contact_phone="+49 30 123456",
            description="Called about a laptop that does not start.",
            fields={"serial_number": f"SN-{run}", "device": "ThinkPad T14"},
        )
        started = time.perf_counter()
        desk.create_case(new)
        samples.append(time.perf_counter() - started)
    return samples


def _painted(screen: Any, subject: str) -> bool:
    """Whether a frame of `screen` shows the new case (`subject`) with its timeline."""
    from helpdesk_tui.screens.case import CaseScreen
    from helpdesk_tui.widgets.timeline import Timeline

    if not isinstance(screen, CaseScreen):
        return False
    detail = screen.detail
    if detail is None or detail.case.subject != subject:
        return False
    timeline = screen.query_one(Timeline)
    return len(timeline.entries) == len(detail.activities) and bool(timeline.lines_rendered)


async def time_form(desk: Desk, runs: int, stamp: int) -> list[float]:
    """Fill the form and press ctrl+s `runs` times; seconds to the new case painted."""
    from textual.widgets import Input, Select

    from helpdesk_tui.screens.new_case import NewCaseScreen

    frames: list[tuple[float, Any]] = []
    subject = [""]

    class TimedApp(HelpdeskApp):
        """Renders every frame to terminal bytes and notes when, and whether it showed
        the new case."""

        def _display(self, screen: Any, renderable: Any) -> None:
            if renderable is None:
                return
            if hasattr(renderable, "render_segments"):
                StringIO().write(renderable.render_segments(self.console))
            frames.append((time.perf_counter(), _painted(screen, subject[0])))

    app = TimedApp(desk, live_interval=0)
    samples: list[float] = []
    group = desk.groups()[0]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for run in range(runs):
            await pilot.press("N")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, NewCaseScreen)
            subject[0] = f"Benchmark form intake {stamp}-{run}"
            form.query_one("#new-subject", Input).value = subject[0]
            contact = form.query_one("#new-contact", Input)
            contact.value = f"bench-form-{stamp}-{run}@intake.example"
            form.query_one("#new-type", Select).value = HARDWARE.key
            form.query_one("#new-delegate", Select).value = f"group:{group}"
            await settle(pilot)
            form.query_one("#new-contact-name", Input).value = "Bench Caller"
            form.query_one("#new-field-0", Input).value = f"SN-{run}"
            form.query_one("#new-field-1", Input).value = "ThinkPad T14"
            await settle(pilot)
            mark = len(frames)
            started = time.perf_counter()
            await pilot.press("ctrl+s")
            painted = None
            deadline = started + 10
            while painted is None and time.perf_counter() < deadline:
                painted = next((at for at, shown in frames[mark:] if shown), None)
                await asyncio.sleep(0.0005)
            if painted is None:
                raise TimeoutError(f"the new case never showed: {form.query('.field-error')}")
            samples.append(painted - started)
            await settle(pilot)
            await pilot.press("escape")  # back to the queue
            await settle(pilot)
    return samples


def _figures(samples: list[float]) -> dict[str, Any]:
    return {
        **stats_ms(samples),
        "min_ms": round(min(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
        "first_ms": round(samples[0] * 1000, 1),
        "runs": len(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="an existing SQLite database")
    parser.add_argument("--user", default="alice", help="acting agent")
    parser.add_argument("--runs", type=int, default=20, help="cases to create per figure")
    args = parser.parse_args()
    db = args.db.expanduser().resolve()
    ctx = Context(locate(str(db)))
    ctx.policy = with_hardware(ctx.policy)
    desk = Desk(ctx, args.user)
    stamp = int(time.time())
    direct = time_desk(desk, args.runs, stamp)
    form = asyncio.run(time_form(desk, args.runs, stamp))
    ctx.dispose()
    emit(
        {
            "benchmark": "new_case",
            "db": str(db),
            "cases": _count(db),
            "how": (
                "desk_create: Desk.create_case (what the save worker calls); "
                "save_to_painted: run_test 120x36, ctrl+s in the filled form → first frame "
                "(rendered to terminal bytes) showing the new case's header and timeline"
            ),
            "desk_create": _figures(direct),
            "save_to_painted": _figures(form),
        }
    )


def _count(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM cases").fetchone()[0])


if __name__ == "__main__":
    main()
