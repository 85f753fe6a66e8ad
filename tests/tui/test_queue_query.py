"""The query bar (`/`, VIEW-1 syntax and full-text words) and Esc."""

from pilotkit import Data, case_list, notifications, running, screen_text, settle
from support import sync

from helpdesk_tui.domain.query import parse_query, view_query
from helpdesk_tui.widgets.query_bar import QueryBar


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
async def test_words_search_subjects(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9", "slash", *"mailbox", "enter")
        await settle(pilot)
        subjects = [c.subject for c in case_list(app).window.rows]
        assert subjects
        assert all("Mailbox full" in s for s in subjects)


@sync
async def test_a_parse_error_is_one_line_and_keeps_the_old_list(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        cases = case_list(app)
        before = [c.number for c in cases.window.rows]
        await pilot.press("slash", *"prio:bogus", "enter")
        await settle(pilot)
        assert [c.number for c in cases.window.rows] == before
        messages = notifications(pilot)
        assert len(messages) == 1
        assert "bogus" in messages[0]
        assert "\n" not in messages[0]
        assert isinstance(app.focused, QueryBar)  # still there to fix the typo
        await pilot.press("escape")  # gives up the edit
        assert app.focused is cases
        assert cases.case_query == view_query("mine")


@sync
async def test_escape_in_the_bar_keeps_the_applied_query(queue_data: Data) -> None:
    async with running(queue_data) as (app, pilot):
        await pilot.press("9", "slash", *"status:waiting", "enter")
        await settle(pilot)
        cases = case_list(app)
        waiting = [c.number for c in cases.window.rows]
        assert {c.status for c in cases.window.rows} == {"waiting"}
        await pilot.press("slash", *" prio:low", "escape")
        await settle(pilot)
        assert [c.number for c in cases.window.rows] == waiting
        assert app.screen.query_one(QueryBar).value == "status:waiting"
