"""Time the Conversations screen (issue 14) over a million mails: first paint, a filter
change, and `k 1 Enter`.

    .venv/bin/python benchmarks/bench_conversations_tui.py [--db PATH] [--mails 1000000]
        [--cases 2000] [--runs 10]

Without `--db` a fresh demo database with `--cases` generated cases is built; if the
database holds fewer than `--mails` inbound mails, mails are added in bulk (one INSERT …
SELECT over a counter): ~20,000 senders (the demo's contacts among them) on ~4,000
domains over the last year, about 70 % classified, 90 % read, 30 % archived, a tenth filed
onto cases. The app runs in-process (Textual's headless driver, 120×36) on the real Desk.

Prints one JSON object: median and p95 in milliseconds of

- `first_paint`: `i` pressed in the queue → the first frame that shows the list's rows;
- `filter_change`: a toggle (`u` unread, `c` unclassified, `o` old, `a` archived; each
  on and off again) → the first frame that shows that filter's rows;
- `classify_k1_enter`: Enter in the classify dialog (Customer, the contact's account
  filled in) → saved and the cursor on the next mail (`k 1` are pressed before; the
  dialog's own opening, `k` → the dialog mounted, is timed apart as
  `classify_dialog_open`);

Targets (issue 14): first paint ≤ 1 s, filter change ≤ 100 ms, `k 1 Enter` ≤ 50 ms.
"""

import argparse
import asyncio
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from _common import build_database, emit, file_bytes, settle, stats_ms

SENDERS = 20_000
DOMAINS = 4_000


def migrate(db: Path) -> None:
    """Bring the database to the current schema (0011's mail columns among others)."""
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.storage.location import locate

    ctx = Context(locate(str(db)))
    ctx.migrate()
    ctx.dispose()


def add_mails(db: Path, wanted: int) -> dict[str, Any]:
    """Inbound mails in bulk until `wanted` exist (newest about now)."""
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -2000000")
    have = connection.execute("SELECT count(*) FROM mails WHERE direction = 'in'").fetchone()[0]
    missing = wanted - have
    started = time.perf_counter()
    if missing > 0:
        contacts = [row[0] for row in connection.execute("SELECT email FROM contacts LIMIT 500")]
        connection.execute("CREATE TEMP TABLE senders (n INTEGER PRIMARY KEY, email TEXT)")
        connection.executemany(
            "INSERT INTO senders VALUES (?, ?)",
            [
                (n, contacts[n] if n < len(contacts) else f"s{n}@d{n % DOMAINS}.example")
                for n in range(SENDERS)
            ],
        )
        newest = connection.execute(
            "SELECT coalesce(max(received_at), strftime('%Y-%m-%d %H:%M:%f', 'now')) FROM mails"
        ).fetchone()[0]
        cases = connection.execute(
            "SELECT id FROM cases ORDER BY number LIMIT 1000"
        ).fetchall() or [(None,)]
        connection.execute("CREATE TEMP TABLE some_cases (n INTEGER PRIMARY KEY, id TEXT)")
        connection.executemany(
            "INSERT INTO some_cases VALUES (?, ?)", list(enumerate(c[0] for c in cases))
        )
        connection.execute(
            "INSERT INTO mails (id, dedupe_key, message_id, direction, mailbox, case_id,"
            ' received_at, subject, from_email, from_name, recipients, "references",'
            " body_text, attachments, defects, size, filed_by, filed_note, class,"
            " classified_by, from_domain, read, archived)"
            " WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)"
            " SELECT lower(hex(randomblob(16))), 'bench-' || (? + i), NULL, 'in', 'support',"
            "  CASE WHEN i % 10 = 0 THEN (SELECT id FROM some_cases WHERE n = i % 1000)"
            "   ELSE NULL END,"
            "  strftime('%Y-%m-%d %H:%M:%f', ?, '-' || (i * 31) || ' seconds'),"
            "  'Anfrage ' || i, s.email, 'Sender ' || (i % ?), '{}', '[]',"
            "  'Hallo, eine Frage zu Bestellung ' || i, '[]', '[]', 2000,"
            "  CASE WHEN i % 10 = 0 THEN 'tag' ELSE 'unfiled' END, '',"
            "  CASE WHEN i % 10 < 7 THEN"
            "   (CASE i % 5 WHEN 0 THEN 'customer' WHEN 1 THEN 'supplier' WHEN 2 THEN"
            "    'internal' WHEN 3 THEN 'newsletter' ELSE 'advertising' END) END,"
            "  CASE WHEN i % 10 < 7 THEN 'agent' END,"
            "  lower(substr(s.email, instr(s.email, '@') + 1)),"
            "  i % 10 != 3, i % 10 IN (4, 5, 6)"
            " FROM k JOIN senders s ON s.n = (k.i * 7919) % ?",
            [missing, have, newest, SENDERS, SENDERS],
        )
        connection.commit()
    connection.execute("ANALYZE")
    connection.commit()
    count = connection.execute("SELECT count(*) FROM mails WHERE direction = 'in'").fetchone()[0]
    connection.close()
    return {
        "added": max(missing, 0),
        "mails": count,
        "seconds": round(time.perf_counter() - started, 1),
    }


async def screen(db: Path, user: str, runs: int) -> dict[str, Any]:
    """The three timings, in one app session on the database."""
    from io import StringIO

    from textual.widgets import OptionList

    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.dialogs.classify import ClassifyDialog
    from helpdesk_tui.screens.conversations import ConversationsScreen
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate

    frames: list[tuple[float, Any, int]] = []
    event = asyncio.Event()
    classified: list[float] = []
    original = ConversationsScreen._classified

    def timed_classified(self: ConversationsScreen, targets: Any, choice: Any) -> None:
        original(self, targets, choice)
        classified.append(time.perf_counter())

    ConversationsScreen._classified = timed_classified  # type: ignore[method-assign]
    mounted: list[float] = []
    original_mount = ClassifyDialog.on_mount

    def timed_mount(self: ClassifyDialog) -> None:
        original_mount(self)
        mounted.append(time.perf_counter())

    ClassifyDialog.on_mount = timed_mount  # type: ignore[method-assign]

    class TimedApp(HelpdeskApp):
        """Renders every frame to terminal bytes; notes the filter each frame shows."""

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None or not isinstance(screen, ConversationsScreen):
                return
            if hasattr(renderable, "render_segments"):
                StringIO().write(renderable.render_segments(self.console))
            listing = screen.query("#conv-list")
            if listing and listing.first(OptionList).option_count:
                frames.append((time.perf_counter(), screen.shown_filter, len(screen.items)))
                event.set()

    async def until(predicate: Any, started: float) -> float:
        while True:
            for at, shown, rows in frames:
                if at >= started and predicate(shown, rows):
                    return at - started
            event.clear()
            await asyncio.wait_for(event.wait(), timeout=60)

    ctx = Context(locate(str(db)))
    app = TimedApp(Desk(ctx, user), live_interval=0)
    app.animation_level = "none"
    paint, change, dialog_open, k1 = [], [], [], []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for _ in range(runs + 1):
            frames.clear()
            started = time.perf_counter()
            await pilot.press("i")
            paint.append(await until(lambda shown, rows: rows > 0, started))
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        paint = paint[1:]  # the first includes importing the screen's modules
        await pilot.press("i")
        await settle(pilot)
        conv = app.screen
        assert isinstance(conv, ConversationsScreen)
        for _ in range(runs):
            for key in ("u", "u", "c", "c", "o", "o", "a", "a"):
                frames.clear()
                started = time.perf_counter()
                await pilot.press(key)
                wanted = conv.mail_filter
                change.append(await until(lambda shown, rows, w=wanted: shown == w, started))
                await settle(pilot)
        # k 1 Enter on the newest mails of a contact with an account.
        sender = ctx_contact(db)
        await pilot.press("slash", *f"from:{sender}", "enter")
        await settle(pilot)
        for _ in range(min(runs, max(len(conv.items) - 1, 0))):
            frames.clear()
            before = len(mounted)
            started = time.perf_counter()
            await pilot.press("k")
            while len(mounted) == before:
                await pilot.pause(0.001)
            dialog_open.append(mounted[-1] - started)
            await settle(pilot)
            await pilot.press("1")
            await settle(pilot)
            before = len(classified)
            started = time.perf_counter()
            await pilot.press("enter")
            while len(classified) == before:
                await pilot.pause(0.001)
            k1.append(classified[-1] - started)
            await settle(pilot)
    ctx.dispose()
    ConversationsScreen._classified = original  # type: ignore[method-assign]
    ClassifyDialog.on_mount = original_mount  # type: ignore[method-assign]
    return {
        "first_paint": stats_ms(paint),
        "filter_change": stats_ms(change),
        "classify_dialog_open": stats_ms(dialog_open) if dialog_open else None,
        "classify_k1_enter": stats_ms(k1) if k1 else None,
        "classified_samples": len(k1),
    }


def ctx_contact(db: Path) -> str:
    """A contact with an account that sent many of the generated mails."""
    connection = sqlite3.connect(db)
    row = connection.execute(
        "SELECT ct.email FROM contacts ct WHERE ct.account_id IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM mails m WHERE m.direction = 'in'"
        "  AND m.from_email = ct.email) ORDER BY ct.email LIMIT 1"
    ).fetchone()
    connection.close()
    if row is None:
        raise SystemExit("no contact with an account sent mail")
    return str(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a database (default: a fresh demo)")
    parser.add_argument("--cases", type=int, default=2000, help="generated cases if no --db")
    parser.add_argument("--mails", type=int, default=1_000_000, help="inbound mails wanted")
    parser.add_argument("--user", default="alice", help="the acting agent")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    db = args.db.expanduser().resolve() if args.db else build_database(args.cases)
    migrate(db)
    grown = add_mails(db, args.mails)
    timings = asyncio.run(screen(db, args.user, args.runs))
    emit(
        {
            "benchmark": "conversations_tui",
            "db": str(db),
            "file_mb": round(file_bytes(db) / 1e6, 1),
            "mails_added": grown,
            **timings,
            "sqlite_version": sqlite3.sqlite_version,
            "python": sys.version.split()[0],
        }
    )


if __name__ == "__main__":
    main()
