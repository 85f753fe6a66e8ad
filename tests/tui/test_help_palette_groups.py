"""Palette and help (issue 12, finding 13): the product's commands first, grouped by
where they apply; Textual's own ("Focus Next", "Copy selected text", "Theme" …) after
them under "App", not among the product's."""

from typing import Any

from pilotkit import INVOICE, Data, open_case, running, screen_text, settle
from support import sync
from textual.command import CommandList
from textual.pilot import Pilot

from helpdesk_tui.screens.help import APP_GROUP

TEXTUAL_OWN = ("Focus Next", "Focus Previous", "Copy selected text")


def _palette_entries(pilot: Pilot[Any]) -> list[tuple[str, str]]:
    """(name, group) of every palette entry, top to bottom."""
    listing = pilot.app.screen.query_one(CommandList)
    entries = []
    for index in range(listing.option_count):
        lines = str(listing.get_option_at_index(index).prompt).splitlines()
        entries.append((lines[0], lines[-1]))
    return entries


@sync
async def test_help_lists_textual_keys_last_under_app(case_data: Data) -> None:
    async with running(case_data) as (_, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("question_mark")
        await settle(pilot)
        lines = [line.strip(" │") for line in screen_text(pilot).splitlines()]
        titles = [
            line.strip()
            for line in lines
            if line.strip() in {"Timeline", "Case screen", "Global", APP_GROUP}
        ]
        assert titles == ["Timeline", "Case screen", "Global", APP_GROUP]
        app_at = next(i for i, line in enumerate(lines) if line.strip() == APP_GROUP)
        for name in TEXTUAL_OWN:
            at = next(i for i, line in enumerate(lines) if name in line)
            assert at > app_at, name
        assert any("Status" in line for line in lines[:app_at])


@sync
async def test_the_palette_lists_the_product_first_and_textual_under_app(
    case_data: Data,
) -> None:
    async with running(case_data) as (_, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("colon")
        await settle(pilot)
        await pilot.pause(0.6)  # the palette gathers in batches
        entries = _palette_entries(pilot)
        groups = [group for _, group in entries]
        first_app = groups.index(APP_GROUP)
        assert APP_GROUP not in groups[:first_app]
        assert all(group == APP_GROUP for group in groups[first_app:])
        names_app = {name for name, group in entries if group == APP_GROUP}
        assert {"Theme", *TEXTUAL_OWN} <= {n.split("  ")[0] for n in names_app}
        product = {name.split("  ")[0] for name, group in entries if group != APP_GROUP}
        assert {"Status", "Close", "Delegate", "Quit", "Help"} <= product
        assert not product & {"Theme", *TEXTUAL_OWN}
