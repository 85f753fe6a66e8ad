"""The one toolkit of the TUI tests: the data sets, the app on them, and how a test waits,
looks, types and takes snapshots.

Two fixed data sets, each built once per session through the real services with a
hand-moved clock, then copied per test, so every test starts from the same state and
snapshots are stable:

- `CASE_SET`: a few named cases (PRINTER with two sub-cases, INVOICE, VPN, PASSWORD
  closed, HOSTILE) for the case screen, compose, the dialogs and mail;
- `QUEUE_SET`: about 70 cases for the queue: overdue, reminder-due, waiting, closed,
  sub-cases, unassigned in the agent's groups, one held by bob, one whose subject is an
  attack on the terminal.

Tests take a private copy through the `case_data` and `queue_data` fixtures (conftest.py)
and run the real app on it in one line:

    async with running(case_data, "lena") as (app, pilot):
        await open_case(pilot, INVOICE)

The app refuses database work on its event loop, so a test reads or writes "from another
process" with `off_loop` (the `Data` reads do so themselves).
"""

import asyncio
import io
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from pytest_textual_snapshot import SVGImageExtension
from rich.console import Console
from support import Clock
from syrupy.assertion import SnapshotAssertion
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Role, Status
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.domain.templates import CannedResponse
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.services.outbox import MailOut
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage import replay
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import CaseDetail, CaseSummary, Sort, open_reads
from helpdesk_tui.widgets.case_list import CaseList

# Timestamps render in local time: pin it so snapshots match on every machine.
os.environ["TZ"] = "UTC"
time.tzset()

P = ParamSpec("P")
T = TypeVar("T")

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = START.date()
SIZES = ((120, 36), (80, 24))
SIZE_IDS = [f"{w}x{h}" for w, h in SIZES]
HOSTILE_NAME = "[i]Mallory[/i]\x1b[31m"
#: Outgoing mail configured; no sender runs, so nothing leaves in these tests.
MAIL_OUT = MailOut(sender="Support <support@helpdesk.example>", undo_seconds=600)
CANNED = (
    CannedResponse("Danke", "Hallo {contact_name}, danke für Ihre Nachricht zu {case_number}."),
    CannedResponse("Rückruf", "Wir rufen Sie zu {subject} zurück. Gruß, {agent_name}"),
)


# ---------------------------------------------------------------------------------------
# Waiting, looking, typing


def off_loop(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run database work on another thread and wait for it, as another process would.

    The app forbids database work on its event-loop thread (storage/guard.py); this also
    works in plain tests and after the app has stopped. The loop waits meanwhile, so the
    work is done before the test's next key press."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args, **kwargs).result()


#: Workers that run as long as the app does: `settle` never waits for them.
LONG_RUNNING = frozenset({"live", "mail", "mail-out"})


async def settle(pilot: Pilot[Any], rounds: int = 6) -> None:
    """Let workers finish and their results reach the screen, chains included (a result
    that opens a dialog that starts a worker): up to `rounds` rounds, fewer once nothing
    is busy. The live watcher and the mail threads are not waited for.

    One rule for every test (the queue's tests had their own that always paused three
    times; the case tests' one waited for every worker, so it hung with the live watcher
    on)."""

    def busy() -> list[Any]:
        return [w for w in pilot.app.workers if w.group not in LONG_RUNNING and not w.is_finished]

    for _ in range(rounds):
        if waiting := busy():
            # A failed worker is the test's business (it asserts what the screen says).
            await asyncio.gather(*(w.wait() for w in waiting), return_exceptions=True)
        await pilot.pause()
        if not busy():
            return


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type characters one by one (spaces and punctuation included)."""
    await pilot.press(*text)


async def open_case(pilot: Pilot[Any], number: CaseNumber) -> None:
    """Push the case screen for `number` on top of whatever the app shows, loaded."""
    app = pilot.app
    assert isinstance(app, HelpdeskApp)
    await settle(pilot, 1)
    await app.push_screen(CaseScreen(app.desk, number))
    await settle(pilot)


def screen_text(pilot: Pilot[Any]) -> str:
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


def terminal_output(pilot: Pilot[Any]) -> str:
    """The bytes (as text) a full repaint of the screen would write to the terminal."""
    app = pilot.app
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return update.render_segments(app.console)


def notifications(pilot: Pilot[Any]) -> list[str]:
    """The messages of the notifications currently shown."""
    return [n.message for n in pilot.app._notifications]


def case_list(app: App[Any]) -> CaseList:
    """The queue's case list on the current screen."""
    return app.screen.query_one(CaseList)


# ---------------------------------------------------------------------------------------
# The data sets


@dataclass
class Data:
    """A private copy of a data set: its context, its (movable) clock, its file, and some
    ways to look inside (each reads off the event loop, so it works during a run)."""

    ctx: Context
    clock: Clock
    path: Path

    @property
    def today(self) -> date:
        return self.clock.now.date()

    def detail(self, number: CaseNumber) -> CaseDetail:
        """The case with its timeline, as stored now."""

        def read() -> CaseDetail:
            with open_reads(self.ctx.location) as store:
                return store.case_detail(number)

        return off_loop(read)

    def case(self, number: CaseNumber) -> CaseSummary:
        """The case as stored now."""

        def read() -> CaseSummary:
            with open_reads(self.ctx.location) as store:
                return store.summaries([number])[0]

        return off_loop(read)

    def holder(self, number: CaseNumber) -> str | None:
        """Who the case is delegated to."""
        return self.case(number).delegated_user

    def rows(
        self, query: CaseQuery, sort: Sort | None = None, me: str = "alice"
    ) -> list[CaseSummary]:
        """The whole view, in display order (tests may read everything; the UI may not)."""

        def read() -> list[CaseSummary]:
            with open_reads(self.ctx.location) as store:
                return store.list_cases(query, me=me, today=self.today, limit=10_000, sort=sort)

        return off_loop(read)

    def counts(self, user: str = "alice") -> dict[str, int]:
        """The standard views' counts."""
        return off_loop(Desk(self.ctx, user).counts)


@dataclass
class DataSet:
    """A data set: seeded once per session into a template file, copied per test."""

    name: str
    seed: Callable[[Context, Clock], None]
    _template: tuple[Path, datetime] | None = field(default=None, init=False, repr=False)

    def _built(self) -> tuple[Path, datetime]:
        if self._template is None:
            path = Path(tempfile.mkdtemp(prefix=f"helpdesk-{self.name}-")) / "template.sqlite"
            clock = Clock(START)
            ctx = Context(locate(str(path)), clock=clock)
            ctx.migrate()
            self.seed(ctx, clock)
            ctx.dispose()  # the last connection closing checkpoints the WAL into the file
            self._template = (path, clock.now)  # each copy's clock starts where seeding ended
        return self._template

    @contextmanager
    def copy(self, tmp_path: Path) -> Iterator[Data]:
        """A fresh copy of the data set for one test."""
        template, now = self._built()
        target = tmp_path / "hd.sqlite"
        shutil.copyfile(template, target)
        clock = Clock(now)
        ctx = Context(locate(str(target)), clock=clock)
        try:
            yield Data(ctx, clock, target)
        finally:
            ctx.dispose()


# The case set ---------------------------------------------------------------------------

#: In progress, alice's; a comment and a phone note; sub-cases -001 closed, -002 open.
PRINTER = CaseNumber(1)
PRINTER_SUB_CLOSED = CaseNumber(1, 1)
PRINTER_SUB_OPEN = CaseNumber(1, 2)
INVOICE = CaseNumber(2)  # open, group billing, same contact as PRINTER
VPN = CaseNumber(3)  # open, alice, other contact of the same account
PASSWORD = CaseNumber(4)  # closed (solved)
HOSTILE = CaseNumber(5)  # subject, name, description and comment full of markup and escapes

HOSTILE_SUBJECT = (
    "[bold red]x[/] \x1b[2J[link=https://evil.example]click[/link] \x1b]52;c;ZXZpbA==\x07ok"
)
HOSTILE_TEXT = (
    "plain [blink]BLINK[/blink] end\n"
    "\x1b]8;;https://evil.example\x07hyper\x1b]8;;\x07 and \x1b[2Jclear \x07bell\x9b31m"
)


def _seed_cases(ctx: Context, clock: Clock) -> None:
    sync_people(
        ctx,
        (
            AgentSpec("alice", "Alice Agent", "alice@helpdesk.example", Role.AGENT),
            AgentSpec("bob", "Bob Agent", "bob@helpdesk.example", Role.AGENT),
            AgentSpec("lena", "Lena Lead", "lena@helpdesk.example", Role.LEAD),
        ),
        (
            GroupSpec("billing", "Billing", lead="lena", members=("alice", "lena")),
            GroupSpec("technical", "Technical", members=("bob",)),
        ),
    )
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


CASE_SET = DataSet("cases", _seed_cases)


# The queue set --------------------------------------------------------------------------

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
QUEUE_HOSTILE = CaseNumber(GENERATED + 1)
QUEUE_HOSTILE_SUBJECT = "[bold red]PWNED[/] \x1b[2J\x1b]52;c;ZXZpbA==\x07 [link=http://x]y[/link]"


def _seed_queue(ctx: Context, clock: Clock) -> None:
    sync_people(
        ctx,
        (
            AgentSpec("alice", "Alice Agent", "alice@helpdesk.example", Role.AGENT),
            AgentSpec("bob", "Bob Agent", "bob@helpdesk.example", Role.AGENT),
            AgentSpec("lena", "Lena Lead", "lena@helpdesk.example", Role.LEAD),
            AgentSpec("olga", "Olga Ohnegruppe", "olga@helpdesk.example", Role.AGENT),  # no groups
        ),
        (
            GroupSpec("billing", "Billing", lead="lena", members=("alice", "lena")),
            GroupSpec("technical", "Technical", members=("bob", "alice")),
        ),
    )
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
        subject=QUEUE_HOSTILE_SUBJECT,
        contact="mallory@evil.example",
        contact_name=HOSTILE_NAME,
        user="alice",
        due=TODAY + timedelta(days=2),
    )
    clock.now = START


QUEUE_SET = DataSet("queue", _seed_queue)


# Mail -----------------------------------------------------------------------------------

#: Mail to the `support` account opens a case in group billing.
RULES = FilingSettings(rules=(RoutingRule("support", group="billing"),))
_uids = count(1)


def deliver(data: Data, raw: bytes, settings: FilingSettings = RULES) -> CaseNumber | None:
    """File one mail through the real filing service; the case it went to, or None."""
    mail = Incoming(next(_uids), raw, parse(raw))
    result = off_loop(ingest, data.ctx, settings, FolderBatch("support", "INBOX", 1, [mail]))
    return result.filed[0].case


# ---------------------------------------------------------------------------------------
# The app


def make_desk(
    data: Data,
    user: str = "alice",
    *,
    canned: tuple[CannedResponse, ...] = CANNED,
    mail_out: MailOut | None = None,
) -> Desk:
    """The desk the app gets, acting as `user` (a test may use one before the app runs)."""
    return Desk(data.ctx, user, canned=canned, mail_out=mail_out)


def make_app(
    data: Data,
    user: str = "alice",
    *,
    canned: tuple[CannedResponse, ...] = CANNED,
    mail_out: MailOut | None = None,
    live_interval: float = 0,
    keymap: dict[str, str] | None = None,
    load_canned: Callable[[], tuple[CannedResponse, ...]] | None = None,
    desk: Desk | None = None,
) -> HelpdeskApp:
    """The real app on the data, acting as `user`; live refresh off unless asked. `desk`:
    one of the test's own (say, one whose disk fails) instead of `make_desk`'s."""
    app = HelpdeskApp(
        desk or make_desk(data, user, canned=canned, mail_out=mail_out),
        live_interval=live_interval,
        keymap=keymap,
        load_canned=load_canned,
    )
    # Scrolls jump instead of gliding: a key press waits for its animation to end, and 60
    # page-downs of 0.3 s each were most of the suite's time. The end state is the same.
    app.animation_level = "none"
    return app


@asynccontextmanager
async def running(
    data: Data,
    user: str = "alice",
    *,
    size: tuple[int, int] = (120, 36),
    notifications: bool = False,
    **options: Any,
) -> AsyncIterator[tuple[HelpdeskApp, Pilot[None]]]:
    """The app (`make_app(data, user, **options)`) running headless at `size`, its first
    screen loaded: `async with running(data) as (app, pilot): …`."""
    app = make_app(data, user, **options)
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await settle(pilot)
        yield app, pilot


# ---------------------------------------------------------------------------------------
# Snapshots


class Scenes:
    """Snapshot scenes of one app session: starting an app and opening a case is most of
    the cost, so the scenes of one feature share it. `check(name)` compares the screen
    with `<test name>[<name>].svg`; `assert_all_match()` fails with every scene that
    differs (regenerate with `--snapshot-update` and look at the SVGs before committing)."""

    def __init__(self, pilot: Pilot[Any], snapshot: SnapshotAssertion) -> None:
        self.pilot = pilot
        self.snapshot = snapshot.use_extension(SVGImageExtension)
        self.mismatches: list[str] = []

    async def keys(self, *keys: str) -> None:
        """Press `keys`, letting each one's work settle."""
        for key in keys:
            await self.pilot.press(key)
            await settle(self.pilot)

    async def check(self, name: str) -> None:
        await settle(self.pilot)
        for widget in self.pilot.app.screen.query("Input, TextArea"):
            assert isinstance(widget, Input | TextArea)
            widget.cursor_blink = False  # a blinking cursor would make screenshots flaky
        await self.pilot.pause()
        svg = self.pilot.app.export_screenshot(title="helpdesk", simplify=True)
        if svg != self.snapshot(name=name):
            self.mismatches.append(name)

    def assert_all_match(self) -> None:
        assert not self.mismatches, f"snapshots differ: {self.mismatches}"
