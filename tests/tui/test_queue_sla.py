"""The SLA in the TUI (DATE-3, issue 15 §3): with SLA policies the queue has an SLA column
(`4h left`, `! 50m left` at ≥ 75 % used, `!! breached 1h`), the views "SLA at risk" and
"SLA breached" in the sidebar, `o` sorts by SLA too, and the case header shows both
clocks. Without policies none of it shows (the other queue tests and snapshots)."""

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from pilotkit import Data, case_list, off_loop, open_case, running, screen_text, settle
from support import sync

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules
from helpdesk_tui.services.cases import create_case
from helpdesk_tui.storage.reads import SortKey
from helpdesk_tui.widgets.sidebar import ViewSidebar

#: Round the clock, so the labels do not depend on the seeded data's time of day.
RULES = SlaRules(
    (
        SlaPolicy(
            "Urgent",
            first_response=parse_duration("4h"),
            resolution=parse_duration("1d"),
            priorities=frozenset({"urgent"}),
        ),
    ),
    BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-sun 00:00-24:00")),
)


@pytest.fixture
def data(case_data: Data) -> Data:
    case_data.ctx.policy = replace(case_data.ctx.policy, sla=RULES)
    return case_data


def urgent_case(data: Data, subject: str = "Server down") -> CaseNumber:
    return off_loop(
        create_case,
        data.ctx,
        "alice",
        subject=subject,
        contact="ops@acme.example",
        user="alice",
        priority=Priority.URGENT,
    )


@sync
async def test_the_queue_shows_the_sla_column_coloured_and_marked(data: Data) -> None:
    number = urgent_case(data)
    async with running(data, size=(160, 36)) as (_, pilot):
        text = screen_text(pilot)
        assert "SLA" in text
        row = next(line for line in text.splitlines() if str(number) in line)
        assert "4h left" in row
        assert "!" not in row.split("4h left")[0][-3:]
    data.clock.advance(hours=3, minutes=10)
    async with running(data, size=(160, 36)) as (_, pilot):
        row = next(line for line in screen_text(pilot).splitlines() if str(number) in line)
        assert "! 50m left" in row  # ≥ 75 % used: marked without colour too
    data.clock.advance(hours=1, minutes=50)
    async with running(data, size=(160, 36)) as (_app, pilot):
        row = next(line for line in screen_text(pilot).splitlines() if str(number) in line)
        assert "!! breached 1h" in row


@sync
async def test_sla_views_in_the_sidebar_and_sort_by_sla(data: Data) -> None:
    number = urgent_case(data)
    data.clock.advance(hours=5)
    async with running(data, size=(160, 36)) as (app, pilot):
        sidebar = app.screen.query_one(ViewSidebar)
        keys = [view.key for view in sidebar.views]
        assert keys[-2:] == ["sla_at_risk", "sla_breached"]
        sidebar.select_key("sla_breached")
        await settle(pilot)
        assert [c.number for c in case_list(app).window.rows] == [number]
        assert case_list(app).sort.key is SortKey.SLA  # the SLA views come sorted by SLA
        sidebar.select_key("all")
        await settle(pilot)
        for _ in range(4):  # SLA → due → number → last activity → SLA
            await pilot.press("o")
            await settle(pilot)
        assert case_list(app).sort.key is SortKey.SLA
        assert case_list(app).window.rows[0].number == number
        assert "by SLA" in screen_text(pilot)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
@sync
async def test_the_case_header_shows_both_clocks(data: Data, size: tuple[int, int]) -> None:
    number = urgent_case(data)
    data.clock.now += timedelta(hours=1)
    async with running(data, size=size) as (_, pilot):
        await open_case(pilot, number)
        text = screen_text(pilot)
        assert "First response" in text
        assert "3h left" in text
        assert "Resolution" in text
        assert "23h left" in text
