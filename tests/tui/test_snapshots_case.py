"""Snapshots of the case screen, the compose screen and every dialog (120×36 and 80×24).

Frozen clock and seeded data (casefixtures). Each test walks one app session through
several scenes and compares a screenshot per scene: starting an app and opening a case
is most of the cost, so scenes share it. Regenerate with `--snapshot-update` and look at
the SVGs in `__snapshots__/` before committing them.
"""

from pathlib import Path
from typing import Any

import pytest
from casefixtures import (
    HOSTILE,
    INVOICE,
    PASSWORD,
    PRINTER,
    PRINTER_SUB_OPEN,
    SIZES,
    Seeded,
    make_app,
    open_case,
    seeded,
    settle,
    type_text,
)
from pytest_textual_snapshot import SVGImageExtension
from support import sync
from syrupy.assertion import SnapshotAssertion
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from helpdesk_tui.dialogs.text import TextDialog

SIZE_IDS = [f"{w}x{h}" for w, h in SIZES]


class Scenes:
    """One app session; `check(name)` compares the current screen with its snapshot."""

    def __init__(self, pilot: Pilot[Any], snapshot: SnapshotAssertion) -> None:
        self.pilot = pilot
        self.snapshot = snapshot.use_extension(SVGImageExtension)
        self.mismatches: list[str] = []

    async def keys(self, *keys: str) -> None:
        for key in keys:
            await self.pilot.press(key)
            await settle(self.pilot)

    async def check(self, name: str) -> None:
        await settle(self.pilot)
        for widget in self.pilot.app.screen.query("Input, TextArea"):
            assert isinstance(widget, Input | TextArea)
            widget.cursor_blink = False  # a blinking cursor would make screenshots flaky
        await self.pilot.pause()
        svg = self.pilot.app.export_screenshot(title="helpdesk", simplify=True)
        if svg != self.snapshot(name=name):
            self.mismatches.append(name)


async def run_scenes(
    data: Seeded, size: tuple[int, int], snapshot: SnapshotAssertion, script: Any
) -> None:
    app = make_app(data)
    async with app.run_test(size=size) as pilot:
        scenes = Scenes(pilot, snapshot)
        await script(pilot, scenes)
    assert not scenes.mismatches, f"snapshots differ: {scenes.mismatches}"


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@sync
async def test_open_case_dialogs(
    size: tuple[int, int], tmp_path: Path, snapshot: SnapshotAssertion
) -> None:
    async def script(pilot: Pilot[Any], scenes: Scenes) -> None:
        await open_case(pilot, INVOICE)
        await scenes.keys("s", "down", "ctrl+s")
        await scenes.check("status_waiting_refused")
        await scenes.keys("escape", "x", "down", "down", "enter")
        await scenes.check("close_duplicate")
        await scenes.keys("escape", "d")
        await type_text(pilot, "b")
        await scenes.check("delegate")
        await scenes.keys("escape", "e")
        await scenes.check("edit")
        await scenes.keys("escape", "c")
        pilot.app.screen.query_one(TextArea).load_text("Hallo Karl,\ndie Gutschrift ist unterwegs.")
        await scenes.check("compose")
        await scenes.keys("ctrl+o")
        await scenes.check("canned")
        await scenes.keys("escape", "escape", "y")
        pilot.app.push_screen(
            TextDialog("Internal comment on 3 cases", label="Text:", multiline=True)
        )
        await settle(pilot)
        pilot.app.screen.query_one(TextArea).load_text("Sammelhinweis an alle")
        await scenes.check("text")

    with seeded(tmp_path) as data:
        await run_scenes(data, size, snapshot, script)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@sync
async def test_case_screens_and_sub_cases(
    size: tuple[int, int], tmp_path: Path, snapshot: SnapshotAssertion
) -> None:
    async def script(pilot: Pilot[Any], scenes: Scenes) -> None:
        await open_case(pilot, PRINTER)
        await scenes.check("case")
        await scenes.keys("plus")
        await type_text(pilot, "Ersatzteil")
        await scenes.check("subcase")
        await scenes.keys("escape")
        await open_case(pilot, PASSWORD)
        await scenes.check("case_closed")
        await scenes.keys("r")
        await scenes.check("reopen")
        await scenes.keys("escape")
        await open_case(pilot, PRINTER_SUB_OPEN)
        await scenes.keys("x", "enter")
        await scenes.check("close_parent_offer")

    with seeded(tmp_path) as data:
        await run_scenes(data, size, snapshot, script)


@sync
async def test_untrusted_text(tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    """SEC-2: markup and escape sequences from customers render as harmless literal text."""

    async def script(pilot: Pilot[Any], scenes: Scenes) -> None:
        await open_case(pilot, HOSTILE)
        await scenes.check("hostile_case")

    with seeded(tmp_path) as data:
        await run_scenes(data, (120, 36), snapshot, script)
