"""Snapshots of the dialogs that write (120×36 and 80×24): a refusal shown next to its
field with the input kept, the Waiting dialog with the due date, reopen with new dates,
the bulk status list (one order, the not-allowed greyed) and the per-case bulk preview.

Frozen clock and the fixed data sets (pilotkit). Regenerate with `--snapshot-update` and
look at the SVGs in `__snapshots__/` before committing them.
"""

from datetime import timedelta

import pytest
from pilotkit import (
    INVOICE,
    PASSWORD,
    SIZE_IDS,
    SIZES,
    VPN,
    Data,
    Scenes,
    open_case,
    running,
    type_text,
)
from support import sync
from syrupy.assertion import SnapshotAssertion
from test_bulk_marks import mark_open_cases

from helpdesk_tui.widgets.status_line import StatusLine


class TestDialogsThatKeepInput:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    @sync
    async def test_refusals_next_to_the_field_and_reopen_dates(
        self, size: tuple[int, int], case_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        async with running(case_data, size=size) as (_, pilot):
            scenes = Scenes(pilot, snapshot)
            await open_case(pilot, INVOICE)
            await scenes.keys("s", "down", "enter")
            await type_text(pilot, "Ersatzteil von ACME")
            await scenes.keys("enter")
            await type_text(pilot, "2026-12-20")
            await scenes.keys("enter")
            await scenes.check("waiting_past_the_due")
            await scenes.keys("escape")
            await open_case(pilot, VPN)
            await scenes.keys("x", "down", "down", "enter")
            await type_text(pilot, "99")
            await scenes.keys("enter")
            await scenes.check("duplicate_of_an_unknown_case")
            await scenes.keys("escape")
            await open_case(pilot, PASSWORD)
            await scenes.keys("r")
            await scenes.check("reopen_with_dates")
        scenes.assert_all_match()


class TestBulk:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    @sync
    async def test_status_list_and_per_case_preview(
        self, size: tuple[int, int], queue_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        async with running(queue_data, size=size) as (app, pilot):
            app.screen.query_one(StatusLine).database = "/data/helpdesk.sqlite"
            scenes = Scenes(pilot, snapshot)
            marked = await mark_open_cases(pilot, 3)
            await scenes.keys("s")
            await scenes.check("bulk_status")
            reminder = min(c.due for c in marked) + timedelta(days=1)
            await scenes.keys("down", "enter")
            await type_text(pilot, "Rueckmeldung Kunde")
            await scenes.keys("enter")
            await type_text(pilot, reminder.isoformat())
            await scenes.keys("enter")
            await scenes.check("bulk_preview")
        scenes.assert_all_match()
