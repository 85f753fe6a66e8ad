"""A fixed data set and helpers for the queue screen's Pilot and snapshot tests.

The database is built once per session through the real services with a hand-moved
clock, then copied per test, so every test starts from the same state and snapshots are
stable. About 70 cases: overdue, reminder-due, waiting, closed, sub-cases, unassigned in
the agent's groups, one held by bob, and one whose subject is an attack on the terminal.
"""

import asyncio
import io
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from support import Clock
from textual.pilot import Pilot

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Role, Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage import replay
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import CaseSummary, Sort, open_reads

# Timestamps render in local time: pin it so snapshots match on every machine.
os.environ["TZ"] = "UTC"
time.tzset()

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = START.date()

AGENTS = (
    AgentSpec("alice", "Alice Agent", "alice@helpdesk.example", Role.AGENT),
    AgentSpec("bob", "Bob Agent", "bob@helpdesk.example", Role.AGENT),
    AgentSpec("lena", "Lena Lead", "lena@helpdesk.example", Role.LEAD),
    AgentSpec("olga", "Olga Ohnegruppe", "olga@helpdesk.example", Role.AGENT),  # no groups
)
GROUPS = (
    GroupSpec("billing", "Billing", lead="lena", members=("alice", "lena")),
    GroupSpec("technical", "Technical", members=("bob", "alice")),
)
CONTACTS = (
    ("karl@acme.example", "Karl Kunde", "ACME GmbH"),
    ("eva@acme.example", "Eva Einkauf", "ACME GmbH"),
    ("jane@globex.example", "Jane Doe", "Globex Ltd"),
    ("raj@globex.example", "Raj Patel", "Globex Ltd"),
    ("otto@example.org", "Otto Normal", None),
)
TOPICS = (
    "Drucker druckt nicht",
    "Invoice sent twice",
    "VPN drops every hour",
    "Passwort zurücksetzen",
    "Delivery arrived damaged",
    "Rechnung falsche Adresse",
    "Mailbox full",
    "Lizenz verlängern",
    "Cannot log in to portal",
    "Lieferschein fehlt",
    "Export to CSV broken",
    "Neuer Mitarbeiter: Zugang",
)
#: Who gets case i (i % 5) and with which priority ((i // 5) % 4).
HOLDERS = (("alice", None), (None, "billing"), (None, "technical"), ("bob", None), ("lena", None))
PRIORITIES = (Priority.NORMAL, Priority.HIGH, Priority.LOW, Priority.URGENT)
GENERATED = 60
#: alice's cases that wait for the customer, with a reminder due by today.
WAITING = (5, 35, 45, 50, 60)

#: The most urgent unassigned case of alice's groups: overdue, urgent, oldest.
NEXT_CASE = CaseNumber(1)
#: Held by bob: alice's assign-to-me must be refused.
BOBS = CaseNumber(3)
#: Subject, contact name and account full of markup and escape sequences (SEC-2).
HOSTILE = CaseNumber(GENERATED + 1)
HOSTILE_SUBJECT = "[bold red]PWNED[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07 [link=http://x]y[/link]"
HOSTILE_NAME = "[i]Mallory[/i]\x1b[31m"


T = TypeVar("T")


def _seed(ctx: Context, clock: Clock) -> None:
    sync_people(ctx, AGENTS, GROUPS)
    with ctx.uow() as uow:
        replay.insert_accounts_contacts(
            uow,
            [replay.AccountData("ACME GmbH", "acme.example"), replay.AccountData("Globex Ltd")],
            [replay.ContactData(email, name, account=acc) for email, name, acc in CONTACTS],
        )
        uow.commit()
    clock.now = START - timedelta(days=40)
    cases.create_case(
        ctx,
        "lena",
        subject="Rechnungslauf abgebrochen",
        contact="karl@acme.example",
        group="billing",
        priority=Priority.URGENT,
        due=TODAY - timedelta(days=30),
    )
    for i in range(2, GENERATED + 1):
        clock.advance(hours=11)
        user, group = HOLDERS[i % 5]
        cases.create_case(
            ctx,
            "lena",
            subject=f"{TOPICS[i % len(TOPICS)]} ({i})",
            contact=CONTACTS[i % len(CONTACTS)][0],
            user=user,
            group=group,
            priority=PRIORITIES[(i // 5) % 4],
            due=clock.now.date() + timedelta(days=3 + (i * 7) % 31),
        )
    clock.advance(hours=2)
    for sub in ("Toner bestellen", "Techniker-Termin"):
        cases.create_case(
            ctx,
            "alice",
            subject=sub,
            contact="karl@acme.example",
            user="alice",
            parent=CaseNumber(5),
        )
    # Work on some of them, closer to today.
    clock.now = START - timedelta(days=6)
    for i in range(10, GENERATED + 1, 9):
        cases.close_case(ctx, "lena", CaseNumber(i), Resolution.SOLVED, comment="done")
        clock.advance(minutes=17)
    for i in WAITING:  # alice's: waiting on the customer, reminder due by today
        with open_reads(ctx.location) as store:
            due = store.summaries([CaseNumber(i)])[0].due
        cases.change_status(
            ctx,
            "alice",
            CaseNumber(i),
            Status.WAITING,
            comment="Kunde meldet sich",
            reminder=min(due, TODAY - timedelta(days=i % 3)),
        )
        clock.advance(minutes=23)
    cases.record_activity(ctx, "alice", CaseNumber(20), ActivityKind.COMMENT, "Looked into it.")
    cases.change_status(ctx, "alice", CaseNumber(30), Status.IN_PROGRESS)
    clock.advance(hours=1)
    cases.create_case(
        ctx,
        "alice",
        subject=HOSTILE_SUBJECT,
        contact="mallory@evil.example",
        contact_name=HOSTILE_NAME,
        user="alice",
        due=TODAY + timedelta(days=2),
    )
    clock.now = START


_template: Path | None = None


def _build_template() -> Path:
    global _template
    if _template is None:
        path = Path(tempfile.mkdtemp(prefix="helpdesk-queuefixtures-")) / "template.sqlite"
        clock = Clock(START)
        ctx = Context(locate(str(path)), clock=clock)
        ctx.migrate()
        _seed(ctx, clock)
        ctx.dispose()  # the last connection closing checkpoints the WAL into the file
        _template = path
    return _template


def off_loop(call: Callable[[], T]) -> T:
    """Run a database read on another thread (the app forbids them on its event loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@dataclass
class Queue:
    """A private copy of the data set: its context, clock and some ways to look inside."""

    ctx: Context
    clock: Clock
    path: Path

    def case(self, number: CaseNumber) -> CaseSummary:
        """The case as stored now."""

        def read() -> CaseSummary:
            with open_reads(self.ctx.location) as store:
                return store.summaries([number])[0]

        return off_loop(read)

    def rows(
        self, query: CaseQuery, sort: Sort | None = None, me: str = "alice"
    ) -> list[CaseSummary]:
        """The whole view, in display order (tests may read everything; the UI may not)."""

        def read() -> list[CaseSummary]:
            with open_reads(self.ctx.location) as store:
                return store.list_cases(query, me=me, today=TODAY, limit=10_000, sort=sort)

        return off_loop(read)

    def counts(self, user: str = "alice") -> dict[str, int]:
        """The standard views' counts."""
        return off_loop(Desk(self.ctx, user).counts)


@contextmanager
def queue_data(tmp_path: Path) -> Iterator[Queue]:
    """A fresh copy of the queue data set for one test."""
    target = tmp_path / "hd.sqlite"
    shutil.copyfile(_build_template(), target)
    clock = Clock(START)
    ctx = Context(locate(str(target)), clock=clock)
    try:
        yield Queue(ctx, clock, target)
    finally:
        ctx.dispose()


def make_app(
    data: Queue,
    user: str = "alice",
    *,
    live_interval: float = 0,
    keymap: dict[str, str] | None = None,
) -> HelpdeskApp:
    """The real app on the data set, acting as `user` (live refresh off unless asked)."""
    return HelpdeskApp(Desk(data.ctx, user), live_interval=live_interval, keymap=keymap)


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    """Let workers finish and their results reach the screen (not the live watcher)."""
    app = pilot.app
    for _ in range(rounds):
        busy = [w for w in app.workers if w.group != "live" and not w.is_finished]
        if busy:
            await asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
        await pilot.pause()


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


def notifications(pilot: Pilot[None]) -> list[str]:
    """The messages of the notifications currently shown."""
    return [n.message for n in pilot.app._notifications]


def holder(data: Queue, number: CaseNumber) -> str | None:
    """Who the case is delegated to, straight from the database."""
    return data.case(number).delegated_user
