"""Helpers shared by the benchmark scripts (the leading underscore keeps `make bench` off it)."""

import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def stats_ms(samples: list[float]) -> dict[str, float]:
    """Median and 95th percentile of durations given in seconds, as milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
    }


def remove_database(path: Path) -> None:
    """Delete a SQLite file with its WAL and shared-memory companions."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def file_bytes(path: Path) -> int:
    """Size of a SQLite database including its WAL."""
    return sum(
        Path(f"{path}{suffix}").stat().st_size
        for suffix in ("", "-wal")
        if Path(f"{path}{suffix}").exists()
    )


def emit(result: dict[str, Any]) -> None:
    """The one JSON object a benchmark prints on stdout."""
    print(json.dumps(result, ensure_ascii=False, indent=2))


def progress_printer(total: int, enabled: bool) -> Any:
    """A progress callback that reports to stderr (stdout carries only the JSON)."""
    if not enabled:
        return None

    def report(done: int) -> None:
        print(f"  {done:,}/{total:,}", file=sys.stderr, flush=True)

    return report


async def settle(pilot: Any, rounds: int = 4) -> None:
    """Let the app finish what a key started: wait for its workers (not the live-refresh
    loop) and the messages they post, `rounds` times."""
    import asyncio

    for _ in range(rounds):
        busy = [w for w in pilot.app.workers if w.group != "live" and not w.is_finished]
        if busy:
            await asyncio.gather(*(w.wait() for w in busy), return_exceptions=True)
        await pilot.pause()


def timed(runs: int, call: Any) -> dict[str, float]:
    """Median and p95 of `runs` calls, after one warm-up call (page and statement caches)."""
    import time

    call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return stats_ms(samples)


def build_database(cases: int) -> Path:
    """A fresh demo database with `cases` generated cases, in a new temporary folder."""
    import tempfile

    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.demo import seed_demo
    from helpdesk_tui.storage.location import locate

    path = Path(tempfile.mkdtemp(prefix="hd-bench-")) / "bench.sqlite"
    ctx = Context(locate(str(path)))
    seed_demo(ctx, generate=cases)
    ctx.dispose()
    return path
