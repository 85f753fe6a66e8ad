"""Snapshots of the case screen, sub-cases and every dialog (120×36 and 80×24), one class
per feature.

Frozen clock and the case data set (pilotkit). Each test walks one app session through
the scenes of its feature and compares a screenshot per scene (`Scenes`): starting an
app and opening a case is most of the cost, so scenes share it. Regenerate with
`--snapshot-update` and look at the SVGs in `__snapshots__/` before committing them.
"""

import pytest
from pilotkit import (
    HOSTILE,
    INVOICE,
    PASSWORD,
    PRINTER,
    PRINTER_SUB_OPEN,
    SIZE_IDS,
    SIZES,
    Data,
    Scenes,
    open_case,
    running,
    settle,
    type_text,
)
from support import sync
from syrupy.assertion import SnapshotAssertion
from textual.widgets import Input, Select, TextArea

from helpdesk_tui.dialogs.text import TextDialog
from helpdesk_tui.domain.policy import DEFAULT_CASE_TYPES, CaseType, Policy


class TestCaseScreen:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    @sync
    async def test_an_open_and_a_closed_case(
        self, size: tuple[int, int], case_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        async with running(case_data, size=size) as (_, pilot):
            scenes = Scenes(pilot, snapshot)
            await open_case(pilot, PRINTER)
            await scenes.check("case")
            await open_case(pilot, PASSWORD)
            await scenes.check("case_closed")
            await scenes.keys("r")
            await scenes.check("reopen")
        scenes.assert_all_match()

    @sync
    async def test_untrusted_text(self, case_data: Data, snapshot: SnapshotAssertion) -> None:
        """SEC-2: markup and escape sequences from customers render as harmless literal text."""
        async with running(case_data) as (_, pilot):
            scenes = Scenes(pilot, snapshot)
            await open_case(pilot, HOSTILE)
            await scenes.check("hostile_case")
        scenes.assert_all_match()


class TestSubCases:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    @sync
    async def test_a_new_sub_case_and_closing_the_last_one(
        self, size: tuple[int, int], case_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        async with running(case_data, size=size) as (_, pilot):
            scenes = Scenes(pilot, snapshot)
            await open_case(pilot, PRINTER)
            await scenes.keys("plus")
            await type_text(pilot, "Ersatzteil")
            await scenes.check("subcase")
            await scenes.keys("escape")
            await open_case(pilot, PRINTER_SUB_OPEN)
            await scenes.keys("x", "enter")
            await scenes.check("close_parent_offer")
        scenes.assert_all_match()


class TestCaseDialogs:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    @sync
    async def test_the_dialogs_of_an_open_case(
        self, size: tuple[int, int], case_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        async with running(case_data, size=size) as (app, pilot):
            scenes = Scenes(pilot, snapshot)
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
            app.screen.query_one(TextArea).load_text("Hallo Karl,\ndie Gutschrift ist unterwegs.")
            await scenes.check("compose")
            await scenes.keys("ctrl+o")
            await scenes.check("canned")
            await scenes.keys("escape", "escape", "y")
            app.push_screen(
                TextDialog("Internal comment on 3 cases", label="Text:", multiline=True)
            )
            await settle(pilot)
            app.screen.query_one(TextArea).load_text("Sammelhinweis an alle")
            await scenes.check("text")
        scenes.assert_all_match()


class TestNewCase:
    """`N`: the new-case form (empty, searching a contact, a new contact with a type's
    custom fields and a refusal under its field), and custom fields in the header and
    the edit dialog."""

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    @sync
    async def test_the_new_case_form_and_custom_fields(
        self, size: tuple[int, int], case_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        hardware = CaseType("hardware", "Hardware", ("serial_number", "device"))
        case_data.ctx.policy = Policy(case_types=(*DEFAULT_CASE_TYPES, hardware))
        async with running(case_data, size=size) as (app, pilot):
            scenes = Scenes(pilot, snapshot)
            await scenes.keys("N")
            await scenes.check("new_case")
            await type_text(pilot, "Laptop bootet nicht")
            app.screen.query_one("#new-contact").focus()
            await type_text(pilot, "kakun")
            await scenes.check("new_case_contact_search")
            app.screen.query_one("#new-contact", Input).value = "nina@neu.example"
            app.screen.query_one("#new-type", Select).value = "hardware"
            await settle(pilot)
            app.screen.query_one("#new-contact-name").focus()
            await type_text(pilot, "Nina Neu")
            app.screen.query_one("#new-field-0").focus()
            await type_text(pilot, "SN-4711")
            app.screen.query_one("#new-due", Input).value = "+3d"
            await scenes.keys("ctrl+s")
            await scenes.check("new_case_refused")
            app.screen.query_one("#new-reminder", Input).value = "+1d"
            await scenes.keys("ctrl+s")
            await scenes.check("new_case_saved")
            await scenes.keys("e")
            await scenes.check("edit_custom_fields")
        scenes.assert_all_match()
