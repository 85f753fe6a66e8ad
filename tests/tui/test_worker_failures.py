"""TUI-5: a worker that fails says so in one line on screen, whichever screen started it;
compose keeps its text. The failures are real: a database that refuses the write (a
trigger, as a full disk or a broken constraint would) and a case closed meanwhile by
another agent."""

import importlib
import inspect
import pkgutil
import sqlite3
import uuid
from datetime import datetime

from pilotkit import (
    INVOICE,
    MAIL_OUT,
    Data,
    notifications,
    off_loop,
    open_case,
    running,
    screen_text,
    settle,
    type_text,
)
from support import sync
from textual.dom import DOMNode
from textual.widgets import TextArea

import helpdesk_tui.dialogs
import helpdesk_tui.screens
import helpdesk_tui.widgets
from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.domain.enums import Resolution
from helpdesk_tui.domain.mail_query import MailFilter
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.compose import ComposeScreen
from helpdesk_tui.screens.conversations import ConversationsScreen
from helpdesk_tui.screens.queue import QueueScreen
from helpdesk_tui.services import cases
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.readmodels import MailListItem
from helpdesk_tui.widgets.failure import failure_line, report_failure

REFUSAL = "disk quota exceeded"


def refuse_new_activities(data: Data) -> None:
    """From now on the database refuses every new timeline entry."""
    database = data.ctx.location.sqlite_path
    assert database is not None
    with sqlite3.connect(database) as con:
        con.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON activities "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def compose_text(app: HelpdeskApp) -> str:
    assert isinstance(app.screen, ComposeScreen)
    return app.screen.query_one(TextArea).text


@sync
async def test_a_failed_save_is_reported_and_compose_keeps_the_text(case_data: Data) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "Storno ok")
        refuse_new_activities(case_data)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert compose_text(app) == "Storno ok"  # still open, nothing lost
        shown = notifications(pilot)
        assert f"error: IntegrityError: (sqlite3.IntegrityError) {REFUSAL}" in shown
    assert case_data.detail(INVOICE).activities[-1].text != "Storno ok"


@sync
async def test_a_reply_on_a_case_closed_meanwhile_is_refused_in_one_line(case_data: Data) -> None:
    async with running(case_data, mail_out=MAIL_OUT) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("M")
        await settle(pilot)
        await type_text(pilot, "Die Gutschrift kommt.")
        # Another agent closes the case meanwhile (another process: its own service call).
        off_loop(cases.close_case, case_data.ctx, "lena", INVOICE, Resolution.SOLVED)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert compose_text(app) == "Die Gutschrift kommt."
        [line] = [n for n in notifications(pilot) if str(INVOICE) in n]
        assert "closed" in line
        assert "\n" not in line


@sync
async def test_a_failed_action_on_the_case_screen_is_reported(case_data: Data) -> None:
    async with running(case_data, "lena") as (app, pilot):
        await open_case(pilot, INVOICE)  # unassigned, in lena's group
        refuse_new_activities(case_data)
        await pilot.press("a")  # assign to me: writes a timeline entry
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert any(REFUSAL in n and n.startswith("error: ") for n in notifications(pilot))


class FailingDisk(Desk):
    """The real Desk, except that the disk under the conversations list fails."""

    def mail_page(
        self,
        filter: MailFilter,  # noqa: A002 (the Desk's name)
        after: tuple[datetime, uuid.UUID] | None = None,
        limit: int = 100,
    ) -> list[MailListItem]:
        raise OSError(5, "Input/output error")


@sync
async def test_an_os_error_in_a_screen_worker_shows_one_line_on_screen(case_data: Data) -> None:
    """The conversations screen's own worker fails (not the app's): its handler reports it."""
    desk = FailingDisk(case_data.ctx, "alice")
    async with running(case_data, desk=desk, notifications=True) as (app, pilot):
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ConversationsScreen)  # the screen stays, the error shows
        line = "error: OSError: [Errno 5] Input/output error"
        assert notifications(pilot) == [line]
        assert line in screen_text(pilot)  # the toast


def test_failure_lines() -> None:
    from helpdesk_tui.domain.errors import ClosedCaseError

    assert failure_line(ClosedCaseError("0000002 is closed")) == "0000002 is closed"
    assert failure_line(OSError("no space\ntraceback details")) == "error: OSError: no space"
    assert failure_line(RuntimeError()) == "error: RuntimeError"
    assert len(failure_line(ValueError("x" * 500))) < 150


def test_every_node_that_starts_workers_reports_their_failures() -> None:
    """Worker.StateChanged does not bubble: each node class with workers must handle it."""
    missing = []
    for package in (helpdesk_tui.screens, helpdesk_tui.widgets, helpdesk_tui.dialogs):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__ or not issubclass(cls, DOMNode):
                    continue
                starts_workers = any(
                    "@work(" in inspect.getsource(base)
                    for base in cls.__mro__
                    if base.__module__.startswith("helpdesk_tui.")
                )
                handler = getattr(cls, "on_worker_state_changed", None)
                reports = handler is not None and "report_failure" in inspect.getsource(handler)
                if starts_workers and not reports:
                    missing.append(cls.__qualname__)
    assert not missing
    assert report_failure  # the one function they call
