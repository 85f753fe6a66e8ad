"""Time the TUI: start to first painted queue, keystroke to repaint, peak memory.

    .venv/bin/python benchmarks/bench_tui.py --db PATH [--user alice] [--keys 200]

Prints one JSON object with two parts:

- `first_paint`: the real `helpdesk --db PATH --as USER` started in a detached tmux
  session (120×36); the clock runs from just before tmux starts the process until
  `tmux capture-pane` first shows a row of cases (polled every 5 ms, so figures are
  up to ~10 ms late). Median of `--starts` runs, and the process's peak RSS (VmHWM)
  read from /proc just before it is told to quit.
- `keys`: the app in-process under Textual's headless driver (`run_test`, 120×36) on
  the All view and on My cases. Each key press is timed from just before the press to
  the first frame the app renders afterwards that shows the cursor on another case
  (the frame is rendered to terminal bytes, as it would be written to a terminal).
  j/k/PgDn/PgUp/End/Home, median and p95 per key and overall; peak RSS of the process.
- `query_typing` (same app): `/` then a query typed one key at a time, a typist's pause
  (`TYPIST_S`) after each key; each key is timed from just before the press to the
  first frame that shows its outcome: the bar holding the text typed so far and the list
  showing the view AND that text (its rows read, not "loading"), or, for text that
  cannot apply yet (`prio:`), the reason under the bar. Full-text words and field terms
  (`prio:high @alice`), median and p95 per query and overall. The debounce is included.
- `go_to_case` (same app): `#`, a case number, Enter; timed from Enter to the first
  frame of the case screen showing that case's header (the existence check, the screen
  switch and the case read included), over `--gotos` numbers spread over the table.
"""

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import time
from io import StringIO
from pathlib import Path
from typing import Any, NamedTuple

from _common import ROOT, emit, settle, stats_ms

SIZE = (120, 36)


# -- first paint (a real process in tmux) --------------------------------------------------
def first_paint(db: Path, user: str, starts: int) -> dict[str, Any]:
    """Start `helpdesk` in tmux `starts` times; time until a case row is on screen."""
    if shutil.which("tmux") is None:
        return {"error": "tmux not found"}
    helpdesk = ROOT / ".venv" / "bin" / "helpdesk"
    samples: list[float] = []
    rss: list[int] = []
    for run in range(starts):
        session = f"hd-bench-{os.getpid()}-{run}"
        command = f"exec {helpdesk} --db {db} --as {user}"
        env = {**os.environ, "HELPDESK_CONFIG": "/nonexistent/helpdesk-bench.toml"}
        started = time.perf_counter()
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", session, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
             command],
            check=True,
            env=env,
        )  # fmt: skip
        try:
            painted = _wait_for_rows(session, started)
            samples.append(painted)
            rss.append(_peak_rss_kb(session))
        finally:
            subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=False)
            time.sleep(0.3)
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return {
        "how": "tmux 120x36, process start → first case row visible (capture-pane every 5 ms)",
        "runs": starts,
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "peak_rss_mb": round(max(rss) / 1024, 1) if rss else None,
    }


def _wait_for_rows(session: str, started: float, timeout: float = 30.0) -> float:
    while time.perf_counter() - started < timeout:
        screen = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout
        if any(_is_case_row(line) for line in screen.splitlines()):
            return time.perf_counter() - started
        time.sleep(0.005)
    raise TimeoutError("no case row on screen")


def _is_case_row(line: str) -> bool:
    words = line.split()
    return any(len(w) >= 7 and w[:7].isdigit() for w in words[2:5])


def _peak_rss_kb(session: str) -> int:
    pid = subprocess.run(
        ["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], capture_output=True, text=True
    ).stdout.strip()
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


# -- keystrokes (in-process, headless) ----------------------------------------------------
KEYS = (("j", 1.0), ("k", 0.4), ("pagedown", 0.25), ("pageup", 0.1))
#: Queries typed into the bar, each on a view (the sidebar key): full text and field terms.
QUERIES = (
    ("9", "rechnung"),
    ("9", "invoice twice"),
    ("9", "prio:high @alice"),
    ("7", "prio:high @alice"),
    ("1", "status:waiting prio:urgent"),
    ("9", "@bjoern drucker"),
)
#: Seconds between two keys typed into the bar (a quick typist: ~8 keys a second).
TYPIST_S = 0.12


async def keystrokes(db: Path, user: str, presses: int, gotos: int) -> dict[str, Any]:
    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.screens.case import CaseScreen
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate
    from helpdesk_tui.widgets.case_list import CaseList
    from helpdesk_tui.widgets.query_bar import QueryBar, QueryNote

    frames: list[tuple[float, object]] = []
    states: list[tuple[float, State]] = []  # what each frame showed, for typing and #

    class TimedApp(HelpdeskApp):
        """Renders every frame to terminal bytes and notes when, and what it showed."""

        def _display(self, screen: Any, renderable: Any) -> None:
            if renderable is None:
                return
            console = self.console
            if hasattr(renderable, "render_segments"):
                StringIO().write(renderable.render_segments(console))
            now = time.perf_counter()
            if isinstance(screen, CaseScreen):
                detail = screen.detail
                shown = detail.case.number if detail is not None else None
                states.append((now, State(case=shown)))
                return
            try:
                cases = screen.query_one(CaseList)
            except Exception:
                return
            frames.append((now, cases.current.number if cases.current else None))
            bar = screen.query_one(QueryBar)
            states.append(
                (
                    now,
                    State(
                        query=cases.case_query,
                        loading=cases.loading_rows,
                        text=bar.value,
                        note=screen.query_one(QueryNote).message,
                    ),
                )
            )

    ctx = Context(locate(str(db)))
    app = TimedApp(Desk(ctx, user), live_interval=0)
    results: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=3)
        for view_key, view in (("9", "all"), ("1", "mine")):
            await pilot.press(view_key)
            await settle(pilot, rounds=3)
            cases = app.screen.query_one(CaseList)
            per_key: dict[str, list[float]] = {}
            plan = [k for k, share in KEYS for _ in range(max(1, int(presses * share)))]
            plan += ["end", "home"] * 5
            for key in _interleave(plan):
                before = cases.current.number if cases.current else None
                window = cases.window
                at_top = window.cursor == 0 and window.at_start
                at_bottom = window.at_end and window.cursor == len(window.rows) - 1
                if (key in ("k", "pageup") and at_top) or (key in ("j", "pagedown") and at_bottom):
                    continue
                mark = len(frames)
                started = time.perf_counter()
                await pilot.press(key)
                latency = await _next_frame(frames, mark, started, before)
                if latency is not None:
                    per_key.setdefault(key, []).append(latency)
                await asyncio.sleep(0.02)  # a fast typist, not a flood
            everything = [s for samples in per_key.values() for s in samples]
            results[view] = {
                "total": cases.window.total,
                "window_rows": len(cases.window.rows),
                "all_keys": {**stats_ms(everything), "presses": len(everything)},
                **{k: {**stats_ms(v), "presses": len(v)} for k, v in per_key.items()},
            }
        results["query_typing"] = await _query_typing(pilot, states, user)
        results["go_to_case"] = await _go_to_case(pilot, states, db, gotos)
    ctx.dispose()
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results["how"] = (
        "run_test 120x36; press → first frame whose cursor is on another case, "
        "frame rendered to terminal bytes"
    )
    return results


class State(NamedTuple):
    """What one frame showed: the queue's list and bar, or the case screen's case."""

    query: object = None
    loading: bool = False
    text: str = ""
    note: str = ""
    case: object = None


async def _query_typing(pilot: Any, states: list[tuple[float, State]], user: str) -> dict[str, Any]:
    """Type each of QUERIES into the bar; time every key to the frame showing its outcome."""
    from helpdesk_tui.domain.errors import DomainError
    from helpdesk_tui.domain.query import parse_query
    from helpdesk_tui.widgets.sidebar import STANDARD_VIEWS, views_for

    desk = pilot.app.desk
    per_query: dict[str, list[float]] = {}
    missed = 0
    for view_key, text in QUERIES:
        view = next(v for v in views_for([]) if v.key == STANDARD_VIEWS[int(view_key) - 1][0])
        await pilot.press("escape", view_key)
        await settle(pilot, rounds=3)
        await pilot.press("slash")
        await settle(pilot, rounds=3)
        samples = per_query.setdefault(f"{view.label}: {text}", [])
        for n in range(1, len(text) + 1):
            typed = text[:n]
            try:
                typed_query = parse_query(typed.strip())
                await asyncio.to_thread(desk.check_query, typed_query)  # off the loop
                wanted = view.query.narrowed(typed_query, me=user) if typed.strip() else view.query
            except DomainError:
                wanted = None  # the reason shows under the bar; the list stays
            mark = len(states)
            started = time.perf_counter()
            await pilot.press(typed[-1] if typed[-1] != " " else "space")

            def shows(state: State, typed: str = typed, wanted: object = wanted) -> bool:
                if state.text != typed:
                    return False
                if wanted is None:
                    return bool(state.note)
                return state.query == wanted and not state.loading

            latency = await _first(states, mark, started, shows)
            if latency is None:
                missed += 1
            else:
                samples.append(latency)
            await asyncio.sleep(max(0.0, TYPIST_S - (time.perf_counter() - started)))
        await pilot.press("escape")
        await settle(pilot, rounds=3)
    everything = [x for samples in per_query.values() for x in samples]
    return {
        "how": (
            f"'/' then one key every {TYPIST_S * 1000:.0f} ms; press → first frame showing the "
            "text typed and the list for view AND it (or the reason under the bar)"
        ),
        "all_keys": {**stats_ms(everything), "keys": len(everything), "missed": missed},
        **{name: {**stats_ms(v), "keys": len(v)} for name, v in per_query.items() if v},
    }


async def _go_to_case(
    pilot: Any, states: list[tuple[float, State]], db: Path, gotos: int
) -> dict[str, Any]:
    """`#`, a number, Enter: time Enter → the case screen showing that case."""
    from helpdesk_tui.domain.numbering import CaseNumber

    highest = _highest(db)
    numbers = [max(1, highest * (i + 1) // (gotos + 1)) for i in range(gotos)]
    samples: list[float] = []
    missed = 0
    await pilot.press("escape", "escape", "9")
    await settle(pilot, rounds=3)
    for main in numbers:
        await pilot.press("number_sign", *str(main))
        await settle(pilot, rounds=3)
        mark = len(states)
        started = time.perf_counter()
        await pilot.press("enter")
        wanted = CaseNumber(main)
        latency = await _first(states, mark, started, lambda s, w=wanted: s.case == w)
        if latency is None:
            missed += 1
        else:
            samples.append(latency)
        await settle(pilot, rounds=3)
        await pilot.press("escape")  # back to the queue
        await settle(pilot, rounds=3)
    return {
        "how": "'#', the number, Enter → first frame of the case screen showing that case",
        **stats_ms(samples),
        "max_ms": round(max(samples) * 1000, 2) if samples else None,
        "cases": len(samples),
        "missed": missed,
    }


async def _first(
    states: list[tuple[float, State]], mark: int, started: float, shows: Any
) -> float | None:
    deadline = started + 5
    while time.perf_counter() < deadline:
        for at, state in states[mark:]:
            if shows(state):
                return at - started
        await asyncio.sleep(0.0005)
    return None


def _highest(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT max(number) FROM cases").fetchone()[0])


def _interleave(plan: list[str]) -> list[str]:
    # Spread the keys out (j j k j pgdn …) the way a person mixes them.
    buckets: dict[str, list[str]] = {}
    for key in plan:
        buckets.setdefault(key, []).append(key)
    order: list[str] = []
    while any(buckets.values()):
        for key in list(buckets):
            if buckets[key]:
                order.append(buckets[key].pop())
    return order


async def _next_frame(
    frames: list[tuple[float, object]], mark: int, started: float, before: object
) -> float | None:
    deadline = started + 5
    while time.perf_counter() < deadline:
        for at, number in frames[mark:]:
            if number != before:
                return at - started
        await asyncio.sleep(0.0005)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="an existing SQLite database")
    parser.add_argument("--user", default="alice", help="acting agent")
    parser.add_argument("--keys", type=int, default=200, help="j presses (others in ratio)")
    parser.add_argument("--starts", type=int, default=5, help="process starts to time")
    parser.add_argument("--gotos", type=int, default=20, help="cases opened with #")
    args = parser.parse_args()
    db = args.db.expanduser().resolve()
    cases = _count(db)
    paint = first_paint(db, args.user, args.starts)
    keys = asyncio.run(keystrokes(db, args.user, args.keys, args.gotos))
    emit({"benchmark": "tui", "db": str(db), "cases": cases, "first_paint": paint, "keys": keys})


def _count(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM cases").fetchone()[0])


if __name__ == "__main__":
    main()
