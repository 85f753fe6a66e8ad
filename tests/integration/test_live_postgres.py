"""Live updates on PostgreSQL (TEAM-2, TUI-3, issue 16 §2): every commit sends NOTIFY from
its own transaction (one notice per case: id, kind, version; nothing on a rollback), and
two TUIs on one database see each other's changes within a second, also on a closed case,
also after their listening connection was cut."""

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
from sqlalchemy import text
from support import sync
from tui.pilotkit import screen_text

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.domain.enums import ActivityKind, Resolution
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.listen import (
    MANY,
    ChangeListener,
    ListenerLost,
    Notice,
    notify_commit,
)
from helpdesk_tui.storage.notifications import CaseEvent
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.sync.live import Listening
from helpdesk_tui.widgets.status_line import StatusLine
from helpdesk_tui.widgets.timeline import Timeline


def drain(listener: ChangeListener, seconds: float = 0.3) -> list[Notice]:
    """Every notice that arrives within `seconds`."""
    got: list[Notice] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        got += listener.wait(left)
    return got


def version_of(ctx: Context, number: CaseNumber) -> int:
    with open_reads(ctx.location) as store:
        return store.case_detail(number).case.version


def test_a_commit_announces_each_case_once_with_its_kind_and_version(pg: Context) -> None:
    first = cases.create_case(pg, "lena", subject="Drucker", contact="k@acme.de", group="billing")
    second = cases.create_case(pg, "lena", subject="VPN", contact="k@acme.de", group="billing")
    with ChangeListener(pg.location) as listener:
        cases.record_activity(pg, "alice", first, ActivityKind.COMMENT, "Toner bestellt")
        cases.assign_to_me(pg, "alice", second)
        got = drain(listener)
    with psycopg.connect(pg.location.libpq_url) as conn:
        found = dict(conn.execute("SELECT number, id FROM cases").fetchall())
    ids = [str(found[n.main]) for n in (first, second)]
    assert got == [
        Notice("comment", ids[0], 1, 0, version_of(pg, first)),
        Notice("delegation", ids[1], 2, 0, version_of(pg, second)),
    ]


def test_a_rollback_or_a_read_announces_nothing_and_other_writes_say_changed(
    pg: Context,
) -> None:
    number = cases.create_case(pg, "lena", subject="Drucker", contact="k@a.de", group="billing")
    with ChangeListener(pg.location) as listener:
        with pg.uow() as uow:  # written, never committed
            uow.session.execute(text("UPDATE cases SET subject = 'x'"))
        with pg.uow() as uow:  # a read-only unit of work that commits
            uow.session.execute(text("SELECT count(*) FROM cases"))
            uow.commit()
        assert drain(listener) == []
        with pg.uow() as uow:  # a write with no timeline entry (e.g. a notification read)
            uow.session.execute(text("UPDATE agents SET email = email"))
            uow.commit()
        assert drain(listener) == [Notice("changed")]
    assert version_of(pg, number) == 1


def test_a_commit_of_many_cases_sends_one_compact_notice(pg: Context) -> None:
    now = datetime.now(UTC)
    events = [CaseEvent(uuid.uuid4(), None, now) for _ in range(MANY + 1)]
    with ChangeListener(pg.location) as listener:
        with pg.uow() as uow:
            uow.session.execute(text("SELECT pg_current_xact_id()"))  # a writing transaction
            notify_commit(uow.session, events)
            uow.session.commit()
        assert drain(listener) == [Notice("many", cases=MANY + 1)]


async def until(check: Callable[[], object], seconds: float, what: str) -> float:
    """Seconds until `check()` holds, looking every 20 ms; fails after `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {what}")


def status_of(app: HelpdeskApp) -> StatusLine:
    return next(line for s in app.screen_stack for line in s.query(StatusLine))


def listener_pids(ctx: Context) -> list[int]:
    with psycopg.connect(ctx.location.libpq_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN helpdesk'"
        ).fetchall()
    return [int(row[0]) for row in rows]


@sync
async def test_two_tuis_on_postgres_see_each_others_changes_within_a_second(pg: Context) -> None:
    open_one = cases.create_case(pg, "lena", subject="Offen", contact="k@a.de", group="billing")
    closed = cases.create_case(pg, "lena", subject="Erledigt", contact="k@a.de", group="billing")
    cases.assign_to_me(pg, "alice", closed)
    cases.close_case(pg, "alice", closed, Resolution.SOLVED)

    app_a = HelpdeskApp(Desk(pg, "alice"))
    app_b = HelpdeskApp(Desk(pg, "lena"))
    b_live, b_done = threading.Event(), threading.Event()

    async def run_b() -> None:  # Textual keeps one active app per thread: B gets its own
        async with app_b.run_test(size=(80, 24)):
            while not b_done.is_set():
                if status_of(app_b).team == "team: live":
                    b_live.set()
                await asyncio.sleep(0.02)

    thread_b = threading.Thread(target=asyncio.run, args=(run_b(),))
    thread_b.start()
    try:
        await asyncio.to_thread(b_live.wait, 10)
        assert b_live.is_set(), "B listens"
        await tui_a_sees_b(app_a, app_b, closed, open_one)
    finally:
        b_done.set()
        await asyncio.to_thread(thread_b.join, 10)


async def tui_a_sees_b(
    app_a: HelpdeskApp, app_b: HelpdeskApp, closed: CaseNumber, open_one: CaseNumber
) -> None:
    async with app_a.run_test(size=(80, 24)):
        await until(lambda: status_of(app_a).team == "team: live", 5, "A listens")

        waited = []
        for number, words in ((closed, "Nachtrag geschlossen"), (open_one, "Rückruf offen")):
            app_a.open_case(number)
            await until(lambda: app_a.screen.query(Timeline), 5, "A shows the case")
            timeline = app_a.screen.query_one(Timeline)
            await until(lambda t=timeline: t.text, 5, "the case is loaded")
            # B's agent writes through B's desk (its worker thread's way, off the loop).
            await asyncio.to_thread(app_b.desk.record_activity, number, ActivityKind.COMMENT, words)
            waited.append(
                await until(lambda w=words, t=timeline: w in t.text, 1.0, f"{words} in A")
            )
            app_a.pop_screen()
        assert max(waited) <= 1.0


@sync
async def test_the_listener_reconnects_after_its_connection_is_cut(pg: Context) -> None:
    number = cases.create_case(pg, "lena", subject="Drucker", contact="k@a.de", group="billing")
    cases.assign_to_me(pg, "alice", number)
    cases.close_case(pg, "alice", number, Resolution.SOLVED)
    app = HelpdeskApp(Desk(pg, "alice"))
    async with app.run_test(size=(80, 24)) as pilot:
        line = status_of(app)
        await until(lambda: line.team == "team: live", 5, "listening")
        assert "team: live" in screen_text(pilot)  # the queue's line, at 80x24
        app.open_case(number)
        await until(lambda: app.screen.query(Timeline), 5, "the case screen")
        timeline = app.screen.query_one(Timeline)

        pids = await asyncio.to_thread(listener_pids, pg)
        assert len(pids) == 1

        seen: list[str] = []
        watching = threading.Event()

        async def record() -> None:  # every state the line shows, the last one included
            while True:
                if not seen or seen[-1] != line.team:
                    seen.append(line.team)
                if watching.is_set():
                    return
                await asyncio.sleep(0.01)

        recorder = asyncio.create_task(record())

        def cut_and_write() -> None:
            with psycopg.connect(pg.location.libpq_url, autocommit=True) as conn:
                conn.execute("SELECT pg_terminate_backend(%s)", (pids[0],))
            cases.record_activity(pg, "lena", number, ActivityKind.COMMENT, "Während der Pause")

        await asyncio.to_thread(cut_and_write)
        await until(lambda: line.team == "team: reconnecting", 2, "reconnecting shown")
        await until(lambda: line.team == "team: live", 5, "live again")
        await until(lambda: "Während der Pause" in timeline.text, 2, "the change made meanwhile")
        watching.set()
        await recorder
        assert seen[-2:] == ["team: reconnecting", "team: live"], seen
        new = await asyncio.to_thread(listener_pids, pg)
        assert len(new) == 1
        assert new != pids

        # The new connection carries notices again.
        await asyncio.to_thread(
            cases.record_activity, pg, "lena", number, ActivityKind.COMMENT, "Wieder da"
        )
        await until(lambda: "Wieder da" in timeline.text, 1.0, "a notice after the reconnect")


class FakeLine:
    """A listening connection that hands out the notices queued on it, one per wait."""

    def __init__(self, notices: list[Notice], *, lose_after: bool = False) -> None:
        self.notices = notices
        self.lose_after = lose_after

    def wait(self, timeout: float) -> list[Notice]:
        if self.notices:
            return [self.notices.pop(0)]
        if self.lose_after:
            raise ListenerLost("cut")
        time.sleep(min(timeout, 0.01))
        return []

    def close(self) -> None:
        pass


def test_a_burst_of_a_hundred_notices_is_two_refreshes_at_most() -> None:
    batches: list[list[Notice]] = []
    stop = threading.Event()
    burst = [Notice("comment", version=i) for i in range(100)]
    listening = Listening(lambda: FakeLine(list(burst)), batches.append, lambda _s: None)
    runner = threading.Thread(target=listening.watch, args=(stop,))
    runner.start()
    deadline = time.monotonic() + 2
    while sum(map(len, batches)) < 100 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    runner.join()
    assert [n for batch in batches for n in batch] == burst
    assert len(batches) == 2  # the first at once, the other 99 after the 0.2 s window


def test_a_lost_line_reports_reconnecting_polls_and_comes_back_live() -> None:
    states: list[str] = []
    batches: list[list[Notice]] = []
    attempts = [0]
    tokens = iter([1, 1, 2, 2, 2, 2, 2, 2, 2, 2])
    stop = threading.Event()

    def connect() -> FakeLine:
        attempts[0] += 1
        if attempts[0] == 1:
            return FakeLine([Notice("comment")], lose_after=True)
        if attempts[0] < 4:
            raise ListenerLost("server away")
        return FakeLine([])

    listening = Listening(
        connect,
        batches.append,
        states.append,
        poll=lambda: next(tokens, 2),
        poll_every=0.01,
        backoff=(0.02,),
    )
    runner = threading.Thread(target=listening.watch, args=(stop,))
    runner.start()
    deadline = time.monotonic() + 2
    while listening.reconnects < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    runner.join()
    assert states == ["live", "reconnecting", "live"]
    kinds = [n.kind for batch in batches for n in batch]
    assert kinds == ["comment", "polled", "reconnected"]
