"""Live updates on PostgreSQL (issue 16 §2, TEAM-2): NOTIFY → the listener's refresh
callback, p50/p95, with 20 writer threads making case changes for ~10 s; and what the
NOTIFY step adds to a commit (the same comment with and without it, same run).

Target: NOTIFY → repaint in another TUI ≤ 1 s p95 with 20 agents working.
`notify_to_callback` ends at the app's refresh callback (sync/live.Listening, coalesced
as in the TUI); `tui_repaint_under_load` runs a headless TUI on one case while the 20
writers work and times a probe comment from its commit to its text in that TUI's
timeline (the re-read included).

    .venv/bin/python benchmarks/bench_live.py [--seconds 10] [--writers 20]

A PostgreSQL URL in HELPDESK_BENCH_PG_URL is used (its public schema is dropped!);
without it a private cluster is started in a temporary folder (initdb on PATH or under
/usr/lib/postgresql) and removed afterwards.
"""

import argparse
import contextlib
import glob
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from _common import emit, stats_ms

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage import uow as uow_module
from helpdesk_tui.storage.listen import ChangeListener, Notice
from helpdesk_tui.storage.location import locate
from helpdesk_tui.sync.live import Listening


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """HELPDESK_BENCH_PG_URL, or a private throw-away cluster on 127.0.0.1."""
    given = os.environ.get("HELPDESK_BENCH_PG_URL")
    if given:
        yield given
        return
    found = shutil.which("initdb") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None
    )
    if found is None:
        sys.exit("no PostgreSQL here: install it or set HELPDESK_BENCH_PG_URL")
    bin_dir = Path(os.path.realpath(found)).parent
    root = Path(tempfile.mkdtemp(prefix="hd-bench-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run(_as_postgres([*initdb, "-E", "UTF8"]), check=True, capture_output=True)
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sockets}"
    start = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log")]
    subprocess.run(_as_postgres([*start, "-w", "start"]), check=True, capture_output=True)
    try:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres") as conn:
            conn.autocommit = True
            conn.execute("CREATE DATABASE helpdesk")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/helpdesk"
    finally:
        stop = [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]
        subprocess.run(_as_postgres(stop), check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def prepare(url: str, writers: int, per_writer: int) -> tuple[Context, list[list[CaseNumber]]]:
    """A fresh schema, `writers` agents in one group, `per_writer` cases for each."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    ctx = Context(locate(url))
    ctx.migrate()
    names = [f"agent{i:02d}" for i in range(writers)]
    sync_people(ctx, [AgentSpec(n) for n in names], [GroupSpec("desk", members=tuple(names))])
    owned = [
        [
            cases.create_case(ctx, n, subject=f"Fall {k}", contact="k@acme.de", group="desk")
            for k in range(per_writer)
        ]
        for n in names
    ]
    return ctx, owned


def commit_cost(ctx: Context, number: CaseNumber, rounds: int) -> dict[str, dict[str, float]]:
    """One comment per commit, alternating blocks with and without the NOTIFY step."""
    samples: dict[str, list[float]] = {"with_notify": [], "without_notify": []}
    real = uow_module.notify_commit

    def skip(*_args: object) -> None:
        return None

    for block in range(rounds // 25 * 2):
        with_notify = block % 2 == 0
        uow_module.notify_commit = real if with_notify else skip  # type: ignore[assignment]
        key = "with_notify" if with_notify else "without_notify"
        for _ in range(25):
            started = time.perf_counter()
            cases.record_activity(ctx, "agent00", number, ActivityKind.COMMENT, "Messung")
            samples[key].append(time.perf_counter() - started)
    uow_module.notify_commit = real
    return {key: stats_ms(values) for key, values in samples.items()}


def under_load(
    ctx: Context, owned: Sequence[Sequence[CaseNumber]], seconds: float
) -> dict[str, object]:
    """Writers comment on their own cases (a random 0–100 ms pause between changes); the
    listener's callback notes when each case's notice arrived."""
    ids: dict[str, CaseNumber] = {}
    import psycopg

    with psycopg.connect(ctx.location.libpq_url) as conn:
        for case_id, number, sub in conn.execute("SELECT id, number, sub_number FROM cases"):
            ids[str(case_id)] = CaseNumber(number, sub)
    committed: dict[CaseNumber, list[float]] = defaultdict(list)
    received: dict[CaseNumber, list[float]] = defaultdict(list)
    callbacks: list[int] = []
    lock = threading.Lock()

    def on_change(notices: Sequence[Notice]) -> None:
        now = time.perf_counter()
        callbacks.append(len(notices))
        with lock:
            for notice in notices:
                if notice.case is not None and notice.case in ids:
                    received[ids[notice.case]].append(now)

    stop_listening, stop_writing = threading.Event(), threading.Event()
    listening = Listening(lambda: ChangeListener(ctx.location), on_change, lambda _s: None)
    listener = threading.Thread(target=listening.watch, args=(stop_listening,))
    listener.start()
    time.sleep(0.5)  # connected and listening

    def writer(index: int, numbers: Sequence[CaseNumber]) -> None:
        rng = random.Random(index)
        name = f"agent{index:02d}"
        while not stop_writing.is_set():
            number = rng.choice(numbers)
            cases.record_activity(ctx, name, number, ActivityKind.COMMENT, "Weiter")
            done = time.perf_counter()
            with lock:
                committed[number].append(done)
            time.sleep(rng.uniform(0, 0.1))

    threads = [threading.Thread(target=writer, args=(i, n)) for i, n in enumerate(owned)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop_writing.set()
    for thread in threads:
        thread.join()
    time.sleep(1.0)  # the last notices
    stop_listening.set()
    listener.join()

    latencies: list[float] = []
    missing = 0
    for number, ends in committed.items():
        got = received.get(number, [])
        missing += max(0, len(ends) - len(got))
        # One writer per case: its notices arrive in the order of its commits.
        latencies += [max(0.0, seen - end) for end, seen in zip(ends, got, strict=False)]
    total = sum(len(v) for v in committed.values())
    return {
        "commits": total,
        "commits_per_s": round(total / seconds, 1),
        "notices_missing": missing,
        "refresh_callbacks": len(callbacks),
        "notify_to_callback": stats_ms(latencies),
    }


def repaint(
    ctx: Context, owned: Sequence[Sequence[CaseNumber]], seconds: float
) -> dict[str, object]:
    """A headless TUI shows one case while the writers work; a probe comments on that case
    twice a second: from the commit to the text in the TUI's timeline."""
    import asyncio

    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.widgets.timeline import Timeline

    watched = owned[0][0]
    samples: list[float] = []

    async def run() -> None:
        app = HelpdeskApp(Desk(ctx, "agent00"))
        async with app.run_test(size=(120, 36)):
            app.open_case(watched)
            while not app.screen.query(Timeline):  # noqa: ASYNC110 - polling the screen
                await asyncio.sleep(0.02)
            timeline = app.screen.query_one(Timeline)
            stop = threading.Event()
            writers = [
                threading.Thread(target=_keep_writing, args=(ctx, i, n[1:], stop))
                for i, n in enumerate(owned)
            ]
            for thread in writers:
                thread.start()
            ends = time.perf_counter() + seconds
            probe = 0
            while time.perf_counter() < ends:
                probe += 1
                words = f"probe {probe}"
                done = await asyncio.to_thread(_comment, ctx, "agent00", watched, words)
                while words not in timeline.text:
                    if time.perf_counter() - done > 5:
                        raise SystemExit(f"{words} did not show within 5 s")
                    await asyncio.sleep(0.005)
                samples.append(time.perf_counter() - done)
                await asyncio.sleep(0.5)
            stop.set()
            for thread in writers:
                await asyncio.to_thread(thread.join)

    asyncio.run(run())
    return {"probes": len(samples), "commit_to_timeline": stats_ms(samples)}


def _comment(ctx: Context, name: str, number: CaseNumber, words: str) -> float:
    cases.record_activity(ctx, name, number, ActivityKind.COMMENT, words)
    return time.perf_counter()


def _keep_writing(
    ctx: Context, index: int, numbers: Sequence[CaseNumber], stop: threading.Event
) -> None:
    rng = random.Random(index)
    while not stop.is_set():
        _comment(ctx, f"agent{index:02d}", rng.choice(numbers), "Weiter")
        time.sleep(rng.uniform(0, 0.1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--commit-rounds", type=int, default=300)
    args = parser.parse_args()
    with postgres() as url:
        ctx, owned = prepare(url, args.writers, 5)
        cost = commit_cost(ctx, owned[0][0], args.commit_rounds)
        load = under_load(ctx, owned, args.seconds)
        shown = repaint(ctx, owned, args.seconds)
        ctx.dispose()
    emit(
        {
            "benchmark": "live updates on PostgreSQL (NOTIFY/LISTEN)",
            "writers": args.writers,
            "seconds": args.seconds,
            "target": "NOTIFY -> repaint <= 1 s p95 with 20 agents",
            **load,
            "tui_repaint_under_load": shown,
            "commit_cost": cost,
        }
    )


if __name__ == "__main__":
    main()
