"""Seeded data and helpers for the case, compose and dialog tests.

Not a conftest (tests/tui/conftest.py belongs to the queue tests): test modules call
`seeded(tmp_path)` and `make_app(...)` directly. The data set is small and fixed and is
built once per session, then copied per test, so every test starts from the same state
and snapshots are stable.
"""

import asyncio
import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from support import Clock
from textual.pilot import Pilot

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Role, Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.templates import CannedResponse
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage import replay
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import CaseDetail, open_reads

# Timestamps render in local time: pin it so snapshots match on every machine.
os.environ["TZ"] = "UTC"
time.tzset()

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SIZES = ((120, 36), (80, 24))

AGENTS = (
    AgentSpec("alice", "Alice Agent", "alice@helpdesk.example", Role.AGENT),
    AgentSpec("bob", "Bob Agent", "bob@helpdesk.example", Role.AGENT),
    AgentSpec("lena", "Lena Lead", "lena@helpdesk.example", Role.LEAD),
)
GROUPS = (
    GroupSpec("billing", "Billing", lead="lena", members=("alice", "lena")),
    GroupSpec("technical", "Technical", members=("bob",)),
)

PRINTER = CaseNumber(
    1
)  # in progress, alice, comment + phone note, sub-cases -001 closed, -002 open
PRINTER_SUB_CLOSED = CaseNumber(1, 1)
PRINTER_SUB_OPEN = CaseNumber(1, 2)
INVOICE = CaseNumber(2)  # open, group billing, same contact as PRINTER
VPN = CaseNumber(3)  # open, alice, other contact of the same account
PASSWORD = CaseNumber(4)  # closed (solved)
HOSTILE = CaseNumber(5)  # subject, name, description and comment full of markup and escapes

HOSTILE_SUBJECT = (
    "[bold red]x[/] \x1b[2J[link=https://evil.example]click[/link] \x1b]52;c;ZXZpbA==\x07ok"
)
HOSTILE_NAME = "[i]Mallory[/i]\x1b[31m"
HOSTILE_TEXT = (
    "plain [blink]BLINK[/blink] end\n"
    "\x1b]8;;https://evil.example\x07hyper\x1b]8;;\x07 and \x1b[2Jclear \x07bell\x9b31m"
)
CANNED = (
    CannedResponse("Danke", "Hallo {contact_name}, danke für Ihre Nachricht zu {case_number}."),
    CannedResponse("Rückruf", "Wir rufen Sie zu {subject} zurück. Gruß, {agent_name}"),
)


def _seed(ctx: Context, clock: Clock) -> None:
    sync_people(ctx, AGENTS, GROUPS)
    with ctx.uow() as uow:
        replay.insert_accounts_contacts(
            uow,
            [replay.AccountData("ACME GmbH", "acme.example")],
            [
                replay.ContactData("karl@acme.example", "Karl Kunde", account="ACME GmbH"),
                replay.ContactData("eva@acme.example", "Eva Einkauf", account="ACME GmbH"),
                replay.ContactData("otto@example.org", "Otto Normal"),
            ],
        )
        uow.commit()

    def step(minutes: int = 7) -> None:
        clock.advance(minutes=minutes)

    printer = cases.create_case(
        ctx,
        "alice",
        subject="Drucker druckt nicht",
        contact="karl@acme.example",
        group="billing",
        description="Der Drucker im 2. OG zeigt Fehler 0x42.",
    )
    step()
    cases.assign_to_me(ctx, "alice", printer)
    step()
    cases.record_activity(
        ctx,
        "alice",
        printer,
        ActivityKind.COMMENT,
        "Treiber neu installiert, kein Erfolg.",
        time_spent_centi=25,
    )
    step()
    cases.record_activity(
        ctx, "alice", printer, ActivityKind.PHONE, "Kunde angerufen: Fehler tritt morgens auf."
    )
    step()
    cases.change_status(ctx, "alice", printer, Status.IN_PROGRESS)
    step()
    sub1 = cases.create_case(
        ctx,
        "alice",
        subject="Toner bestellen",
        contact="karl@acme.example",
        group="billing",
        parent=printer,
    )
    step()
    cases.create_case(
        ctx,
        "alice",
        subject="Techniker-Termin",
        contact="karl@acme.example",
        user="bob",
        parent=printer,
    )
    step()
    cases.close_case(ctx, "alice", sub1, Resolution.SOLVED)
    step()
    cases.create_case(
        ctx, "alice", subject="Rechnung doppelt", contact="karl@acme.example", group="billing"
    )
    step()
    cases.create_case(
        ctx, "alice", subject="VPN fällt aus", contact="eva@acme.example", user="alice"
    )
    step()
    password = cases.create_case(
        ctx, "alice", subject="Passwort zurücksetzen", contact="otto@example.org", user="alice"
    )
    step()
    cases.close_case(ctx, "alice", password, Resolution.SOLVED, comment="Neues Passwort gesendet.")
    step()
    hostile = cases.create_case(
        ctx,
        "alice",
        subject=HOSTILE_SUBJECT,
        contact="mallory@evil.example",
        contact_name=HOSTILE_NAME,
        user="alice",
        description=HOSTILE_TEXT,
    )
    step()
    cases.record_activity(ctx, "alice", hostile, ActivityKind.COMMENT, HOSTILE_TEXT)
    clock.advance(hours=1)


_template: tuple[Path, datetime] | None = None


def _build_template() -> tuple[Path, datetime]:
    global _template
    if _template is None:
        path = Path(tempfile.mkdtemp(prefix="helpdesk-casefixtures-")) / "template.sqlite"
        clock = Clock(START)
        ctx = Context(locate(str(path)), clock=clock)
        ctx.migrate()
        _seed(ctx, clock)
        ctx.dispose()  # the last connection closing checkpoints the WAL into the file
        _template = (path, clock.now)
    return _template


@dataclass
class Seeded:
    """A fresh copy of the seeded database, its context and its (movable) clock."""

    ctx: Context
    clock: Clock

    def detail(self, number: CaseNumber) -> CaseDetail:
        with open_reads(self.ctx.location) as store:
            return store.case_detail(number)

    @property
    def today(self) -> date:
        return self.clock.now.date()


@contextmanager
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    """A private copy of the seeded database for one test."""
    template, now = _build_template()
    target = tmp_path / "hd.sqlite"
    shutil.copyfile(template, target)
    clock = Clock(now)
    ctx = Context(locate(str(target)), clock=clock)
    try:
        yield Seeded(ctx, clock)
    finally:
        ctx.dispose()


def make_app(
    data: Seeded,
    user: str = "alice",
    *,
    canned: tuple[CannedResponse, ...] = CANNED,
    live_interval: float = 0,
) -> HelpdeskApp:
    """The real app on the seeded database, acting as `user`."""
    return HelpdeskApp(Desk(data.ctx, user, canned=canned), live_interval=live_interval)


async def settle(pilot: Pilot[None], rounds: int = 6) -> None:
    """Let workers finish and their results reach the screen (dialog chains included)."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in pilot.app.workers):
            return


async def open_case(pilot: Pilot[None], number: CaseNumber) -> None:
    """Push the case screen for `number` on top of whatever the app shows, loaded."""
    from helpdesk_tui.screens.case import CaseScreen

    app = pilot.app
    assert isinstance(app, HelpdeskApp)
    await settle(pilot, 1)
    await app.push_screen(CaseScreen(app.desk, number))
    await settle(pilot)


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type characters one by one (spaces and punctuation included)."""
    await pilot.press(*text)


async def off_loop(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run blocking database work (another "process", or a test's look) off the loop."""
    return await asyncio.to_thread(call, *args, **kwargs)


def screen_text(pilot: Pilot[None]) -> str:
    """What the terminal shows right now, as plain text."""
    app = pilot.app
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


def terminal_output(pilot: Pilot[None]) -> str:
    """The bytes (as text) a full repaint of the screen would write to the terminal."""
    app = pilot.app
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return update.render_segments(app.console)


def notifications(pilot: Pilot[None]) -> list[str]:
    """The messages of the notifications currently shown."""
    return [n.message for n in pilot.app._notifications]
