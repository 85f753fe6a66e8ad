"""Time the activity feed (issue 13) on a big database: pages, paging, the screen.

    .venv/bin/python benchmarks/bench_activity.py --db PATH [--activities 5000000]
        [--agent bjoern] [--lead alice] [--runs 20]

`--db` is a database made by bench_generate.py (the demo plus generated cases; each
generated case has one `created` entry). If it holds fewer than `--activities` timeline
entries, entries are added in bulk first (status, comment, delegation, mail in, phone, …
on the generated cases, a few hours apart, by the case's delegate), so the feed runs on
the issue's "1M cases, ≥ 5M activities". Without --db a temporary database with
`--cases` generated cases is built first.

Prints one JSON object: median and p95 in milliseconds of

- `first_page`: the first page (50 entries) of the feed per scope and filter, through the
  read store (`store.activity.page`, what `Desk.feed` and `helpdesk activity` call);
- `paging`: each following page, `--pages` pages deep through the keyset cursor;
- `screen_first_paint`: the app in-process (Textual's headless driver, 120×36), from the
  `A` key press to the first frame that shows the feed's rows;
- `cli`: the whole `helpdesk activity --limit 50 --json` process;

(`first_page_rows` < 50 with more pages: a sparse filter, cut at the scan budget),
plus the EXPLAIN QUERY PLAN of a page and the table sizes. Targets (issue 13): first page
≤ 50 ms, paging ≤ 20 ms, screen first paint ≤ 300 ms.
"""

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, build_database, emit, file_bytes, settle, stats_ms, timed

PAGE = 50
#: Entries added per generated case, in this order, hours after its creation.
EXTRA = (
    ("delegation", '{"delegated_user": [null, "x"], "delegated_group": ["g", null]}', ""),
    ("status", '{"status": ["open", "in_progress"]}', ""),
    ("comment", "{}", "Called the customer; waiting for the log files."),
    ("mail_in", "{}", "Hello, here are the log files you asked for."),
    ("phone", "{}", "Customer called back: the printer works again."),
    ("status", '{"status": ["in_progress", "waiting"]}', "asked the customer"),
)


def migrate(db: Path) -> None:
    """Bring an older bench database to the current schema (0007's index among others)."""
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.storage.location import locate

    ctx = Context(locate(str(db)))
    ctx.migrate()
    ctx.dispose()


def add_activities(db: Path, wanted: int) -> dict[str, Any]:
    """Add timeline entries in bulk (one INSERT … SELECT per kind) until `wanted` exist."""
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -4000000")
    have = connection.execute("SELECT count(*) FROM activities").fetchone()[0]
    started = time.perf_counter()
    added = 0
    for hours, (kind, changes, text) in enumerate(EXTRA, start=1):
        if have + added >= wanted:
            break
        missing = wanted - have - added
        actor = "NULL" if kind == "mail_in" else "COALESCE(c.delegated_user_id, c.initiator_id)"
        cursor = connection.execute(
            "INSERT INTO activities (id, case_id, kind, actor_id, at, internal, text, changes,"
            " time_spent_centi, mail_id)"
            f" SELECT lower(hex(randomblob(16))), c.id, ?, {actor},"
            " strftime('%Y-%m-%d %H:%M:%S', c.created_at, ? || ' hours',"
            "   (abs(random()) % 3600) || ' seconds')"
            "   || '.' || printf('%06d', abs(random()) % 1000000),"
            " ?, ?, ?, NULL, NULL"
            " FROM cases c WHERE c.number > 600 LIMIT ?",
            [kind, f"+{hours * 5}", kind not in ("mail_in",), text, changes, missing],
        )
        added += cursor.rowcount
        connection.commit()
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    return {"added": added, "seconds": round(time.perf_counter() - started, 1)}


def pages(db: Path, user: str, scope: str, feed: Any, runs: int, depth: int) -> dict[str, Any]:
    """First page and following pages of one scope and filter."""
    from helpdesk_tui.domain.feed import FeedScope
    from helpdesk_tui.storage.location import locate
    from helpdesk_tui.storage.reads import open_reads

    with open_reads(locate(str(db))) as store:

        def first() -> Any:
            return store.activity.page(me=user, scope=FeedScope(scope), feed=feed, limit=PAGE)

        result: dict[str, Any] = {"first_page": timed(runs, first)}
        page = first()
        result["first_page_rows"] = len(page.entries)
        samples = []
        shown = len(page.entries)
        for _ in range(depth):
            if page.after is None:
                break
            after = page.after
            started = time.perf_counter()
            page = store.activity.page(
                me=user, scope=FeedScope(scope), feed=feed, limit=PAGE, after=after
            )
            samples.append(time.perf_counter() - started)
            shown += len(page.entries)
        if samples:
            result["paging"] = stats_ms(samples)
            result["paging_pages"] = len(samples)
            result["paging_rows"] = shown
    return result


def explain(db: Path, user: str) -> list[str]:
    """The plan of a page query of the `mine` scope (the window and the page)."""
    from helpdesk_tui.domain.feed import FeedFilter, FeedScope
    from helpdesk_tui.storage.location import locate
    from helpdesk_tui.storage.reads import open_reads

    plans: list[str] = []
    with open_reads(locate(str(db))) as store:
        reads = store.activity
        original = reads._fetch

        def spy(sql: str, params: Any) -> Any:
            if sql.lstrip().startswith("SELECT a.id") or "OFFSET" in sql:
                rows = original("EXPLAIN QUERY PLAN " + sql, params)
                plans.extend(" ".join(str(c) for c in row[1:]) for row in rows)
            return original(sql, params)

        reads._fetch = spy  # type: ignore[method-assign]
        reads.page(me=user, scope=FeedScope.MINE, feed=FeedFilter(), limit=PAGE)
    return plans


async def screen_first_paint(db: Path, user: str, runs: int) -> dict[str, Any]:
    """`A` pressed → the first frame the app displays (rendered to terminal bytes) that
    shows the activity screen with the feed's rows, in-process at 120×36."""
    from io import StringIO

    from textual.widgets import OptionList

    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.screens.activity import ActivityScreen
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate

    frames: list[float] = []
    shown = asyncio.Event()

    class TimedApp(HelpdeskApp):
        """Renders every frame to terminal bytes; notes when one shows the feed's rows."""

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None or not isinstance(screen, ActivityScreen):
                return
            if hasattr(renderable, "render_segments"):
                StringIO().write(renderable.render_segments(self.console))
            listing = screen.query("#activity-feed")
            if listing and listing.first(OptionList).option_count:
                frames.append(time.perf_counter())
                shown.set()

    ctx = Context(locate(str(db)))
    app = TimedApp(Desk(ctx, user), live_interval=0)
    app.animation_level = "none"
    samples = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for _ in range(runs + 1):
            mark = len(frames)
            shown.clear()
            started = time.perf_counter()
            await pilot.press("A")
            await asyncio.wait_for(shown.wait(), timeout=30)
            samples.append(frames[mark] - started)
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
    ctx.dispose()
    return stats_ms(samples[1:])  # the first includes importing the screen's module


def cli(db: Path, user: str, runs: int) -> dict[str, Any] | None:
    command = [
        str(ROOT / ".venv" / "bin" / "helpdesk"),
        "--db",
        str(db),
        "--as",
        user,
        "activity",
        "--scope",
        "groups",
        "--limit",
        "50",
        "--json",
    ]
    env = {**os.environ, "HELPDESK_CONFIG": str(Path(tempfile.mkdtemp()) / "none.toml")}

    def run() -> None:
        subprocess.run(command, check=True, capture_output=True, env=env)

    try:
        return timed(runs, run)
    except (OSError, subprocess.CalledProcessError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a database made by bench_generate.py")
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases if no --db")
    parser.add_argument("--activities", type=int, default=5_000_000, help="entries wanted")
    parser.add_argument("--agent", default="bjoern", help="an agent of the demo (mine, groups)")
    parser.add_argument("--lead", default="alice", help="a lead or admin (all)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pages", type=int, default=40, help="pages deep for paging")
    args = parser.parse_args()
    db = args.db.expanduser().resolve() if args.db else build_database(args.cases)
    migrate(db)
    grown = add_activities(db, args.activities)

    from datetime import UTC, datetime, timedelta

    from helpdesk_tui.domain.feed import FeedFilter
    from helpdesk_tui.domain.numbering import CaseNumber

    connection = sqlite3.connect(db)
    counts = {
        "cases": connection.execute("SELECT count(*) FROM cases").fetchone()[0],
        "activities": connection.execute("SELECT count(*) FROM activities").fetchone()[0],
    }
    newest = connection.execute("SELECT max(at) FROM activities").fetchone()[0]
    middle = connection.execute("SELECT max(number) FROM cases").fetchone()[0] // 2
    connection.close()
    now = datetime.fromisoformat(newest).replace(tzinfo=UTC)
    scenarios: list[tuple[str, str, str, FeedFilter]] = [
        ("agent mine", args.agent, "mine", FeedFilter()),
        ("agent groups", args.agent, "groups", FeedFilter()),
        ("lead all", args.lead, "all", FeedFilter()),
        ("lead all kind:mail", args.lead, "all", FeedFilter(kinds=frozenset({"mail_in"}))),
        ("lead all @agent", args.lead, "all", FeedFilter(actors=frozenset({args.agent}))),
        ("lead all since:2d", args.lead, "all", FeedFilter(since=now - timedelta(days=2))),
        ("lead all case:N", args.lead, "all", FeedFilter(case=CaseNumber(middle))),
        # Rare entries: a page ends at the scan budget with fewer rows and a cursor.
        ("lead all kind:reopened", args.lead, "all", FeedFilter(kinds=frozenset({"reopened"}))),
    ]
    results = {
        name: pages(db, user, scope, feed, args.runs, args.pages)
        for name, user, scope, feed in scenarios
    }
    paint = asyncio.run(screen_first_paint(db, args.agent, min(args.runs, 10)))
    emit(
        {
            "benchmark": "activity",
            "db": str(db),
            "file_mb": round(file_bytes(db) / 1e6, 1),
            **counts,
            "activities_added": grown,
            "page_size": PAGE,
            "feed": results,
            "screen_first_paint": paint,
            "cli_activity_groups": cli(db, args.agent, min(args.runs, 5)),
            "plan_mine": explain(db, args.agent),
            "sqlite_version": sqlite3.sqlite_version,
            "python": sys.version.split()[0],
        }
    )


if __name__ == "__main__":
    main()
