"""TUI-3: changes committed by another process show within 2 s, without a key press."""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from pilotkit import START, Data, running, screen_text
from support import sync
from textual.pilot import Pilot

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.widgets.case_list import CaseList
from helpdesk_tui.widgets.sidebar import ViewSidebar

LIVE_BUDGET = 2.0


def helpdesk(data: Data, tmp_path: Path, *args: str, as_: str = "bob") -> str:
    """Run the CLI in its own process against the test database."""
    env = {
        **os.environ,
        "HELPDESK_CONFIG": str(tmp_path / "no-config.toml"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
    }
    env.pop("HELPDESK_USER", None)
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk_tui.cli", "--db", str(data.path), "--as", as_, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def until(pilot: Pilot[None], condition: object, budget: float = LIVE_BUDGET) -> float:
    """Seconds until `condition()` holds (fails after `budget`), pressing no key."""
    started = time.monotonic()
    while time.monotonic() - started < budget:
        if callable(condition) and condition():
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {budget} s")


@sync
async def test_a_case_created_elsewhere_shows_up_with_the_cursor_kept(
    queue_data: Data, tmp_path: Path
) -> None:
    async with running(queue_data, live_interval=0.25) as (app, pilot):
        cases = app.screen.query_one(CaseList)
        sidebar = app.screen.query_one(ViewSidebar)
        await pilot.press("j", "j", "j")
        held = cases.current
        assert held is not None
        before = len(cases.window.rows)
        mine_before = sidebar.counts["mine"]

        # Another process: bob creates a case for alice due soon (sorts to the top).
        due = (START.date()).isoformat()
        out = helpdesk(
            queue_data,
            tmp_path,
            "case",
            "create",
            "--subject",
            "Live from elsewhere",
            "--contact",
            "karl@acme.example",
            "--user",
            "alice",
            "--due",
            due,
        )
        assert out
        await until(pilot, lambda: len(cases.window.rows) == before + 1)
        assert "Live from elsewhere" in [c.subject for c in cases.window.rows]
        await until(pilot, lambda: sidebar.counts["mine"] == mine_before + 1)
        assert cases.current is not None
        assert cases.current.number == held.number  # the cursor stayed on its case
        assert "Live from" in screen_text(pilot)


@sync
async def test_a_case_assigned_elsewhere_shows_up_with_the_cursor_kept(
    queue_data: Data, tmp_path: Path
) -> None:
    async with running(queue_data, live_interval=0.25) as (app, pilot):
        cases = app.screen.query_one(CaseList)
        await pilot.press("j", "j", "j")
        held = cases.current
        assert held is not None

        # Another process, the CLI: lena hands case 1 (unassigned) to alice.
        helpdesk(
            queue_data,
            tmp_path,
            "case",
            "assign",
            str(CaseNumber(1)),
            "--user",
            "alice",
            as_="lena",
        )
        await until(pilot, lambda: CaseNumber(1) in [c.number for c in cases.window.rows])
        assert cases.current is not None
        assert cases.current.number == held.number
