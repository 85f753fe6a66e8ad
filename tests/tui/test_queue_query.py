"""The query bar (`/`): narrows as it is typed (issue 12, findings 1–3), Esc restores the
view, ↑/↓ recall earlier queries, a view AND a query, case numbers, unknown names."""

from collections.abc import Iterator

import pytest
from pilotkit import Data, case_list, notifications, running, screen_text, settle
from support import sync

import helpdesk_tui.screens.queue as queue_screen
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import parse_query, view_query
from helpdesk_tui.widgets.query_bar import QueryBar, QueryNote


@pytest.fixture(autouse=True)
def no_debounce() -> Iterator[None]:
    """The list narrows at the next turn of the loop, not after a pause in typing (the
    pause is a wall-clock wait; what is tested here is what the list shows)."""
    saved = queue_screen.DEBOUNCE
    queue_screen.DEBOUNCE = 0
    yield
    queue_screen.DEBOUNCE = saved


def note(app: object) -> str:
    return app.screen.query_one(QueryNote).message  # type: ignore[attr-defined, no-any-return]


def bar(app: object) -> QueryBar:
    return app.screen.query_one(QueryBar)  # type: ignore[attr-defined, no-any-return]


@sync
async def test_slash_filters_the_view_with_the_query_syntax(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("7")  # Not closed
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, QueryBar)
        await pilot.press(*"prio:urgent @bob", "enter")
        await settle(pilot)
        expected = queue_data.rows(
            view_query("open").narrowed(parse_query("prio:urgent @bob"), me="alice")
        )
        assert expected
        cases = case_list(app)
        assert [c.number for c in cases.window.rows] == [c.number for c in expected]
        assert {(c.priority, c.delegated_user) for c in cases.window.rows} == {("urgent", "bob")}
        assert app.focused is cases
        text = screen_text(pilot)
        assert "Not closed · query · by due" in text
        assert "prio:urgent @bob" in text  # the bar stays visible while a query applies
        await pilot.press("escape")  # drops the query
        await settle(pilot)
        assert len(cases.window.rows) == len(queue_data.rows(view_query("open")))
        assert "prio:urgent @bob" not in screen_text(pilot)


@sync
async def test_what_is_typed_is_visible_while_typing(queue_data: Data) -> None:
    """Found 1: the bar's text row was clipped until Enter."""
    for size in ((120, 36), (80, 24)):
        async with running(queue_data, size=size) as (app, pilot):
            await pilot.press("slash", *"prio:hi")
            assert "prio:hi" in screen_text(pilot)
            assert bar(app).region.height == 1


@sync
async def test_the_list_narrows_as_you_type(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9", "slash", *"status:waiting")
        await settle(pilot)
        cases = case_list(app)
        assert {c.status for c in cases.window.rows} == {Status.WAITING}
        assert isinstance(app.focused, QueryBar)  # still typing
        assert "All · query" in screen_text(pilot)
        await pilot.press(*" prio:low")
        await settle(pilot)
        expected = queue_data.rows(parse_query("status:waiting prio:low"))
        assert [c.number for c in cases.window.rows] == [c.number for c in expected]


@sync
async def test_words_search_subjects(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9", "slash", *"mailbox", "enter")
        await settle(pilot)
        subjects = [c.subject for c in case_list(app).window.rows]
        assert subjects
        assert all("Mailbox full" in s for s in subjects)


@sync
async def test_a_parse_error_is_one_line_under_the_bar_and_keeps_the_list(
    queue_data: Data,
) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9", "slash", *"prio:high")
        await settle(pilot)
        cases = case_list(app)
        high = [c.number for c in cases.window.rows]
        assert high
        await pilot.press(*"x", "enter")  # prio:highx
        await settle(pilot)
        assert [c.number for c in cases.window.rows] == high
        assert note(app).startswith("unknown priority 'highx'")
        assert note(app) in screen_text(pilot)
        assert not notifications(pilot)  # said under the bar, not in a toast
        assert isinstance(app.focused, QueryBar)  # still there to fix the typo
        await pilot.press("backspace")
        await settle(pilot)
        assert note(app) == ""
        await pilot.press("escape")  # gives up the edit
        await settle(pilot)
        assert app.focused is cases
        assert cases.case_query == view_query("all")


@sync
async def test_escape_restores_the_view_as_it_was(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9")
        await settle(pilot)
        cases = case_list(app)
        await pilot.press("j", "j", "j")
        before = [c.number for c in cases.window.rows]
        current = cases.current
        await pilot.press("slash", *"status:waiting")
        await settle(pilot)
        assert [c.number for c in cases.window.rows] != before
        await pilot.press("escape")
        await settle(pilot)
        assert cases.case_query == view_query("all")
        assert cases.current == current
        assert [c.number for c in cases.window.rows][: len(before)] == before[: len(before)]
        assert bar(app).display is False


@sync
async def test_escape_in_the_bar_keeps_the_applied_query(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9", "slash", *"status:waiting", "enter")
        await settle(pilot)
        cases = case_list(app)
        waiting = [c.number for c in cases.window.rows]
        assert {c.status for c in cases.window.rows} == {"waiting"}
        await pilot.press("slash", *" prio:low")
        await settle(pilot)
        assert [c.number for c in cases.window.rows] != waiting
        await pilot.press("escape")
        await settle(pilot)
        assert [c.number for c in cases.window.rows] == waiting
        assert bar(app).value == "status:waiting"


@sync
async def test_up_and_down_recall_earlier_queries(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9", "slash", *"prio:high", "enter")
        await settle(pilot)
        await pilot.press("slash", "ctrl+u", *"status:waiting", "enter")
        await settle(pilot)
        await pilot.press("slash", "ctrl+u", *"vpn")
        await pilot.press("up")
        assert bar(app).value == "status:waiting"
        await pilot.press("up")
        assert bar(app).value == "prio:high"
        await pilot.press("up")  # the oldest stays
        assert bar(app).value == "prio:high"
        await pilot.press("down")
        assert bar(app).value == "status:waiting"
        await pilot.press("down")  # back to what was being typed
        assert bar(app).value == "vpn"
        await pilot.press("up", "enter")
        await settle(pilot)
        assert {c.status for c in case_list(app).window.rows} == {Status.WAITING}


@sync
async def test_a_view_and_a_query_are_both_required(queue_data: Data) -> None:
    """Found 2: Closed + status:open listed open cases; My cases + @bob listed bob's."""
    async with running(queue_data) as (app, pilot):
        await pilot.press("8", "slash", *"status:open", "enter")  # Closed
        await settle(pilot)
        assert case_list(app).window.rows == []
        assert "No cases here" in screen_text(pilot)
        await pilot.press("escape", "1", "slash", *"@bob", "enter")  # My cases
        await settle(pilot)
        assert case_list(app).window.rows == []
        await pilot.press("9")  # All: bob's are there
        await settle(pilot)
        assert {c.delegated_user for c in case_list(app).window.rows} == {"bob"}


@sync
async def test_a_case_number_comes_first(queue_data: Data) -> None:
    """Found 3: `0000027` found nothing, `27` found other cases."""
    async with running(queue_data) as (app, pilot):
        for text in ("27", "0000027", "#27"):
            await pilot.press("9", "slash", "ctrl+u", *text)
            await settle(pilot)
            assert case_list(app).window.rows[0].number == CaseNumber(27)
            assert case_list(app).current is not None
            assert case_list(app).current.number == CaseNumber(27)
            await pilot.press("escape")
        await pilot.press("slash", "ctrl+u", *"5-2", "enter")
        await settle(pilot)
        assert case_list(app).window.rows[0].number == CaseNumber(5, 2)


@sync
async def test_unknown_users_and_groups_are_named_and_the_list_stays(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9")
        await settle(pilot)
        cases = case_list(app)
        before = [c.number for c in cases.window.rows]
        await pilot.press("slash")
        bar(app).value = "@nobody group:nowhere"  # pasted
        await settle(pilot)
        assert note(app) == "unknown user @nobody and group nowhere in the query"
        assert [c.number for c in cases.window.rows] == before
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, QueryBar)  # not applied
        assert [c.number for c in cases.window.rows] == before
        await pilot.press(*["backspace"] * len(" group:nowhere"))
        await settle(pilot)
        assert note(app) == "unknown user @nobody in the query"
        await pilot.press("ctrl+u", *"@bob")
        await settle(pilot)
        assert note(app) == ""
        assert {c.delegated_user for c in cases.window.rows} == {"bob"}


@sync
async def test_enter_counts_the_typed_query_at_once(queue_data: Data) -> None:
    """While typing the count is put off (the next key makes it moot); Enter counts."""
    async with running(queue_data) as (_, pilot):
        await pilot.press("9", "slash", *"status:waiting")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        waiting = queue_data.rows(parse_query("status:waiting"))
        assert f"All · query · by due ▲ · row 1 of {len(waiting)}" in screen_text(pilot)
