"""Acting from the queue: open, assign to me (ASSIGN-2), next case, marks and bulk (TUI-4)."""

from pilotkit import BOBS, NEXT_CASE, Data, notifications, running, screen_text, settle
from support import sync
from textual.app import App
from textual.pilot import Pilot

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import view_query
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.queue import QueueScreen
from helpdesk_tui.widgets.case_list import CaseList


def queue_list(app: App[None]) -> CaseList:
    screen = app.screen_stack[1]
    assert isinstance(screen, QueueScreen)
    return screen.query_one(CaseList)


async def go_to(pilot: Pilot[None], number: CaseNumber) -> None:
    """Move the cursor down to `number` (it must be in the current view)."""
    cases = queue_list(pilot.app)
    for _ in range(200):
        if cases.current is not None and cases.current.number == number:
            return
        await pilot.press("j")
        await settle(pilot, 1)
    raise AssertionError(f"{number} is not in the list")


@sync
async def test_enter_opens_the_case_under_the_cursor_and_escape_comes_back(
    queue_data: Data,
) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("j")
        cases = queue_list(app)
        assert cases.current is not None
        number = cases.current.number
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == number
        assert f"{number}  " in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert cases.current is not None
        assert cases.current.number == number


@sync
async def test_a_assigns_the_case_to_me_and_the_row_shows_it(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("3")  # Unassigned
        await settle(pilot)
        cases = queue_list(app)
        target = cases.window.rows[2].number
        await go_to(pilot, target)
        assert queue_data.holder(target) is None
        await pilot.press("a")
        await settle(pilot)
        assert queue_data.holder(target) == "alice"
        assert f"{target} assigned to you" in notifications(pilot)
        # The unassigned view lost it; the cursor stays at the same height.
        assert target not in [c.number for c in cases.window.rows]


@sync
async def test_assigning_a_case_held_by_bob_is_refused_by_name(queue_data: Data) -> None:
    async with running(queue_data, notifications=True) as (_, pilot):
        await pilot.press("9")  # All
        await settle(pilot)
        await go_to(pilot, BOBS)
        await pilot.press("a")
        await settle(pilot)
        assert queue_data.holder(BOBS) == "bob"
        assert any("already assigned to bob" in n for n in notifications(pilot))
        assert "already assigned to bob" in screen_text(pilot)  # the toast


@sync
async def test_n_takes_the_most_urgent_unassigned_case_of_my_groups_and_opens_it(
    queue_data: Data,
) -> None:
    async with running(queue_data) as (app, pilot):
        before = queue_data.counts()["mine"]
        await pilot.press("n")
        await settle(pilot)
        assert queue_data.holder(NEXT_CASE) == "alice"
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.number == NEXT_CASE
        assert f"{NEXT_CASE} assigned to you" in notifications(pilot)
        await pilot.press("escape")
        await settle(pilot)
        cases = queue_list(app)
        assert NEXT_CASE in [c.number for c in cases.window.rows]  # My cases shows it now
        assert f"row 1 of {before + 1}" in screen_text(pilot) or cases.window.total == before + 1


@sync
async def test_n_without_groups_says_so(queue_data: Data) -> None:
    async with running(queue_data, "olga") as (app, pilot):
        await pilot.press("n")
        await settle(pilot)
        assert "No unassigned case in your groups" in notifications(pilot)
        assert isinstance(app.screen, QueueScreen)


@sync
async def test_marks_with_space_then_a_assigns_all_marked_cases(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("3")  # Unassigned
        await settle(pilot)
        cases = queue_list(app)
        chosen = [cases.window.rows[i].number for i in (0, 1, 3)]
        await pilot.press("space", "space", "j", "space")
        assert set(cases.window.marks) == set(chosen)
        lines = cases.rows_text()
        assert [line[0] for line in lines[:4]] == ["*", "*", " ", "*"]
        assert "3 marked" in screen_text(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert [queue_data.holder(n) for n in chosen] == ["alice"] * 3
        assert "3 assigned to you" in notifications(pilot)
        await pilot.press("escape")  # clears the marks
        assert not cases.window.marks
        assert "marked" not in screen_text(pilot)


@sync
async def test_bulk_actions_on_marks_refuse_per_case_with_reasons(queue_data: Data) -> None:
    async with running(queue_data) as (_, pilot):
        await pilot.press("9")  # All
        await settle(pilot)
        await go_to(pilot, BOBS)
        await pilot.press("space")
        unassigned = queue_data.rows(view_query("unassigned"))[0].number
        await pilot.press("g")
        await settle(pilot)
        await go_to(pilot, unassigned)
        await pilot.press("space", "a")
        await settle(pilot)
        assert queue_data.holder(unassigned) == "alice"
        assert queue_data.holder(BOBS) == "bob"
        assert any(
            n.startswith("1 assigned to you, 1 refused") and "bob" in n
            for n in notifications(pilot)
        )
